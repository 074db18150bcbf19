import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import {
  edgeChunks,
  edgeDotProducts,
  edgeSegmentMax,
  gatherRows,
  segmentSoftmax,
  segmentSum,
  weightedNeighbourSum,
} from '../../src-main/learning/sparse-ops';

const indices = Int32Array.from([2, 0, 2, 1, 4, 2, 0]);
const nodes = 5;

function denseOneHot(ids: Int32Array, n: number): tf.Tensor2D {
  return tf.oneHot(tf.tensor1d(ids, 'int32'), n).toFloat() as tf.Tensor2D;
}

function maxAbsDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe.each(['cpu', 'wasm'])('sparse operations on the %s backend', (backend) => {
  it('selects the backend it is tested on', async () => {
    expect(await tf.setBackend(backend)).toBe(true);
    expect(tf.getBackend()).toBe(backend);
  });

  it('gatherRows equals the dense one-hot product, values and gradients', () => {
    const x = tf.randomNormal([nodes, 3], 0, 1, 'float32', 1);
    const weights = tf.randomNormal([indices.length, 3], 0, 1, 'float32', 2);
    const ids = tf.tensor1d(indices, 'int32');
    const sparse = (v: tf.Tensor) => tf.sum(tf.mul(tf.sin(gatherRows(v, ids)), weights));
    const dense = (v: tf.Tensor) =>
      tf.sum(tf.mul(tf.sin(tf.matMul(denseOneHot(indices, nodes), v as tf.Tensor2D)), weights));
    expect(maxAbsDifference(gatherRows(x, ids), tf.gather(x, ids))).toBe(0);
    const gradSparse = tf.grad(sparse)(x);
    const gradDense = tf.grad(dense)(x);
    expect(maxAbsDifference(gradSparse, gradDense)).toBeLessThan(1e-5);
    // Node 3 is never gathered: its gradient is exactly zero.
    expect(Array.from(gradSparse.slice([3, 0], [1, 3]).dataSync())).toEqual([0, 0, 0]);
  });

  it('segmentSum equals the dense transposed one-hot product, values and gradients', () => {
    const values = tf.randomNormal([indices.length, 2], 0, 1, 'float32', 3);
    const weights = tf.randomNormal([nodes, 2], 0, 1, 'float32', 4);
    const ids = tf.tensor1d(indices, 'int32');
    const dense = (v: tf.Tensor) => tf.matMul(denseOneHot(indices, nodes), v, true, false);
    expect(maxAbsDifference(segmentSum(values, ids, nodes), dense(values))).toBeLessThan(1e-6);
    const gradSparse = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.square(segmentSum(v, ids, nodes)), weights)))(values);
    const gradDense = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.square(dense(v)), weights)))(values);
    expect(maxAbsDifference(gradSparse, gradDense)).toBeLessThan(1e-5);
  });

  it('segmentSoftmax sums to one per segment, matches a brute-force softmax and has finite-difference gradients', () => {
    const scores = tf.tensor2d(Float32Array.from([0.3, -1, 2.5, 0.1, 80, 81, -0.7, 1.2, 0.4, 0.4, 3, -2, 0.9, 0.5]), [
      indices.length,
      2,
    ]);
    const ids = tf.tensor1d(indices, 'int32');
    const alpha = segmentSoftmax(scores, ids, indices, nodes).arraySync();
    const raw = scores.arraySync();
    for (let s = 0; s < nodes; s++) {
      const members = [...indices.keys()].filter((e) => indices[e] === s);
      for (let h = 0; h < 2; h++) {
        const max = Math.max(...members.map((e) => raw[e]![h]!));
        const total = members.reduce((sum, e) => sum + Math.exp(raw[e]![h]! - max), 0);
        for (const e of members) expect(alpha[e]![h]!).toBeCloseTo(Math.exp(raw[e]![h]! - max) / total, 5);
        if (members.length > 0) expect(members.reduce((sum, e) => sum + alpha[e]![h]!, 0)).toBeCloseTo(1, 5);
      }
    }
    // Large scores (80, 81) do not overflow thanks to the per-segment maximum.
    expect(alpha.flat().every(Number.isFinite)).toBe(true);
    const weights = tf.tensor2d(
      Float32Array.from({ length: indices.length * 2 }, (_, k) => Math.sin(k + 1)),
      [indices.length, 2],
    );
    const loss = (s: tf.Tensor) => tf.sum(tf.mul(segmentSoftmax(s as tf.Tensor2D, ids, indices, nodes), weights));
    const analytic = tf.grad(loss)(scores).dataSync();
    const base = scores.dataSync();
    const step = 1e-2;
    for (let k = 0; k < base.length; k++) {
      const plus = Float32Array.from(base);
      const minus = Float32Array.from(base);
      plus[k]! += step;
      minus[k]! -= step;
      const numeric =
        (loss(tf.tensor2d(plus, scores.shape)).dataSync()[0]! - loss(tf.tensor2d(minus, scores.shape)).dataSync()[0]!) /
        (2 * step);
      expect(Math.abs(analytic[k]! - numeric)).toBeLessThan(2e-3);
    }
  });

  it('edgeSegmentMax gives each edge its segment maximum, on the device (the WebGPU path) as read back, with no gradient', () => {
    // segment 3 has 13 edges (four doubling steps), segment 1 none, the others 1 to 5, in shuffled order
    const ids = Int32Array.from([3, 0, 3, 2, 3, 3, 4, 0, 3, 3, 2, 3, 3, 5, 3, 3, 0, 3, 2, 3, 3, 2, 2]);
    const scores = tf.randomNormal<tf.Rank.R2>([ids.length, 2], 0, 3, 'float32', 7);
    const values = scores.arraySync();
    const expected = Array.from(ids, (s) =>
      [0, 1].map((h) => Math.max(...values.filter((_, e) => ids[e] === s).map((row) => row[h]!))),
    );
    for (const onDevice of [true, false]) {
      expect(edgeSegmentMax(scores, ids, 6, onDevice).arraySync()).toEqual(expected);
      // the shift adds nothing to the gradient: ∂/∂x Σ (x + m(x)) = 1
      expect(
        Array.from(
          tf
            .grad((x) => tf.sum(tf.add(x, edgeSegmentMax(x as tf.Tensor2D, ids, 6, onDevice))))(scores)
            .dataSync(),
        ).every((g) => g === 1),
      ).toBe(true);
    }
  });
});

