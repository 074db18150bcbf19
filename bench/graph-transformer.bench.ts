/**
 * Graph-transformer benchmark: seconds per epoch and peak memory of training on 5,000 investors × 20,000 assets ×
 * ~300,000 positions per date (the generator's planted holdings) on the WebAssembly backend, and on WebGPU when a
 * GPU adapter answers. An epoch here is one training step (forward, backward through the scatterND gradients,
 * Adam) on one date's graph plus the validation pass on one other date (masked-autoencoder forward and the full
 * graph's trade forward), i.e. what `trainGraphTransformer` does per date.
 *
 * Reference, in the same process: the plain JavaScript CPU backend of TensorFlow.js on the same model at one tenth
 * of the size (the CPU backend at full size takes minutes per step), against WebAssembly at that size; and the
 * ratio to the previous run of this benchmark (bench/results.json) when there is one.
 * `GT_BENCH_SCALE=0.1 npm run bench -- graph-transformer` shrinks everything for a quick look.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { generateHoldings } from '../src-main/engines/holdings-generator';
import { selectLearningBackend } from '../src-main/learning/backend';
import {
  countParameters,
  directedEdges,
  embedNodes,
  fitFeatureSpace,
  initParameters,
  pairHead,
  type GraphTransformerConfig,
} from '../src-main/learning/graph-transformer';
import { evaluationMask, prepareDates, sampleMask } from '../src-main/learning/gt-training';
import { Rng } from '../src-main/engines/random';

const scale = Number(process.env.GT_BENCH_SCALE ?? 1);
/** A configuration WebAssembly can hold at 300k positions (the paper's d_k = d_h = 256 needs ~2.4 GB per gathered query tensor). */
const BENCH_CONFIG: GraphTransformerConfig = {
  hidden: 64,
  embedding: 32,
  layers: 3,
  heads: 4,
  keyDim: 16,
  categoryDim: 8,
};

function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

async function epoch(
  size: { investors: number; assets: number; positionsPerInvestor: number },
  config: GraphTransformerConfig,
  steps: number,
) {
  const panel = generateHoldings({ ...size, dates: 3, seed: 11 });
  const space = fitFeatureSpace(panel, panel.snapshots.slice(0, 1));
  const [train, validation] = prepareDates(panel, space);
  const params = initParameters(config, space, 1);
  const optimizer = tf.train.adam(1e-2);
  const rng = new Rng(5);
  const settings = { maskFraction: 0.15, seed: 1 };
  // Reads are asynchronous: WebGPU cannot read a tensor synchronously in Node (dataSync fails there).
  const trainStep = async () => {
    const mask = sampleMask(train!.graph, 0.15, rng);
    const edges = directedEdges(train!.graph, mask.visible);
    const loss = optimizer.minimize(
      () => {
        const e = embedNodes(params, config, train!.graph, edges, { training: true, dropout: 0.1, dropoutSeed: 1 });
        const ae = tf.mean(
          tf.square(
            tf.sub(
              pairHead(params, 'ae', e, train!.graph.investors, mask.pairInvestor, mask.pairAsset),
              tf.tensor1d(mask.pairTarget),
            ),
          ),
        );
        const tp = tf.mean(
          tf.square(
            tf.sub(
              pairHead(params, 'tp', e, train!.graph.investors, train!.trade!.investor, train!.trade!.asset),
              tf.tensor1d(train!.trade!.target),
            ),
          ),
        );
        return tf.add<tf.Scalar>(ae, tp);
      },
      true,
      [...params.values()],
    )!;
    await loss.data();
    loss.dispose();
  };
  const validationPass = async () => {
    const mask = evaluationMask(validation!, settings);
    const options = { training: false, dropout: 0 };
    const outputs = tf.tidy(() => [
      pairHead(
        params,
        'ae',
        embedNodes(params, config, validation!.graph, directedEdges(validation!.graph, mask.visible), options),
        validation!.graph.investors,
        mask.pairInvestor,
        mask.pairAsset,
      ),
      pairHead(
        params,
        'tp',
        embedNodes(params, config, validation!.graph, directedEdges(validation!.graph), options),
        validation!.graph.investors,
        validation!.trade!.investor,
        validation!.trade!.asset,
      ),
    ]);
    await Promise.all(outputs.map((output) => output.data()));
    tf.dispose(outputs);
  };
  await trainStep(); // warm-up: kernels, WebAssembly memory growth
  const rssBefore = process.memoryUsage().rss;
  const profile = await tf.profile(() => trainStep());
  let seconds = 0;
  for (let s = 0; s < steps; s++) {
    const started = performance.now();
    await trainStep();
    await validationPass();
    seconds += (performance.now() - started) / 1000;
  }
  const result = {
    investors: size.investors,
    assets: size.assets,
    positions: train!.graph.edgeInvestor.length,
    parameters: countParameters(
      config,
      space.investorVocab.map((v) => v.length),
      space.assetVocab.map((v) => v.length),
    ),
    secondsPerEpoch: round(seconds / steps),
    peakTensorMiB: round(profile.peakBytes / 2 ** 20, 1),
    processRssMiB: round(Math.max(rssBefore, process.memoryUsage().rss) / 2 ** 20, 1),
  };
  optimizer.dispose();
  for (const v of params.values()) v.dispose();
  return result;
}

function previousRun(): Record<string, unknown> | undefined {
  const file = new URL('results.json', import.meta.url);
  if (!existsSync(file)) return undefined;
  const report = JSON.parse(readFileSync(file, 'utf8')) as { results?: Record<string, Record<string, unknown>> };
  return report.results?.['graph-transformer'];
}

export async function run(): Promise<Record<string, unknown>> {
  const previous = previousRun() as { wasm?: { secondsPerEpoch?: number } } | undefined;
  const full = { investors: Math.round(5000 * scale), assets: Math.round(20_000 * scale), positionsPerInvestor: 60 };
  const tenth = { investors: Math.round(500 * scale), assets: Math.round(2000 * scale), positionsPerInvestor: 60 };
  const results: Record<string, unknown> = { config: BENCH_CONFIG, scale };

  const cpu = await selectLearningBackend('cpu');
  const cpuTenth = await epoch(tenth, BENCH_CONFIG, 1);
  const wasm = await selectLearningBackend('wasm');
  const wasmTenth = await epoch(tenth, BENCH_CONFIG, 2);
  results.reference = {
    size: 'one tenth (500 × 2,000 × ~30,000)',
    cpu: { backend: cpu.name, ...cpuTenth },
    wasm: { backend: wasm.name, ...wasmTenth },
    wasmSpeedupOverCpu: round(cpuTenth.secondsPerEpoch / wasmTenth.secondsPerEpoch, 2),
  };
  const wasmFull = await epoch(full, BENCH_CONFIG, 2);
  results.wasm = { backend: `${wasm.name} (${wasm.detail})`, ...wasmFull };
  if (previous?.wasm?.secondsPerEpoch)
    results.ratioToPreviousRun = round(wasmFull.secondsPerEpoch / previous.wasm.secondsPerEpoch, 3);

  const gpu = await selectLearningBackend('webgpu');
  if (gpu.name === 'webgpu') {
    results.webgpu = { backend: `${gpu.name} (${gpu.detail})`, ...(await epoch(full, BENCH_CONFIG, 3)) };
    const paper = { hidden: 256, embedding: 128, layers: 3, heads: 4, keyDim: 256, categoryDim: 16 };
    results.webgpuPaperConfig = { config: paper, ...(await epoch(full, paper, 2)) };
  } else {
    results.webgpu = `not measured: ${gpu.detail}`;
  }
  return results;
}
