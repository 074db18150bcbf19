/**
 * Classifiers of acceptable capital allocations (capital-allocation-machine-learning, Table 1 and Figure 1),
 * trained with TensorFlow.js on labelled allocations x = k / kMax ∈ [0, 1]^T (label 1 = acceptable):
 *
 *   logistic:               P(Y=1 | x) = σ(β₀ + Σ_i β_i x_i)
 *   logistic-interactions:  P(Y=1 | x) = σ(β₀ + Σ_i β_i x_i + Σ_{i<j} γ_ij x_i x_j)
 *   interactions-only:      P(Y=1 | x) = σ(β₀ + Σ_{i<j} γ_ij x_i x_j)
 *   monotone-network:       P(Y=1 | x) = σ(c + Σ_u v_u σ(b_u + Σ_i W_ui x_i)), T hidden units, W ≥ 0, v ≥ 0
 *
 * (the paper's φ writes γ_i x_i x_j; one γ per pair is meant). Loss: mean binary cross-entropy plus
 * λ Σ (coefficients or weights)², intercepts unpenalised, minimised by full-batch Adam; the network's weights are
 * projected onto W, v ≥ 0 after every step, so its P(Y=1 | x) is non-decreasing in every x_i (σ is increasing):
 * more capital is never less acceptable. The curves of training and validation loss per epoch are Figure 1.
 * Initial weights come from the seeded generator, so a fit is reproducible on a given backend.
 *
 * `fitLogisticIrls` fits the same penalised logistic models exactly by Newton's method (iteratively
 * reweighted least squares) in plain TypeScript, as an independent check of the TensorFlow.js fit.
 */
import * as tf from '@tensorflow/tfjs';
import { EngineInputError } from '../engines/errors';
import { Rng } from '../engines/random';
import type { CapitalModel } from '../../src-shared/results/capital';

export type AcceptanceModelKind = CapitalModel;

/** Plain parameters of a fitted classifier (JSON-safe), enough to predict without TensorFlow.js. */
export type ClassifierParameters =
  | {
      kind: 'logistic' | 'logistic-interactions' | 'interactions-only';
      nTiers: number;
      intercept: number;
      coefficients: number[];
    }
  | {
      kind: 'monotone-network';
      nTiers: number;
      hiddenWeights: number[][];
      hiddenBias: number[];
      outputWeights: number[];
      outputBias: number;
    };

export interface TrainingOptions {
  epochs: number;
  learningRate: number;
  /** λ of the ridge penalty. */
  l2: number;
  seed: number;
  /** Called after every epoch with the losses; return false to stop. */
  onEpoch?: (epoch: number, trainLoss: number, validationLoss: number) => void | Promise<void>;
}

export interface FittedClassifier {
  parameters: ClassifierParameters;
  /** Loss (cross-entropy + penalty) per epoch, on the training and the validation samples. */
  trainLoss: number[];
  validationLoss: number[];
  trainAccuracy: number;
  validationAccuracy: number;
  seconds: number;
}

/** Pairs (i, j), i < j, in the order of the interaction features. */
function pairs(nTiers: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < nTiers; i++) for (let j = i + 1; j < nTiers; j++) out.push([i, j]);
  return out;
}

