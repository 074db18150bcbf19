/**
 * A training step that needs more than WebAssembly's 4 GiB fails deep in the backend ("RuntimeError: memory access
 * out of bounds" in _register_tensor, measured with the paper's configuration on batches of 500 investors at 300k
 * positions): the training run says it in words, with what to change; other errors pass unchanged.
 */
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { generateHoldings } from '../../src-main/engines/holdings-generator';
import { gtTrainParamsSchema } from '../../src-shared/graph-transformer';
import { outOfMemoryInWords, trainAndEvaluate } from '../../src-main/learning/gt-run';
import { holdingsSource } from '../../src-main/learning/holdings-source';

const panel = generateHoldings({ investors: 20, assets: 30, dates: 4, positionsPerInvestor: 4, seed: 1 });

/** The panel, but reading date 2 fails as the WebAssembly backend does when its memory is exhausted. */
function failingAt(message: string) {
  const source = holdingsSource(panel);
  return {
    ...source,
    snapshot: (index: number) =>
      index === 2 ? Promise.reject(new WebAssembly.RuntimeError(message)) : source.snapshot(index),
  };
}

const params = (batchInvestors?: number) =>
  gtTrainParamsSchema.parse({
    datasetId: 1,
    backend: 'wasm',
    config: { hidden: 8, embedding: 4, layers: 1, heads: 1, keyDim: 4, categoryDim: 2 },
    training: { maxEpochs: 2, validationDates: 1, ...(batchInvestors ? { batchInvestors } : {}) },
  });

describe('training out of memory', () => {
  it('is said in words with what to change', async () => {
    await expect(
      trainAndEvaluate(failingAt('memory access out of bounds'), params(500), { id: 1, name: 'big' }),
    ).rejects.toThrow(
      /^training needed more memory than the WebAssembly backend's 4 GiB: train with fewer investors per mini-batch \(now 500\), or a smaller model$/,
    );
    expect(outOfMemoryInWords(new Error('Aborted(OOM)'), 'cpu')?.message).toBe(
      'training needed more memory than the memory available: train with mini-batches of investors, or a smaller model',
    );
  });

  it('leaves other errors as they are', async () => {
    await expect(trainAndEvaluate(failingAt('unreachable'), params(), { id: 1, name: 'big' })).rejects.toThrow(
      /^unreachable$/,
    );
  });
});
