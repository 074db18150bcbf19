/**
 * Training speed against PyTorch: milliseconds per epoch of the dual network (case-study size, 2 banks × 2 assets,
 * and 100 banks × 20 assets; 1,280 training rows in mini-batches of 128, losses read every 5 epochs; timed after an
 * untimed warm-up run of the same length) and seconds
 * per epoch of the graph transformer (500 investors × 2,000 assets × ~30,000 positions, d_h 64, 3 layers, 4 heads;
 * an epoch is one training step on one date and the validation pass on another), on the WebAssembly backend.
 *
 * Reference: bench/learning_reference.py, the same architectures and sizes in PyTorch on one CPU thread, run on
 * the same data when `python3 -c 'import torch'` works ($PYTHON, python3, or /usr/bin/python3 where Debian's
 * python3-torch installs). Times are processor time of each process (the build machine is shared, so wall time
 * depends on the other work); the figures are the ratios TensorFlow.js ÷ PyTorch per epoch (1 = as fast).
 * `LEARNING_BENCH_EPOCHS=N` changes the number of dual-network epochs (default 60); `LEARNING_BENCH_SKIP_GT=1` leaves
 * out the graph transformer (both runs), which takes most of the benchmark's time.
 */
import * as tf from '@tensorflow/tfjs';
import { generateHoldings } from '../src-main/engines/holdings-generator';
import { Rng } from '../src-main/engines/random';
import { selectLearningBackend } from '../src-main/learning/backend';
import { DEFAULT_TRAINING, trainDualNetwork } from '../src-main/learning/dual-network';
import {
  directedEdges,
  embedNodes,
  fitFeatureSpace,
  initParameters,
  pairHead,
  type GraphTransformerConfig,
} from '../src-main/learning/graph-transformer';
import { evaluationMask, prepareDates, sampleMask, type PreparedDate } from '../src-main/learning/gt-training';
import { dualData, dualPayload, gtDatePayload, runReference } from './reference-payloads';

const EPOCHS = Number(process.env.LEARNING_BENCH_EPOCHS ?? 60);
const GT_CONFIG: GraphTransformerConfig = {
  hidden: 64,
  embedding: 32,
  layers: 3,
  heads: 4,
  keyDim: 16,
  categoryDim: 8,
};
const GT_EPOCHS = 3;
const SKIP_GT = !!process.env.LEARNING_BENCH_SKIP_GT && process.env.LEARNING_BENCH_SKIP_GT !== '0';

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;
/** Processor time of this process in milliseconds (the build machine is shared: wall time depends on the others). */
const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

async function dualNetworkMsPerEpoch(data: ReturnType<typeof dualData>): Promise<number> {
  const options = { ...DEFAULT_TRAINING, maxEpochs: EPOCHS, restarts: 0, patience: 10 * EPOCHS };
  // Warm-up, untimed (as the PyTorch run's clock starts after its setup): a first training of the same length, so
  // that the timed one runs on compiled JavaScript (V8 optimises TensorFlow.js's kernels' code only after a few
  // hundred calls; at case-study size that took about as long as the 40 timed epochs).
  await trainDualNetwork(data, options, 0.2);
  const started = cpuMs();
  await trainDualNetwork(data, options, 0.2);
  return (cpuMs() - started) / EPOCHS;
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

export async function run(): Promise<Record<string, unknown>> {
  const backend = await selectLearningBackend('wasm');
  const sizes = { caseStudy: dualData(2, 2), banks100assets20: dualData(100, 20) };
  const dualMs: Record<string, number> = {};
  for (const [name, data] of Object.entries(sizes)) dualMs[name] = round(await dualNetworkMsPerEpoch(data), 2);

  let graphTransformer: { payload: Record<string, unknown>; positions: number; seconds: number } | undefined;
  if (!SKIP_GT) {
    const panel = generateHoldings({ investors: 500, assets: 2000, positionsPerInvestor: 60, dates: 3, seed: 11 });
    const space = fitFeatureSpace(panel, panel.snapshots.slice(0, 1));
    const [train, validation] = prepareDates(panel, space) as [PreparedDate, PreparedDate];
    const seconds = round(await graphTransformerSecondsPerEpoch(train, validation, space));
    const rng = new Rng(9);
    graphTransformer = {
      positions: train.graph.edgeInvestor.length,
      seconds,
      payload: {
        config: GT_CONFIG,
        epochs: GT_EPOCHS,
        investorVocab: space.investorVocab.map((v) => v.length),
        assetVocab: space.assetVocab.map((v) => v.length),
        train: gtDatePayload(train, sampleMask(train.graph, 0.15, rng)),
        validation: gtDatePayload(validation, sampleMask(validation.graph, 0.15, rng)),
      },
    };
  }

  const reference = runReference(
    'learning_reference.py',
    {
      dualNetwork: Object.fromEntries(Object.entries(sizes).map(([name, data]) => [name, dualPayload(data, EPOCHS)])),
      ...(graphTransformer ? { graphTransformer: graphTransformer.payload } : {}),
    },
    { env: { OMP_NUM_THREADS: '1' } },
  );
  const results: Record<string, unknown> = {
    backend: `${backend.name} on ${backend.adapter}`,
    dualNetworkMsPerEpoch: dualMs,
    graphTransformer: graphTransformer
      ? { positions: graphTransformer.positions, config: GT_CONFIG, secondsPerEpoch: graphTransformer.seconds }
      : 'skipped (LEARNING_BENCH_SKIP_GT)',
    pytorch: reference,
  };
  if (typeof reference !== 'string') {
    const torchDual = reference.dualNetworkMsPerEpoch as Record<string, number>;
    results.ratioToPytorch = {
      ...Object.fromEntries(
        Object.keys(dualMs).map((name) => [`dualNetwork ${name}`, round(dualMs[name]! / torchDual[name]!, 2)]),
      ),
      ...(graphTransformer
        ? {
            graphTransformer: round(
              graphTransformer.seconds / (reference.graphTransformerSecondsPerEpoch as number),
              2,
            ),
          }
        : {}),
    };
  }
  return results;
}
