/**
 * The bipartite graph transformer of Coppola et al., "Regulation and AI" §3 (eqs. 14–20, 23), in TensorFlow.js.
 *
 * Nodes are the investors and assets of a holdings panel at one report date; each position (i, a, q_ia) gives the
 * two directed edges a → i and i → a with weight w̃_ia = log(1 + q_ia / median_t q), the position size on a common
 * scale across dates. With H⁽ℓ⁾ the node embeddings (N × d_h):
 *
 *   h⁽⁰⁾_v = φ(x_v)                                    (14)  x_v: standardised numeric characteristics ‖ learned
 *                                                              embeddings (dimension d_c) of categorical ones;
 *                                                              one linear map for investors, one for assets
 *   M⁽ℓ⁾_u = GELU(F⁽ℓ⁾ h⁽ℓ⁻¹⁾_u)                          (15)
 *   α⁽ℓ⁾_vu = (1/S) Σ_s softmax_{u∈N(v)} (W_qs h_v)ᵀ(W_ks h_u) / √d_k                   (16)
 *   m⁽ℓ⁾_v = Σ_{u∈N(v)} w̃_vu α⁽ℓ⁾_vu M⁽ℓ⁾_u                                            (17)
 *   h⁽ℓ⁾_v = GELU(U⁽ℓ⁾ [h⁽ℓ⁻¹⁾_v ‖ m⁽ℓ⁾_v])  (dropout while training)                      (18)
 *   e_v = R h⁽ᴸ⁾_v                                                                       (19)
 *
 * Heads on a pair (i, a): f(e_i, e_a) = W₂ GELU(W₁ [e_i ‖ e_a ‖ e_i ⊙ e_a] + b₁) + b₂, one for the masked
 * autoencoder ŵ_ia (eq. 20) and one for trade z-scores ŷ_ia (eq. 23). The 1/√d_k in (16) is the usual transformer
 * scaling (the paper's equation has none); it keeps the softmax from saturating at d_k = 256.
 *
 * Every parameter is shared across nodes, so the model is inductive: any panel with the same kinds of
 * characteristics can be embedded without retraining. Sparse operations go through ./sparse-ops (gradients by
 * scatterND; edge tensors chunked under the device's binding limit).
 */
import * as tf from '@tensorflow/tfjs';
import {
  assetCharacteristics,
  investorCharacteristics,
  type PanelNodes,
  type PanelSnapshot,
} from '../engines/holdings-panel';
import { edgeDotProducts, gatherRows, segmentSoftmax, weightedNeighbourSum } from './sparse-ops';

export interface GraphTransformerConfig {
  /** d_h (Table 1: 256). */
  hidden: number;
  /** d_e, final embedding (Table 1: 128). */
  embedding: number;
  /** L message-passing layers (Table 1: 3). */
  layers: number;
  /** S attention heads (Table 1: 4). */
  heads: number;
  /** Query/key dimension per head d_k; the paper's W_qs, W_ks are d_h × d_h, i.e. d_k = d_h. */
  keyDim: number;
  /** Dimension of each categorical characteristic's learned embedding d_c. */
  categoryDim: number;
}

/** Table 1 of the paper (d_c is not given there: 16). */
export const PAPER_CONFIG: GraphTransformerConfig = {
  hidden: 256,
  embedding: 128,
  layers: 3,
  heads: 4,
  keyDim: 256,
  categoryDim: 16,
};

/** Numeric characteristics per node (§4): log size (AUM or amount outstanding), log count, log mean and log std of position size. */
export const NUMERIC_FEATURES = ['log size', 'log count', 'log mean position', 'log std position'] as const;
export const INVESTOR_CATEGORIES = ['type', 'style'] as const;
export const ASSET_CATEGORIES = ['class', 'currency'] as const;

