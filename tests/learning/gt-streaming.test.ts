/**
 * Holdings read date by date (src-main/learning/holdings-source.ts): training and evaluation on a source that
 * keeps no prepared date between epochs (as for holdings larger than memory) equal those on the panel in memory,
 * bit for bit, for whole-graph and mini-batch training; the reader asks for each date again every epoch and holds
 * at most the date and its next. A training run evaluates on the dates training prepared: when they were all kept,
 * evaluation asks the source for none again.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateHoldings } from '../../src-main/engines/holdings-generator';
import { fitFeatureSpace } from '../../src-main/learning/graph-transformer';
import { gtTrainParamsSchema } from '../../src-shared/graph-transformer';
import { evaluateGraphTransformer } from '../../src-main/learning/gt-evaluation';
import { trainAndEvaluate } from '../../src-main/learning/gt-run';
import {
  PAPER_TRAINING,
  PreparedDateReader,
  prepareDates,
  trainGraphTransformer,
  trainGraphTransformerWithDates,
} from '../../src-main/learning/gt-training';
import { holdingsSource, type HoldingsSource } from '../../src-main/learning/holdings-source';

const panel = generateHoldings({ investors: 60, assets: 120, dates: 6, positionsPerInvestor: 8, seed: 3 });
const config = { hidden: 16, embedding: 8, layers: 2, heads: 2, keyDim: 4, categoryDim: 4 };

/** The panel as a store would serve it: each date a fresh copy, every request counted. */
function countingSource(): { source: HoldingsSource; reads: number[] } {
  const reads: number[] = [];
  const inMemory = holdingsSource(panel);
  return {
    reads,
    source: {
      ...inMemory,
      snapshot: async (index) => {
        reads.push(index);
        const s = await inMemory.snapshot(index);
        return { date: s.date, investor: s.investor.slice(), asset: s.asset.slice(), amount: s.amount.slice() };
      },
    },
  };
}

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('holdings read date by date', () => {
  it('prepares each date as the panel does, keeping none when they do not fit', async () => {
    const space = fitFeatureSpace(panel, panel.snapshots.slice(0, 3));
    const whole = prepareDates(panel, space);
    const { source, reads } = countingSource();
    const streamed = new PreparedDateReader(source, space, 0);
    expect(streamed.keepsAll).toBe(false);
    for (const t of [2, 3, 4, 1]) {
      const date = await streamed.get(t);
      expect(date.graph).toEqual(whole[t]!.graph);
      expect(date.trade).toEqual(whole[t]!.trade);
    }
    // 2 and 3 read, then 4 (3 was the last read), then 1 and 2 again: never more than two held
    expect(reads).toEqual([2, 3, 4, 5, 1, 2]);
    const kept = new PreparedDateReader(countingSource().source, space);
    expect(kept.keepsAll).toBe(true);
    expect(await kept.get(2)).toBe(await kept.get(2));
  });

  for (const batchInvestors of [undefined, 25]) {
    it(`trains and evaluates bit for bit as in memory (${batchInvestors ? 'mini-batches' : 'whole graph'})`, async () => {
      const settings = {
        ...PAPER_TRAINING,
        config,
        maxEpochs: 4,
        patience: 4,
        validationDates: 2,
        seed: 7,
        ...(batchInvestors ? { batchInvestors } : {}),
      };
      const inMemory = await trainGraphTransformer(panel, settings, { backend: 'wasm' });
      const { source, reads } = countingSource();
      const { artifact: streamed, dates } = await trainGraphTransformerWithDates(
        source,
        settings,
        { backend: 'wasm' },
        0,
      );
      expect(streamed.weights).toEqual(inMemory.weights);
      expect(streamed.history).toEqual(inMemory.history);
      expect(streamed.space).toEqual(inMemory.space);
      expect(streamed.trainDates).toEqual(inMemory.trainDates);
      // the training dates (2) and validation dates (2) are asked for again in each of the 4 epochs
      expect(reads.length).toBeGreaterThanOrEqual(4 * 4);
      const trainingReads = reads.length;
      // evaluation on training's reader, which kept no date: it reads them again
      const evaluated = await evaluateGraphTransformer(streamed, dates);
      expect(reads.length).toBeGreaterThan(trainingReads);
      expect(evaluated).toEqual(await evaluateGraphTransformer(inMemory, panel));
      expect(evaluated.trade.validation.pairs).toBeGreaterThan(0);
    }, 120_000);
  }

  it('evaluates a training run on the dates training kept, asking for none again', async () => {
    const params = gtTrainParamsSchema.parse({
      datasetId: 1,
      backend: 'wasm',
      config,
      training: { maxEpochs: 3, patience: 3, validationDates: 2, seed: 7 },
    });
    const trainingAlone = countingSource();
    const artifact = await trainGraphTransformer(
      trainingAlone.source,
      { config: params.config, ...params.training },
      { backend: 'wasm' },
    );
    const { source, reads } = countingSource();
    const run = await trainAndEvaluate(source, params, { id: 1, name: 'counted' });
    expect(run.artifact.weights).toEqual(artifact.weights);
    // the run asks for exactly the dates training alone does: evaluation reads none again
    expect(reads).toEqual(trainingAlone.reads);
    const { trade, reconstruction, byGroup, byDate } = run.metrics;
    expect({ trade, reconstruction, byGroup, byDate }).toEqual(await evaluateGraphTransformer(artifact, panel));
    expect(byDate).toHaveLength(panel.snapshots.length - 1);
  }, 120_000);
});
