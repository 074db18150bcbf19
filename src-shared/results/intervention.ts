/**
 * Intervention runs (job kind `intervention`): the parameters validated at the boundary and the results saved
 * with the run. Target `economy`: a cross-holdings economy, its correlated-shock scenario study (budget curve,
 * TVaR, histograms, Table 1) and optional tail sampling. Target `interbank`: bailouts on an Eisenberg–Noe network.
 */
import { z } from 'zod';

/**
 * Economy methods (src-main/engines/intervention.ts). DiscountFrac comes in two variants (docs/engines/cascades.md):
 * adapted to costs (the default) and as published; `discountfrac`, the name from before both existed, is accepted
 * as the default's alias (saved runs keep their meaning).
 */
export const ECONOMY_METHODS = [
  'discountfrac-adapted',
  'discountfrac-published',
  'greedy',
  'greedy-fractional',
  'largest',
  'first-layer',
  'exhaustive',
] as const;
export type EconomyMethod = (typeof ECONOMY_METHODS)[number];
export const DISCOUNTFRAC_VARIANTS = ['discountfrac-adapted', 'discountfrac-published'] as const;
export const DEFAULT_DISCOUNTFRAC = 'discountfrac-adapted' satisfies EconomyMethod;
export const BAILOUT_METHOD_NAMES = ['discountfrac', 'greedy', 'largest', 'first-layer', 'exhaustive'] as const;

/** What a method is called wherever a person reads it (screens, briefs, saved run descriptions). */
export const ECONOMY_METHOD_LABELS: Record<EconomyMethod | 'discountfrac', string> = {
  'discountfrac-adapted': 'DiscountFrac adapted to costs',
  'discountfrac-published': 'DiscountFrac (published)',
  discountfrac: 'DiscountFrac adapted to costs',
  greedy: 'Greedy, integral (random thresholds)',
  'greedy-fractional': 'Greedy, fractional (random thresholds)',
  largest: 'Baseline: largest first',
  'first-layer': 'Baseline: first layer of defaults',
  exhaustive: 'Exhaustive optimum (small cases)',
};
export const BAILOUT_METHOD_LABELS: Record<(typeof BAILOUT_METHOD_NAMES)[number], string> = {
  discountfrac: 'DiscountFrac adapted to costs',
  greedy: 'Greedy (exact marginal gains)',
  largest: 'Baseline: largest first',
  'first-layer': 'Baseline: first layer of defaults',
  exhaustive: 'Exhaustive optimum (≤ 16 defaults)',
};
/** `target`: a run's target; a single intervention (`economy-single`) is on an economy too. */
export const methodLabel = (target: 'economy' | 'economy-single' | 'interbank', method: string): string =>
  ((target === 'interbank' ? BAILOUT_METHOD_LABELS : ECONOMY_METHOD_LABELS) as Record<string, string>)[method] ??
  method;

const versionId = z.number().int().positive();
const seed = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1);

export const economyInterventionSchema = z
  .object({
    target: z.literal('economy'),
    versionId,
    method: z
      .enum([...ECONOMY_METHODS, 'discountfrac'])
      .transform((m): EconomyMethod => (m === 'discountfrac' ? DEFAULT_DISCOUNTFRAC : m)),
    /** The DiscountFrac variant that draws the study's budget curve. */
    curveMethod: z.enum(DISCOUNTFRAC_VARIANTS).default(DEFAULT_DISCOUNTFRAC),
    objective: z.enum(['failures', 'value']).default('failures'),
    /** The chosen budget, as a fraction of the total outside asset value Σ(Dp). */
    budgetFraction: z.number().min(0).max(1),
    /** The cascade shown before/after: at the document's asset values, or with every value shocked by the drift. */
    display: z.enum(['mean-shock', 'document']).default('mean-shock'),
    /** Greedy: thresholds θ̃ uniform on θ̃(1 ± U), Monte Carlo draws. */
    uncertainty: z.number().min(0).max(1).default(0.05),
    greedySamples: z.number().int().min(1).max(10_000).default(60),
    shocks: z
      .object({ rho: z.number().min(0).lt(1), sigma: z.number().min(0).max(5), drift: z.number().min(-1).max(1) })
      .strict(),
    scenarios: z.number().int().min(1).max(1_000_000),
    seed,
    /** Budget grid 0 … maxBudgetFraction·Σ(Dp), budgetCount points. */
    maxBudgetFraction: z.number().min(0).max(1),
    budgetCount: z.number().int().min(2).max(1000).default(21),
    quantiles: z.array(z.number().min(0).lt(1)).min(1).max(10).default([0, 0.5, 0.9, 0.99]),
    tail: z
      .object({
        /** m as a fraction of the firms: the cascade size whose probability is estimated. */
        thresholdFraction: z.number().gt(0).max(1),
        /** Δ as a fraction of Σ(Dp). */
        aggregateShockFraction: z.number().gt(0).max(1),
        samples: z.number().int().min(100).max(1_000_000),
      })
      .strict()
      .optional(),
  })
  .strict();