/** The regression features of a logistic kind for one x (linear terms, then the pairwise products). */
export function logisticFeatures(
  kind: Exclude<AcceptanceModelKind, 'monotone-network'>,
  x: ArrayLike<number>,
  nTiers: number,
): number[] {
  const features: number[] = [];
  if (kind !== 'interactions-only') for (let i = 0; i < nTiers; i++) features.push(x[i]!);
  if (kind !== 'logistic') for (const [i, j] of pairs(nTiers)) features.push(x[i]! * x[j]!);
  return features;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** P(Y = 1 | x) from the plain parameters (x = k / kMax). */
export function predictProbability(parameters: ClassifierParameters, x: ArrayLike<number>): number {
  if (parameters.kind === 'monotone-network') {
    let z = parameters.outputBias;
    parameters.hiddenWeights.forEach((row, u) => {
      let a = parameters.hiddenBias[u]!;
      row.forEach((w, i) => (a += w * x[i]!));
      z += parameters.outputWeights[u]! * sigmoid(a);
    });
    return sigmoid(z);
  }
  const features = logisticFeatures(parameters.kind, x, parameters.nTiers);
  let z = parameters.intercept;
  features.forEach((f, i) => (z += parameters.coefficients[i]! * f));
  return sigmoid(z);
}

/** Mean binary cross-entropy of probabilities against labels (clipped at 1e-7 as in TensorFlow.js). */
export function crossEntropy(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  let sum = 0;
  for (let j = 0; j < labels.length; j++) {
    const p = Math.min(1 - 1e-7, Math.max(1e-7, probabilities[j]!));
    sum -= labels[j]! ? Math.log(p) : Math.log(1 - p);
  }
  return labels.length > 0 ? sum / labels.length : Number.NaN;
}

interface Dataset {
  x: Float32Array;
  y: Float32Array;
  count: number;
}

function subset(x: Float64Array, labels: Uint8Array, nTiers: number, indices: number[]): Dataset {
  const out = {
    x: new Float32Array(indices.length * nTiers),
    y: new Float32Array(indices.length),
    count: indices.length,
  };
  indices.forEach((j, r) => {
    for (let t = 0; t < nTiers; t++) out.x[r * nTiers + t] = x[j * nTiers + t]!;
    out.y[r] = labels[j]!;
  });
  return out;
}

/** A deterministic split: every fifth sample of a seeded permutation is held out for validation. */
export function validationSplit(
  count: number,
  seed: number,
  fraction = 0.2,
): { train: number[]; validation: number[] } {
  const order = Array.from({ length: count }, (_, i) => i);
  const rng = new Rng(seed, 2 ** 41);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const nValidation = count >= 10 ? Math.round(count * fraction) : 0;
  return {
    validation: order.slice(0, nValidation).sort((a, b) => a - b),
    train: order.slice(nValidation).sort((a, b) => a - b),
  };
}

/** A classifier's trainable variables, the ones penalised, its logits, its projection after a step, its inputs. */
interface ClassifierModel {
  variables: tf.Variable[];
  penalised: tf.Variable[];
  forward: (input: tf.Tensor2D) => tf.Tensor1D;
  project?: () => void;
  features: (data: Dataset) => tf.Tensor2D;
}

/** One hidden layer with non-negative weights (monotone), started at `small` draws around 1. */
function monotoneNetwork(nTiers: number, small: (count: number, scale: number) => Float32Array): ClassifierModel {
  const hidden = nTiers;
  // non-negative start, hidden units spread along [0, 1] so the sigmoids do not all sit in one place
  const w = tf.variable(
    tf.tensor2d(
      Float32Array.from(small(nTiers * hidden, 1), (v) => 1 + v),
      [nTiers, hidden],
    ),
  );
  const b = tf.variable(tf.tensor1d(small(hidden, 1)));
  const v = tf.variable(
    tf.tensor2d(
      Float32Array.from(small(hidden, 1), (value) => 1 + value),
      [hidden, 1],
    ),
  );
  const c = tf.variable(tf.scalar(0));
  return {
    variables: [w, b, v, c],
    penalised: [w, v],
    forward: (input) =>
      tf.tidy(() => tf.sigmoid(tf.matMul(input, w).add(b)).matMul(v).add(c).reshape<tf.Tensor1D>([-1])),
    project: () => {
      w.assign(tf.relu(w));
      v.assign(tf.relu(v));
    },
    features: (data) => tf.tensor2d(data.x, [data.count, nTiers]),
  };
}

/** Logistic regression on the kind's features (with interactions, or interactions only), started at zero. */
function logisticModel(kind: Exclude<AcceptanceModelKind, 'monotone-network'>, nTiers: number): ClassifierModel {
  const width = logisticFeatures(kind, new Float64Array(nTiers), nTiers).length;
  const beta = tf.variable(tf.zeros([width, 1]));
  const intercept = tf.variable(tf.scalar(0));
  return {
    variables: [beta, intercept],
    penalised: [beta],
    forward: (input) => tf.tidy(() => tf.matMul(input, beta).add(intercept).reshape<tf.Tensor1D>([-1])),
    features: (data) => {
      const rows = new Float32Array(data.count * width);
      for (let r = 0; r < data.count; r++)
        rows.set(logisticFeatures(kind, data.x.subarray(r * nTiers, r * nTiers + nTiers), nTiers), r * width);
      return tf.tensor2d(rows, [data.count, width]);
    },
  };
}

/** Share of the samples the fitted classifier labels as Monte Carlo did (NaN for none). */
function accuracyOf(parameters: ClassifierParameters, data: Dataset, nTiers: number): number {
  if (data.count === 0) return Number.NaN;
  let right = 0;
  for (let r = 0; r < data.count; r++) {
    const p = predictProbability(parameters, data.x.subarray(r * nTiers, r * nTiers + nTiers));
    if ((p >= 0.5 ? 1 : 0) === data.y[r]) right++;
  }
  return right / data.count;
}

/**
 * Fits one classifier on samples x (row-major, already scaled to [0, 1]) with TensorFlow.js on the backend in
 * use. `x` and `labels` are split by `validationSplit(seed)`.
 */
export async function trainAcceptanceClassifier(
  kind: AcceptanceModelKind,
  x: Float64Array,
  labels: Uint8Array,
  nTiers: number,
  options: TrainingOptions,
): Promise<FittedClassifier> {
  if (x.length !== labels.length * nTiers)
    throw new EngineInputError(`${x.length} values for ${labels.length} samples of ${nTiers} tiers`, 'samples');
  if (labels.length < 2) throw new EngineInputError('at least two labelled samples are needed to train', 'samples');
  if (kind === 'interactions-only' && nTiers < 2)
    throw new EngineInputError('interactions need at least two tiers', 'models');
  const started = performance.now();
  const split = validationSplit(labels.length, options.seed);
  const train = subset(x, labels, nTiers, split.train);
  const validation = subset(x, labels, nTiers, split.validation);
  const rng = new Rng(options.seed, 2 ** 41 + 1);
  const small = (count: number, scale: number) =>
    Float32Array.from({ length: count }, () => scale * (rng.uniform() - 0.5));

  const trainLoss: number[] = [];
  const validationLoss: number[] = [];
  const { variables, penalised, forward, project, features } =
    kind === 'monotone-network' ? monotoneNetwork(nTiers, small) : logisticModel(kind, nTiers);

  const trainX = features(train);
  const trainY = tf.tensor1d(train.y);
  const validationX = validation.count > 0 ? features(validation) : undefined;
  const validationY = validation.count > 0 ? tf.tensor1d(validation.y) : undefined;
  const lossOf = (input: tf.Tensor2D, target: tf.Tensor1D) =>
    tf.tidy(() => {
      const entropy = tf.losses.sigmoidCrossEntropy(target, forward(input));
      return penalised.reduce(
        (sum: tf.Scalar, p) => sum.add(tf.sum(tf.square(p)).mul(options.l2)),
        entropy as tf.Scalar,
      );
    });
  const optimizer = tf.train.adam(options.learningRate);
  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const loss = optimizer.minimize(() => lossOf(trainX, trainY), true, variables) as tf.Scalar;
      project?.();
      const value = (await loss.data())[0]!;
      loss.dispose();
      let held = Number.NaN;
      if (validationX && validationY) {
        const validationValue = lossOf(validationX, validationY);
        held = (await validationValue.data())[0]!;
        validationValue.dispose();
      }
      trainLoss.push(value);
      validationLoss.push(held);
      await options.onEpoch?.(epoch, value, held);
    }
    const parameters = await readParameters(kind, nTiers, variables);
    return {
      parameters,
      trainLoss,
      validationLoss,
      trainAccuracy: accuracyOf(parameters, train, nTiers),
      validationAccuracy: accuracyOf(parameters, validation, nTiers),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    optimizer.dispose();
    for (const tensor of [trainX, trainY, validationX, validationY, ...variables]) tensor?.dispose();
  }
}

