import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../src-shared/errors';
import { gtBatchingWords, issuesInWords } from '../../src-shared/format/labels';
import { gtTrainingSchema, gtTrainParamsSchema } from '../../src-shared/graph-transformer';

/** The job's parameters as the desktop and `cwb gt train` send them, with these training settings. */
const refusal = (training: Record<string, unknown>) => {
  const parsed = gtTrainParamsSchema.safeParse({ datasetId: 1, training });
  expect(parsed.success).toBe(false);
  return describeIssues(parsed.error!.issues).message;
};

describe('graph-transformer training settings: investors per mini-batch', () => {
  it('are absent by default (whole-graph steps) and accept a positive whole number up to 1,000,000', () => {
    expect(gtTrainingSchema.parse({})).not.toHaveProperty('batchInvestors');
    expect(gtTrainParamsSchema.parse({ datasetId: 1 }).training).not.toHaveProperty('batchInvestors');
    expect(gtTrainingSchema.parse({ batchInvestors: 1 }).batchInvestors).toBe(1);
    expect(gtTrainingSchema.parse({ batchInvestors: 5_000 }).batchInvestors).toBe(5_000);
    expect(gtTrainingSchema.parse({ batchInvestors: 1_000_000 }).batchInvestors).toBe(1_000_000);
    const params = gtTrainParamsSchema.parse({ datasetId: 1, training: { batchInvestors: 250, maxEpochs: 3 } });
    expect(params.training).toMatchObject({ batchInvestors: 250, maxEpochs: 3, maskFraction: 0.15 });
  });

  it('refuse zero, a negative number, a fraction, more than 1,000,000 and text, naming the field', () => {
    expect(refusal({ batchInvestors: 0 })).toBe('training.batchInvestors: Too small: expected number to be >=1');
    expect(refusal({ batchInvestors: -3 })).toMatch(/^training\.batchInvestors: Too small/);
    expect(refusal({ batchInvestors: 2.5 })).toBe(
      'training.batchInvestors: Invalid input: expected int, received number',
    );
    expect(refusal({ batchInvestors: 1_000_001 })).toBe(
      'training.batchInvestors: Too big: expected number to be <=1000000',
    );
    expect(refusal({ batchInvestors: '100' })).toMatch(/^training\.batchInvestors: Invalid input: expected number/);
  });

  it('stay strict: an unknown field (a misspelt batch size) is refused by name, not ignored', () => {
    expect(refusal({ batchSize: 100 })).toBe('training: Unrecognized key: "batchSize"');
    expect(refusal({ batchinvestors: 100 })).toBe('training: Unrecognized key: "batchinvestors"');
  });

  it('are shown in words, never by the field name', () => {
    expect(gtBatchingWords(undefined)).toBe('Whole graph');
    expect(gtBatchingWords(5_000)).toBe('Mini-batches: 5,000 investors');
    // The desktop's refusal (the job manager's words for the same issues).
    const words = (training: Record<string, unknown>) =>
      issuesInWords(gtTrainParamsSchema.safeParse({ datasetId: 1, training }).error!.issues);
    expect(words({ batchInvestors: 0 })).toBe('Investors per mini-batch must be at least 1');
    expect(words({ batchInvestors: 2.5 })).toBe('Investors per mini-batch must be a whole number');
    expect(words({ batchInvestors: 2_000_000 })).toBe('Investors per mini-batch must be at most 1,000,000');
  });
});
