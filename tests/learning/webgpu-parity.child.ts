/**
 * Run by webgpu-parity.test.ts in a child process (the Vulkan loader is found through LD_LIBRARY_PATH, which only
 * counts at process start). Computes the same forward values, gradients and short trainings on the plain CPU
 * backend and on WebGPU, and prints one JSON line: the backend report and, per quantity, both results. With the
 * argument `fallback` it prints only the report of selecting WebGPU.
 */
import * as tf from '@tensorflow/tfjs';
import { generateHoldings } from '../../src-main/engines/holdings-generator';
import { Rng } from '../../src-main/engines/random';
import { trainAcceptanceClassifier } from '../../src-main/learning/acceptance-classifiers';
import { selectLearningBackend } from '../../src-main/learning/backend';
import {
  DEFAULT_TRAINING,
  denseLayer,
  dualNetworkForward,
  trainDualNetwork,
  type Dense,
} from '../../src-main/learning/dual-network';
import {
  directedEdges,
  embedNodes,
  exportParameters,
  importParameters,
  initParameters,
  pairHead,
  type DateGraph,
  type FeatureSpace,
  type GraphTransformerConfig,
} from '../../src-main/learning/graph-transformer';
import { PAPER_TRAINING, trainGraphTransformer } from '../../src-main/learning/gt-training';
import {
  edgeDotProducts,
  gatherRows,
  segmentSoftmax,
  segmentSum,
  weightedNeighbourSum,
} from '../../src-main/learning/sparse-ops';

type Figures = Record<string, number[]>;

const uniform = (rng: Rng, count: number, low = -1, high = 1) =>
  Float32Array.from({ length: count }, () => low + (high - low) * rng.uniform());
const integers = (rng: Rng, count: number, below: number) =>
  Int32Array.from({ length: count }, () => Math.floor(rng.uniform() * below));

/** Values and gradients of each sparse operation, weighted by fixed random cotangents; edge tensors in chunks of 16. */
async function sparseOps(): Promise<Figures> {
  const rng = new Rng(11);
  const nodes = 12;
  const edges = 40;
  const heads = 2;
  const width = 8;
  const source = integers(rng, edges, nodes);
  const target = integers(rng, edges, nodes);
  const x = tf.tensor2d(uniform(rng, nodes * width), [nodes, width]);
  const k = tf.tensor2d(uniform(rng, nodes * width), [nodes, width]);
  const scores = tf.tensor2d(uniform(rng, edges * heads, -3, 3), [edges, heads]);
  const c = tf.tensor1d(uniform(rng, edges));
  const chunkBytes = 16 * 4 * width;
  const out: Figures = {};
  const record = async (name: string, f: (...inputs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]) => {
    const { value, grads } = tf.tidy(() => {
      const probe = f(...inputs);
      const cotangent = tf.tensor(uniform(new Rng(name.length), probe.size), probe.shape);
      return tf.valueAndGrads((...args: tf.Tensor[]) => tf.sum(tf.mul(f(...args), cotangent)))(inputs);
    });
    out[`${name} value`] = Array.from(await value.data());
    for (const [n, g] of grads.entries()) out[`${name} gradient ${n}`] = Array.from(await g.data());
    tf.dispose([value, ...grads]);
  };
  const targetIds = tf.tensor1d(target, 'int32');
  await record('gatherRows', (a) => gatherRows(a, tf.tensor1d(source, 'int32')), [x]);
  await record('segmentSum', (a) => segmentSum(a, targetIds, nodes), [
    tf.tensor2d(uniform(rng, edges * width), [edges, width]),
  ]);
  await record('segmentSoftmax', (s) => segmentSoftmax(s as tf.Tensor2D, targetIds, target, nodes), [scores]);
  await record(
    'edgeDotProducts',
    (q, key) => edgeDotProducts(q as tf.Tensor2D, key as tf.Tensor2D, target, source, heads, chunkBytes),
    [x, k],
  );
  await record(
    'weightedNeighbourSum',
    (w, m) => weightedNeighbourSum(w as tf.Tensor1D, m as tf.Tensor2D, target, source, nodes, chunkBytes),
    [c, x],
  );
  tf.dispose([x, k, scores, c, targetIds]);
  return out;
}