async function readParameters(
  kind: AcceptanceModelKind,
  nTiers: number,
  variables: tf.Variable[],
): Promise<ClassifierParameters> {
  const values = await Promise.all(variables.map((v) => v.data()));
  if (kind === 'monotone-network') {
    const [w, b, v, c] = values as [Float32Array, Float32Array, Float32Array, Float32Array];
    const hidden = nTiers;
    return {
      kind,
      nTiers,
      // stored [input, hidden] in TensorFlow.js; kept per hidden unit here
      hiddenWeights: Array.from({ length: hidden }, (_, u) =>
        Array.from({ length: nTiers }, (_, i) => w[i * hidden + u]!),
      ),
      hiddenBias: Array.from(b),
      outputWeights: Array.from(v),
      outputBias: c[0]!,
    };
  }
  const [beta, intercept] = values as [Float32Array, Float32Array];
  return { kind, nTiers, intercept: intercept[0]!, coefficients: Array.from(beta) };
}

/**
 * The exact penalised maximum-likelihood fit of a logistic kind by Newton's method (IRLS):
 * minimises mean cross-entropy + λ‖β‖² (intercept unpenalised). Returns the parameters and the final objective.
 */
export function fitLogisticIrls(
  kind: Exclude<AcceptanceModelKind, 'monotone-network'>,
  x: Float64Array,
  labels: ArrayLike<number>,
  nTiers: number,
  l2: number,
  maxIterations = 100,
): { parameters: ClassifierParameters; objective: number; iterations: number } {
  const count = labels.length;
  const rows = Array.from({ length: count }, (_, r) => [
    1,
    ...logisticFeatures(kind, x.subarray(r * nTiers, r * nTiers + nTiers), nTiers),
  ]);
  const width = rows[0]?.length ?? 1;
  const theta = new Float64Array(width);
  const objective = () => {
    let sum = 0;
    for (let r = 0; r < count; r++) {
      let z = 0;
      for (let c = 0; c < width; c++) z += rows[r]![c]! * theta[c]!;
      // log(1 + e^{−z}) for y = 1, log(1 + e^{z}) for y = 0, computed stably
      const signed = labels[r] ? -z : z;
      sum += signed > 0 ? signed + Math.log1p(Math.exp(-signed)) : Math.log1p(Math.exp(signed));
    }
    let penalty = 0;
    for (let c = 1; c < width; c++) penalty += theta[c]! * theta[c]!;
    return sum / count + l2 * penalty;
  };
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const gradient = new Float64Array(width);
    const hessian = new Float64Array(width * width);
    for (let r = 0; r < count; r++) {
      const row = rows[r]!;
      let z = 0;
      for (let c = 0; c < width; c++) z += row[c]! * theta[c]!;
      const p = sigmoid(z);
      const weight = Math.max(p * (1 - p), 1e-12);
      for (let a = 0; a < width; a++) {
        gradient[a]! += ((p - labels[r]!) * row[a]!) / count;
        for (let b = 0; b < width; b++) hessian[a * width + b]! += (weight * row[a]! * row[b]!) / count;
      }
    }
    for (let c = 1; c < width; c++) {
      gradient[c]! += 2 * l2 * theta[c]!;
      hessian[c * width + c]! += 2 * l2;
    }
    const step = solveSymmetric(hessian, gradient, width);
    // damped Newton: halve the step until the objective does not increase
    const before = objective();
    const previous = theta.slice();
    let factor = 1;
    for (let tries = 0; tries < 30; tries++) {
      for (let c = 0; c < width; c++) theta[c] = previous[c]! - factor * step[c]!;
      if (objective() <= before + 1e-15) break;
      factor /= 2;
    }
    let size = 0;
    for (let c = 0; c < width; c++) size = Math.max(size, Math.abs(factor * step[c]!));
    if (size < 1e-10) break;
  }
  return {
    parameters: { kind, nTiers, intercept: theta[0]!, coefficients: Array.from(theta.subarray(1)) },
    objective: objective(),
    iterations,
  };
}

/** Solves H s = g for a symmetric positive definite H by Cholesky. */
function solveSymmetric(matrix: Float64Array, rhs: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = i === j ? Math.sqrt(Math.max(sum, 1e-300)) : sum / l[j * n + j]!;
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = rhs[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * n + k]! * y[k]!;
    y[i] = sum / l[i * n + i]!;
  }
  const out = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * out[k]!;
    out[i] = sum / l[i * n + i]!;
  }
  return out;
}
