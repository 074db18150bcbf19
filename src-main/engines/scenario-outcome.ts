/**
 * One shock scenario cleared and told by bank id: Eisenberg–Noe clearing (Rogers–Veraart with recovery rates α, β),
 * p = min(p̄, max(0, α(c − x) + β Aᵀp)) on default (Rogers & Veraart 2013; Eisenberg & Noe 2001 when α = β = 1), with
 * the loss L(x), the default set in the order and round of the fictitious default algorithm, and the depth
 * u_D = (I − A_D)⁻¹ 1 of Glasserman & Young (2015). The stress run stores this for its largest-loss scenario, so the
 * Stress screen, the network overlay and the brief draw the same outcome under the run's own clearing rule.
 */
import type { ScenarioOutcome } from '../../src-shared/results/stress';
import { clearScenario } from './clearing';
import type { ClearingSystem } from './network-arrays';

export interface RecoveryRates {
  alpha: number;
  beta: number;
}

export function scenarioOutcome(
  system: ClearingSystem,
  shock: ArrayLike<number>,
  recovery?: RecoveryRates,
): ScenarioOutcome {
  const outcome = clearScenario(system, shock, { depth: true, ...(recovery ?? {}) });
  const byId = (values: Float64Array) => Object.fromEntries(system.ids.map((id, i) => [id, values[i]!]));
  return {
    loss: outcome.loss,
    shortfallTotal: outcome.shortfallTotal,
    shockTotal: outcome.shockTotal,
    rounds: outcome.rounds,
    defaults: outcome.defaults.map((i) => ({ id: system.ids[i]!, round: outcome.defaultRound[i]! })),
    depth: byId(outcome.depth),
    payments: byId(outcome.payments),
  };
}

/** The shock vector of a scenario given by bank id (banks not named take no shock). */
export function shockVector(system: ClearingSystem, shocksById: Record<string, number>): Float64Array {
  const shock = new Float64Array(system.nBanks);
  system.ids.forEach((id, i) => {
    shock[i] = shocksById[id] ?? 0;
  });
  return shock;
}