/** A small bipartite graph: 5 investors, 7 assets, 18 positions, numeric features and categories. */
function smallGraph(): { graph: DateGraph; space: FeatureSpace } {
  const rng = new Rng(5);
  const investors = 5;
  const assets = 7;
  const positions = 18;
  const graph: DateGraph = {
    date: '2024-03-31',
    investors,
    assets,
    investorNumeric: uniform(rng, investors * 4),
    investorCategory: integers(rng, investors * 2, 3),
    assetNumeric: uniform(rng, assets * 4),
    assetCategory: integers(rng, assets * 2, 3),
    edgeInvestor: integers(rng, positions, investors),
    edgeAsset: integers(rng, positions, assets),
    edgeWeight: uniform(rng, positions, 0, 2),
  };
  const vocab = ['', 'a', 'b'];
  const norm = { mean: [0, 0, 0, 0], std: [1, 1, 1, 1] };
  return {
    graph,
    space: { investorVocab: [vocab, vocab], assetVocab: [vocab, vocab], investorNorm: norm, assetNorm: norm },
  };
}

const GT_CONFIG: GraphTransformerConfig = { hidden: 8, embedding: 6, layers: 2, heads: 2, keyDim: 4, categoryDim: 3 };

/** The graph transformer's masked-autoencoder loss on a small graph and its gradient for every parameter. */
async function graphTransformer(weights: Awaited<ReturnType<typeof exportParameters>>): Promise<Figures> {
  const { graph } = smallGraph();
  const params = importParameters(weights);
  const visible = Int32Array.from({ length: 14 }, (_, k) => k);
  const edges = directedEdges(graph, visible);
  const pairs = {
    investor: Int32Array.from([0, 1, 2, 3, 4, 0]),
    asset: Int32Array.from([1, 2, 3, 4, 5, 6]),
    target: Float32Array.from([0.5, 1, 0, 0.2, 1.5, 0]),
  };
  const { value, grads } = tf.variableGrads(() => {
    const embeddings = embedNodes(params, GT_CONFIG, graph, edges, {
      training: false,
      dropout: 0,
      maxTensorBytes: 4 * 8 * 8,
    });
    const prediction = pairHead(params, 'ae', embeddings, graph.investors, pairs.investor, pairs.asset);
    return tf.mean<tf.Scalar>(tf.square(tf.sub(prediction, tf.tensor1d(pairs.target))));
  }, [...params.values()]);
  const out: Figures = { 'graph transformer loss': [(await value.data())[0]!] };
  for (const [name, v] of params.entries()) {
    if (!name.startsWith('tp.')) out[`graph transformer gradient of ${name}`] = Array.from(await grads[v.name]!.data()); // the trade head is not in this loss
  }
  tf.dispose([value, ...Object.values(grads), ...params.values()]);
  return out;
}

/** The dual network's price loss (eq. 3 output against prices) and its gradient for every layer. */
async function dualNetwork(): Promise<Figures> {
  const rng = new Rng(9);
  const banks = 4;
  const assets = 3;
  const samples = 16;
  const liquidation = [
    denseLayer(rng, banks, 8, 'mixed'),
    denseLayer(rng, 8, 8, 'mixed'),
    denseLayer(rng, 8, banks, 'fraction'),
  ];
  const price = [denseLayer(rng, assets, 6, 'mixed'), denseLayer(rng, 6, assets, 'linear')];
  const aggregation = tf.tensor2d(uniform(rng, banks * assets, 0, 1), [banks, assets]);
  const x = tf.tensor2d(uniform(rng, samples * banks, 0, 1), [samples, banks]);
  const y = tf.tensor2d(uniform(rng, samples * assets, -1, 0), [samples, assets]);
  const layers: Dense[] = [...liquidation, ...price];
  const variables = layers.flatMap((layer) => [layer.kernel, layer.bias]);
  const { value, grads } = tf.variableGrads(
    () => tf.mean<tf.Scalar>(tf.squaredDifference(dualNetworkForward(liquidation, price, aggregation, x), y)),
    variables,
  );
  const out: Figures = { 'dual network loss': [(await value.data())[0]!] };
  for (const [k, v] of variables.entries())
    out[`dual network gradient of variable ${k}`] = Array.from(await grads[v.name]!.data());
  tf.dispose([value, ...Object.values(grads), ...variables, aggregation, x, y]);
  return out;
}

