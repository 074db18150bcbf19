/**
 * The explainable dual neural network of Cao, Chen, Mishra, Amini & Feinstein (§3.2): learns the inverse demand
 * function from shocks and equilibrium prices alone, with the hidden liquidations as an intermediate layer.
 *
 *   (1) ℓ̄ = LiquidNet(s; Θ_Liq)        fully connected, weights clamped ≥ 0 after every step, so ℓ̄ is
 *                                       non-decreasing in every shock; the output is the fraction of each
 *                                       holding sold, clipped to [0, 1] (ReLU capped at the holding) — one
 *                                       per bank under proportional liquidation (§4.2), else per holding;
 *   (2) ℓ̂_m = Σ_n a_nm ℓ̄_nm            aggregation by holdings (a fixed layer);
 *   (3) −p̂ = PriceNet(ℓ̂; Θ_Price)      weights clamped ≥ 0, the output is the negative price, so p̂ is
 *                                       non-increasing in every liquidation.
 * Trained only on (shock, price) pairs with the mean squared price error. Hidden units: with non-negative weights
 * a ReLU network can only represent convex functions, so half of each hidden layer uses (leaky) ReLU and half its
 * point reflection min(x, αx) (concave); the network stays monotone and can fit saturating and concave inverse
 * demand (docs/engines/fire-sales.md; the paper's pure ReLU is the special case of no concave units, α = 0).
 *
 * Also: the Inclusive Model (the same network fed the shocks and the true per-bank liquidations), the Linear
 * Price Model (the Price Net replaced by the least-squares line of p̂ on ℓ̂) and the linear scaling of eq. (4),
 * generalised to several assets (ℓ* = D ℓ̂ + e fitted at calibration scenarios). Early stopping on a validation split, learning-rate halving on plateaus, cancel
 * through an AbortSignal. The backend is chosen by the caller (selectLearningBackend) before training.
 */
import * as tf from '@tensorflow/tfjs';
import { EngineInputError } from '../engines/errors';
import { Rng } from '../engines/random';
import { olsWithInference, pearson, type RegressionTerm } from './statistics';

export interface DualNetworkData {
  nSamples: number;
  nBanks: number;
  nAssets: number;
  /** nSamples × N */
  shocks: Float64Array;
  /** nSamples × M */
  prices: Float64Array;
  /** N × M holdings used by the aggregation layer (eq. 2). */
  holdings: Float64Array;
  /** nSamples × N extra observed inputs of the Inclusive Model (the true liquidation of each bank). */
  extraInputs?: Float64Array;
}

export interface TrainingOptions {
  /** Hidden units per layer of the Liquidation Net. */
  hidden: number;
  /** Hidden units of the Price Net (fewer units bend the learned inverse demand less). */
  priceHidden: number;
  learningRate: number;
  maxEpochs: number;
  /** Epochs without a better validation loss before the learning rate halves; twice that at the floor stops. */
  patience: number;
  /**
   * Mini-batch size; 0 for full batch. Mini-batches of 128 (10 Adam steps per epoch on 1,280 rows) fit the steep
   * parts of the equilibrium map far sooner than full batches (docs/engines/fire-sales.md, "Measured").
   */
  batchSize: number;
  validationFraction: number;
  seed: number;
  /** Initialisations tried for `restartEpochs` each; training goes on from the best of them (0: just one). */
  restarts: number;
  restartEpochs: number;
  /** Stream of the weight initialisation (the data split depends on `seed` only). */
  initStream: number;
  /**
   * Proportional liquidation (§4.2): one fraction per bank, sold of every asset it holds (ℓ̄_nm = ℓ̄_n), so
   * ℓ̂ = ℓ̄ A. Otherwise one output per (bank, asset), the general form of eq. (1).
   */
  fractionPerBank: boolean;
}

export const DEFAULT_TRAINING: TrainingOptions = {
  hidden: 32,
  priceHidden: 32,
  learningRate: 0.01,
  maxEpochs: 4000,
  patience: 200,
  batchSize: 128,
  validationFraction: 0.2,
  seed: 1,
  restarts: 3,
  restartEpochs: 200,
  initStream: 0,
  fractionPerBank: true,
};

export interface EpochReport {
  epoch: number;
  trainLoss: number;
  validationLoss: number;
  learningRate: number;
}

export interface TrainingHooks {
  onEpoch?(report: EpochReport): void;
  signal?: AbortSignal;
  /** Stop as soon as the validation loss reaches this value (benchmarks: time to a target accuracy). */
  targetLoss?: number;
  /** Called before each short run from a new initialisation. */
  onRestart?(index: number, count: number): void;
}

/** A layer's weights as the forward pass uses them (variables, or views of the flat parameter vector). */
export interface LayerWeights {
  kernel: tf.Tensor;
  bias: tf.Tensor;
  /** Units from `concaveFrom` on use min(x, 0); earlier ones ReLU; null for a linear layer. */
  concaveFrom: number | null;
  /** Mixed layers: +1 for the convex units, −1 for the concave ones (see `applyLayer`). */
  signs: tf.Tensor1D | null;
}

