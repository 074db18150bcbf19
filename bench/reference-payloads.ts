/**
 * What the PyTorch references read (bench/reference_models.py, through bench/learning_reference.py and
 * bench/gpu_reference.py): the benchmarks' data as JSON, so both sides train on the same rows, graphs and masks;
 * and how a reference script is run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../src-main/engines/random';
import { DEFAULT_TRAINING, splitSamples } from '../src-main/learning/dual-network';
import { directedEdges } from '../src-main/learning/graph-transformer';
import type { MaskSample, PreparedDate } from '../src-main/learning/gt-training';

/** Rows of synthetic fire-sale data per size (1,280 training rows after the test and validation splits). */
export const DUAL_SAMPLES = 2000;

/** Synthetic fire-sale data of the given size (speed does not depend on the values). */
export function dualData(nBanks: number, nAssets: number) {
  const rng = new Rng(3);
  const shocks = Float64Array.from({ length: DUAL_SAMPLES * nBanks }, () => 0.6 + 0.3 * rng.uniform());
  const holdings = Float64Array.from({ length: nBanks * nAssets }, () => rng.uniform());
  const prices = Float64Array.from({ length: DUAL_SAMPLES * nAssets }, () => 0.7 + 0.3 * rng.uniform());
  return { nSamples: DUAL_SAMPLES, nBanks, nAssets, shocks, prices, holdings };
}

/** The rows the PyTorch run trains on: as many training and validation rows as trainDualNetwork uses. */
export function dualPayload(data: ReturnType<typeof dualData>, epochs: number) {
  const { train: trainAll } = splitSamples(data.nSamples, 0.2, DEFAULT_TRAINING.seed);
  const { train, test: validation } = splitSamples(
    trainAll.length,
    DEFAULT_TRAINING.validationFraction,
    DEFAULT_TRAINING.seed + 1,
  );
  const rows = (values: Float64Array, width: number, count: number) => Array.from(values.subarray(0, count * width));
  return {
    nBanks: data.nBanks,
    nAssets: data.nAssets,
    hidden: DEFAULT_TRAINING.hidden,
    priceHidden: DEFAULT_TRAINING.priceHidden,
    learningRate: DEFAULT_TRAINING.learningRate,
    batchSize: DEFAULT_TRAINING.batchSize,
    epochs,
    holdings: Array.from(data.holdings),
    xTrain: rows(data.shocks, data.nBanks, train.length),
    yTrain: rows(data.prices, data.nAssets, train.length),
    xValidation: rows(data.shocks, data.nBanks, validation.length),
    yValidation: rows(data.prices, data.nAssets, validation.length),
  };
}

/** A date as the PyTorch run reads it: the graph, one mask's visible edges and pairs, the trade targets. */
export function gtDatePayload(date: PreparedDate, mask: MaskSample) {
  const all = directedEdges(date.graph);
  const visible = directedEdges(date.graph, mask.visible);
  const g = date.graph;
  return {
    investors: g.investors,
    assets: g.assets,
    investorNumeric: Array.from(g.investorNumeric),
    assetNumeric: Array.from(g.assetNumeric),
    investorCategory: Array.from(g.investorCategory),
    assetCategory: Array.from(g.assetCategory),
    source: Array.from(all.source),
    target: Array.from(all.target),
    weight: Array.from(all.weight),
    visibleSource: Array.from(visible.source),
    visibleTarget: Array.from(visible.target),
    visibleWeight: Array.from(visible.weight),
    pairInvestor: Array.from(mask.pairInvestor),
    pairAsset: Array.from(mask.pairAsset),
    pairTarget: Array.from(mask.pairTarget),
    tradeInvestor: Array.from(date.trade!.investor),
    tradeAsset: Array.from(date.trade!.asset),
    tradeTarget: Array.from(date.trade!.target),
  };
}

/** The first Python that imports torch: $PYTHON, python3 on the path, then the system's (where apt installs python3-torch). */
export function pythonWithTorch(): string | undefined {
  return [process.env.PYTHON, 'python3', '/usr/bin/python3'].find(
    (python) => python && spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0,
  );
}

/**
 * Runs `bench/SCRIPT PAYLOAD.json` with the first Python that imports torch and returns the JSON it prints, or a
 * sentence saying why nothing was measured. `timeoutMs` ends a run that hangs (its figures are then lost).
 */
export function runReference(
  script: string,
  payload: unknown,
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Record<string, unknown> | string {
  const python = pythonWithTorch();
  if (!python) return 'not measured: PyTorch is not installed (apt-get install python3-torch)';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cwb-reference-'));
  try {
    const file = path.join(dir, 'payload.json');
    writeFileSync(file, JSON.stringify(payload));
    // Beside this module, or in ./bench when it runs bundled (bench/gpu-pack.sh).
    const beside = fileURLToPath(new URL(script, import.meta.url));
    const child = spawnSync(python, [existsSync(beside) ? beside : path.resolve('bench', script), file], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
      env: { ...process.env, ...options.env },
      timeout: options.timeoutMs,
    });
    if (child.error || child.status !== 0)
      return `not measured: ${script} failed: ${child.error?.message ?? child.stderr.trim().split('\n').pop()}`;
    return JSON.parse(child.stdout) as Record<string, unknown>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
