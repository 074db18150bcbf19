import { describe, expect, it } from 'vitest';
import {
  AcceptanceEvaluator,
  allocationCost,
  capitalTiers,
  certifyAllocation,
  cheapestAccepted,
  efficientSamples,
  sampleGibbs,
  sampleUniform,
  tailStatistic,
} from '../../src-main/engines/capital-allocation';
import { toClearingSystem } from '../../src-main/engines/network-arrays';
import { Rng } from '../../src-main/engines/random';
import { sampleShocks } from '../../src-main/engines/shocks';
import { picardSocietyReceipts } from '../support/capital-reference';
import { ebaMaxentNetwork } from '../support/eba';

const eba = toClearingSystem(ebaMaxentNetwork());
const shockModel = { kind: 'uniform', maxFraction: 0.1 } as const;

describe('capital tiers', () => {
  it('reproduce the groupings and asset shares of the paper’s Table 2 on the EBA 2011 network', () => {
    const table2: Record<number, Array<[banks: number, sharePercent: number]>> = {
      2: [
        [9, 48.1],
        [78, 51.9],
      ],
      3: [
        [5, 32.5],
        [11, 33.7],
        [71, 33.8],
      ],
      4: [
        [3, 20.7],
        [6, 27.4],
        [12, 26.3],
        [66, 25.7],
      ],
    };
    for (const [tiers, expected] of Object.entries(table2)) {
      const got = capitalTiers(eba, Number(tiers));
      expect(got.map((tier) => [tier.banks.length, Math.round(tier.share * 1000) / 10])).toEqual(expected);
    }
    // 87 tiers: one bank each, the largest first (Table 2's last row starts at 7.3%)
    const single = capitalTiers(eba, 87);
    expect(single.every((tier) => tier.banks.length === 1)).toBe(true);
    expect(Math.round(single[0]!.share * 1000) / 10).toBe(7.3);
  });

  it('are consecutive by total assets and cost Σ k_t Σ base_i', () => {
    const tiers = capitalTiers(eba, 5);
    const assets = (i: number) => eba.outsideAssets[i]! + eba.interbankAssets[i]!;
    for (let t = 1; t < tiers.length; t++)
      expect(Math.min(...tiers[t - 1]!.banks.map(assets))).toBeGreaterThanOrEqual(
        Math.max(...tiers[t]!.banks.map(assets)),
      );
    const k = [0.01, 0.02, 0.03, 0.04, 0.05];
    let direct = 0;
    tiers.forEach((tier, t) => tier.banks.forEach((i) => (direct += k[t]! * eba.totalObligations[i]!)));
    expect(allocationCost(tiers, k)).toBeCloseTo(direct, 6);
  });
});

describe('acceptance by Monte Carlo', () => {
  it('what society receives matches Picard clearing of the capitalised network', () => {
    const evaluator = new AcceptanceEvaluator(eba, { tiers: 2, shockModel, scenarios: 20, seed: 5 });
    const k = [0.004, 0.011];
    const received = evaluator.societyReceipts(k);
    const reference = picardSocietyReceipts(eba, evaluator.tiers, k, sampleShocks(eba, shockModel, 5, 0, 20));
    for (let s = 0; s < 20; s++) expect(received[s]).toBeCloseTo(reference[s]!, 9);
    expect(evaluator.clearingRuns).toBe(20);
  });

  it('computes expected shortfall and value at risk as a brute-force tail does', () => {
    const rng = new Rng(3);
    const values = Float64Array.from({ length: 400 }, () => 0.9 + 0.1 * rng.uniform());
    const sorted = Array.from(values).sort((a, b) => a - b);
    const es = tailStatistic(values.slice(), { measure: 'expected-shortfall', tail: 0.05, level: 0.98 });
    expect(es.statistic).toBeCloseTo(sorted.slice(0, 20).reduce((a, b) => a + b, 0) / 20, 12);
    expect(es.standardError).toBeGreaterThan(0);
    const mean = tailStatistic(values.slice(), { measure: 'expected-shortfall', tail: 1, level: 0.98 });
    expect(mean.statistic).toBeCloseTo(sorted.reduce((a, b) => a + b, 0) / 400, 12);
    expect(tailStatistic(values.slice(), { measure: 'value-at-risk', tail: 0.05, level: 0.98 }).statistic).toBe(
      sorted[19],
    );
  });

  it('is monotone: more capital never lowers the statistic (random pairs k ≤ k′, common scenarios)', () => {
    const evaluator = new AcceptanceEvaluator(eba, { tiers: 3, shockModel, scenarios: 200, seed: 2 });
    const rng = new Rng(11);
    for (let pair = 0; pair < 25; pair++) {
      const low = [0, 1, 2].map(() => 0.04 * rng.uniform());
      const high = low.map((v) => v + (0.04 - v) * rng.uniform());
      const a = evaluator.evaluate(low);
      const b = evaluator.evaluate(high);
      expect(b.statistic).toBeGreaterThanOrEqual(a.statistic - 1e-12);
      if (a.acceptable) expect(b.acceptable).toBe(true);
    }
  });
});