/** Category vocabularies (index 0 is "unknown or missing") and feature standardisation, fixed at training. */
export interface FeatureSpace {
  investorVocab: string[][];
  assetVocab: string[][];
  investorNorm: { mean: number[]; std: number[] };
  assetNorm: { mean: number[]; std: number[] };
}

/** One report date prepared for the model. Node v < investors is investor v; else asset v − investors. */
export interface DateGraph {
  date: string;
  investors: number;
  assets: number;
  investorNumeric: Float32Array;
  investorCategory: Int32Array;
  assetNumeric: Float32Array;
  assetCategory: Int32Array;
  /** Positions: investor index, asset index, weight w̃ (log(1 + q / median q)). */
  edgeInvestor: Int32Array;
  edgeAsset: Int32Array;
  edgeWeight: Float32Array;
}

/** One date ready for training or evaluation: the graph and, when the next date exists, the trade targets. */
export interface PreparedDate {
  index: number;
  graph: DateGraph;
  /** Positions with a finite y (eq. 22) and their targets. */
  trade: { investor: Int32Array; asset: Int32Array; target: Float32Array; position: Int32Array } | null;
}

function rawNumeric(count: Float64Array, mean: Float64Array, std: Float64Array, size: Float64Array): Float32Array {
  const nodes = count.length;
  const out = new Float32Array(nodes * NUMERIC_FEATURES.length);
  for (let v = 0; v < nodes; v++) {
    out[v * 4] = Math.log1p(size[v]!);
    out[v * 4 + 1] = Math.log1p(count[v]!);
    out[v * 4 + 2] = Math.log1p(mean[v]!);
    out[v * 4 + 3] = Math.log1p(std[v]!);
  }
  return out;
}

function median(values: Float64Array): number {
  if (values.length === 0) return 1;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.floor(sorted.length / 2)]! || 1;
}

/** Running sums of the four numeric features over the rows of one node kind. */
class FeatureMoments {
  private readonly sum = [0, 0, 0, 0];
  private readonly squares = [0, 0, 0, 0];
  private rows = 0;
  add(raw: Float32Array): void {
    for (let k = 0; k < raw.length; k++) {
      this.sum[k % 4]! += raw[k]!;
      this.squares[k % 4]! += raw[k]! * raw[k]!;
    }
    this.rows += raw.length / 4;
  }
  norm(): { mean: number[]; std: number[] } {
    const n = Math.max(1, this.rows);
    const mean = this.sum.map((s) => s / n);
    return { mean, std: this.squares.map((s, k) => Math.sqrt(Math.max(1e-8, s / n - mean[k]! * mean[k]!))) };
  }
}

/**
 * The category vocabularies and numeric standardisation, fitted on the training snapshots one at a time (`add`),
 * so a panel read date by date from the store needs only one date in memory.
 */
export class FeatureSpaceFit {
  private readonly investorMoments = new FeatureMoments();
  private readonly assetMoments = new FeatureMoments();
  constructor(private readonly nodes: PanelNodes) {}
  add(snapshot: PanelSnapshot): void {
    const i = investorCharacteristics(this.nodes, snapshot);
    this.investorMoments.add(rawNumeric(i.count, i.meanPosition, i.stdPosition, i.size));
    const a = assetCharacteristics(this.nodes, snapshot);
    this.assetMoments.add(rawNumeric(a.count, a.meanPosition, a.stdPosition, a.size));
  }
  result(): FeatureSpace {
    const vocab = (values: Array<string | null>) => [
      '',
      ...[...new Set(values.filter((v): v is string => !!v))].sort(),
    ];
    const { investors, assets } = this.nodes;
    return {
      investorVocab: [vocab(investors.map((i) => i.type)), vocab(investors.map((i) => i.style))],
      assetVocab: [vocab(assets.map((a) => a.class)), vocab(assets.map((a) => a.currency))],
      investorNorm: this.investorMoments.norm(),
      assetNorm: this.assetMoments.norm(),
    };
  }
}

