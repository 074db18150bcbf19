/**
 * Acceptance of the graph transformer on the generator's planted structure (issue 9): on validation dates the
 * model beats the plain baselines clearly, reconstruction correlation ≥ 0.8 and trade-prediction correlation
 * ≥ 0.25; and it predicts for investors and assets it never saw (panels drawn with the same rules).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateHoldings, plantedTradeCorrelation } from '../../src-main/engines/holdings-generator';
import { correlation } from '../../src-main/engines/holdings-panel';
import {
  embedPanel,
  embeddingsCsv,
  evaluateGraphTransformer,
  predictTrades,
} from '../../src-main/learning/gt-evaluation';
import {
  PAPER_TRAINING,
  trainGraphTransformer,
  type GraphTransformerArtifact,
} from '../../src-main/learning/gt-training';

const shape = { investors: 100, assets: 200, dates: 7, positionsPerInvestor: 10 };
const panel = generateHoldings({ ...shape, seed: 1 });
let artifact: GraphTransformerArtifact;
const epochs: number[] = [];

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  artifact = await trainGraphTransformer(
    panel,
    {
      ...PAPER_TRAINING,
      config: { hidden: 32, embedding: 16, layers: 2, heads: 2, keyDim: 8, categoryDim: 4 },
      maxEpochs: 60,
      patience: 15,
      validationDates: 2,
      seed: 1,
    },
    { backend: tf.getBackend(), onEpoch: (record) => epochs.push(record.epoch) },
  );
}, 120_000);

describe('graph transformer on planted holdings', () => {
  it('splits by date and records the training', () => {
    expect(artifact.trainDates).toEqual(panel.snapshots.slice(0, 4).map((s) => s.date));
    expect(artifact.validationDates).toEqual(panel.snapshots.slice(4, 6).map((s) => s.date));
    expect(epochs[0]).toBe(1);
    expect(artifact.history.length).toBe(epochs.length);
    expect(artifact.backend).toBe('wasm');
    const best = Math.min(...artifact.history.map((h) => h.validationLoss));
    expect(artifact.history[artifact.bestEpoch - 1]!.validationLoss).toBe(best);
  });

  it('beats the baselines on validation dates: reconstruction ≥ 0.8, trades ≥ 0.25', async () => {
    const evaluation = await evaluateGraphTransformer(artifact, panel, { stressIndex: panel.stressIndex });
    const { trade, reconstruction } = evaluation;
    expect(plantedTradeCorrelation(panel)).toBeGreaterThan(0.5); // the signal allows it
    expect(reconstruction.validation.model).toBeGreaterThanOrEqual(0.8);
    expect(trade.validation.model).toBeGreaterThanOrEqual(0.25);
    expect(reconstruction.validation.model).toBeGreaterThan(reconstruction.validation.baseline + 0.1);
    expect(trade.validation.model).toBeGreaterThan(trade.validation.baseline + 0.05);
    // By date, with the generator's stress quarters flagged from its stress index.
    expect(evaluation.byDate.map((d) => d.split)).toEqual([
      'train',
      'train',
      'train',
      'train',
      'validation',
      'validation',
    ]);
    expect(evaluation.byDate.map((d) => d.stressed)).toEqual(panel.stressIndex.slice(0, 6).map((s) => s.value > 1.5));
    expect(evaluation.byGroup.map((g) => g.group)).toContain('style: active');
  });

  it('predicts trades of investors it never saw from their portfolios, without retraining (inductive)', async () => {
    // The same rules and assets with 40 more investors (the generator draws each side from its own stream).
    const grown = generateHoldings({ ...shape, investors: 140, seed: 1 });
    expect(grown.assets).toEqual(panel.assets);
    for (const date of artifact.validationDates) {
      const { predictions } = await predictTrades(artifact, grown, date);
      const fresh = predictions.filter((p) => Number(p.investor.slice(3)) > shape.investors && p.actual !== null);
      expect(fresh.length).toBeGreaterThan(300);
      expect(
        correlation(
          fresh.map((p) => p.predicted),
          fresh.map((p) => p.actual!),
        ),
      ).toBeGreaterThanOrEqual(0.2);
    }
  });

  it('reconstructs and embeds a panel of entirely new investors and assets', async () => {
    const unseen = generateHoldings({ ...shape, seed: 2 });
    const evaluation = await evaluateGraphTransformer(artifact, unseen);
    expect(evaluation.reconstruction.validation.model).toBeGreaterThanOrEqual(0.7);
    expect(evaluation.reconstruction.validation.model).toBeGreaterThan(
      evaluation.reconstruction.validation.baseline + 0.1,
    );
    const embeddings = await embedPanel(artifact, unseen);
    const csv = embeddingsCsv(embeddings).trim().split('\n');
    expect(csv.length).toBe(1 + shape.investors + shape.assets);
    expect(csv[0]!.split(',').length).toBe(4 + 16);
    expect(csv[1]!.startsWith('investor,INV00001,')).toBe(true);
  });
});
