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
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
    samplers: z.array(z.enum(CAPITAL_SAMPLERS)).min(1).max(2).default(['uniform', 'gibbs']),
    models: z.array(z.enum(CAPITAL_MODELS)).min(1).max(4).default([...CAPITAL_MODELS]),
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
  clearingRuns: number;
}
