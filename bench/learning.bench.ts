/**
 * Training speed against PyTorch: milliseconds per epoch of the dual network (case-study size, 2 banks × 2 assets,
 * and 100 banks × 20 assets; 1,280 training rows in mini-batches of 128, losses read every 5 epochs) and seconds
 * per epoch of the graph transformer (500 investors × 2,000 assets × ~30,000 positions, d_h 64, 3 layers, 4 heads;
 * an epoch is one training step on one date and the validation pass on another), on the WebAssembly backend.
 *
 * Reference: bench/learning_reference.py, the same architectures and sizes in PyTorch on one CPU thread, run on
 * the same data when `python3 -c 'import torch'` works ($PYTHON, python3, or /usr/bin/python3 where Debian's
 * python3-torch installs). Times are processor time of each process (the build machine is shared, so wall time
 * depends on the other work); the figures are the ratios TensorFlow.js ÷ PyTorch per epoch (1 = as fast).
 * `LEARNING_BENCH_EPOCHS=N` changes the number of dual-network epochs (default 60).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { generateHoldings } from '../src-main/engines/holdings-generator';
import { Rng } from '../src-main/engines/random';
import { selectLearningBackend } from '../src-main/learning/backend';
import { DEFAULT_TRAINING, splitSamples, trainDualNetwork } from '../src-main/learning/dual-network';
import {
  directedEdges,
  embedNodes,
  fitFeatureSpace,
  initParameters,
  pairHead,
  type GraphTransformerConfig,
} from '../src-main/learning/graph-transformer';
import { evaluationMask, prepareDates, sampleMask, type PreparedDate } from '../src-main/learning/gt-training';

const EPOCHS = Number(process.env.LEARNING_BENCH_EPOCHS ?? 60);
const SAMPLES = 2000;
const GT_CONFIG: GraphTransformerConfig = {
  hidden: 64,
  embedding: 32,
  layers: 3,
  heads: 4,
  keyDim: 16,
  categoryDim: 8,
};
const GT_EPOCHS = 3;

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;
/** Processor time of this process in milliseconds (the build machine is shared: wall time depends on the others). */
const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** Synthetic fire-sale data of the given size (speed does not depend on the values). */
function dualData(nBanks: number, nAssets: number) {
  const rng = new Rng(3);
  const shocks = Float64Array.from({ length: SAMPLES * nBanks }, () => 0.6 + 0.3 * rng.uniform());
  const holdings = Float64Array.from({ length: nBanks * nAssets }, () => rng.uniform());
  const prices = Float64Array.from({ length: SAMPLES * nAssets }, () => 0.7 + 0.3 * rng.uniform());
  return { nSamples: SAMPLES, nBanks, nAssets, shocks, prices, holdings };
}

async function dualNetworkMsPerEpoch(data: ReturnType<typeof dualData>): Promise<number> {
  const started = cpuMs();
  await trainDualNetwork(data, { ...DEFAULT_TRAINING, maxEpochs: EPOCHS, restarts: 0, patience: 10 * EPOCHS }, 0.2);
  return (cpuMs() - started) / EPOCHS;
}

/** The rows the PyTorch run trains on: as many training and validation rows as trainDualNetwork uses. */
function dualPayload(data: ReturnType<typeof dualData>) {
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
    epochs: EPOCHS,
    holdings: Array.from(data.holdings),
    xTrain: rows(data.shocks, data.nBanks, train.length),
    yTrain: rows(data.prices, data.nAssets, train.length),
    xValidation: rows(data.shocks, data.nBanks, validation.length),
    yValidation: rows(data.prices, data.nAssets, validation.length),
  };
}

