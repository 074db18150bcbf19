import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { generateHoldings } from '../../src-main/engines/holdings-generator';
import {
  directedEdges,
  embedNodes,
  fitFeatureSpace,
  initParameters,
  pairHead,
} from '../../src-main/learning/graph-transformer';
import { prepareDates, sampleMask } from '../../src-main/learning/gt-training';
import { Rng } from '../../src-main/engines/random';

const config = { hidden: 16, embedding: 8, layers: 2, heads: 2, keyDim: 4, categoryDim: 3 };
const panel = generateHoldings({ investors: 30, assets: 50, dates: 3, positionsPerInvestor: 6, seed: 3 });

/** Loss and gradient of every parameter (the training step's loss, no dropout) on `backend`. */
async function lossAndGradients(backend: string): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
  expect(await tf.setBackend(backend)).toBe(true);
  const space = fitFeatureSpace(panel, panel.snapshots.slice(0, 1));
  const [date] = prepareDates(panel, space);
  const graph = date!.graph;
  const mask = sampleMask(graph, 0.15, new Rng(7));
  const edges = directedEdges(graph, mask.visible);
  const params = initParameters(config, space, 5);
  const names = [...params.keys()];
  const mse = (p: tf.Tensor, t: Float32Array) => tf.mean(tf.square(tf.sub(p, tf.tensor1d(t))));
  const { value, grads } = tf.variableGrads(() => {
    const e = embedNodes(params, config, graph, edges, { training: false, dropout: 0 });
    const ae = mse(pairHead(params, 'ae', e, graph.investors, mask.pairInvestor, mask.pairAsset), mask.pairTarget);
    const tp = mse(
      pairHead(params, 'tp', e, graph.investors, date!.trade!.investor, date!.trade!.asset),
      date!.trade!.target,
    );
    return tf.add<tf.Scalar>(ae, tp);
  }, [...params.values()]);
  const out = new Map<string, Float32Array>();
  names.forEach((name) => out.set(name, grads[params.get(name)!.name]!.dataSync() as Float32Array));
  const loss = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  for (const v of params.values()) v.dispose();
  return { loss, grads: out };
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('graph transformer gradient on WebAssembly', () => {
  it("equals the CPU backend's tape gradient within float32 rounding (explicitly transposed dense and projection gradients)", async () => {
    const cpu = await lossAndGradients('cpu');
    const wasm = await lossAndGradients('wasm');
    expect(wasm.loss).toBeCloseTo(cpu.loss, 5);
    expect([...wasm.grads.keys()]).toEqual([...cpu.grads.keys()]);
    for (const [name, expected] of cpu.grads) {
      const actual = wasm.grads.get(name)!;
      const scale = Math.max(1e-3, ...expected.map(Math.abs));
      expected.forEach((g, k) => {
        if (Math.abs(actual[k]! - g) > 1e-4 * scale) expect(`${name}[${k}] ${actual[k]}`).toBe(`${name}[${k}] ${g}`);
      });
    }
  });
});
