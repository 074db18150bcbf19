import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cascade, failedIndices, toEconomySystem } from '../../src-main/engines/cascade';
import { economyDocumentOf, generateEconomy } from '../../src-main/engines/economy-generator';
import { discountFracPublishedPath, rescueProblem } from '../../src-main/engines/intervention';
import {
  budgetGrid,
  ColumnCache,
  discountFracPath,
  gaussianReturns,
  incrementalCascade,
  mergeStudyPartials,
  outcomeAt,
  PAPER_SHOCKS,
  prefixPayments,
  runStudyRange,
  shockedValues,
  summariseStudy,
  tailValueAtRisk,
} from '../../src-main/engines/intervention-study';
import { sharedLu } from '../../src-main/engines/shared-lu';
import { estimateTail, greedyTailShock, importanceShifts } from '../../src-main/engines/tail-sampling';
import { economyArbitrary } from '../support/economies';

describe('scenario study: shocks and cascades', () => {
  it('returns have drift μ, volatility σ and common correlation ρ; shocked values are bounded below at −100%', () => {
    const n = 4;
    const S = 20_000;
    const model = { rho: 0.5, sigma: 0.15, drift: -0.2 };
    const draws = Array.from({ length: S }, (_, s) => gaussianReturns(model, n, 11, s));
    const mean = (j: number) => draws.reduce((sum, z) => sum + z[j]!, 0) / S;
    const m0 = mean(0);
    const m1 = mean(1);
    const cov = draws.reduce((sum, z) => sum + (z[0]! - m0) * (z[1]! - m1), 0) / S;
    const var0 = draws.reduce((sum, z) => sum + (z[0]! - m0) ** 2, 0) / S;
    expect(Math.abs(m0 - model.drift)).toBeLessThan(4 * (model.sigma / Math.sqrt(S)));
    expect(Math.sqrt(var0)).toBeCloseTo(model.sigma, 2);
    expect(cov / var0).toBeGreaterThan(0.47);
    expect(cov / var0).toBeLessThan(0.53);
    const values = shockedValues(Float64Array.of(10, 10), Float64Array.of(-1.7, 0.1));
    expect(values[0]).toBe(0);
    expect(values[1]).toBeCloseTo(11, 12);
  });

  it('the incremental cascade (cached columns of M) equals the full cascade for shocked values', () => {
    fc.assert(
      fc.property(economyArbitrary(2, 8), fc.integer({ min: 0, max: 1000 }), (system, scenario) => {
        const cache = new ColumnCache(system);
        const values = shockedValues(system.assetValues, gaussianReturns(PAPER_SHOCKS, system.nFirms, 3, scenario));
        const fast = incrementalCascade(cache, values);
        const direct = cascade(system, { assetValues: values });
        expect(Array.from(fast.failed)).toEqual(Array.from(direct.failed));
        expect(Array.from(fast.rounds)).toEqual(Array.from(direct.rounds));
        fast.marketValues.forEach((v, i) => expect(v).toBeCloseTo(direct.marketValues[i]!, 8));
      }),
      { numRuns: 60 },
    );
  });
});

/** Study options with the paper's shocks and the failures objective: a grid of budgets, one of them chosen. */
function paperStudy(
  system: Parameters<typeof budgetGrid>[0],
  {
    budgetFraction,
    budgetCount,
    seed,
    chosen,
  }: { budgetFraction: number; budgetCount: number; seed: number; chosen: number },
) {
  const budgets = budgetGrid(system, budgetFraction, budgetCount);
  return { shocks: PAPER_SHOCKS, seed, budgets, chosenBudget: budgets[chosen]!, objective: 'failures' as const };
}

describe('scenario study: the DiscountFrac budget curve', () => {
  it('either variant: each budget on the curve equals the full cascade re-solved with the prefix payments (failures and value saved)', () => {
    for (const path of [discountFracPath, discountFracPublishedPath]) curveMatchesCascade(path);
  });

  it('the curve by the published variant: chosen with curveMethod, never above the no-intervention failures', () => {
    const system = generateEconomy({ firms: 25, seed: 9 });
    const options = paperStudy(system, { budgetFraction: 0.02, budgetCount: 6, seed: 1, chosen: 3 });
    const { budgets } = options;
    const adapted = runStudyRange(system, options, 0, 40);
    const published = runStudyRange(system, { ...options, curveMethod: 'discountfrac-published' }, 0, 40);
    expect(
      Array.from(runStudyRange(system, { ...options, curveMethod: 'discountfrac-adapted' }, 0, 40).failedAfter),
    ).toEqual(Array.from(adapted.failedAfter));
    expect(Array.from(published.failedBefore)).toEqual(Array.from(adapted.failedBefore));
    const width = budgets.length + 1;
    for (let s = 0; s < 40; s++) {
      for (let b = 0; b < width; b++)
        expect(published.failedAfter[s * width + b]).toBeLessThanOrEqual(published.failedBefore[s]!);
    }
    expect(Array.from(published.failedAfter)).not.toEqual(Array.from(adapted.failedAfter));
  });
});