describe('sampling allocations', () => {
  const evaluator = new AcceptanceEvaluator(eba, { tiers: 2, shockModel, scenarios: 200, seed: 1 });

  it('is reproducible for a seed, and Gibbs sampling concentrates near the boundary', () => {
    const uniform = sampleUniform(evaluator, { samples: 120, kMax: 0.05, seed: 4 });
    expect(Array.from(sampleUniform(evaluator, { samples: 120, kMax: 0.05, seed: 4 }).k)).toEqual(
      Array.from(uniform.k),
    );
    expect(uniform.clearingRuns).toBe(120 * 200);
    const gibbs = sampleGibbs(evaluator, { samples: 120, kMax: 0.05, seed: 4, chains: 4, gridPoints: 6, width: 0.003 });
    expect(gibbs.allocationsEvaluated).toBe(6 * (120 + 4 * 2)); // 6 grid points per update, burn-in T = 2 per chain
    expect(gibbs.k.every((v) => v >= 0 && v <= 0.05)).toBe(true);
    const meanAbsMargin = (statistic: Float64Array) =>
      statistic.reduce((sum, v) => sum + Math.abs(v - 0.98), 0) / statistic.length;
    expect(meanAbsMargin(gibbs.statistic)).toBeLessThan(0.5 * meanAbsMargin(uniform.statistic));
    // both classes are present near the boundary
    const accepted = gibbs.labels.reduce((a, b) => a + b, 0);
    expect(accepted).toBeGreaterThan(20);
    expect(accepted).toBeLessThan(100);
  });

  it('lists efficient samples that no acceptable sample dominates, cheapest first', () => {
    const samples = sampleUniform(evaluator, { samples: 80, kMax: 0.05, seed: 9 });
    const front = efficientSamples(samples, evaluator.tiers);
    expect(front.length).toBeGreaterThan(0);
    const k = (j: number) => [samples.k[2 * j]!, samples.k[2 * j + 1]!];
    for (const j of front) {
      expect(samples.labels[j]).toBe(1);
      for (let other = 0; other < 80; other++) {
        if (other === j || samples.labels[other] !== 1) continue;
        const dominates =
          k(other)[0]! <= k(j)[0]! && k(other)[1]! <= k(j)[1]! && (k(other)[0]! < k(j)[0]! || k(other)[1]! < k(j)[1]!);
        expect(dominates).toBe(false);
      }
    }
    const costs = front.map((j) => allocationCost(evaluator.tiers, k(j)));
    expect([...costs].sort((a, b) => a - b)).toEqual(costs);
    // the cheapest acceptable sample is on the front
    let cheapest = Infinity;
    for (let j = 0; j < 80; j++)
      if (samples.labels[j]) cheapest = Math.min(cheapest, allocationCost(evaluator.tiers, k(j)));
    expect(costs[0]).toBe(cheapest);
  });

  it('finds the cheapest allocations a classifier accepts along rays, cheapest first', () => {
    // accepts k₁ + 2k₂ ≥ 0.02; costs 1 and 3 per unit: the k₁ axis (cost 0.02) beats the k₂ axis (0.03)
    const predict = (k: Float64Array) => 1 / (1 + Math.exp(-1e4 * (k[0]! + 2 * k[1]! - 0.02)));
    const found = cheapestAccepted(predict, [1, 3], 0.05, 1, 3);
    expect(found).toHaveLength(3);
    expect(found[0]![0]).toBeCloseTo(0.02, 5);
    expect(found[0]![1]).toBe(0);
    const costs = found.map((k) => k[0]! + 3 * k[1]!);
    expect([...costs].sort((a, b) => a - b)).toEqual(costs);
    for (const k of found) expect(predict(k)).toBeGreaterThanOrEqual(0.5);
    expect(cheapestAccepted(() => 0, [1, 3], 0.05, 1, 3)).toEqual([]);
  });

  it('certifies an allocation that stays acceptable with 10× more shock scenarios', () => {
    const certified = certifyAllocation(evaluator, [0.01, 0.01]);
    expect(certified.certified).toBe(true);
    expect(certified.check.margin).toBeGreaterThanOrEqual(2 * certified.check.standardError);
    // bisection: a little less capital along the same ray no longer passes
    const less = evaluator.evaluate(certified.k.map((v) => v * 0.97));
    expect(less.acceptable && less.margin >= 2 * less.standardError).toBe(false);
    const recheck = new AcceptanceEvaluator(eba, { tiers: 2, shockModel, scenarios: 2000, seed: 1 });
    expect(recheck.evaluate(certified.k).acceptable).toBe(true);
  });
});
