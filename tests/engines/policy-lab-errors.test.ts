/**
 * The policy lab's Monte Carlo standard errors (docs/engines/policy-lab.md, "How sure"): against per-draw welfare
 * solved here equilibrium by equilibrium, against the spread of the estimates over independent seeds, and their
 * shrinking with the number of draws.
 */
import { describe, expect, it } from 'vitest';
import {
  analysePrior,
  drawPrior,
  economyOfDraw,
  solveMiddle,
  welfare,
  type PriorDraws,
} from '../../src-main/engines/policy-lab';
import { quadraticMaximum, randomPolicyEconomy, testUncertainty } from '../support/policy';

/** W(τ) at every draw (c, p), each equilibrium solved afresh. */
function directWelfare(draws: PriorDraws, wedges: Float64Array | undefined): number[][] {
  return draws.causal.map(({ structure }, c) =>
    draws.predictive.map((_, p) => {
      const economy = economyOfDraw(draws, c, p);
      return welfare(economy, solveMiddle(economy, structure, wedges), wedges);
    }),
  );
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const sd = (values: number[]) => {
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
};

describe('policy lab: Monte Carlo standard errors', () => {
  it('with one causal draw, equal the sample s.d. of the per-draw welfare (and of paired differences) over √P', () => {
    const economy = randomPolicyEconomy(41, 2, 2);
    const draws = drawPrior(economy, testUncertainty(41, 1, 30));
    const analysis = analysePrior(economy, draws, { noise: 0, signals: 1, seed: 1 });
    const baseline = directWelfare(draws, undefined)[0]!;
    const none = directWelfare(draws, analysis.optimalWedges)[0]!;
    const P = draws.predictive.length;
    expect(mean(none)).toBeCloseTo(analysis.none.welfare, 9);
    expect(analysis.baselineWelfareStandardError).toBeCloseTo(sd(baseline) / Math.sqrt(P), 9);
    expect(analysis.none.standardErrors.welfare).toBeCloseTo(sd(none) / Math.sqrt(P), 9);
    const gain = none.map((v, p) => v - baseline[p]!);
    expect(analysis.none.standardErrors.gain).toBeCloseTo(sd(gain) / Math.sqrt(P), 9);
    expect(analysis.none.standardErrors.gain).toBeGreaterThan(0);
    expect(analysis.none.standardErrors.value).toBe(0);
  });

  it('full information with one causal draw: the error of the value is that of W(τ_p) − W(τ*) draw by draw, τ_p maximised here', () => {
    const economy = randomPolicyEconomy(43, 2, 2);
    const draws = drawPrior(economy, testUncertainty(43, 1, 20));
    const analysis = analysePrior(economy, draws, { noise: 0, signals: 1, seed: 1 });
    const { structure } = draws.causal[0]!;
    const none = directWelfare(draws, analysis.optimalWedges)[0]!;
    const best = draws.predictive.map((_, p) => {
      const economyP = economyOfDraw(draws, 0, p);
      return quadraticMaximum(
        (t) => welfare(economyP, solveMiddle(economyP, structure, t), t),
        analysis.optimalWedges.slice(),
        0.01,
      ).value;
    });
    const value = best.map((v, p) => v - none[p]!);
    expect(mean(best)).toBeCloseTo(analysis.full.welfare, 7);
    expect(analysis.full.standardErrors.value).toBeCloseTo(sd(value) / Math.sqrt(value.length), 7);
    // paired on the same draws, the value is far less noisy than the welfare itself
    expect(analysis.full.standardErrors.value).toBeLessThan(analysis.full.standardErrors.welfare);
  });

  it('over a causal × predictive grid, match the spread of the estimates over 40 independent seeds', () => {
    const economy = randomPolicyEconomy(47, 2, 2);
    const spread = (
      causal: number,
      predictive: number,
      pick: (a: ReturnType<typeof analysePrior>) => [number, number],
    ) => {
      const estimates: number[] = [];
      const errors: number[] = [];
      for (let seed = 1; seed <= 40; seed++) {
        const [estimate, error] = pick(
          analysePrior(economy, drawPrior(economy, testUncertainty(1000 + seed, causal, predictive)), {
            noise: 0,
            signals: 1,
            seed,
          }),
        );
        estimates.push(estimate);
        errors.push(error);
      }
      return sd(estimates) / Math.sqrt(mean(errors.map((e) => e * e)));
    };
    const checks: Array<[string, number, number, (a: ReturnType<typeof analysePrior>) => [number, number]]> = [
      ['welfare, no model', 6, 6, (a) => [a.none.welfare, a.none.standardErrors.welfare]],
      ['gain, no model', 6, 6, (a) => [a.none.gainOverNoIntervention, a.none.standardErrors.gain]],
      ['gain, full information', 6, 6, (a) => [a.full.gainOverNoIntervention, a.full.standardErrors.gain]],
      ['E[Δ(τ)], causal', 6, 6, (a) => [a.causal.regulatoryCost, a.causal.standardErrors.regulatoryCost]],
      // the values of information are differences of optima: first-order errors hold once the draws are many
      ['value, causal', 24, 24, (a) => [a.causal.valueOfModel, a.causal.standardErrors.value]],
      ['value, full information', 24, 24, (a) => [a.full.valueOfModel, a.full.standardErrors.value]],
    ];
    for (const [label, causal, predictive, pick] of checks) {
      const ratio = spread(causal, predictive, pick);
      expect(ratio, label).toBeGreaterThan(0.65);
      expect(ratio, label).toBeLessThan(1.5);
    }
  });

  it('shrink as 1/√n: four times the predictive draws halve them, four times both kinds of draws halve them', () => {
    const economy = randomPolicyEconomy(53, 2, 2);
    const at = (causal: number, predictive: number) =>
      analysePrior(economy, drawPrior(economy, testUncertainty(53, causal, predictive)), {
        noise: 0,
        signals: 1,
        seed: 1,
      });
    const small = at(1, 100);
    const large = at(1, 400);
    const r1 = small.none.standardErrors.welfare / large.none.standardErrors.welfare;
    expect(r1).toBeGreaterThan(1.5);
    expect(r1).toBeLessThan(2.7);
    const grid = at(6, 6);
    const grid24 = at(24, 24);
    for (const model of ['none', 'causal', 'full'] as const) {
      const r = grid[model].standardErrors.welfare / grid24[model].standardErrors.welfare;
      expect(r, model).toBeGreaterThan(1.3);
      expect(r, model).toBeLessThan(3.2);
    }
  });

  it('a noisy forecast: the value of the predictive model carries the error of its signals, which more signals shrink', () => {
    const economy = randomPolicyEconomy(21, 2, 2);
    const draws = drawPrior(economy, testUncertainty(21, 3, 8));
    const few = analysePrior(economy, draws, { noise: 0.7, signals: 100, seed: 5 });
    const many = analysePrior(economy, draws, { noise: 0.7, signals: 1600, seed: 5 });
    const ratio = few.predictive.standardErrors.value / many.predictive.standardErrors.value;
    expect(ratio).toBeGreaterThan(2.5);
    expect(ratio).toBeLessThan(6);
    expect(few.predictive.standardErrors.welfare).toBeGreaterThanOrEqual(few.none.standardErrors.welfare);
  });
});