/** A short training of the dual network (5 full-batch epochs): its losses and trained weights. */
async function dualTraining(): Promise<Figures> {
  const rng = new Rng(3);
  const banks = 3;
  const assets = 2;
  const samples = 60;
  const shocks = Float64Array.from({ length: samples * banks }, () => rng.uniform());
  const holdings = Float64Array.from({ length: banks * assets }, () => rng.uniform());
  const prices = Float64Array.from(
    { length: samples * assets },
    (_, k) => 1 - 0.3 * shocks[Math.floor(k / assets) * banks]! * holdings[k % assets]!,
  );
  const options = { ...DEFAULT_TRAINING, hidden: 8, priceHidden: 6, maxEpochs: 5, restarts: 0, batchSize: 0, seed: 2 };
  const dual = await trainDualNetwork(
    { nSamples: samples, nBanks: banks, nAssets: assets, shocks, prices, holdings },
    options,
    0.2,
  );
  return {
    'dual network training losses': dual.curve.flatMap((r) => [r.trainLoss, r.validationLoss]),
    'dual network trained weights': dual.model.liquidationNet
      .concat(dual.model.priceNet)
      .flatMap((l) => [...l.kernel, ...l.bias]),
  };
}

/** Short trainings of the four capital classifiers (losses per epoch, training and validation). */
async function classifierTrainings(): Promise<Figures> {
  const rng = new Rng(3);
  const out: Figures = {};
  const x = Float64Array.from({ length: 2 * 80 }, () => rng.uniform());
  const labels = Uint8Array.from({ length: 80 }, (_, j) =>
    x[2 * j]! + 0.6 * x[2 * j + 1]! + 0.2 * rng.normal() > 0.8 ? 1 : 0,
  );
  for (const kind of ['logistic', 'logistic-interactions', 'interactions-only', 'monotone-network'] as const) {
    const fit = await trainAcceptanceClassifier(kind, x, labels, 2, {
      epochs: 6,
      learningRate: 0.05,
      l2: 1e-3,
      seed: 4,
    });
    out[`${kind} classifier losses`] = [...fit.trainLoss, ...fit.validationLoss];
  }
  return out;
}

/** A short training of the graph transformer on a small planted panel (2 epochs on 1 date, dropout on): its losses per epoch. */
async function gtTraining(): Promise<Figures> {
  const panel = generateHoldings({ investors: 16, assets: 30, dates: 3, positionsPerInvestor: 5, seed: 3 });
  const config = { hidden: 8, embedding: 6, layers: 2, heads: 2, keyDim: 4, categoryDim: 3 };
  const artifact = await trainGraphTransformer(
    panel,
    { ...PAPER_TRAINING, config, maxEpochs: 2, patience: 2, validationDates: 1, seed: 2 },
    { backend: tf.getBackend() },
  );
  return {
    'graph transformer training losses': artifact.history.flatMap((r) => [
      r.trainLoss,
      r.validationReconstructionLoss,
      r.validationTradeLoss,
    ]),
  };
}

async function main(): Promise<void> {
  const report = await selectLearningBackend('webgpu');
  if (report.name !== 'webgpu' || process.argv[2] === 'fallback') {
    console.log(JSON.stringify({ report }));
    return;
  }
  const { space } = smallGraph();
  await tf.setBackend('cpu');
  const weights = await exportParameters(initParameters(GT_CONFIG, space, 7));
  const results: Record<string, Figures> = {};
  const parts: Record<string, () => Promise<Figures>> = {
    sparseOps,
    graphTransformer: () => graphTransformer(weights),
    dualNetwork,
    dualTraining,
    classifierTrainings,
    gtTraining,
  };
  for (const backend of ['cpu', 'webgpu']) {
    await tf.setBackend(backend);
    const figures: Figures = {};
    for (const [part, compute] of Object.entries(parts)) {
      const partStarted = performance.now();
      Object.assign(figures, await compute());
      figures[`${part} seconds`] = [(performance.now() - partStarted) / 1000];
    }
    results[backend] = figures;
  }
  console.log(JSON.stringify({ report, cpu: results.cpu, webgpu: results.webgpu }));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.log(JSON.stringify({ error: (error as Error).stack ?? String(error) }));
    process.exit(1);
  },
);