export interface Dense extends LayerWeights {
  kernel: tf.Variable;
  bias: tf.Variable;
}

export interface SerializedLayer {
  inputs: number;
  outputs: number;
  kernel: number[];
  bias: number[];
  concaveFrom: number | null;
}

export interface SerializedDualNetwork {
  format: 'contagion-workbench/dual-network@1';
  nBanks: number;
  nAssets: number;
  nInputs: number;
  fractionPerBank: boolean;
  holdings: number[];
  inputLow: number[];
  inputHigh: number[];
  liquidationNet: SerializedLayer[];
  priceNet: SerializedLayer[];
}

/** A trained network in plain arrays: evaluated without TensorFlow.js (screens, reports, the linear model). */
export interface TrainedDualNetwork {
  model: SerializedDualNetwork;
  epochs: number;
  bestValidationLoss: number;
  curve: EpochReport[];
  stoppedBy: 'early-stopping' | 'max-epochs' | 'target-reached' | 'cancelled';
  trainIndices: number[];
  testIndices: number[];
}

/** Epochs between loss evaluations (and early-stopping checks). */
export const EVALUATE_EVERY = 5;

export class TrainingCancelled extends Error {
  constructor() {
    super('training cancelled');
  }
}

export function denseLayer(
  rng: Rng,
  inputs: number,
  outputs: number,
  activation: 'mixed' | 'linear' | 'fraction',
): Dense {
  // Non-negative initial weights of mean 1/inputs keep activations O(1); biases spread the kinks over [-1, 0].
  const kernel = Float32Array.from({ length: inputs * outputs }, () => (2 * rng.uniform()) / inputs);
  const bias = Float32Array.from({ length: outputs }, () =>
    activation === 'mixed' ? -rng.uniform() : activation === 'fraction' ? 0.5 : 0,
  );
  const concaveFrom = activation === 'mixed' ? Math.ceil(outputs / 2) : activation === 'fraction' ? -1 : null;
  return {
    // in tidy: a variable keeps its own reference to the data, the initial tensor would stay behind
    kernel: tf.tidy(() => tf.variable(tf.tensor2d(kernel, [inputs, outputs]))),
    bias: tf.tidy(() => tf.variable(tf.tensor1d(bias))),
    concaveFrom,
    signs:
      activation === 'mixed'
        ? tf.tensor1d(Float32Array.from({ length: outputs }, (_, j) => (j < concaveFrom! ? 1 : -1)))
        : null,
  };
}

/**
 * Slope kept outside the linear pieces: leaky ReLU max(x, αx), its reflection min(x, αx) and the leaky clip to
 * [0, 1] are strictly increasing, so no unit can die (a plain clip or ReLU has zero gradient on a whole side).
 */
export const LEAK = 0.01;

/**
 * z = x W + b, then the activation in few operations (per-operation overhead dominates at these sizes): the mixed
 * units as s ⊙ leakyReLU(s ⊙ z) with s = +1 (convex: max(z, αz)) or −1 (concave: −max(−z, −αz) = min(z, αz)) —
 * three kernels instead of two splits, two maxima and a concatenation — and the fraction units as the leaky clip.
 */
function applyLayer(layer: LayerWeights, x: tf.Tensor2D): tf.Tensor2D {
  const z = tf.add<tf.Tensor2D>(tf.matMul(x, layer.kernel), layer.bias);
  if (layer.concaveFrom === null) return z;
  if (layer.concaveFrom === -1) {
    const clipped = tf.clipByValue(z, 0, 1);
    return tf.add<tf.Tensor2D>(clipped, tf.mul(tf.sub(z, clipped), LEAK));
  }
  return tf.mul<tf.Tensor2D>(layer.signs!, tf.leakyRelu(tf.mul(z, layer.signs!), LEAK));
}

/** The dual network's price prediction −p̂ = −Price(Liquidation(x) G) for input rows x (eqs. 1–3). */
export function dualNetworkForward(
  liquidationNet: LayerWeights[],
  priceNet: LayerWeights[],
  aggregation: tf.Tensor2D,
  x: tf.Tensor2D,
): tf.Tensor2D {
  let h = x;
  for (const layer of liquidationNet) h = applyLayer(layer, h);
  let q: tf.Tensor2D = tf.matMul(h, aggregation);
  for (const layer of priceNet) q = applyLayer(layer, q);
  return tf.neg(q);
}