describe.each(['cpu', 'wasm'])('fused edge operations on the %s backend, chunked', (backend) => {
  const source = Int32Array.from([1, 3, 0, 4, 2, 1, 3, 0, 2]);
  const target = Int32Array.from([0, 0, 1, 1, 2, 3, 3, 4, 4]);
  const heads = 2;
  // 12 bytes per chunk: one edge of 4 floats of width 8 is 32 bytes, so every edge is its own chunk.
  const tiny = 12;

  it('edgeDotProducts equals the per-head dot products of gathered rows, values and gradients', async () => {
    await tf.setBackend(backend);
    const q = tf.randomNormal<tf.Rank.R2>([nodes, 8], 0, 1, 'float32', 5);
    const k = tf.randomNormal<tf.Rank.R2>([nodes, 8], 0, 1, 'float32', 6);
    const w = tf.randomNormal([source.length, heads], 0, 1, 'float32', 7);
    const t = tf.tensor1d(target, 'int32');
    const s = tf.tensor1d(source, 'int32');
    const plain = (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.reshape(tf.mul(gatherRows(a, t), gatherRows(b, s)), [-1, heads, 4]), 2);
    for (const maxBytes of [tiny, undefined]) {
      const fused = (a: tf.Tensor, b: tf.Tensor) =>
        edgeDotProducts(a as tf.Tensor2D, b as tf.Tensor2D, target, source, heads, maxBytes);
      expect(maxAbsDifference(fused(q, k), plain(q, k))).toBeLessThan(1e-5);
      const gf = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.tanh(fused(a, b)), w)))([q, k]);
      const gp = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.tanh(plain(a, b)), w)))([q, k]);
      expect(maxAbsDifference(gf[0]!, gp[0]!)).toBeLessThan(1e-5);
      expect(maxAbsDifference(gf[1]!, gp[1]!)).toBeLessThan(1e-5);
    }
  });

  it('weightedNeighbourSum equals the segment sum of weighted gathered messages, values and gradients', async () => {
    await tf.setBackend(backend);
    const c = tf.randomUniform<tf.Rank.R1>([source.length], 0, 1, 'float32', 8);
    const m = tf.randomNormal<tf.Rank.R2>([nodes, 3], 0, 1, 'float32', 9);
    const w = tf.randomNormal([nodes, 3], 0, 1, 'float32', 10);
    const plain = (a: tf.Tensor, b: tf.Tensor) =>
      segmentSum(
        tf.mul(tf.expandDims(a, 1), gatherRows(b, tf.tensor1d(source, 'int32'))),
        tf.tensor1d(target, 'int32'),
        nodes,
      );
    for (const maxBytes of [tiny, undefined]) {
      const fused = (a: tf.Tensor, b: tf.Tensor) =>
        weightedNeighbourSum(a as tf.Tensor1D, b as tf.Tensor2D, target, source, nodes, maxBytes);
      expect(maxAbsDifference(fused(c, m), plain(c, m))).toBeLessThan(1e-5);
      const gf = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.square(fused(a, b)), w)))([c, m]);
      const gp = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.square(plain(a, b)), w)))([c, m]);
      expect(maxAbsDifference(gf[0]!, gp[0]!)).toBeLessThan(1e-5);
      expect(maxAbsDifference(gf[1]!, gp[1]!)).toBeLessThan(1e-5);
    }
  });
});

describe('edge chunks', () => {
  it('cover every edge once and keep each chunk under the byte limit', () => {
    const chunks = edgeChunks(1000, 64, 64 * 300);
    expect(chunks[0]).toEqual({ start: 0, end: 300 });
    expect(chunks.at(-1)).toEqual({ start: 900, end: 1000 });
    expect(chunks.reduce((sum, c) => sum + c.end - c.start, 0)).toBe(1000);
    expect(chunks.every((c) => (c.end - c.start) * 64 <= 64 * 300)).toBe(true);
    expect(edgeChunks(0, 64)).toEqual([{ start: 0, end: 0 }]);
  });
});