/** The curve of a DiscountFrac order, budget by budget, against the full cascade with the prefix payments. */
function curveMatchesCascade(path: typeof discountFracPath): void {
  const system = generateEconomy({ firms: 30, seed: 4 });
  const cache = new ColumnCache(system);
  const budgets = budgetGrid(system, 0.02, 9);
  let checked = 0;
  for (let scenario = 0; scenario < 12; scenario++) {
    const values = shockedValues(system.assetValues, gaussianReturns(PAPER_SHOCKS, system.nFirms, 8, scenario));
    const before = cascade(system, { assetValues: values });
    const problem = rescueProblem(system, 'failures', before, (j) => cache.column(j));
    const steps = path(problem, budgets.at(-1)!);
    let previousFailures = Infinity;
    for (const budget of budgets) {
      const x = prefixPayments(steps, problem.failing.length, budget);
      const shift = new Float64Array(system.nFirms);
      problem.failing.forEach((i, a) => (shift[i] = x[a]!));
      const after = cascade(system, { assetValues: values, thresholdShift: shift });
      const outcome = outcomeAt(steps, budget);
      const failuresAfter = failedIndices(after).length;
      expect(problem.failing.length - outcome.saved).toBe(failuresAfter);
      const valueGain = after.marketValues.reduce((sum, v, i) => sum + v - before.marketValues[i]!, 0);
      expect(outcome.valueSaved).toBeCloseTo(valueGain, 6);
      expect(outcome.spent).toBeLessThanOrEqual(budget);
      expect(failuresAfter).toBeLessThanOrEqual(previousFailures);
      previousFailures = failuresAfter;
      if (outcome.saved > 0) checked++;
    }
  }
  expect(checked).toBeGreaterThan(10);
}

