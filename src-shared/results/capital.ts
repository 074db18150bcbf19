/**
 * Capital allocation (acceptance sets learned by classifiers): the job's parameters and what a saved run of kind
 * "capital" holds. JSON-safe. The parameter schema is built from the shared shock-model schema (jobs.ts passes it
 * in, so this module need not import jobs.ts).
 */
import { z } from 'zod';

export const CAPITAL_SAMPLERS = ['uniform', 'gibbs'] as const;
export type CapitalSampler = (typeof CAPITAL_SAMPLERS)[number];
export const CAPITAL_MODELS = ['logistic', 'logistic-interactions', 'interactions-only', 'monotone-network'] as const;
export type CapitalModel = (typeof CAPITAL_MODELS)[number];
export const CAPITAL_MODEL_LABELS: Record<CapitalModel, string> = {
  logistic: 'Logistic',
  'logistic-interactions': 'Logistic + interactions',
  'interactions-only': 'Interactions only',
  'monotone-network': 'Monotone network (T units)',
};
/** One colour per model, for the boundary and loss charts of the screen and the brief. */
export const CAPITAL_MODEL_COLORS: Record<CapitalModel, string> = {
  logistic: '#1f5fbf',
  'logistic-interactions': '#7c3aed',
  'interactions-only': '#d97706',
  'monotone-network': '#0891b2',
};
export const CAPITAL_BASES = ['obligations', 'outside-liabilities', 'total-assets'] as const;
export type CapitalBaseName = (typeof CAPITAL_BASES)[number];
export const LEARNING_BACKENDS = ['auto', 'webgpu', 'wasm', 'cpu'] as const;

export const CAPITAL_BASE_LABELS: Record<CapitalBaseName, string> = {
  obligations: 'total obligations p̄ᵢ',
  'outside-liabilities': 'outside liabilities bᵢ',
  'total-assets': 'total assets aᵢ',
};

/** Everything a capital study needs besides the network. */
export function capitalStudySchema<S extends z.ZodType>(shockModel: S) {
  return z.object({
    tiers: z.number().int().min(1).max(20).default(2),
    base: z.enum(CAPITAL_BASES).default('obligations'),
    /** The box [0, kMax]^T sampled (k as a fraction of the base). */
    kMax: z.number().gt(0).max(10).default(0.05),
    criterion: z
      .object({
        measure: z.enum(['expected-shortfall', 'value-at-risk']).default('expected-shortfall'),
        tail: z.number().gt(0).max(1).default(0.05),
        level: z.number().gt(0).max(1).default(0.98),
      })
      .default({ measure: 'expected-shortfall', tail: 0.05, level: 0.98 }),
    shockModel,
    /** Shock scenarios per allocation, common to all allocations. */
    scenarios: z.number().int().min(10).max(200_000).default(1000),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(1),
    samplers: z.array(z.enum(CAPITAL_SAMPLERS)).min(1).max(2).default(['uniform', 'gibbs']),
    models: z
      .array(z.enum(CAPITAL_MODELS))
      .min(1)
      .max(4)
      .default([...CAPITAL_MODELS]),
    /** Labelled allocations per sampler. */
    samples: z.number().int().min(10).max(20_000).default(400),
    gibbs: z
      .object({
        chains: z.number().int().min(1).max(100).default(8),
        gridPoints: z.number().int().min(2).max(64).default(8),
        width: z.number().gt(0).max(1).default(0.002),
      })
      .default({ chains: 8, gridPoints: 8, width: 0.002 }),
    training: z
      .object({
        epochs: z.number().int().min(1).max(20_000).default(800),
        learningRate: z.number().gt(0).max(10).default(0.1),
        l2: z.number().min(0).max(10).default(1e-4),
      })
      .default({ epochs: 800, learningRate: 0.1, l2: 1e-4 }),
    /** T = 2 only: side of the grid (cell centres) labelled directly by Monte Carlo to check the boundaries (0 = none). */
    validationGrid: z.number().int().min(0).max(60).default(0),
    /** The efficient allocations are re-checked with this many times more scenarios (fresh ones included). */
    recheckFactor: z.number().int().min(1).max(50).default(10),
    /**
     * Pinning the cheapest allocation to the boundary: the most scenarios one evaluation may use (the scenario
     * budget; 0 = do not pin), the relative step cheaper that must be refused, and the confidence of both tests.
     */
    boundary: z
      .object({
        maxScenarios: z.number().int().min(0).max(1_000_000).default(256_000),
        step: z.number().gt(0).max(0.5).default(0.02),
        confidence: z.number().min(0.5).max(0.999).default(0.95),
      })
      .default({ maxScenarios: 256_000, step: 0.02, confidence: 0.95 }),
    backend: z.enum(LEARNING_BACKENDS).default('auto'),
  });
}

export interface AllocationCheckResult {
  statistic: number;
  standardError: number;
  margin: number;
  acceptable: boolean;
}

export interface CapitalTierResult {
  tier: number;
  banks: string[];
  totalAssets: number;
  share: number;
  /** Σ base_i: the capital k_t = 1 costs. */
  baseTotal: number;
}

