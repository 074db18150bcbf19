/** Job events streamed from long work (worker threads) to every face of the app. */
import { z } from 'zod';
import { fireSaleDocumentSchema } from './formats/firesale';
import { policyParamsSchema } from './formats/policy';
import { disaggregateParamsSchema, reconstructParamsSchema } from './results/reconstruction';
import { gtTrainParamsSchema } from './graph-transformer';
import { capitalStudySchema, LEARNING_BACKENDS } from './results/capital';
import { interventionParamsSchema } from './results/intervention';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobEvent {
  jobId: string;
  kind: string;
  status: JobStatus;
  /** 0..1 */
  fraction: number;
  stage: string;
  /** Optional figures so far, e.g. { lossSoFar: 123.4 } */
  figures?: Record<string, number>;
  error?: string;
  /** The run the job saved, once it succeeded. */
  runId?: number;
  /** While queued: the jobs running or waiting before this one. */
  ahead?: number;
}

/** A queued job's stage, in words: "Waiting — 2 jobs ahead". */
export function waitingStage(ahead: number): string {
  return ahead <= 0 ? 'Waiting to start' : `Waiting — ${ahead} ${ahead === 1 ? 'job' : 'jobs'} ahead`;
}

export { JOB_EVENT_CHANNEL } from './channels';

export const shockModelSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('uniform'), maxFraction: z.number().gt(0).max(1).default(1) }),
  z.object({ kind: z.literal('beta'), a: z.number().positive().optional() }),
  z.object({
    kind: z.literal('copula'),
    rho: z.number().min(0).lt(1),
    marginal: z.enum(['uniform', 'beta']).default('uniform'),
    maxFraction: z.number().gt(0).max(1).default(1),
  }),
  /** The user's own scenarios (a shock CSV read by `networks:readScenarios`): scenario k is row k. */
  z.object({
    kind: z.literal('scenarios'),
    fileName: z.string().min(1),
    rows: z.array(z.array(z.number().finite().nonnegative())).min(1).max(1_000_000),
  }),
]);
export type ShockModelInput = z.infer<typeof shockModelSchema>;

/** Rogers–Veraart recovery rates on outside (alpha) and interbank (beta) assets of defaulted banks; 1 and 1 is Eisenberg–Noe. */
export const recoveryRatesSchema = z.object({ alpha: z.number().gt(0).max(1), beta: z.number().gt(0).max(1) });

/** The most scenarios one stress run (a job on one machine) clears; a cluster run splits more into shards. */
export const MAX_STRESS_SAMPLES = 10_000_000;

/** Parameters of each job kind, validated at the boundary. */
export const jobParamSchemas = {
  stress: z.object({
    versionId: z.number().int().positive(),
    shockModel: shockModelSchema,
    samples: z.number().int().min(1).max(MAX_STRESS_SAMPLES),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1),
    recovery: recoveryRatesSchema.optional(),
  }),
  /** Dual neural network (inverse demand) trained on data simulated from a fire-sale system. */
  'idf-train': z.object({
    system: fireSaleDocumentSchema,
    samples: z.number().int().min(50).max(200_000).default(2000),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1),
    maxEpochs: z.number().int().min(1).max(200_000).default(4000),
    hidden: z.number().int().min(2).max(512).default(32),
    inclusive: z.boolean().default(false),
    backend: z.enum(LEARNING_BACKENDS).default('auto'),
  }),
  /** The dual-network paper's Tables 2–7 and Figure 2 on fresh simulated data. */
  'idf-reproduce': z.object({
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1),
    samples: z.number().int().min(100).max(200_000).default(2000),
    maxEpochs: z.number().int().min(1).max(200_000).default(4000),
    only: z
      .array(z.enum(['case1', 'case2']))
      .min(1)
      .optional(),
    backend: z.enum(LEARNING_BACKENDS).default('auto'),
  }),
  reconstruct: reconstructParamsSchema,
  /** A node split into parts, saved as the next version and as a run (src-main/jobs/disaggregation-tasks.ts). */
  disaggregate: disaggregateParamsSchema,
  /** Graph-transformer training on a holdings dataset (src-main/jobs/gt-tasks.ts). */
  'gt-train': gtTrainParamsSchema,
  /** Acceptable capital allocations learned by classifiers (src-shared/results/capital.ts). */
  capital: capitalStudySchema(shockModelSchema).extend({ versionId: z.number().int().positive() }),
  /** Optimal intervention: a cross-holdings economy's scenario study, or interbank bailouts (results/intervention.ts). */
  intervention: interventionParamsSchema,
  /** The policy lab: optimal wedges and the value of a model over the regulator's prior (src-main/jobs/policy-tasks.ts). */
  policy: policyParamsSchema,
} as const;

export type JobKind = keyof typeof jobParamSchemas;
export const jobKinds = Object.keys(jobParamSchemas) as JobKind[];