/** Builds the category vocabularies and numeric standardisation from the training snapshots. */
export function fitFeatureSpace(nodes: PanelNodes, snapshots: PanelSnapshot[]): FeatureSpace {
  const fit = new FeatureSpaceFit(nodes);
  for (const snapshot of snapshots) fit.add(snapshot);
  return fit.result();
}

function standardise(raw: Float32Array, norm: { mean: number[]; std: number[] }): Float32Array {
  return raw.map((value, k) => (value - norm.mean[k % 4]!) / norm.std[k % 4]!);
}

/** The model's view of one snapshot: characteristics (computed where not given), categories, weighted edges. */
export function prepareDateGraph(panel: PanelNodes, snapshot: PanelSnapshot, space: FeatureSpace): DateGraph {
  const ic = investorCharacteristics(panel, snapshot);
  const ac = assetCharacteristics(panel, snapshot);
  const lookup = (vocab: string[], value: string | null) => Math.max(0, value ? vocab.indexOf(value) : 0);
  const investorCategory = new Int32Array(panel.investors.length * 2);
  panel.investors.forEach((row, v) => {
    investorCategory[v * 2] = lookup(space.investorVocab[0]!, row.type);
    investorCategory[v * 2 + 1] = lookup(space.investorVocab[1]!, row.style);
  });
  const assetCategory = new Int32Array(panel.assets.length * 2);
  panel.assets.forEach((row, v) => {
    assetCategory[v * 2] = lookup(space.assetVocab[0]!, row.class);
    assetCategory[v * 2 + 1] = lookup(space.assetVocab[1]!, row.currency);
  });
  const scale = median(snapshot.amount);
  return {
    date: snapshot.date,
    investors: panel.investors.length,
    assets: panel.assets.length,
    investorNumeric: standardise(rawNumeric(ic.count, ic.meanPosition, ic.stdPosition, ic.size), space.investorNorm),
    investorCategory,
    assetNumeric: standardise(rawNumeric(ac.count, ac.meanPosition, ac.stdPosition, ac.size), space.assetNorm),
    assetCategory,
    edgeInvestor: snapshot.investor,
    edgeAsset: snapshot.asset,
    edgeWeight: Float32Array.from(snapshot.amount, (q) => Math.log1p(q / scale)),
  };
}

export type Parameters = Map<string, tf.Variable>;

interface Shape {
  name: string;
  shape: number[];
  /** Weight matrices are decayed and Glorot-initialised; biases and embeddings are not decayed. */
  kind: 'weight' | 'bias' | 'table';
}

/** Every parameter's name and shape, given the vocabulary sizes. */
export function parameterShapes(
  config: GraphTransformerConfig,
  investorVocab: number[],
  assetVocab: number[],
): Shape[] {
  const { hidden: h, embedding: e, layers, heads, keyDim, categoryDim: c } = config;
  const shapes: Shape[] = [];
  const dense = (name: string, input: number, output: number) => {
    shapes.push(
      { name: `${name}.W`, shape: [input, output], kind: 'weight' },
      { name: `${name}.b`, shape: [output], kind: 'bias' },
    );
  };
  investorVocab.forEach((size, k) =>
    shapes.push({ name: `embed.investor.${INVESTOR_CATEGORIES[k]}`, shape: [size, c], kind: 'table' }),
  );
  assetVocab.forEach((size, k) =>
    shapes.push({ name: `embed.asset.${ASSET_CATEGORIES[k]}`, shape: [size, c], kind: 'table' }),
  );
  dense('phi.investor', NUMERIC_FEATURES.length + investorVocab.length * c, h);
  dense('phi.asset', NUMERIC_FEATURES.length + assetVocab.length * c, h);
  for (let l = 0; l < layers; l++) {
    dense(`layer${l}.message`, h, h);
    shapes.push({ name: `layer${l}.query`, shape: [h, heads * keyDim], kind: 'weight' });
    shapes.push({ name: `layer${l}.key`, shape: [h, heads * keyDim], kind: 'weight' });
    dense(`layer${l}.update`, 2 * h, h);
  }
  dense('readout', h, e);
  for (const head of ['ae', 'tp']) {
    dense(`${head}.hidden`, 3 * e, e);
    dense(`${head}.out`, e, 1);
  }
  return shapes;
}

