/** Network reconstruction: the `reconstruct` job's parameters and what a saved run holds (runs.results). */
import { z } from 'zod';
import type { NetworkDocument } from '../formats/network';

export const RECONSTRUCTION_OBJECTIVE_NAMES = ['worst', 'best', 'maxent', 'mindensity'] as const;
export type ReconstructionObjectiveName = (typeof RECONSTRUCTION_OBJECTIVE_NAMES)[number];
export const RECONSTRUCTION_FIELD_NAMES = [
  'outsideAssets',
  'outsideLiabilities',
  'insideAssets',
  'insideLiabilities',
  'defaultProbability',
] as const;

export const reconstructParamsSchema = z.object({
  versionId: z.number().int().positive(),
  /** Run in this order on the same shocks; the screen asks for best, maxent and worst to compare them. */
  objectives: z.array(z.enum(RECONSTRUCTION_OBJECTIVE_NAMES)).min(1).max(4),
  measure: z.enum(['expectedLoss', 'lossRatio']).default('expectedLoss'),
  shockModel: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('uniform'), maxFraction: z.number().gt(0).max(1).default(1) }),
    z.object({ kind: z.literal('beta'), a: z.number().positive().optional() }),
  ]),
  samples: z.number().int().min(10).max(100_000).default(1000),
  evaluationSamples: z.number().int().min(100).max(1_000_000).default(10_000),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1),
  starts: z.number().int().min(1).max(50).default(3),
  hops: z.number().int().min(0).max(100).default(6),
  complementarity: z.boolean().default(true),
  /** Largest number of iterations per solve (absent: 40 for the worst case, 150 for the best; `cwb reconstruct --iterations`). */
  maxIterations: z.number().int().min(1).max(100_000).optional(),
  /** Minimum density: seconds the MIP may take (absent: 20; `cwb reconstruct --time-limit`). */
  timeLimit: z.number().min(0.1).max(86_400).optional(),
  /** Per node id, the fields treated as unknown (the rest of what the document has is known). */
  unknown: z.record(z.string(), z.array(z.enum(RECONSTRUCTION_FIELD_NAMES))).default({}),
});
export type ReconstructParams = z.output<typeof reconstructParamsSchema>;

/**
 * Splitting a node into parts (Ruela 2019, §3): the parameters of the `disaggregate` job (the Reconstruction screen
 * and cwb disaggregate; progress and cancel).
 */
export const disaggregateParamsSchema = z
  .object({
    versionId: z.number().int().positive(),
    nodeId: z.string().min(1),
    parts: z
      .array(
        z
          .object({
            id: z.string().trim().min(1, 'must not be empty'),
            name: z.string().max(200).optional(),
            share: z.number().positive().finite().optional(),
          })
          .strict(),
      )
      .min(2)
      .max(50),
    objective: z.enum(['maxent', 'worst', 'best']).default('maxent'),
    samples: z.number().int().min(10).max(5000).default(500),
    seed: z.number().int().min(0).max(4294967295).default(1),
  })
  .strict();
export type DisaggregateParams = z.output<typeof disaggregateParamsSchema>;

/** One point of the convergence trace (plotted live). */
export interface ReconstructionTracePoint {
  start: number;
  stage: string;
  iteration: number;
  /** F (expected loss or ratio) of the current network, without the penalty. */
  objective: number;
  /** Frank–Wolfe gap ⟨∇h, P − S⟩ of the minimised function h (0 at a stationary point). */
  gap: number;
  /** Largest relative constraint violation, including complementarity while it is penalised. */
  violation: number;
}