/** A date as the PyTorch run reads it: the graph, one mask's visible edges and pairs, the trade targets. */
function gtDatePayload(date: PreparedDate, rng: Rng) {
  const mask = sampleMask(date.graph, 0.15, rng);
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

/** Seconds per graph-transformer epoch (one step on `train`, the validation pass on `validation`). */
async function graphTransformerSecondsPerEpoch(
  train: PreparedDate,
  validation: PreparedDate,
  space: ReturnType<typeof fitFeatureSpace>,
): Promise<number> {
  const params = initParameters(GT_CONFIG, space, 1);
  const optimizer = tf.train.adam(1e-2);
  const rng = new Rng(5);
  const mse = (prediction: tf.Tensor, target: Float32Array) =>
    tf.mean(tf.square(tf.sub(prediction, tf.tensor1d(target))));
  const epoch = async () => {
    const mask = sampleMask(train.graph, 0.15, rng);
    const edges = directedEdges(train.graph, mask.visible);
    const loss = optimizer.minimize(
      () => {
        const e = embedNodes(params, GT_CONFIG, train.graph, edges, { training: true, dropout: 0.1, dropoutSeed: 1 });
        const ae = mse(
          pairHead(params, 'ae', e, train.graph.investors, mask.pairInvestor, mask.pairAsset),
          mask.pairTarget,
        );
        return tf.add<tf.Scalar>(
          ae,
          mse(
            pairHead(params, 'tp', e, train.graph.investors, train.trade!.investor, train.trade!.asset),
            train.trade!.target,
          ),
        );
      },
      true,
      [...params.values()],
    )!;
    const held = evaluationMask(validation, { maskFraction: 0.15, seed: 1 });
    const losses = tf.tidy(() => {
      const options = { training: false, dropout: 0 };
      const masked = embedNodes(
        params,
        GT_CONFIG,
        validation.graph,
        directedEdges(validation.graph, held.visible),
        options,
      );
      const full = embedNodes(params, GT_CONFIG, validation.graph, directedEdges(validation.graph), options);
      return tf.stack([
        mse(
          pairHead(params, 'ae', masked, validation.graph.investors, held.pairInvestor, held.pairAsset),
          held.pairTarget,
        ),
        mse(
          pairHead(params, 'tp', full, validation.graph.investors, validation.trade!.investor, validation.trade!.asset),
          validation.trade!.target,
        ),
      ]);
    });
    await Promise.all([loss.data(), losses.data()]);
    tf.dispose([loss, losses]);
  };
  await epoch(); // warm-up: kernels, WebAssembly memory growth
  const started = cpuMs();
  for (let k = 0; k < GT_EPOCHS; k++) await epoch();
  optimizer.dispose();
  for (const v of params.values()) v.dispose();
  return (cpuMs() - started) / 1000 / GT_EPOCHS;
}

/** The first Python that imports torch: $PYTHON, python3 on the path, then the system's (where apt installs python3-torch). */
function pythonWithTorch(): string | undefined {
  return [process.env.PYTHON, 'python3', '/usr/bin/python3'].find(
    (python) => python && spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0,
  );
}

function pytorchReference(payload: unknown): Record<string, unknown> | string {
  const python = pythonWithTorch();
  if (!python) return 'not measured: PyTorch is not installed (apt-get install python3-torch)';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cwb-learning-bench-'));
  try {
    const file = path.join(dir, 'payload.json');
    writeFileSync(file, JSON.stringify(payload));
    const script = fileURLToPath(new URL('learning_reference.py', import.meta.url));
    const child = spawnSync(python, [script, file], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
      env: { ...process.env, OMP_NUM_THREADS: '1' },
    });
    if (child.status !== 0)
      return `not measured: the PyTorch reference failed: ${child.stderr.trim().split('\n').pop()}`;
    return JSON.parse(child.stdout) as Record<string, unknown>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const backend = await selectLearningBackend('wasm');
  const sizes = { caseStudy: dualData(2, 2), banks100assets20: dualData(100, 20) };
  const dualMs: Record<string, number> = {};
  for (const [name, data] of Object.entries(sizes)) dualMs[name] = round(await dualNetworkMsPerEpoch(data), 2);

  const panel = generateHoldings({ investors: 500, assets: 2000, positionsPerInvestor: 60, dates: 3, seed: 11 });
  const space = fitFeatureSpace(panel, panel.snapshots.slice(0, 1));
  const [train, validation] = prepareDates(panel, space) as [PreparedDate, PreparedDate];
  const gtSeconds = round(await graphTransformerSecondsPerEpoch(train, validation, space));

  const rng = new Rng(9);
  const reference = pytorchReference({
    dualNetwork: Object.fromEntries(Object.entries(sizes).map(([name, data]) => [name, dualPayload(data)])),
    graphTransformer: {
      config: GT_CONFIG,
      epochs: GT_EPOCHS,
      investorVocab: space.investorVocab.map((v) => v.length),
      assetVocab: space.assetVocab.map((v) => v.length),
      train: gtDatePayload(train, rng),
      validation: gtDatePayload(validation, rng),
    },
  });
  const results: Record<string, unknown> = {
    backend: `${backend.name} on ${backend.adapter}`,
    dualNetworkMsPerEpoch: dualMs,
    graphTransformer: { positions: train.graph.edgeInvestor.length, config: GT_CONFIG, secondsPerEpoch: gtSeconds },
    pytorch: reference,
  };
  if (typeof reference !== 'string') {
    const torchDual = reference.dualNetworkMsPerEpoch as Record<string, number>;
    results.ratioToPytorch = {
      ...Object.fromEntries(
        Object.keys(dualMs).map((name) => [`dualNetwork ${name}`, round(dualMs[name]! / torchDual[name]!, 2)]),
      ),
      graphTransformer: round(gtSeconds / (reference.graphTransformerSecondsPerEpoch as number), 2),
    };
  }
  return results;
}