export function countParameters(config: GraphTransformerConfig, investorVocab: number[], assetVocab: number[]): number {
  return parameterShapes(config, investorVocab, assetVocab).reduce(
    (sum, s) => sum + s.shape.reduce((a, b) => a * b, 1),
    0,
  );
}

/** Glorot-uniform weights and N(0, 1/d_c) tables from `seed`; zero biases. */
export function initParameters(config: GraphTransformerConfig, space: FeatureSpace, seed: number): Parameters {
  const params: Parameters = new Map();
  let stream = 0;
  for (const s of parameterShapes(
    config,
    space.investorVocab.map((v) => v.length),
    space.assetVocab.map((v) => v.length),
  )) {
    stream++;
    const value =
      s.kind === 'bias'
        ? tf.zeros(s.shape)
        : s.kind === 'table'
          ? tf.randomNormal(s.shape, 0, 1 / Math.sqrt(config.categoryDim), 'float32', seed * 1000 + stream)
          : tf.randomUniform(
              s.shape,
              -Math.sqrt(6 / (s.shape[0]! + s.shape[1]!)),
              Math.sqrt(6 / (s.shape[0]! + s.shape[1]!)),
              'float32',
              seed * 1000 + stream,
            );
    params.set(s.name, tf.variable(value, true));
    value.dispose();
  }
  return params;
}

export function decayedParameters(params: Parameters): tf.Variable[] {
  return [...params.entries()]
    .filter(([name]) => name.endsWith('.W') || name.endsWith('.query') || name.endsWith('.key'))
    .map(([, v]) => v);
}

/**
 * x W + b. Not tf.fused.matMul with a bias: its gradient ran out of the WebAssembly backend's memory bounds
 * ("memory access out of bounds" in a binary kernel) at 500 investors × 2,000 assets (bench graph-transformer).
 */
function dense(params: Parameters, name: string, x: tf.Tensor2D | tf.Tensor2D[]): tf.Tensor2D {
  const parts = Array.isArray(x) ? x : [x];
  const weight = params.get(`${name}.W`)!;
  const bias = params.get(`${name}.b`)!;
  const joined = (xs: tf.Tensor2D[]) => (xs.length === 1 ? xs[0]! : tf.concat(xs, 1));
  if (tf.getBackend() !== 'wasm') return tf.add(tf.matMul(joined(parts), weight), bias);
  return linearExplicitGradient(parts, weight, bias, joined);
}

/** x W (no bias): the attention's queries and keys; on WebAssembly with the gradient of `linearExplicitGradient`. */
function project(x: tf.Tensor2D, weight: tf.Variable): tf.Tensor2D {
  return tf.getBackend() !== 'wasm' ? tf.matMul(x, weight) : linearExplicitGradient([x], weight, null, (xs) => xs[0]!);
}

/**
 * The same x W + b (x the columns of `parts` side by side) with its gradient written out for WebAssembly, where
 * the tape's gradient is slow: TensorFlow.js differentiates a matMul with products of transposed operands, which
 * the WebAssembly backend computes in a plain loop outside XNNPACK (3–9× slower than an explicit transpose and a
 * plain product, docs/engines/learning-backends.md), and the gradient of the concatenation splits columns (SplitV,
 * as slow). Here dW = xᵀ dy and db = Σ dy with explicit transposes, and each part's gradient is dy W_kᵀ with W_k
 * the rows of W that part multiplies, so nothing is split. The forward value is the same kernels as elsewhere; the
 * gradient agrees with the tape's within float32 rounding (XNNPACK sums in another order).
 */
