import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateHoldings } from '../../src-main/engines/holdings-generator';
import type { HoldingsPanel } from '../../src-main/engines/holdings-panel';
import {
  countParameters,
  directedEdges,
  embedNodes,
  fitFeatureSpace,
  initParameters,
  PAPER_CONFIG,
  prepareDateGraph,
} from '../../src-main/learning/graph-transformer';
import { principalComponents2 } from '../../src-main/learning/gt-evaluation';

const config = { hidden: 16, embedding: 8, layers: 2, heads: 2, keyDim: 4, categoryDim: 3 };
const panel = generateHoldings({ investors: 30, assets: 50, dates: 3, positionsPerInvestor: 6, seed: 3 });

function embed(source: HoldingsPanel, maxTensorBytes?: number): Float32Array {
  const space = fitFeatureSpace(source, source.snapshots);
  const params = initParameters(config, space, 11);
  const graph = prepareDateGraph(source, source.snapshots[1]!, space);
  const values = tf.tidy(() =>
    embedNodes(params, config, graph, directedEdges(graph), { training: false, dropout: 0, maxTensorBytes }).dataSync(),
  ) as Float32Array;
  for (const v of params.values()) v.dispose();
  return values;
}

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
});

describe('graph transformer', () => {
  it('counts its parameters: every variable, and the paper configuration term by term', () => {
    const space = fitFeatureSpace(panel, panel.snapshots);
    const vocab = [space.investorVocab.map((v) => v.length), space.assetVocab.map((v) => v.length)] as const;
    const params = initParameters(config, space, 1);
    const total = [...params.values()].reduce((sum, v) => sum + v.size, 0);
    expect(countParameters(config, ...vocab)).toBe(total);
    for (const v of params.values()) v.dispose();
    // Table 1: d_h = 256, d_e = 128, L = 3, S = 4, d_k = d_h; d_c = 16; generator vocabularies (with "unknown").
    expect(vocab).toEqual([
      [6, 3],
      [5, 4],
    ]);
    const dh = 256;
    const de = 128;
    const categories = (6 + 3 + 5 + 4) * 16;
    const featureMaps = 2 * ((4 + 2 * 16) * dh + dh);
    const layer = dh * dh + dh + 2 * dh * 4 * dh + 2 * dh * dh + dh;
    const readout = dh * de + de;
    const heads = 2 * (3 * de * de + de + de + 1);
    expect(countParameters(PAPER_CONFIG, ...vocab)).toBe(categories + featureMaps + 3 * layer + readout + heads);
    expect(countParameters(PAPER_CONFIG, ...vocab)).toBe(2_315_170);
  });

  it('gives the same embeddings when edge tensors are split into many chunks', () => {
    const whole = embed(panel);
    const chunked = embed(panel, 256);
    expect(Math.max(...whole.map((x, k) => Math.abs(x - chunked[k]!)))).toBeLessThan(1e-5);
  });

  it('is permutation invariant: relabelling investors permutes their embeddings and leaves assets unchanged', () => {
    const order = panel.investors.map((_, i) => panel.investors.length - 1 - i); // new index → old index
    const newIndex = new Int32Array(order.length);
    order.forEach((old, fresh) => (newIndex[old] = fresh));
    const permuted: HoldingsPanel = {
      investors: order.map((old) => panel.investors[old]!),
      assets: panel.assets,
      snapshots: panel.snapshots.map((s) => ({ ...s, investor: s.investor.map((i) => newIndex[i]!) })),
    };
    const a = embed(panel);
    const b = embed(permuted);
    const d = config.embedding;
    const n = panel.investors.length;
    let worst = 0;
    for (let old = 0; old < n; old++) {
      for (let k = 0; k < d; k++) worst = Math.max(worst, Math.abs(a[old * d + k]! - b[newIndex[old]! * d + k]!));
    }
    for (let v = n * d; v < a.length; v++) worst = Math.max(worst, Math.abs(a[v]! - b[v]!));
    expect(worst).toBeLessThan(1e-4);
  });

  it('finds the two leading principal components of a planted plane', () => {
    const rows = 200;
    const values = new Float32Array(rows * 3);
    for (let r = 0; r < rows; r++) {
      const s = Math.sin(r);
      const t = Math.cos(3 * r);
      values.set([3 * s + 0.5 * t, 0.01 * Math.sin(7 * r), -3 * s + 0.5 * t], r * 3);
    }
    const { coordinates, explained } = principalComponents2(values, rows, 3);
    expect(explained[0]).toBeGreaterThan(0.9);
    expect(explained[0] + explained[1]).toBeGreaterThan(0.9999);
    // First axis is ±(1, 0, −1)/√2: coordinate = ±3√2·sin r (up to the centring).
    const first = Array.from({ length: rows }, (_, r) => coordinates[r * 2]!);
    const expected = Array.from({ length: rows }, (_, r) => 3 * Math.SQRT2 * Math.sin(r));
    const dotProduct = first.reduce((s, x, r) => s + x * expected[r]!, 0);
    expect(Math.abs(dotProduct) / Math.hypot(...first) / Math.hypot(...expected)).toBeGreaterThan(0.999);
  });
});