export interface SamplerResult {
  sampler: CapitalSampler;
  /** Allocations (row per sample, T values each, as fractions of the base). */
  k: number[][];
  labels: number[];
  statistic: number[];
  clearingRuns: number;
  allocationsEvaluated: number;
  seconds: number;
  acceptedShare: number;
  /** The cheapest acceptable samples no other acceptable sample dominates (at most 10). */
  efficient: Array<{ k: number[]; cost: number; statistic: number }>;
}

export interface EfficientAllocation {
  k: number[];
  /** Σ_t k_t Σ_{i∈t} base_i in the network's unit. */
  cost: number;
  check: AllocationCheckResult;
  /** Factor applied to the classifier's proposal to certify it (1 = as proposed). */
  scale: number;
  certified: boolean;
  /** The same allocation with recheckFactor × the scenarios. */
  recheck: AllocationCheckResult & { scenarios: number };
}

export interface ModelResult {
  sampler: CapitalSampler;
  model: CapitalModel;
  parameters: unknown;
  trainLoss: number[];
  validationLoss: number[];
  trainAccuracy: number;
  validationAccuracy: number;
  trainingSeconds: number;
  /** Sampling + training: the Table 3 figure. */
  totalSeconds: number;
  /** Logistic kinds: the exact (IRLS) optimum of the same penalised loss on the training samples, and TF's. */
  exactFit?: { irlsObjective: number; tensorflowObjective: number };
  /** P(p(k) > p(k') + 1e-9) over random pairs k ≤ k' (0 for a monotone classifier). */
  monotonicityViolations: number;
  monotonicityPairs: number;
  /** T = 2: points on the learned boundary p = ½ (k₁, k₂). */
  boundary?: Array<[number, number]>;
  /** T = 2 with a validation grid: share of grid points labelled as Monte Carlo labels them. */
  gridAgreement?: number;
  efficient: EfficientAllocation | null;
}

export interface CapitalRunResults {
  network: string;
  unit: string;
  nBanks: number;
  backend: { name: string; detail: string };
  tiers: CapitalTierResult[];
  base: CapitalBaseName;
  kMax: number;
  criterion: { measure: 'expected-shortfall' | 'value-at-risk'; tail: number; level: number };
  shockModel: string;
  scenarios: number;
  seed: number;
  /** B = Σ b_i. */
  societyClaims: number;
  /** k = 0 and k = kMax in every tier. */
  noCapital: AllocationCheckResult;
  fullBox: AllocationCheckResult;
  samplers: SamplerResult[];
  models: ModelResult[];
  grid?: { side: number; k1: number[]; k2: number[]; labels: number[][] };
  /**
   * The cheapest certified allocation among every classifier's and the three cheapest acceptable samples of each
   * sampler (each certified along its own ray), with where it came from; null when none could be certified.
   */
  best: (EfficientAllocation & { source: string }) | null;
  /** The best allocation's ray refined to the boundary with more scenarios (absent in runs saved before it existed). */
  boundary?: BoundaryResult | null;
  clearingRuns: number;
}

/** The cheapest allocation along the best allocation's direction, pinned to the acceptance boundary. */
export interface BoundaryResult {
  k: number[];
  cost: number;
  check: AllocationCheckResult;
  /** The allocation one step cheaper on the same scenarios. */
  cheaper: { k: number[]; check: AllocationCheckResult };
  /** Acceptable, and one step cheaper not acceptable, both at the stated confidence. */
  pinned: boolean;
  acceptable: boolean;
  /** How far above the boundary the allocation may be (relative; ≤ step/(1 − step) when pinned; null when not acceptable). */
  maxExcess: number | null;
  step: number;
  confidence: number;
  /** Scenarios of the final evaluation. */
  scenarios: number;
  stages: Array<{ scenarios: number; cost: number | null; pinned: boolean }>;
  clearingRuns: number;
  seconds: number;
}

/** The boundary result in one sentence, as the screen, `cwb capital` and the brief state it. */
export function describeBoundary(
  boundary: BoundaryResult,
  unit: string,
  formatAmount: (value: number) => string,
): string {
  const pct = (value: number, digits: number) => `${(100 * value).toFixed(digits)}%`;
  const k = `k = (${boundary.k.map((v) => pct(v, 3)).join(', ')})`;
  const check = (c: AllocationCheckResult) => `${pct(c.statistic, 3)} ± ${pct(c.standardError, 3)}`;
  const on = `${boundary.scenarios.toLocaleString('en-US')} scenarios`;
  const confidence = pct(boundary.confidence, 0);
  if (!boundary.acceptable) {
    return `No multiple of the best allocation's direction was acceptable at ${confidence} confidence on ${on}.`;
  }
  const head = `${k} costs ${formatAmount(boundary.cost)} ${unit} and is acceptable at ${confidence} confidence (${check(boundary.check)} on ${on})`;
  if (boundary.pinned) {
    return `Pinned to the boundary: ${head}; ${pct(boundary.step, 0)} less along the same direction is not (${check(boundary.cheaper.check)}).`;
  }
  const excess = boundary.maxExcess === null ? 'an unknown amount' : `up to ${pct(boundary.maxExcess, 1)}`;
  return `Not pinned within the scenario budget: ${head}, but the boundary may lie ${excess} below it; raise the scenario budget to pin it.`;
}