/** A network evaluated on fresh shocks against maximum entropy on the same shocks. */
export interface OutOfSampleEvaluation {
  samples: number;
  /** First scenario index of the evaluation stream (after the K optimisation scenarios). */
  firstScenario: number;
  expectedLoss: number;
  expectedLossStandardError: number;
  /** E[L]/E[L⁰]; absent when E[L⁰] = 0, with lossRatioNote in words (docs/data-protection/numbers-and-crashes.md). */
  lossRatio?: number;
  lossRatioNote?: string;
  maxentExpectedLoss: number;
  /** E[L(network) − L(maximum entropy)] on the same shocks, and its standard error. */
  differenceToMaxent: number;
  differenceStandardError: number;
  /** Losses of the network and of maximum entropy on the evaluation shocks (distribution plots), capped at 2,000. */
  losses: number[];
  maxentLosses: number[];
}

/** E[L], E[L⁰] and the objective on the optimisation shocks; the ratio as in OutOfSampleEvaluation. */
export interface InSampleLoss {
  expectedLoss: number;
  expectedUnconnectedLoss: number;
  lossRatio?: number;
  lossRatioNote?: string;
  value: number;
}

/**
 * Largest relative constraint violation (absent, with relativeNote, when every row and column total is zero, so
 * that nothing is relative to anything), the same in the data's unit, and complementarity max min(p̄_ij, p̄_ji)/max p̄.
 */
export interface ReportedResidual {
  relative?: number;
  relativeNote?: string;
  absolute: number;
  complementarity: number;
}

/** All row and column totals are zero: a residual relative to them is 0/0. */
export const RESIDUAL_UNDEFINED_NOTE = 'undefined (every inside total is zero)';

/** Maximum entropy and minimum density do not optimise the loss, so they have no optimality gap. */
export const GAP_NOT_AN_OPTIMISER_NOTE = 'not applicable (this network does not optimise the loss)';

/**
 * How far the worst or best network is from stationary: the Frank–Wolfe gap ⟨∇h, P − S⟩ of h = ∓F (in sample, in
 * F's unit) at the network returned, on the polytope it was polished on, and relative to max(|F|, 1e-12).
 */
export interface OptimalityGap {
  frankWolfeGap?: number;
  relativeGap?: number;
  /** Present exactly when the gaps are absent (GAP_NOT_AN_OPTIMISER_NOTE). */
  gapNote?: string;
}

export interface ReconstructionOutcome extends OptimalityGap {
  objective: ReconstructionObjectiveName;
  measure: 'expectedLoss' | 'lossRatio';
  /** The network found, complete (network@1). */
  document: NetworkDocument;
  inSample: InSampleLoss;
  evaluation: OutOfSampleEvaluation;
  residual: ReportedResidual;
  links: number;
  density: number;
  starts: Array<{ start: number; kind: string; value: number }>;
  trace: ReconstructionTracePoint[];
  durationMs: number;
}

export interface ReconstructionRunResults {
  unit: string;
  outcomes: ReconstructionOutcome[];
}

/** One bank's balance sheet in a disaggregation run: the aggregate before the split, or one of its parts. */
export interface DisaggregatedBank {
  id: string;
  name?: string;
  /** The part's share of the aggregate's size (1 for the aggregate). */
  share: number;
  outsideAssets: number;
  outsideLiabilities: number;
  /** What other banks owe it, and what it owes them (sums over the liability matrix). */
  interbankClaims: number;
  interbankObligations: number;
  /** c + Σ claims − b − Σ obligations. */
  netWorth: number;
}

/** A node split into parts (Ruela 2019, §3), saved as the network's next version and as a run of kind `disaggregate`. */
export interface DisaggregationRunResults {
  unit: string;
  objective: 'maxent' | 'worst' | 'best';
  aggregate: DisaggregatedBank;
  parts: DisaggregatedBank[];
  /** The version the split was stored as. */
  versionId: number;
  version: number;
  explanation: string[];
  /** For the worst and best cases: the split network against the proportional split on the same fresh shocks. */
  evaluation?: {
    samples: number;
    expectedLoss: number;
    expectedLossStandardError: number;
    proportionalExpectedLoss: number;
    difference: number;
    differenceStandardError: number;
  };
}
