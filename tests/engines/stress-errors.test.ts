/**
 * How sure the stress test's figures are (docs/engines/contagion.md, "How sure"): the standard error of the expected
 * number of defaults and of each default probability against the scenarios cleared one by one here, the Wilson
 * interval against its formula, the VaR interval against sorted losses, and the ES standard error against the
 * spread of ES over independent seeds; all shrink as 1/√n.
 */
import { describe, expect, it } from 'vitest';
import { clearScenario } from '../../src-main/engines/clearing';
import { toClearingSystem } from '../../src-main/engines/network-arrays';
import { createShockSampler } from '../../src-main/engines/shocks';
import { runStressBatch, summariseStress } from '../../src-main/engines/stress';
import { randomSparseNetwork } from '../../src-main/engines/synthetic';

const system = toClearingSystem(randomSparseNetwork(30, 4, 5));
const model = { kind: 'uniform' as const, maxFraction: 0.4 };
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const sd = (values: number[]) => {
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
};

/** Each scenario cleared on its own: the number of defaults, who defaulted and the loss. */
function scenarios(seed: number, n: number) {
  const sampler = createShockSampler(system, model);
  const shock = new Float64Array(system.nBanks);
  return Array.from({ length: n }, (_, k) => {
    sampler.sample(seed, k, shock, 0);
    const cleared = clearScenario(system, shock);
    return { defaults: cleared.defaults, loss: cleared.loss };
  });
}

describe('stress test: uncertainty of the headline figures', () => {
  it('the expected number of defaults and each default probability carry s.d./√n of the per-scenario values', () => {
    const n = 2000;
    const summary = summariseStress(runStressBatch(system, model, 5, 0, n));
    const cleared = scenarios(5, n);
    const counts = cleared.map((s) => s.defaults.length);
    expect(summary.expectedDefaults).toBeCloseTo(mean(counts), 10);
    expect(summary.expectedDefaultsStandardError).toBeCloseTo(sd(counts) / Math.sqrt(n), 10);
    expect(summary.expectedDefaultsStandardError!).toBeGreaterThan(0);
    let checked = 0;
    system.ids.forEach((id, i) => {
      const indicator = cleared.map((s) => (s.defaults.includes(i) ? 1 : 0));
      const p = mean(indicator);
      expect(summary.defaultProbability[id]).toBeCloseTo(p, 12);
      // the binomial error √(p(1 − p)/n) is the s.d. of the 0/1 indicators (with n, not n − 1) over √n
      expect(summary.defaultProbabilityStandardError![id]).toBeCloseTo(
        (sd(indicator) * Math.sqrt((n - 1) / n)) / Math.sqrt(n) || 0,
        12,
      );
      const [low, high] = summary.defaultProbabilityInterval![id]!;
      const z = 1.959963984540054;
      const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
      const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
      expect(low).toBeCloseTo(Math.max(0, centre - half), 12);
      expect(high).toBeCloseTo(Math.min(1, centre + half), 12);
      expect(low).toBeLessThanOrEqual(p);
      expect(high).toBeGreaterThanOrEqual(p);
      if (p === 0) expect(high).toBeGreaterThan(0); // no default seen is not a certainty of none
      if (p > 0) checked++;
    });
    expect(checked).toBeGreaterThan(0);
  });

  it('the VaR interval is the losses at ranks nq ∓ 1.96√(nq(1 − q)) and contains the VaR', () => {
    const n = 3000;
    const summary = summariseStress(runStressBatch(system, model, 9, 0, n));
    const sorted = scenarios(9, n)
      .map((s) => s.loss)
      .sort((a, b) => a - b);
    for (const level of ['0.9', '0.95', '0.99'] as const) {
      const q = Number(level);
      const spread = 1.96 * Math.sqrt(n * q * (1 - q));
      const [low, high] = summary.lossQuantileInterval![level];
      const accuracy = 2 * summary.quantileRelativeAccuracy;
      expect(Math.abs(low - sorted[Math.floor(q * n - spread) - 1]!)).toBeLessThanOrEqual(
        accuracy * sorted[n - 1]! + 1e-9,
      );
      expect(Math.abs(high - sorted[Math.ceil(q * n + spread) - 1]!)).toBeLessThanOrEqual(
        accuracy * sorted[n - 1]! + 1e-9,
      );
      expect(low).toBeLessThanOrEqual(summary.lossQuantiles[level]);
      expect(high).toBeGreaterThanOrEqual(summary.lossQuantiles[level]);
    }
  });

  it('the ES and defaults errors match the spread over 40 independent seeds, and shrink as 1/√n', () => {
    const runs = Array.from({ length: 40 }, (_, k) => summariseStress(runStressBatch(system, model, 100 + k, 0, 2000)));
    const check = (estimates: number[], errors: number[], label: string) => {
      const ratio = sd(estimates) / Math.sqrt(mean(errors.map((e) => e * e)));
      expect(ratio, label).toBeGreaterThan(0.65);
      expect(ratio, label).toBeLessThan(1.5);
    };
    check(
      runs.map((r) => r.expectedShortfall['0.95']),
      runs.map((r) => r.expectedShortfallStandardError!['0.95']),
      'ES 95%',
    );
    check(
      runs.map((r) => r.expectedDefaults),
      runs.map((r) => r.expectedDefaultsStandardError!),
      'defaults',
    );
    const id = system.ids.find((x) => runs[0]!.defaultProbability[x]! > 0.05)!;
    check(
      runs.map((r) => r.defaultProbability[id]!),
      runs.map((r) => r.defaultProbabilityStandardError![id]!),
      'default probability',
    );
    const small = summariseStress(runStressBatch(system, model, 7, 0, 2000));
    const large = summariseStress(runStressBatch(system, model, 7, 0, 8000));
    for (const [label, a, b] of [
      ['ES 95%', small.expectedShortfallStandardError!['0.95'], large.expectedShortfallStandardError!['0.95']],
      ['defaults', small.expectedDefaultsStandardError!, large.expectedDefaultsStandardError!],
      [
        'VaR 95% interval',
        small.lossQuantileInterval!['0.95'][1] - small.lossQuantileInterval!['0.95'][0],
        large.lossQuantileInterval!['0.95'][1] - large.lossQuantileInterval!['0.95'][0],
      ],
    ] as const) {
      expect(a / b, label).toBeGreaterThan(1.5);
      expect(a / b, label).toBeLessThan(2.7);
    }
  });
});