/** Splits sample indices into a training part and a held-out test part (shuffled with the seed). */
export function splitSamples(
  nSamples: number,
  testFraction: number,
  seed: number,
): { train: number[]; test: number[] } {
  const order = Array.from({ length: nSamples }, (_, i) => i);
  const rng = new Rng(seed, 7);
  for (let i = nSamples - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const nTest = Math.max(1, Math.round(nSamples * testFraction));
  return { test: order.slice(0, nTest).sort((a, b) => a - b), train: order.slice(nTest).sort((a, b) => a - b) };
}

function inputsOf(data: DualNetworkData): { values: Float64Array; width: number } {
  if (!data.extraInputs) return { values: data.shocks, width: data.nBanks };
  const width = 2 * data.nBanks;
  const values = new Float64Array(data.nSamples * width);
  for (let s = 0; s < data.nSamples; s++) {
    values.set(data.shocks.subarray(s * data.nBanks, (s + 1) * data.nBanks), s * width);
    values.set(data.extraInputs.subarray(s * data.nBanks, (s + 1) * data.nBanks), s * width + data.nBanks);
  }
  return { values, width };
}

function rows(values: Float64Array, width: number, indices: number[]): Float32Array {
  const out = new Float32Array(indices.length * width);
  indices.forEach((sample, row) => out.set(values.subarray(sample * width, (sample + 1) * width), row * width));
  return out;
}

/** Adam's defaults in TensorFlow.js (`tf.train.adam(learningRate)`), which the training step reproduces. */
const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;

/**
 * Networks whose every layer has at most this many weights (the default 32 hidden units, with up to 32 banks, assets
 * or holdings: the case studies) take their gradients' matrix products as TensorFlow.js's own gradient does, with
 * transposed operands, so that training is bit for bit what it was with tf.train.adam and the gradient tape. Larger
 * ones transpose explicitly and multiply plainly: the WebAssembly backend computes a transposed product several times
 * slower (its plain products run in XNNPACK), and sums it in blocks of 48 rows, so the last bits differ.
 */
export const EXACT_LAYER_WEIGHTS = 32 * 32;

/** One mini-batch, sliced once before training: its rows, their transpose (for the first layer's gradient), the prices. */
export interface Batch {
  x: tf.Tensor2D;
  xT: tf.Tensor2D;
  y: tf.Tensor2D;
  /** 2 / rows: the gradient of the loss Σ (z + y)² / rows with respect to the last layer's output z = −p̂. */
  scale: tf.Scalar;
}

/**
 * Every layer's kernel and bias in one variable, trained by a hand-written step: the forward pass, the backward pass
 * of the whole network derived by hand, Adam and the projection onto non-negative kernels, in about 80 kernels per
 * mini-batch, without the gradient tape and without reading from the device. At these sizes the per-kernel overhead is
 * most of the time (docs/engines/learning-backends.md, "Speed against PyTorch"); tf.train.adam with
 * optimizer.minimize took about twice as many kernels, and its matMul gradients use transposed products.
 *
 * The signs of the mixed units are folded into the weights: with s = ±1 per unit, s ⊙ leakyReLU(s ⊙ (x W + b))
 * feeding the next layer's x' W' equals leakyReLU(x (W diag s) + b ⊙ s) feeding x' (diag s) W' — exactly, since
 * only signs change — so the effective parameters are flat ⊙ flip (flip: the product of a kernel entry's input and
 * output signs; a bias's output sign) and a mixed layer is a matMul, a bias and a leaky ReLU. The fraction units
 * keep the reference's leaky clip. The gradient equals TensorFlow.js's gradient of the reference forward pass
 * `dualNetworkForward` bit for bit on the CPU backend, and on WebAssembly for networks within EXACT_LAYER_WEIGHTS
 * (tests/learning/dual-network-gradient.test.ts).
 *
 * Built from `layers` (the liquidation net's, then the price net's), which it then disposes (all but their sign
 * vectors, which the reference forward pass uses for the reported losses).
 */
export class FlatParameters {
  readonly flat: tf.Variable;
  /**
   * 1 for kernel entries, 0 for biases: the projection onto the constraint set (non-negative kernels, free biases) is
   * w + mask ⊙ relu(−w), which equals max(w, lower) exactly; tf.maximum with a vector of bounds is ten times slower on
   * WebAssembly, and tf.prelu with per-entry slopes crashes there (XNNPACK rejects the operator).
   */
  private readonly kernelMask: tf.Tensor1D;
  private readonly flip: tf.Tensor1D;
  private readonly parts: Array<{
    offset: number;
    inputs: number;
    outputs: number;
    concaveFrom: number | null;
    signs: tf.Tensor1D | null;
  }> = [];
  private readonly aggregation: tf.Tensor2D;
  private readonly aggregationT: tf.Tensor2D;
  private readonly leak: tf.Scalar;
  private readonly one: tf.Scalar;
  /** Products as TensorFlow.js's gradient takes them (EXACT_LAYER_WEIGHTS). */
  readonly exact: boolean;
  private readonly adam: { m: tf.Variable; v: tf.Variable; constants: tf.Scalar[]; acc1: number; acc2: number };

  constructor(
    layers: Dense[],
    private readonly liquidationCount: number,
    aggregation: tf.Tensor2D,
    exact?: boolean,
  ) {
    let offset = 0;
    const kernelMask: number[] = [];
    const flip: number[] = [];
    // +1 for convex units, −1 for concave ones (mixed layers); +1 for the fraction and linear units and the inputs
    const signsOf = (layer: Dense | undefined, units: number) => {
      const concaveFrom = layer?.concaveFrom ?? -1;
      return Array.from({ length: units }, (_, j) => (concaveFrom >= 0 && j >= concaveFrom ? -1 : 1));
    };
    layers.forEach((layer, k) => {
      const [inputs, outputs] = layer.kernel.shape as [number, number];
      const kind = layer.concaveFrom === null ? 'linear' : layer.concaveFrom === -1 ? 'fraction' : 'mixed';
      const expected = k === liquidationCount - 1 ? 'fraction' : k === layers.length - 1 ? 'linear' : 'mixed';
      if (kind !== expected) throw new Error(`the fused dual network expects a ${expected} layer ${k}, not ${kind}`);
      this.parts.push({ offset, inputs, outputs, concaveFrom: layer.concaveFrom, signs: layer.signs });
      offset += inputs * outputs + outputs;
      kernelMask.push(...new Array<number>(inputs * outputs).fill(1), ...new Array<number>(outputs).fill(0));
      const signIn = signsOf(k === liquidationCount ? undefined : layers[k - 1], inputs);
      const signOut = signsOf(layer, outputs);
      for (let i = 0; i < inputs; i++) for (let j = 0; j < outputs; j++) flip.push(signIn[i]! * signOut[j]!);
      flip.push(...signOut);
    });
    this.flat = tf.tidy(() =>
      tf.variable(tf.concat(layers.flatMap((layer) => [tf.reshape(layer.kernel, [-1]), layer.bias]))),
    );
    this.kernelMask = tf.tensor1d(kernelMask);
    this.flip = tf.tensor1d(flip);
    this.aggregation = tf.clone(aggregation);
    this.aggregationT = tf.transpose(aggregation);
    this.leak = tf.scalar(LEAK);
    this.one = tf.scalar(1);
    this.exact = exact ?? this.parts.every(({ inputs, outputs }) => inputs * outputs <= EXACT_LAYER_WEIGHTS);
    this.adam = {
      m: tf.tidy(() => tf.variable(tf.zerosLike(this.flat), false)),
      v: tf.tidy(() => tf.variable(tf.zerosLike(this.flat), false)),
      // β1, 1 − β1, β2, 1 − β2, ε (the backend's, as tf.train.adam)
      constants: [ADAM_BETA1, 1 - ADAM_BETA1, ADAM_BETA2, 1 - ADAM_BETA2, tf.backend().epsilon()].map((c) =>
        tf.scalar(c),
      ),
      // β^t in float32, as tf.train.adam keeps them (in variables multiplied by β after each step)
      acc1: Math.fround(ADAM_BETA1),
      acc2: Math.fround(ADAM_BETA2),
    };
    for (const layer of layers) tf.dispose([layer.kernel, layer.bias]);
  }

  /** The layers as views of the flat variable (the reference forward pass `dualNetworkForward` reads them). */
  views(): LayerWeights[] {
    return this.parts.map(({ offset, inputs, outputs, concaveFrom, signs }) => ({
      kernel: tf.reshape(tf.slice(this.flat, [offset], [inputs * outputs]), [inputs, outputs]),
      bias: tf.slice(this.flat, [offset + inputs * outputs], [outputs]),
      concaveFrom,
      signs,
    }));
  }

  /**
   * The forward pass on the effective (sign-folded) weights, the same operations as `dualNetworkForward`, keeping
   * what the backward pass needs: each layer's input and output, the effective kernels and the fraction units'
   * excess z − clip(z, 0, 1). `out` is the price net's output −p̂.
   */
  private forward(x: tf.Tensor2D) {
    const effective = tf.mul<tf.Tensor1D>(this.flat, this.flip);
    const kernels = this.parts.map(({ offset, inputs, outputs }) =>
      tf.reshape<tf.Rank.R2>(tf.slice(effective, [offset], [inputs * outputs]), [inputs, outputs]),
    );
    const inputs: tf.Tensor2D[] = [];
    const outputs: tf.Tensor2D[] = [];
    let excess: tf.Tensor2D | undefined;
    let a = x;
    this.parts.forEach(({ offset, inputs: n, outputs: m, concaveFrom }, k) => {
      if (k === this.liquidationCount) a = tf.matMul(a, this.aggregation);
      inputs.push(a);
      const z = tf.add<tf.Tensor2D>(tf.matMul(a, kernels[k]!), tf.slice(effective, [offset + n * m], [m]));
      if (concaveFrom === null) a = z;
      else if (concaveFrom === -1) {
        const clipped = tf.clipByValue(z, 0, 1);
        const over = tf.sub<tf.Tensor2D>(z, clipped);
        excess = over;
        a = tf.add<tf.Tensor2D>(clipped, tf.mul(over, this.leak));
      } else a = tf.leakyRelu(z, LEAK);
      outputs.push(a);
    });
    return { kernels, inputs, outputs, excess: excess!, out: a };
  }

  /**
   * The gradient of the loss Σ (p̂ − y)² / rows (the mean squared error summed over assets, as `lossOf`) with
   * respect to the flat parameters, derived by hand in the order TensorFlow.js's gradient takes: dz = 2 (z + y) / rows
   * at the output; per layer da = du ⊙ leakyReLU'(z) (tf.step(u, α): 1 where u > 0, else α; the fraction units
   * du·α + [0 ≤ z ≤ 1] (du − du·α), as the gradient of clip + α (z − clip)), dW = inputᵀ da, db = Σ_rows da,
   * du_prev = da Wᵀ, and through the aggregation dq Gᵀ; finally ⊙ flip.
   */
  gradient(batch: Batch): tf.Tensor1D {
    const { kernels, inputs, outputs, excess, out } = this.forward(batch.x);
    const pieces: tf.Tensor1D[] = [];
    let du = tf.mul<tf.Tensor2D>(tf.add(out, batch.y), batch.scale);
    for (let k = this.parts.length - 1; k >= 0; k--) {
      const { concaveFrom } = this.parts[k]!;
      let da: tf.Tensor2D;
      if (concaveFrom === null) da = du;
      else if (concaveFrom === -1) {
        const leaked = tf.mul<tf.Tensor2D>(du, this.leak);
        // inside = 1 where 0 ≤ z ≤ 1 (z − clip(z) = 0), else 0; tf.equal is slow on WebAssembly
        const inside = tf.sub(this.one, tf.step(tf.abs(excess), 0));
        da = tf.add(leaked, tf.mul(tf.sub(du, leaked), inside));
      } else da = tf.mul<tf.Tensor2D>(du, tf.step(outputs[k]!, LEAK));
      const kernelGradient = this.exact
        ? tf.matMul(inputs[k]!, da, true, false)
        : tf.matMul(k === 0 ? batch.xT : tf.transpose(inputs[k]!), da);
      pieces.push(tf.sum<tf.Tensor1D>(da, 0), tf.reshape<tf.Rank.R1>(kernelGradient, [-1]));
      if (k === 0) break;
      du = this.exact ? tf.matMul(da, kernels[k]!, false, true) : tf.matMul(da, tf.transpose(kernels[k]!));
      if (k === this.liquidationCount)
        du = this.exact ? tf.matMul(du, this.aggregation, false, true) : tf.matMul(du, this.aggregationT);
    }
    return tf.mul<tf.Tensor1D>(tf.concat(pieces.reverse()), this.flip);
  }

  /**
   * One training step on `batch`: the gradient, Adam exactly as tf.train.adam computes it (the same operations in
   * the same order, the bias corrections from β^t kept in float32), then the projection onto the constraint set
   * (non-negative kernels, free biases). Call inside tf.tidy.
   */
  step(batch: Batch, learningRate: number): void {
    const gradient = this.gradient(batch);
    const { m, v, constants, acc1, acc2 } = this.adam;
    const [beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon] = constants as [
      tf.Scalar,
      tf.Scalar,
      tf.Scalar,
      tf.Scalar,
      tf.Scalar,
    ];
    const newM = tf.add(tf.mul(m, beta1), tf.mul(gradient, oneMinusBeta1));
    const newV = tf.add(tf.mul(v, beta2), tf.mul(tf.square(gradient), oneMinusBeta2));
    const correctedM = tf.div(newM, tf.scalar(Math.fround(1 - acc1)));
    const correctedV = tf.div(newV, tf.scalar(Math.fround(1 - acc2)));
    const update = tf.mul(tf.div(correctedM, tf.add(tf.sqrt(correctedV), epsilon)), tf.scalar(-learningRate));
    m.assign(newM);
    v.assign(newV);
    const stepped = tf.add(update, this.flat);
    this.flat.assign(tf.add(stepped, tf.mul(this.kernelMask, tf.relu(tf.neg(stepped)))));
    this.adam.acc1 = Math.fround(acc1 * Math.fround(ADAM_BETA1));
    this.adam.acc2 = Math.fround(acc2 * Math.fround(ADAM_BETA2));
  }

  /** The weights as plain arrays, read once and asynchronously (WebGPU cannot read synchronously in Node). */
  async read(): Promise<SerializedLayer[]> {
    const values = await this.flat.data();
    return this.parts.map(({ offset, inputs, outputs, concaveFrom }) => ({
      inputs,
      outputs,
      kernel: Array.from(values.subarray(offset, offset + inputs * outputs)),
      bias: Array.from(values.subarray(offset + inputs * outputs, offset + inputs * outputs + outputs)),
      concaveFrom,
    }));
  }

  dispose(): void {
    tf.dispose([
      this.flat,
      this.kernelMask,
      this.flip,
      this.aggregation,
      this.aggregationT,
      this.leak,
      this.one,
      this.adam.m,
      this.adam.v,
      ...this.adam.constants,
      ...this.parts.flatMap((part) => (part.signs ? [part.signs] : [])),
    ]);
  }
}

/** Mini-batches of `batchSize` consecutive rows (0: one batch of all rows), in the order of the training rows. */
export function makeBatches(x: tf.Tensor2D, y: tf.Tensor2D, batchSize: number): Batch[] {
  const rows = x.shape[0];
  const size = batchSize > 0 ? batchSize : rows;
  const batches: Batch[] = [];
  for (let start = 0; start < rows; start += size) {
    const count = Math.min(size, rows - start);
    const bx = size >= rows ? tf.clone(x) : tf.slice(x, [start, 0], [count, x.shape[1]]);
    batches.push({
      x: bx,
      xT: tf.transpose(bx),
      y: size >= rows ? tf.clone(y) : tf.slice(y, [start, 0], [count, y.shape[1]]),
      scale: tf.scalar(2 / count),
    });
  }
  return batches;
}

/**
 * Trains the dual network (or the Inclusive Model when data.extraInputs is given) on a `testFraction` hold-out
 * split: the training part is further split for early stopping. Call selectLearningBackend() first.
 */
export async function trainDualNetwork(
  data: DualNetworkData,
  options: TrainingOptions,
  testFraction: number,
  hooks: TrainingHooks = {},
): Promise<TrainedDualNetwork> {
  let winner: TrainedDualNetwork | undefined;
  if (options.restarts > 1 && options.maxEpochs > options.restartEpochs) {
    // Restarts: short runs from different initial weights (same data split); training goes on from the best.
    for (let k = 0; k < options.restarts; k++) {
      hooks.onRestart?.(k, options.restarts);
      const trial = await trainOnce(
        data,
        { ...options, maxEpochs: options.restartEpochs, initStream: k },
        testFraction,
        { signal: hooks.signal },
      );
      if (!winner || trial.bestValidationLoss < winner.bestValidationLoss) winner = trial;
    }
  }
  return trainOnce(data, options, testFraction, hooks, winner?.model);
}

/**
 * One training run, from fresh weights (stream `options.initStream`) or from the weights of `start`.
 *
 * Long because the tensors it builds (inputs, targets, the aggregation matrix, the model) live only inside this call
 * and are disposed at its end; one function owns them all, from the data split to the epoch loop and the report.
 */
async function trainOnce(
  data: DualNetworkData,
  options: TrainingOptions,
  testFraction: number,
  hooks: TrainingHooks,
  start?: SerializedDualNetwork,
): Promise<TrainedDualNetwork> {
  const { nBanks, nAssets } = data;
  const { train: trainAll, test } = splitSamples(data.nSamples, testFraction, options.seed);
  const { train, test: validation } = splitSamples(trainAll.length, options.validationFraction, options.seed + 1);
  const trainIdx = train.map((i) => trainAll[i]!);
  const validationIdx = validation.map((i) => trainAll[i]!);
  const { values, width } = inputsOf(data);
  // Min–max scaling of the inputs (a positive affine map keeps the monotonicity), from the training part only.
  const inputLow = Array.from({ length: width }, (_, j) => Math.min(...trainIdx.map((s) => values[s * width + j]!)));
  const inputHigh = Array.from({ length: width }, (_, j) => Math.max(...trainIdx.map((s) => values[s * width + j]!)));
  const scaled = values.map((v, k) => {
    const j = k % width;
    const range = inputHigh[j]! - inputLow[j]!;
    return range > 0 ? (v - inputLow[j]!) / range : 0;
  });
  const rng = new Rng(options.seed, 3 + 1000 * options.initStream);
  const nHoldings = nBanks * nAssets;
  const nFractions = options.fractionPerBank ? nBanks : nHoldings;
  const liquidationNet = [
    denseLayer(rng, width, options.hidden, 'mixed'),
    denseLayer(rng, options.hidden, options.hidden, 'mixed'),
    denseLayer(rng, options.hidden, nFractions, 'fraction'),
  ];
  const priceNet = [
    denseLayer(rng, nAssets, options.priceHidden, 'mixed'),
    denseLayer(rng, options.priceHidden, nAssets, 'linear'),
  ];
  // −p̂ starts near −1 (prices relative to pre-shock).
  tf.tidy(() => priceNet[1]!.bias.assign(tf.fill([nAssets], -1)));
  const layers = [...liquidationNet, ...priceNet];
  if (start) {
    tf.tidy(() =>
      [...start.liquidationNet, ...start.priceNet].forEach((saved, k) => {
        layers[k]!.kernel.assign(tf.tensor2d(saved.kernel, [saved.inputs, saved.outputs]));
        layers[k]!.bias.assign(tf.tensor1d(saved.bias));
      }),
    );
  }
  // Aggregation (eq. 2) as a fixed matrix G: (n, m) → m with weight a_nm.
  const aggregation = options.fractionPerBank
    ? tf.tensor2d(Float32Array.from(data.holdings), [nBanks, nAssets])
    : tf.tensor2d(
        Float32Array.from({ length: nHoldings * nAssets }, (_, k) => {
          const row = Math.floor(k / nAssets);
          return row % nAssets === k % nAssets ? data.holdings[row]! : 0;
        }),
        [nHoldings, nAssets],
      );
  const parameters = new FlatParameters(layers, liquidationNet.length, aggregation);
  const forward = (x: tf.Tensor2D) => {
    const views = parameters.views();
    return dualNetworkForward(
      views.slice(0, liquidationNet.length),
      views.slice(liquidationNet.length),
      aggregation,
      x,
    );
  };
  const xTrain = tf.tensor2d(rows(scaled, width, trainIdx), [trainIdx.length, width]);
  const yTrain = tf.tensor2d(rows(data.prices, nAssets, trainIdx), [trainIdx.length, nAssets]);
  const xValidation = tf.tensor2d(rows(scaled, width, validationIdx), [validationIdx.length, width]);
  const yValidation = tf.tensor2d(rows(data.prices, nAssets, validationIdx), [validationIdx.length, nAssets]);
  const lossOf = (x: tf.Tensor2D, y: tf.Tensor2D) =>
    tf.mul<tf.Scalar>(tf.mean(tf.squaredDifference(forward(x), y)), nAssets);

  // Adam (in the fused step) reads the learning rate at every step: halving it keeps the moment estimates.
  let learningRate = options.learningRate;
  const batches = makeBatches(xTrain, yTrain, options.batchSize);
  const minLearningRate = options.learningRate / 256;
  let best = Number.POSITIVE_INFINITY;
  let bestWeights = await parameters.read();
  let sinceHalving = 0;
  const curve: EpochReport[] = [];
  let stoppedBy: TrainedDualNetwork['stoppedBy'] = 'max-epochs';
  let epoch = 0;
  try {
    for (epoch = 1; epoch <= options.maxEpochs; epoch++) {
      if (hooks.signal?.aborted) {
        stoppedBy = 'cancelled';
        break;
      }
      // The mini-batches in their fixed order, each one fused step (no reads from the device in between).
      tf.tidy(() => {
        for (const batch of batches) parameters.step(batch, learningRate);
      });
      // Losses are read (a device sync) every EVALUATE_EVERY epochs; patience counts evaluations.
      if (epoch % EVALUATE_EVERY !== 0 && epoch !== options.maxEpochs) continue;
      const losses = tf.tidy(() => tf.stack([lossOf(xTrain, yTrain), lossOf(xValidation, yValidation)]));
      const [trainLoss, validationLoss] = Array.from(await losses.data()) as [number, number];
      losses.dispose();
      const report = { epoch, trainLoss, validationLoss, learningRate };
      curve.push(report);
      hooks.onEpoch?.(report);
      if (validationLoss < best * (1 - 1e-4)) {
        best = validationLoss;
        bestWeights = await parameters.read();
        sinceHalving = 0;
      } else {
        sinceHalving++;
      }
      if (hooks.targetLoss !== undefined && validationLoss <= hooks.targetLoss) {
        stoppedBy = 'target-reached';
        break;
      }
      if (sinceHalving * EVALUATE_EVERY >= options.patience) {
        if (learningRate <= minLearningRate) {
          stoppedBy = 'early-stopping';
          break;
        }
        learningRate /= 2;
        sinceHalving = 0;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    tf.dispose(batches.flatMap((batch) => [batch.x, batch.xT, batch.y, batch.scale]));
    for (const tensor of [xTrain, yTrain, xValidation, yValidation, aggregation]) tensor.dispose();
    parameters.dispose();
  }
  if (stoppedBy === 'cancelled') throw new TrainingCancelled();
  return {
    model: {
      format: 'contagion-workbench/dual-network@1',
      nBanks,
      nAssets,
      nInputs: width,
      fractionPerBank: options.fractionPerBank,
      holdings: Array.from(data.holdings),
      inputLow,
      inputHigh,
      liquidationNet: bestWeights.slice(0, liquidationNet.length),
      priceNet: bestWeights.slice(liquidationNet.length),
    },
    epochs: Math.min(epoch, options.maxEpochs),
    bestValidationLoss: best,
    curve,
    stoppedBy,
    trainIndices: trainAll,
    testIndices: test,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation in plain arrays (float64): the same functions as the TensorFlow.js graph.

function evaluateLayers(layers: SerializedLayer[], input: ArrayLike<number>): Float64Array {
  let x = Float64Array.from(input);
  for (const layer of layers) {
    const out = new Float64Array(layer.outputs);
    for (let j = 0; j < layer.outputs; j++) {
      let z = layer.bias[j]!;
      for (let i = 0; i < layer.inputs; i++) z += x[i]! * layer.kernel[i * layer.outputs + j]!;
      if (layer.concaveFrom === -1) z = z < 0 ? LEAK * z : z > 1 ? 1 + LEAK * (z - 1) : z;
      else if (layer.concaveFrom !== null) z = j < layer.concaveFrom ? Math.max(z, LEAK * z) : Math.min(z, LEAK * z);
      out[j] = z;
    }
    x = out;
  }
  return x;
}

/** Fractions sold per (bank, asset), N × M, for one input row (shocks, plus extra inputs for the Inclusive Model). */
export function predictFractions(model: SerializedDualNetwork, input: ArrayLike<number>): Float64Array {
  const scaled = Array.from({ length: model.nInputs }, (_, j) => {
    const range = model.inputHigh[j]! - model.inputLow[j]!;
    return range > 0 ? (input[j]! - model.inputLow[j]!) / range : 0;
  });
  const out = evaluateLayers(model.liquidationNet, scaled);
  if (!model.fractionPerBank) return out;
  return Float64Array.from({ length: model.nBanks * model.nAssets }, (_, k) => out[Math.floor(k / model.nAssets)]!);
}

/** ℓ̂ per asset (eq. 2) from the fractions. */
export function aggregateLiquidations(model: SerializedDualNetwork, fractions: ArrayLike<number>): Float64Array {
  const out = new Float64Array(model.nAssets);
  for (let n = 0; n < model.nBanks; n++) {
    for (let m = 0; m < model.nAssets; m++)
      out[m]! += model.holdings[n * model.nAssets + m]! * fractions[n * model.nAssets + m]!;
  }
  return out;
}

/** p̂ from ℓ̂ (the Price Net, eq. 3; its output is −p̂). */
export function predictPriceFromLiquidations(
  model: SerializedDualNetwork,
  liquidations: ArrayLike<number>,
): Float64Array {
  return evaluateLayers(model.priceNet, liquidations).map((q) => -q);
}

export interface Predictions {
  /** nRows × M */
  liquidations: Float64Array;
  /** nRows × M */
  prices: Float64Array;
  /** nRows × N×M */
  fractions: Float64Array;
}

export function predictRows(model: SerializedDualNetwork, inputs: Float64Array, indices: number[]): Predictions {
  const { nAssets, nBanks, nInputs } = model;
  const liquidations = new Float64Array(indices.length * nAssets);
  const prices = new Float64Array(indices.length * nAssets);
  const fractions = new Float64Array(indices.length * nBanks * nAssets);
  indices.forEach((sample, row) => {
    const f = predictFractions(model, inputs.subarray(sample * nInputs, (sample + 1) * nInputs));
    const l = aggregateLiquidations(model, f);
    fractions.set(f, row * nBanks * nAssets);
    liquidations.set(l, row * nAssets);
    prices.set(predictPriceFromLiquidations(model, l), row * nAssets);
  });
  return { liquidations, prices, fractions };
}

/** Sum over assets of the mean squared price error (Table 4 sums; with one asset it is the MSE of Table 2). */
export function priceMse(predicted: Float64Array, truth: Float64Array, nAssets: number): number {
  let sum = 0;
  for (let k = 0; k < predicted.length; k++) sum += (predicted[k]! - truth[k]!) ** 2;
  return sum / (predicted.length / nAssets);
}

/** An affine map between rows of M per-asset values, y = A x + b (A row-major M × M). */
export interface AffineMap {
  slope: Float64Array;
  offset: Float64Array;
}

/**
 * Least squares y_m = b_m + Σ_k A_mk x_k for every asset m over the rows of `x` and `y` (both count × M), with a tiny
 * ridge: some assets' learned liquidations can be constant (nobody sells them) or collinear.
 */
export function fitAffineMap(x: ArrayLike<number>, y: ArrayLike<number>, nAssets: number): AffineMap {
  const count = x.length / nAssets;
  const design = Array.from({ length: count }, (_, r) =>
    Array.from({ length: nAssets }, (_, k) => x[r * nAssets + k]!),
  );
  const slope = new Float64Array(nAssets * nAssets);
  const offset = new Float64Array(nAssets);
  for (let m = 0; m < nAssets; m++) {
    const fit = olsWithInference(
      design,
      Array.from({ length: count }, (_, r) => y[r * nAssets + m]!),
      1e-12,
    );
    offset[m] = fit.intercept.estimate;
    fit.slopes.forEach((term, k) => (slope[m * nAssets + k] = term.estimate));
  }
  return { slope, offset };
}

/** The map applied to every row of `rows` (count × M; one row is a row too). */
export function applyAffineMap(map: AffineMap, rows: ArrayLike<number>): Float64Array {
  const nAssets = map.offset.length;
  const out = new Float64Array(rows.length);
  for (let r = 0; r < rows.length / nAssets; r++) {
    for (let m = 0; m < nAssets; m++) {
      let value = map.offset[m]!;
      for (let k = 0; k < nAssets; k++) value += map.slope[m * nAssets + k]! * rows[r * nAssets + k]!;
      out[r * nAssets + m] = value;
    }
  }
  return out;
}

/**
 * The linear scaling of eq. (4), ℓ* = (ℓ̂ − ℓ̂_min)(ℓ_max − ℓ_min)/(ℓ̂_max − ℓ̂_min) + ℓ_min, generalised to M assets:
 * ℓ* = D ℓ̂ + e, fitted by least squares to the true liquidations `truth` at calibration scenarios where the network
 * gives `predicted` (both count × M; eq. 4 is the one-asset map through two of them, the smallest and the largest
 * shock). A full D undoes what prices alone cannot tell apart: a mixing of the assets' learned liquidations, or
 * their exchange (docs/engines/fire-sales.md).
 */
export function fitLiquidationScaling(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
  nAssets: number,
): AffineMap {
  const count = predicted.length / nAssets;
  if (count < nAssets + 1)
    throw new EngineInputError(
      `the liquidation scaling needs at least ${nAssets + 1} calibration scenarios for ${nAssets} assets, got ${count}`,
      'calibration',
    );
  return fitAffineMap(predicted, truth, nAssets);
}

/** The Linear Price Model: least squares of the dual network's p̂ on ℓ̂ (all assets) over the training rows. */
export const fitLinearPriceModel = (
  trainLiquidations: Float64Array,
  trainPrices: Float64Array,
  nAssets: number,
): AffineMap => fitAffineMap(trainLiquidations, trainPrices, nAssets);

export { pearson, type RegressionTerm };
