/** What a saved stress-test run holds (runs.results of kind "stress"): JSON-safe, maps keyed by node id. */

export type QuantileLevel = '0.9' | '0.95' | '0.99' | '0.999';

export interface StressSummary {
  scenarios: number;
  seed: number;
  shockModel: 'uniform' | 'beta' | 'copula' | 'scenarios';
  expectedLoss: number;
  expectedLossStandardError: number;
  expectedUnconnectedLoss: number;
  expectedUnconnectedLossStandardError: number;
  lossRatio: number;
  lossRatioStandardError: number;
  /** NVI with the model's analytical δ_i = P(x_i ≥ w_i). */
  nvi: number;
  /** NVI with δ_i estimated from the scenarios. */
  nviEstimated: number;
  /** 1 + NVI: the Glasserman–Young bound on the loss ratio. */
  glassermanYoungBound: number;
  maxConnectivity: number;
  expectedShortfallTotal: number;
  expectedDefaults: number;
  expectedContagionDefaults: number;
  defaultProbability: Record<string, number>;
  exceedanceProbability: Record<string, number>;
  lossContribution: Record<string, number>;
  lossQuantiles: Record<QuantileLevel, number>;
  expectedShortfall: Record<QuantileLevel, number>;
  quantileRelativeAccuracy: number;
  /** Entry k: probability of exactly k defaults. */
  defaultsDistribution: number[];
  lossHistogram: { edges: number[]; counts: number[] };
  minLoss: number;
  maxLoss: number;
  largestLossScenario: { scenario: number; loss: number; shocks: Record<string, number> } | null;
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
