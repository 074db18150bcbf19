/**
 * Methods against baselines and the true optimum (the correctness study of the optimal-intervention paper's
 * §4.4 "Efficiency of intervention"): cascade-prone economies from economy-generator.ts, shocked as in §4.1
 * (intervention-study.ts), keeping the instances whose best-case failed set F has 4 ≤ |F| ≤ 12 so that the
 * exhaustive search over T ⊆ F gives the optimum. Every method runs at budgets that are fractions of the cost of
 * saving all of F — both DiscountFrac variants, published and adapted to costs, side by side; the report holds total
 * objectives (failures averted) and total spent, how often each method equals or beats the better baseline, and
 * the greedy's ratio to the optimum.
 *
 * Two evaluations. With the thresholds known: the objective of `intervene`. Under the regulator's uncertainty U:
 * the expected number of failures reversed (weights w_a) over 400 threshold draws θ̃ (1 ± U) independent of the
 * greedy's own draws, each draw's saved set being the best-case equilibrium (the greatest set that payments x keep
 * above their thresholds, as the cascade engine reports); there the baselines pay each rescue its uncertainty band
 * U|θ̃_a| as the greedy does, so the methods differ only in whom they choose.
 */
import { fromDenseEconomy } from './cascade';
import { generateEconomy } from './economy-generator';
import {
  firstLayer,
  intervene,
  largestFirst,
  rescueCost,
  rescueProblem,
  sampleInterventionThresholds,
  savedByPayments,
  type InterventionMethod,
  type InterventionResult,
  type RescueProblem,
} from './intervention';
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
  /** Σ over cases of the amount each method paid (known thresholds). */
  spent: Partial<Record<InterventionMethod, number>>;
  atLeastBaseline: Partial<Record<InterventionMethod, number>>;
  /** Σ over cases of the expected failures averted under threshold uncertainty U (held-out draws, baselines robust). */
  expectedTotals: Partial<Record<InterventionMethod, number>>;
  greedyToOptimum: { mean: number; min: number; max: number; cases: number };
}

/** Mean over the threshold draws (row-major draws × k) of the weight of the best-case saved set under payments x. */
function expectedSaved(problem: RescueProblem, draws: Float64Array, x: Float64Array): number {
  const k = problem.failing.length;
  const samples = draws.length / k;
  let total = 0;
  for (let s = 0; s < samples; s++) {
    const saved = savedByPayments({ ...problem, interventionThresholds: draws.subarray(s * k, (s + 1) * k) }, x);
    saved.forEach((flag, a) => {
      if (flag) total += problem.weights[a]!;
    });
  }
  return total / samples;
}

/** Both DiscountFrac variants side by side (docs/engines/cascades.md), the greedy, the baselines and the optimum. */
const COMPARED: InterventionMethod[] = [
  'discountfrac-adapted',
  'discountfrac-published',
  'greedy',
  'greedy-fractional',
  'largest',
  'first-layer',
  'exhaustive',
];

export function methodComparison(options: ComparisonOptions): ComparisonReport {
  const totals: Partial<Record<InterventionMethod, number>> = {};
  const spent: Partial<Record<InterventionMethod, number>> = {};
  const expectedTotals: Partial<Record<InterventionMethod, number>> = {};
  const atLeastBaseline: Partial<Record<InterventionMethod, number>> = {};
  const ratios: number[] = [];
  let instances = 0;
  let cases = 0;
  let failing = 0;
  for (let economy = 0; instances < options.instances && economy < 50 * options.instances; economy++) {
    const base = generateEconomy({ firms: options.firms, seed: options.seed * 100_003 + economy, clusters: 2 });
    const values = shockedValues(base.assetValues, gaussianReturns(PAPER_SHOCKS, base.nFirms, options.seed, economy));
    const system = fromDenseEconomy({
      ids: base.ids,
      crossHoldings: base.crossHoldings,
      assetValues: values,
      thresholds: base.thresholds,
      failureCosts: base.failureCosts,
    });
    const problem = rescueProblem(system);
    const k = problem.failing.length;
    if (k < 4 || k > 12) continue;
    instances++;
    failing += k;
    const saveAll = rescueCost(problem, new Uint8Array(k).fill(1)).cost;
    const heldOut = sampleInterventionThresholds(
      problem,
      options.uncertainty === 0 ? 1 : 400,
      options.seed + 7_919 * (economy + 1),
      options.uncertainty,
    );
    const robust: Partial<Record<InterventionMethod, (budget: number) => InterventionResult>> = {
      largest: (budget) => largestFirst(problem, budget, options.uncertainty),
      'first-layer': (budget) => firstLayer(problem, budget, options.uncertainty),
    };
    for (const fraction of options.budgetFractions) {
      cases++;
      const budget = fraction * saveAll;
      const objective: Partial<Record<InterventionMethod, number>> = {};
      for (const method of COMPARED) {
        const result = intervene(system, budget, {
          method,
          uncertainty: options.uncertainty,
          samples: 40,
          seed: options.seed,
          steps: 10,
        });
        objective[method] = result.objective;
        totals[method] = (totals[method] ?? 0) + result.objective;
        spent[method] = (spent[method] ?? 0) + result.spent;
        const underUncertainty = robust[method]?.(budget) ?? result;
        const x = Float64Array.from(problem.failing, (firm) => underUncertainty.payments[firm]!);
        expectedTotals[method] = (expectedTotals[method] ?? 0) + expectedSaved(problem, heldOut, x);
      }
      const baseline = Math.max(objective.largest!, objective['first-layer']!);
      for (const method of COMPARED)
        if (objective[method]! >= baseline) atLeastBaseline[method] = (atLeastBaseline[method] ?? 0) + 1;
      if (objective.exhaustive! > 0) ratios.push(objective.greedy! / objective.exhaustive!);
    }
  }
  return {
    instances,
    cases,
    meanFailing: instances > 0 ? failing / instances : 0,
    totals,
    spent,
    atLeastBaseline,
    expectedTotals,
    greedyToOptimum: {
      mean: ratios.length > 0 ? ratios.reduce((a, b) => a + b, 0) / ratios.length : Number.NaN,
      min: Math.min(...ratios),
      max: Math.max(...ratios),
      cases: ratios.length,
    },
  };
}