export const interbankBailoutSchema = z
  .object({
    target: z.literal('interbank'),
    versionId,
    method: z.enum(BAILOUT_METHOD_NAMES),
    objective: z.enum(['defaults', 'shortfall']).default('defaults'),
    /** The bailout budget, in the network's units. */
    budget: z.number().min(0),
    /** The shock: every bank loses this fraction of its outside assets, x_i = f c_i. */
    shockFraction: z.number().gt(0).max(1),
    budgetCount: z.number().int().min(2).max(200).default(11),
  })
  .strict();

/**
 * One intervention on an economy as it is (no shocks, no scenario study; `cwb intervene`): the method at an absolute
 * budget on the cascade at the version's asset values, saved as a run like the others.
 */
export const singleInterventionSchema = z
  .object({
    target: z.literal('economy-single'),
    versionId,
    method: economyInterventionSchema.shape.method,
    objective: economyInterventionSchema.shape.objective,
    /** The budget Σx, in the economy's value units. */
    budget: z.number().min(0),
    /** Greedy: thresholds θ̃ uniform on θ̃(1 ± U), Monte Carlo draws (the study's limits), seed. */
    uncertainty: z.number().min(0).max(1).default(0.1),
    greedySamples: economyInterventionSchema.shape.greedySamples.unwrap().default(200),
    seed: seed.default(1),
    /** Fractional greedy: budget increments B / steps. */
    steps: z.number().int().min(1).max(1_000_000).default(20),
  })
  .strict();

export const interventionParamsSchema = z.discriminatedUnion('target', [
  economyInterventionSchema,
  interbankBailoutSchema,
  singleInterventionSchema,
]);
export type InterventionParams = z.output<typeof interventionParamsSchema>;
export type EconomyInterventionParams = z.output<typeof economyInterventionSchema>;
export type InterbankBailoutParams = z.output<typeof interbankBailoutSchema>;
export type SingleInterventionParams = z.output<typeof singleInterventionSchema>;

/** One firm (or bank) of the displayed cascade. */
export interface NodeOutcome {
  id: string;
  name?: string;
  /** Round of failure (default) before / after the intervention, 0 = survives. */
  roundBefore: number;
  roundAfter: number;
  payment: number;
  valueBefore: number;
  valueAfter: number;
}

export interface InterventionDisplay {
  /** What was shocked, in words. */
  scenario: string;
  method: string;
  objective: string;
  budget: number;
  spent: number;
  /** Failures averted, market value saved, defaults averted or shortfall reduced. */
  objectiveValue: number;
  failedBefore: number;
  failedAfter: number;
  /** Economy: failures in the worst-case equilibrium (iterated from "all failed") before intervention. */
  failedWorstCase?: number;
  /** Economy: both DiscountFrac variants at the same budget on this cascade, side by side (label in words). */
  discountFracVariants?: Array<{
    label: string;
    spent: number;
    paid: number;
    failedAfter: number;
    objectiveValue: number;
  }>;
  nodes: NodeOutcome[];
  /** The largest links (holder → issuer, or debtor → creditor), at most 400. */
  links: Array<{ source: string; target: string; weight: number }>;
  linksHidden: number;
}

export interface MeanInterval {
  mean: number;
  halfWidth: number;
}

export interface BudgetCurvePoint {
  budget: number;
  budgetFraction: number;
  failedAfter: MeanInterval;
  firmsSavedFraction: MeanInterval;
  valueSavedFraction: MeanInterval;
  valueSaved: MeanInterval;
  tvar: Array<{ q: number; tvar: number; standardError: number }>;
}

export interface TailResults {
  threshold: number;
  aggregateShock: number;
  seeds: string[];
  plain: { samples: number; exceedance: number; exceedanceError: number; valueAtRisk: number; tvar: number };
  importance: { samples: number; exceedance: number; exceedanceError: number; valueAtRisk: number; tvar: number };
  /**
   * p(1 − p) over the importance estimator's per-sample variance: how many times fewer samples it needs. Absent
   * when that variance is zero (the ratio is undefined), with sampleSavingNote in words.
   */
  sampleSaving?: number;
  sampleSavingNote?: string;
}

export interface EconomyInterventionResults {
  target: 'economy';
  unit: string;
  firms: number;
  totalAssetValue: number;
  display: InterventionDisplay;
  study: {
    scenarios: number;
    seed: number;
    shocks: { rho: number; sigma: number; drift: number };
    failedBefore: MeanInterval;
    scenariosWithFailures: number;
    budgets: BudgetCurvePoint[];
    chosen: BudgetCurvePoint;
    tvarReduction: Array<{ q: number; before: number; after: number; reductionPercent: number }>;
    failuresHistogram: { before: number[]; after: number[] };
    avertedHistogram: number[];
    valueSavedHistogram: number[];
    support: Array<{ firm: string; scenarios: number; meanPayment: number }>;
  };
  tail?: TailResults;
}

export interface InterbankBailoutResults {
  target: 'interbank';
  unit: string;
  display: InterventionDisplay;
  curve: Array<{ budget: number; defaultsAfter: number; shortfallAfter: number; spent: number }>;
}

/** A single intervention on an economy (target `economy-single`): the cascade before and after, no study. */
export interface SingleInterventionResults {
  target: 'economy-single';
  unit: string;
  firms: number;
  totalAssetValue: number;
  display: InterventionDisplay;
}

export type InterventionRunResults = EconomyInterventionResults | InterbankBailoutResults | SingleInterventionResults;
