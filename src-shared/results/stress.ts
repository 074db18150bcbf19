/**
 * What a saved stress-test run holds (runs.results of kind "stress"): JSON-safe, maps keyed by node id. Every
 * number is finite; a ratio whose denominator is zero is left out and its `…Note` says why in words
 * (docs/data-protection/numbers-and-crashes.md).
 */

/** E[L⁰] = 0: every scenario left outside assets untouched, so E[L]/E[L⁰] is 0/0. */
export const LOSS_RATIO_UNDEFINED_NOTE = 'undefined (no loss without contagion)';
/** β⁺ = 1: a bank owes everything it owes inside the network, so 1/(1 − β⁺) is infinite and bounds nothing. */
export const NVI_UNBOUNDED_NOTE = 'undefined (β⁺ = 1: a bank has no outside liabilities, so 1 + NVI bounds nothing)';
/** Σ c_i = 0: the NVI is a share of outside assets, and there are none. */
export const NVI_NO_OUTSIDE_ASSETS_NOTE = 'undefined (no outside assets)';

/**
 * Where a stress run merged from cluster shards came from (`cwb stress-merge PARTS… --save`), kept in its
 * parameters: the shards, each part file's name and SHA-256, the network (its name and the SHA-256 of the file the
 * shards read, which is the stored dataset's), the host that merged them and when.
 */
export interface StressClusterProvenance {
  merged: true;
  shards: number;
  parts: Array<{ file: string; sha256: string }>;
  network: { name: string; sha256: string };
  host: string;
  mergedAt: string;
}

export type QuantileLevel = '0.9' | '0.95' | '0.99' | '0.999';

export interface StressSummary {
  scenarios: number;
  seed: number;
  shockModel: 'uniform' | 'beta' | 'copula' | 'scenarios';
  expectedLoss: number;
  expectedLossStandardError: number;
  expectedUnconnectedLoss: number;
  expectedUnconnectedLossStandardError: number;
  /** E[L]/E[L⁰]; absent when E[L⁰] = 0, with lossRatioNote saying so. */
  lossRatio?: number;
  lossRatioStandardError?: number;
  /** Present exactly when lossRatio is absent: why, in words (LOSS_RATIO_UNDEFINED_NOTE). */
  lossRatioNote?: string;
  /** NVI with the model's analytical δ_i = P(x_i ≥ w_i); absent (with nviNote) when β⁺ = 1 or Σ c_i = 0. */
  nvi?: number;
  /** NVI with δ_i estimated from the scenarios (absent with nvi). */
  nviEstimated?: number;
  /** 1 + NVI: the Glasserman–Young bound on the loss ratio (absent with nvi). */
  glassermanYoungBound?: number;
  /** Present exactly when nvi is absent: why, in words. */
  nviNote?: string;
  maxConnectivity: number;
  expectedShortfallTotal: number;
  expectedDefaults: number;
  /**
   * Standard error of expectedDefaults (s.d. of the number of defaults per scenario over √n); the uncertainty
   * fields below are absent in runs saved before they were reported (docs/engines/contagion.md, "How sure").
   */
  expectedDefaultsStandardError?: number;
  expectedContagionDefaults: number;
  defaultProbability: Record<string, number>;
  /** √(p(1 − p)/n) of each default probability. */
  defaultProbabilityStandardError?: Record<string, number>;
  /** Wilson 95% interval of each default probability (not 0 wide when no scenario, or every one, defaulted the bank). */
  defaultProbabilityInterval?: Record<string, [number, number]>;
  exceedanceProbability: Record<string, number>;
  lossContribution: Record<string, number>;
  lossQuantiles: Record<QuantileLevel, number>;
  /** Distribution-free 95% interval of each VaR: the losses at the order statistics nq ∓ 1.96√(nq(1 − q)). */
  lossQuantileInterval?: Record<QuantileLevel, [number, number]>;
  expectedShortfall: Record<QuantileLevel, number>;
  /** Asymptotic standard error of each ES: √((Var(L | L ≥ VaR) + q(ES − VaR)²) / (n(1 − q))). */
  expectedShortfallStandardError?: Record<QuantileLevel, number>;
  quantileRelativeAccuracy: number;
  /** Entry k: probability of exactly k defaults. */
  defaultsDistribution: number[];
  lossHistogram: { edges: number[]; counts: number[] };
  minLoss: number;
  maxLoss: number;
  /**
   * The scenario with the largest loss, its shocks, and (runs saved since the outcome is stored) its outcome under
   * the run's own clearing rule — what the Stress screen, the network overlay and the brief draw.
   */
  largestLossScenario: {
    scenario: number;
    loss: number;
    shocks: Record<string, number>;
    outcome?: ScenarioOutcome;
  } | null;
  fallbackScenarios: number;
}

/** A bank whose stated equity disagrees with w_i = c_i + Σ_j p̄_ji − p̄_i. */
export interface BalanceInconsistency {
  id: string;
  stated: number;
  derived: number;
  difference: number;
}

export interface StressRunResults extends StressSummary {
  /** Unit of the amounts, e.g. "EUR million". */
  unit: string;
  balanceInconsistencies: BalanceInconsistency[];
  /** Scenarios cleared in batches, each verified as a fixed point; the largest residual (a share of the largest obligation). */
  clearingCheck?: ClearingCheck;
}

export interface ClearingCheck {
  batchedScenarios: number;
  maxFixedPointResidual: number;
}

/** One scenario cleared on a network version, for display on the network. */
export interface ScenarioOutcome {
  loss: number;
  shortfallTotal: number;
  shockTotal: number;
  rounds: number;
  /** In order of default, with the round of the fictitious default algorithm. */
  defaults: Array<{ id: string; round: number }>;
  depth: Record<string, number>;
  payments: Record<string, number>;
}
