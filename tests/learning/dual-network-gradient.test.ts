/**
 * The dual network's hand-derived training step (FlatParameters) against TensorFlow.js's own: the gradient of the
 * reference forward pass `dualNetworkForward` through the gradient tape, and tf.train.adam with the projection onto
 * non-negative kernels. On WebAssembly, bit for bit for case-study-sized networks (products taken as the tape takes
 * them, EXACT_LAYER_WEIGHTS), within float32 rounding for larger ones (explicit transposes, other summation orders).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src-main/engines/random';
import { selectLearningBackend } from '../../src-main/learning/backend';
import {
  denseLayer,
  dualNetworkForward,
  FlatParameters,
  makeBatches,
  type Batch,
} from '../../src-main/learning/dual-network';

interface Case {
  banks: number;
  assets: number;
  rows: number;
  fractionPerHolding?: boolean;
}

/** A network and one batch of data, built from a seed (the same seed gives the same weights). */
function build({ banks, assets, rows, fractionPerHolding }: Case, exact?: boolean) {
  const rng = new Rng(4);
  const fractions = fractionPerHolding ? banks * assets : banks;
  const layers = [
    denseLayer(rng, banks, 32, 'mixed'),
    denseLayer(rng, 32, 32, 'mixed'),
    denseLayer(rng, 32, fractions, 'fraction'),
    denseLayer(rng, assets, 32, 'mixed'),
    denseLayer(rng, 32, assets, 'linear'),
  ];
  const aggregation = tf.tensor2d(
    Float32Array.from({ length: fractions * assets }, () => rng.uniform()),
    [fractions, assets],
  );
  // Inputs over [−0.2, 1.4] and prices around the initial output, so that every piece of every unit is visited.
  const x = tf.tensor2d(
    Float32Array.from({ length: rows * banks }, () => 1.6 * rng.uniform() - 0.2),
    [rows, banks],
  );
  const y = tf.tensor2d(
    Float32Array.from({ length: rows * assets }, () => 0.5 + 0.5 * rng.uniform()),
    [rows, assets],
  );
  const parameters = new FlatParameters(layers, 3, aggregation, exact);
  const [batch] = makeBatches(x, y, 0) as [Batch];
  return { parameters, aggregation, x, y, batch, assets };
}

/** The loss as training reports it, through the reference forward pass and the gradient tape. */
function referenceLoss(parameters: FlatParameters, aggregation: tf.Tensor2D, x: tf.Tensor2D, y: tf.Tensor2D) {
  const views = parameters.views();
  return tf.mul<tf.Scalar>(
    tf.mean(tf.squaredDifference(dualNetworkForward(views.slice(0, 3), views.slice(3), aggregation, x), y)),
    y.shape[1],
  );
}

function compare(a: ArrayLike<number>, b: ArrayLike<number>) {
  let equal = 0;
  let worst = 0;
  let scale = 0;
  for (let k = 0; k < a.length; k++) {
    if (a[k] === b[k]) equal++;
    worst = Math.max(worst, Math.abs(a[k]! - b[k]!));
    scale = Math.max(scale, Math.abs(a[k]!));
  }
  return { equal, worst, scale };
}

const CASE_STUDY: Case = { banks: 2, assets: 2, rows: 128 };
const LARGE: Case = { banks: 100, assets: 20, rows: 128 };

describe('the dual network training step (hand-derived gradient, Adam, projection)', () => {
  beforeAll(async () => {
    await selectLearningBackend('wasm');
  });

  for (const [label, size, exact, bitwise] of [
    ['2 banks × 2 assets', CASE_STUDY, undefined, true],
    [
      '3 banks × 1 asset, one fraction per holding',
      { banks: 3, assets: 1, rows: 50, fractionPerHolding: true },
      undefined,
      true,
    ],
    ['2 banks × 2 assets with explicit transposes', CASE_STUDY, false, false],
    ['100 banks × 20 assets', LARGE, undefined, false],
  ] as const) {
    it(`gradient equals TensorFlow.js's gradient of the reference forward pass: ${label}`, async () => {
      const { parameters, aggregation, x, y, batch } = build(size, exact);
      expect(parameters.exact).toBe(bitwise);
      const mine = tf.tidy(() => parameters.gradient(batch));
      const reference = tf.tidy(() => tf.grad(() => referenceLoss(parameters, aggregation, x, y))(parameters.flat));
      const { equal, worst, scale } = compare(await reference.data(), await mine.data());
      expect(scale).toBeGreaterThan(1e-3);
      if (bitwise) expect(equal).toBe(mine.size);
      else expect(worst).toBeLessThanOrEqual(1e-5 * scale);
      tf.dispose([mine, reference, aggregation, x, y, batch.x, batch.xT, batch.y, batch.scale]);
      parameters.dispose();
    });
  }

  for (const [label, size] of [
    ['2 banks × 2 assets', CASE_STUDY],
    ['100 banks × 20 assets', LARGE],
  ] as const) {
    it(`three steps equal tf.train.adam with optimizer.minimize and the projection: ${label}`, async () => {
      const mine = build(size);
      const reference = build(size);
      const optimizer = tf.train.adam(0.01);
      const bounds = await reference.parameters.read();
      const lowerBounds = tf.tensor1d(
        bounds.flatMap((layer) => [
          ...new Array<number>(layer.kernel.length).fill(0),
          ...new Array<number>(layer.bias.length).fill(-3.4e38),
        ]),
      );
      for (let step = 0; step < 3; step++) {
        tf.tidy(() => mine.parameters.step(mine.batch, 0.01));
        tf.tidy(() => {
          optimizer.minimize(
            () => referenceLoss(reference.parameters, reference.aggregation, reference.x, reference.y),
            false,
            [reference.parameters.flat],
          );
          reference.parameters.flat.assign(tf.maximum(reference.parameters.flat, lowerBounds));
        });
      }
      const { equal, worst, scale } = compare(
        await reference.parameters.flat.data(),
        await mine.parameters.flat.data(),
      );
      if (mine.parameters.exact) expect(equal).toBe(mine.parameters.flat.size);
      else expect(worst).toBeLessThanOrEqual(1e-5 * scale);
      // the projection held: every kernel entry is non-negative
      for (const layer of await mine.parameters.read()) expect(Math.min(...layer.kernel)).toBeGreaterThanOrEqual(0);
      optimizer.dispose();
      lowerBounds.dispose();
      for (const built of [mine, reference]) {
        const { parameters, aggregation, x, y, batch } = built;
        tf.dispose([aggregation, x, y, batch.x, batch.xT, batch.y, batch.scale]);
        parameters.dispose();
      }
    });
  }
});
