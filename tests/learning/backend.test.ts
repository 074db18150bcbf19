import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { describeLearningBackend, selectLearningBackend } from '../../src-main/learning/backend';

describe('learning backend choice', () => {
  it('reports the backend that is actually current, and computes on it', async () => {
    for (const preference of ['cpu', 'wasm'] as const) {
      const report = await selectLearningBackend(preference);
      expect(report.name).toBe(preference);
      expect(tf.getBackend()).toBe(preference);
      // the device is named (the processor, for the CPU backends) and leads the description saved with runs
      expect(report.adapter).toMatch(/\(\d+ threads?\)$/);
      expect(report.detail.startsWith(`on ${report.adapter}: `)).toBe(true);
      const product = tf.matMul(
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
        tf.tensor2d([[5], [6]]),
      );
      expect(Array.from(await product.data())).toEqual([17, 39]);
      product.dispose();
    }
  });

  it('auto falls back past the GPU backends this machine lacks and says why', async () => {
    const report = await selectLearningBackend('auto');
    expect(report.name).toBe(tf.getBackend());
    expect(['tensorflow', 'webgpu', 'wasm', 'cpu']).toContain(report.name);
    if (report.name === 'wasm') expect(report.detail).toMatch(/passed over: .*webgpu/);
  });

  it('describes the choice and the device without loading TensorFlow.js', () => {
    const description = describeLearningBackend();
    expect(description.detail.length).toBeGreaterThan(10);
    expect(description.adapter.length).toBeGreaterThan(3);
  });
});