describe('scenario study: shards and summaries', () => {
  it('scenario ranges merged in any split give the same outcomes as one run (seeded per scenario)', () => {
    const system = generateEconomy({ firms: 20, seed: 2 });
    const options = paperStudy(system, { budgetFraction: 0.01, budgetCount: 5, seed: 5, chosen: 2 });
    const whole = runStudyRange(system, options, 0, 30);
    const split = mergeStudyPartials([runStudyRange(system, options, 17, 13), runStudyRange(system, options, 0, 17)]);
    expect(Array.from(split.failedBefore)).toEqual(Array.from(whole.failedBefore));
    expect(Array.from(split.failedAfter)).toEqual(Array.from(whole.failedAfter));
    expect(Array.from(split.supportCount)).toEqual(Array.from(whole.supportCount));
    // Interleaved shards (every third scenario each, as the job splits them) merge back into scenario order.
    const interleaved = mergeStudyPartials(
      [2, 0, 1].map((w) => runStudyRange(system, options, w, Math.ceil((30 - w) / 3), undefined, undefined, 3)),
    );
    expect(Array.from(interleaved.failedBefore)).toEqual(Array.from(whole.failedBefore));
    expect(Array.from(interleaved.failedAfter)).toEqual(Array.from(whole.failedAfter));
    expect(Array.from(interleaved.valueSaved)).toEqual(Array.from(whole.valueSaved));
    // sums over scenarios, added per shard first: equal up to the order of the additions (docs/scale.md)
    interleaved.supportAmount.forEach((amount, i) =>
      expect(Math.abs(amount - whole.supportAmount[i]!)).toBeLessThanOrEqual(1e-12 * whole.supportAmount[i]!),
    );
  });

  it('shards share one LU of I − C and solve each column of its inverse once, with the digits of a whole run', () => {
    const n = 150;
    const document = economyDocumentOf(generateEconomy({ firms: n, seed: 4 }), 'generated 150');
    const own = toEconomySystem(document);
    const options = paperStudy(own, { budgetFraction: 0.01, budgetCount: 4, seed: 3, chosen: 1 });
    const whole = runStudyRange(own, options, 0, 30);
    const share = sharedLu(n, 2)!;
    expect(sharedLu(n, 1)).toBeUndefined();
    // the job's two shards, every second scenario each, one after the other
    const shard = (thread: number) => {
      const system = toEconomySystem(document, { share, thread });
      const cache = new ColumnCache(system, share);
      return { system, cache, part: runStudyRange(system, options, thread, 15, undefined, cache, 2) };
    };
    const [first, second] = [shard(0), shard(1)];
    expect(share.state[0]).toBe(2); // factorised, once
    expect(first.system.lu.every((value, k) => Object.is(value, own.lu[k]))).toBe(true);
    expect(second.system.lu.every((value, k) => Object.is(value, first.system.lu[k]))).toBe(true);
    const merged = mergeStudyPartials([second.part, first.part]);
    expect(Array.from(merged.failedBefore)).toEqual(Array.from(whole.failedBefore));
    expect(Array.from(merged.failedAfter)).toEqual(Array.from(whole.failedAfter));
    expect(Array.from(merged.valueSaved)).toEqual(Array.from(whole.valueSaved));
    // every column the shards needed was solved by one of them only, into the shared store
    const solved = share.state.subarray(1).filter((state) => state === 2).length;
    expect(solved).toBeGreaterThan(0);
    expect(first.cache.solves + second.cache.solves).toBe(solved);
    expect(second.cache.solves).toBeLessThan(solved);
  });

  it('summaries: TVaR is the mean of the worst scenarios, q = 0 gives the mean, reductions follow the curve', () => {
    const values = [5, 1, 9, 3, 7, 2, 8, 4, 6, 10];
    expect(tailValueAtRisk(values, 0).tvar).toBeCloseTo(5.5, 12);
    expect(tailValueAtRisk(values, 0.8).tvar).toBeCloseTo(9.5, 12);
    expect(tailValueAtRisk(values, 0.9).tvar).toBe(10);
    const system = generateEconomy({ firms: 25, seed: 9 });
    const budgets = budgetGrid(system, 0.02, 6);
    const partial = runStudyRange(
      system,
      { shocks: PAPER_SHOCKS, seed: 1, budgets, chosenBudget: budgets[5]!, objective: 'failures' },
      0,
      60,
    );
    const summary = summariseStudy(partial, budgets, budgets[5]!, [0, 0.9], system);
    expect(summary.budgets[0]!.failedAfter.mean).toBeCloseTo(summary.failedBefore.mean, 12);
    for (let b = 1; b < budgets.length; b++)
      expect(summary.budgets[b]!.failedAfter.mean).toBeLessThanOrEqual(summary.budgets[b - 1]!.failedAfter.mean);
    expect(summary.chosen.failedAfter.mean).toBeCloseTo(summary.budgets[5]!.failedAfter.mean, 12);
    expect(summary.tvarReduction[0]!.reductionPercent).toBeGreaterThan(0);
    const before = Array.from(partial.failedBefore, (v) => v / 25);
    expect(summary.tvarReduction[1]!.before).toBeCloseTo(tailValueAtRisk(before, 0.9).tvar, 12);
    expect(summary.failuresHistogram.before.reduce((a, b) => a + b, 0)).toBe(60);
    expect(summary.avertedHistogram.reduce((a, b) => a + b, 0)).toBe(summary.scenariosWithFailures);
  });
});

describe('tail sampling (§3.3)', () => {
  it('importance sampling from the greedy worst shock agrees with plain Monte Carlo and needs fewer samples', () => {
    const system = generateEconomy({ firms: 40, seed: 5 });
    const cache = new ColumnCache(system);
    const shocks = { rho: 0.5, sigma: 0.15, drift: -0.05 };
    const total = system.assetValues.reduce((a, b) => a + b, 0);
    const threshold = 30;
    const plain = estimateTail(cache, { shocks, seed: 3, samples: 20_000, threshold, quantile: 0.99 });
    const tail = greedyTailShock(cache, shocks, { aggregateShock: 0.05 * total, seed: 2 });
    expect(tail.drops.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(0.05 * total * (1 + 1e-12));
    expect(tail.expectedFailures).toBeGreaterThan(tail.baseFailures);
    const shifts = importanceShifts(cache, shocks, tail, threshold);
    const weighted = estimateTail(cache, { shocks, seed: 4, samples: 2_000, threshold, quantile: 0.99, shifts });
    // Plain Monte Carlo has ~400 exceedances here: the two estimates agree within 3 combined standard errors.
    expect(plain.exceedance * plain.samples).toBeGreaterThan(200);
    expect(Math.abs(weighted.exceedance - plain.exceedance)).toBeLessThan(
      3 * Math.hypot(weighted.exceedanceError, plain.exceedanceError),
    );
    // Samples saved: the per-sample variance is several times smaller than p(1 − p).
    expect(plain.perSampleVariance / weighted.perSampleVariance).toBeGreaterThan(2);
    expect(Math.abs(weighted.tvar - plain.tvar)).toBeLessThan(2);
  });
});