function linearExplicitGradient(
  parts: tf.Tensor2D[],
  weight: tf.Variable,
  bias: tf.Variable | null,
  joined: (xs: tf.Tensor2D[]) => tf.Tensor2D,
): tf.Tensor2D {
  const widths = parts.map((p) => p.shape[1]);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xs = args.slice(0, parts.length) as tf.Tensor2D[];
    const w = args[parts.length] as tf.Tensor2D;
    const b = bias ? (args[parts.length + 1] as tf.Tensor1D) : null;
    const x = joined(xs);
    (args[args.length - 1] as tf.GradSaveFunc)([x, w]);
    const product = tf.matMul(x, w);
    return {
      value: b ? tf.add(product, b) : product,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
        const output = sw.shape[1];
        let offset = 0;
        const dxs = widths.map((width) => {
          const rows = widths.length === 1 ? sw : tf.slice(sw, [offset, 0], [width, output]);
          offset += width;
          return tf.matMul(dy, tf.transpose(rows));
        });
        const dw = tf.matMul(tf.transpose(sx), dy);
        return bias ? [...dxs, dw, tf.sum(dy, 0)] : [...dxs, dw];
      },
    };
  });
  return (bias ? op(...parts, weight, bias) : op(...parts, weight)) as tf.Tensor2D;
}

/**
 * GELU, tanh approximation (Hendrycks & Gimpel 2016): 0.5 x (1 + tanh(u)), u = √(2/π) (x + 0.044715 x³). On
 * WebAssembly as x σ(2u), the same function (0.5 (1 + tanh u) = σ(2u)): the backend's tanh is a scalar loop,
 * about 10× slower than its sigmoid (XNNPACK) — 2.8–3.5 ms against 0.25–0.4 ms on 2,500 × 64 entries.
 */
function gelu(x: tf.Tensor): tf.Tensor {
  const cubic = tf.add(x, tf.mul(0.044715, tf.mul(x, tf.mul(x, x))));
  if (tf.getBackend() === 'wasm') return tf.mul(x, tf.sigmoid(tf.mul(2 * Math.sqrt(2 / Math.PI), cubic)));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), cubic))));
}

function featureMap(
  params: Parameters,
  kind: 'investor' | 'asset',
  numeric: Float32Array,
  category: Int32Array,
  nodes: number,
): tf.Tensor2D {
  const names = kind === 'investor' ? INVESTOR_CATEGORIES : ASSET_CATEGORIES;
  const parts: tf.Tensor2D[] = [tf.tensor2d(numeric, [nodes, NUMERIC_FEATURES.length])];
  const codes = tf.tensor2d(category, [nodes, names.length], 'int32');
  names.forEach((name, k) => {
    const column = tf.reshape<tf.Rank.R1>(tf.slice(codes, [0, k], [nodes, 1]), [nodes]);
    parts.push(gatherRows(params.get(`embed.${kind}.${name}`)!, column) as tf.Tensor2D);
  });
  return dense(params, `phi.${kind}`, parts);
}

/** Directed message-passing edges of the visible positions: a → i then i → a. */
export interface EdgeList {
  source: Int32Array;
  target: Int32Array;
  weight: Float32Array;
}

export function directedEdges(graph: DateGraph, visible?: ArrayLike<number>): EdgeList {
  const count = visible ? visible.length : graph.edgeInvestor.length;
  const source = new Int32Array(2 * count);
  const target = new Int32Array(2 * count);
  const weight = new Float32Array(2 * count);
  for (let k = 0; k < count; k++) {
    const e = visible ? visible[k]! : k;
    const i = graph.edgeInvestor[e]!;
    const a = graph.investors + graph.edgeAsset[e]!;
    source[k] = a;
    target[k] = i;
    source[count + k] = i;
    target[count + k] = a;
    weight[k] = weight[count + k] = graph.edgeWeight[e]!;
  }
  return { source, target, weight };
}

