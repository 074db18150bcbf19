/** Inputs of the graph-transformer job and of the holdings generator, validated at every boundary. */
import { z } from 'zod';

/** Fields of a holdings row (io/holdings-csv.ts maps source columns to them). */
export const HOLDINGS_FIELDS = [
  'investor',
  'asset',
  'date',
  'amount',
  'investorName',
  'investorType',
  'investorStyle',
  'assetClass',
  'assetCurrency',
  'investorAum',
  'assetOutstanding',
] as const;

/** Table 1 of the graph-transformer paper as defaults; every size can be shrunk (or grown) by the user. */
export const gtConfigSchema = z
  .object({
    hidden: z.number().int().min(2).max(1024).default(256),
    embedding: z.number().int().min(2).max(512).default(128),
    layers: z.number().int().min(1).max(8).default(3),
    heads: z.number().int().min(1).max(16).default(4),
    /** Query/key dimension per head; the paper's W_qs, W_ks are d_h × d_h. */
    keyDim: z.number().int().min(1).max(1024).default(256),
    categoryDim: z.number().int().min(1).max(128).default(16),
  })
  .strict();

export const gtTrainingSchema = z
  .object({
    dropout: z.number().min(0).max(0.9).default(0.1),
    learningRate: z.number().gt(0).max(1).default(1e-2),
    weightDecay: z.number().min(0).max(1).default(1e-5),
    kappa: z.number().min(0).max(100).default(1),
    maxEpochs: z.number().int().min(1).max(5000).default(500),
    patience: z.number().int().min(1).max(5000).default(20),
    maskFraction: z.number().gt(0).max(0.9).default(0.15),
    validationDates: z.number().int().min(1).max(1000).default(2),
    /** Investors per mini-batch (each step trains on their subgraph: memory bounded by it); absent: whole graph. */
    batchInvestors: z.number().int().min(1).max(1_000_000).optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(1),
  })
  .strict();

export const stressIndexSchema = z
  .array(
    z
      .object({
        date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'),
        value: z.number().finite(),
      })
      .strict(),
  )
  .max(10_000);

export const gtTrainParamsSchema = z
  .object({
    datasetId: z.number().int().positive(),
    name: z.string().min(1).max(200).optional(),
    config: gtConfigSchema.default(gtConfigSchema.parse({})),
    training: gtTrainingSchema.default(gtTrainingSchema.parse({})),
    backend: z.enum(['auto', 'webgpu', 'wasm', 'cpu']).default('auto'),
    stressIndex: stressIndexSchema.optional(),
    stressThreshold: z.number().finite().default(1.5),
  })
  .strict();
export type GtTrainParams = z.output<typeof gtTrainParamsSchema>;

export const holdingsGenerateSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('synthetic'),
      investors: z.number().int().min(2).max(100_000).default(200),
      assets: z.number().int().min(2).max(500_000).default(400),
      dates: z.number().int().min(3).max(200).default(8),
      positionsPerInvestor: z.number().int().min(2).max(5_000).default(12),
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 32 - 1)
        .default(1),
    })
    .strict(),
  z.object({ kind: z.literal('eba-2011-sovereign') }).strict(),
]);
