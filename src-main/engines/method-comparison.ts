/**
 * Methods against baselines and the true optimum (the correctness study of the optimal-intervention paper's
 * §4.4 "Efficiency of intervention"): cascade-prone economies from economy-generator.ts, shocked as in §4.1
 * (intervention-study.ts), keeping the instances whose best-case failed set F has 4 ≤ |F| ≤ 12 so that the
 * exhaustive search over T ⊆ F gives the optimum. Every method runs at budgets that are fractions of the cost of
 * saving all of F; the report holds total objectives (failures averted), how often each method equals or beats the
 * better baseline, and the greedy's ratio to the optimum.
 */
import { fromDenseEconomy } from './cascade';
import { generateEconomy } from './economy-generator';
import { intervene, rescueCost, rescueProblem, type InterventionMethod } from './intervention';
import { gaussianReturns, PAPER_SHOCKS, shockedValues } from './intervention-study';

export interface ComparisonOptions {
  instances: number;
  firms: number;
  seed: number;
  /** U of the greedy's random thresholds. */
  uncertainty: number;
  budgetFractions: number[];
}

export interface ComparisonReport {
  instances: number;
  cases: number;
  meanFailing: number;
  totals: Partial<Record<InterventionMethod, number>>;
  atLeastBaseline: Partial<Record<InterventionMethod, number>>;
  greedyToOptimum: { mean: number; min: number; max: number; cases: number };
}

const COMPARED: InterventionMethod[] = ['discountfrac', 'greedy', 'greedy-fractional', 'largest', 'first-layer', 'exhaustive'];

export function methodComparison(options: ComparisonOptions): ComparisonReport {
  const totals: Partial<Record<InterventionMethod, number>> = {};
  const atLeastBaseline: Partial<Record<InterventionMethod, number>> = {};
  const ratios: number[] = [];
  let instances = 0;
  let cases = 0;
  let failing = 0;
  for (let economy = 0; instances < options.instances && economy < 50 * options.instances; economy++) {
    const base = generateEconomy({ firms: options.firms, seed: options.seed * 100_003 + economy, clusters: 2 });
    const values = shockedValues(base.assetValues, gaussianReturns(PAPER_SHOCKS, base.nFirms, options.seed, economy));
    const system = fromDenseEconomy({ ids: base.ids, crossHoldings: base.crossHoldings, assetValues: values, thresholds: base.thresholds, failureCosts: base.failureCosts });
    const problem = rescueProblem(system);
    const k = problem.failing.length;
    if (k < 4 || k > 12) continue;
    instances++;
    failing += k;
    const saveAll = rescueCost(problem, new Uint8Array(k).fill(1)).cost;
    for (const fraction of options.budgetFractions) {
      cases++;
      const budget = fraction * saveAll;
      const objective: Partial<Record<InterventionMethod, number>> = {};
      for (const method of COMPARED) {
        objective[method] = intervene(system, budget, { method, uncertainty: options.uncertainty, samples: 40, seed: options.seed, steps: 10 }).objective;
        totals[method] = (totals[method] ?? 0) + objective[method]!;
      }
      const baseline = Math.max(objective.largest!, objective['first-layer']!);
      for (const method of COMPARED) if (objective[method]! >= baseline) atLeastBaseline[method] = (atLeastBaseline[method] ?? 0) + 1;
      if (objective.exhaustive! > 0) ratios.push(objective.greedy! / objective.exhaustive!);
    }
  }
  return {
    instances,
    cases,
    meanFailing: instances > 0 ? failing / instances : 0,
    totals,
    atLeastBaseline,
    greedyToOptimum: {
      mean: ratios.length > 0 ? ratios.reduce((a, b) => a + b, 0) / ratios.length : Number.NaN,
      min: Math.min(...ratios),
      max: Math.max(...ratios),
      cases: ratios.length,
    },
  };
}