export interface ForwardOptions {
  training: boolean;
  dropout: number;
  /** Seed of the dropout masks of this forward pass (reproducible training). */
  dropoutSeed?: number;
  /** Largest edge tensor in bytes (chunking); default in sparse-ops. */
  maxTensorBytes?: number;
}

/** Final embeddings e_v (N × d_e) of every node of `graph`, message passing over `edges` (eqs. 14–19). */
export function embedNodes(
  params: Parameters,
  config: GraphTransformerConfig,
  graph: DateGraph,
  edges: EdgeList,
  options: ForwardOptions,
): tf.Tensor2D {
  const nodes = graph.investors + graph.assets;
  const { heads, keyDim } = config;
  let h = tf.concat([
    featureMap(params, 'investor', graph.investorNumeric, graph.investorCategory, graph.investors),
    featureMap(params, 'asset', graph.assetNumeric, graph.assetCategory, graph.assets),
  ]);
  const targetAll = tf.tensor1d(edges.target, 'int32');
  const weight = tf.tensor1d(edges.weight);
  for (let l = 0; l < config.layers; l++) {
    const message = gelu(dense(params, `layer${l}.message`, h)) as tf.Tensor2D; // (15)
    const query = project(h, params.get(`layer${l}.query`)!);
    const key = project(h, params.get(`layer${l}.key`)!);
    const scores = tf.mul<tf.Tensor2D>(
      edgeDotProducts(query, key, edges.target, edges.source, heads, options.maxTensorBytes),
      1 / Math.sqrt(keyDim),
    );
    const attention = tf.mean<tf.Tensor1D>(segmentSoftmax(scores, targetAll, edges.target, nodes), 1); // (16)
    const aggregate = weightedNeighbourSum(
      tf.mul<tf.Tensor1D>(attention, weight),
      message,
      edges.target,
      edges.source,
      nodes,
      options.maxTensorBytes,
    ); // (17)
    h = gelu(dense(params, `layer${l}.update`, [h, aggregate])) as tf.Tensor2D; // (18)
    if (options.training && options.dropout > 0)
      h = tf.dropout(h, options.dropout, undefined, (options.dropoutSeed ?? 0) * 16 + l) as tf.Tensor2D;
  }
  return dense(params, 'readout', h); // (19)
}

/** A head f(e_i, e_a) on pairs (investor index, asset index): one value per pair. */
export function pairHead(
  params: Parameters,
  head: 'ae' | 'tp',
  embeddings: tf.Tensor2D,
  investors: number,
  pairInvestor: Int32Array,
  pairAsset: Int32Array,
): tf.Tensor1D {
  const ei = gatherRows(embeddings, tf.tensor1d(pairInvestor, 'int32')) as tf.Tensor2D;
  const ea = gatherRows(
    embeddings,
    tf.tensor1d(
      Int32Array.from(pairAsset, (a) => a + investors),
      'int32',
    ),
  ) as tf.Tensor2D;
  const hidden = gelu(dense(params, `${head}.hidden`, [ei, ea, tf.mul<tf.Tensor2D>(ei, ea)])) as tf.Tensor2D;
  return tf.reshape<tf.Rank.R1>(dense(params, `${head}.out`, hidden), [-1]);
}

/** Weights as plain arrays (for the model file and the store), read asynchronously (WebGPU cannot read synchronously in Node). */
export async function exportParameters(
  params: Parameters,
): Promise<Array<{ name: string; shape: number[]; data: string }>> {
  return Promise.all(
    [...params.entries()].map(async ([name, v]) => ({
      name,
      shape: v.shape,
      data: Buffer.from(((await v.data()) as Float32Array).slice().buffer).toString('base64'),
    })),
  );
}

export function importParameters(rows: Array<{ name: string; shape: number[]; data: string }>): Parameters {
  const params: Parameters = new Map();
  for (const row of rows) {
    const bytes = Buffer.from(row.data, 'base64');
    const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    params.set(row.name, tf.variable(tf.tensor(data, row.shape), true));
  }
  return params;
}
