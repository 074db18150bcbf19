import { describe, expect, it } from 'vitest';
import { clearScenario } from '../../src-main/engines/clearing';
import { toClearingSystem } from '../../src-main/engines/network-arrays';
import {
  calibrateBeta,
  createShockSampler,
  exceedanceProbabilities,
  sampleShocks,
} from '../../src-main/engines/shocks';
import { fork, Rng } from '../../src-main/engines/random';
import { incompleteBeta, normalCdf, normalInverseCdf } from '../../src-main/engines/special-functions';
import {
  addToSketch,
  createLossSketch,
  sketchExpectedShortfall,
  sketchQuantile,
} from '../../src-main/engines/loss-sketch';
import { mergeStressPartials, runStressBatch, summariseStress } from '../../src-main/engines/stress';
import { randomSparseNetwork } from '../../src-main/engines/synthetic';

const system = toClearingSystem(randomSparseNetwork(40, 5, 3));

describe('random numbers', () => {
  it('is reproducible for a seed and stream, and streams differ', () => {
    const a = fork(42, 7);
    const b = fork(42, 7);
    const c = fork(42, 8);
    const drawsA = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(drawsA);
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toEqual(drawsA);
  });

  it('has the right moments for uniform, normal and beta', () => {
    const rng = new Rng(1);
    const n = 100_000;
    let sumU = 0;
    let sumZ = 0;
    let sumZ2 = 0;
    let sumB = 0;
    for (let k = 0; k < n; k++) {
      sumU += rng.uniform();
      const z = rng.normal();
      sumZ += z;
      sumZ2 += z * z;
      sumB += rng.beta(2, 5);
    }
    expect(sumU / n).toBeCloseTo(0.5, 2);
    expect(sumZ / n).toBeCloseTo(0, 1);
    expect(sumZ2 / n).toBeCloseTo(1, 1);
    expect(sumB / n).toBeCloseTo(2 / 7, 2);
  });

  it('inverts the normal CDF', () => {
    for (const p of [1e-10, 0.001, 0.02, 0.3, 0.5, 0.77, 0.99, 1 - 1e-9])
      expect(normalCdf(normalInverseCdf(p))).toBeCloseTo(p, 12);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
    expect(incompleteBeta(0.3, 2, 3)).toBeCloseTo(0.3483, 4);
  });
});

describe('shock models', () => {
  it('beta shocks are calibrated to P(x_i ≥ w_i) = δ_i', () => {
    const delta = exceedanceProbabilities(system, { kind: 'beta' });
    for (let i = 0; i < system.nBanks; i++) {
      const w = system.netWorth[i]!;
      if (w > 0 && w < system.outsideAssets[i]!) expect(delta[i]).toBeCloseTo(system.defaultProbability[i]!, 10);
      else expect(delta[i]).toBe(w <= 0 ? 1 : 0);
    }
    const withShape = calibrateBeta(system, 2.5);
    const i = 0;
    const t = system.netWorth[i]! / system.outsideAssets[i]!;
    expect(1 - incompleteBeta(t, 2.5, withShape.b[i]!)).toBeCloseTo(0.01, 8);
    const shocks = sampleShocks(system, { kind: 'beta' }, 5, 0, 20_000);
    let exceed = 0;
    for (let k = 0; k < 20_000; k++) if (shocks[k * system.nBanks + i]! >= system.netWorth[i]!) exceed++;
    expect(exceed / 20_000).toBeGreaterThan(0.005);
    expect(exceed / 20_000).toBeLessThan(0.015);
  });

  it('every model keeps 0 ≤ x_i ≤ c_i and is reproducible per scenario', () => {
    const models = [
      { kind: 'uniform' as const, maxFraction: 0.3 },
      { kind: 'beta' as const, a: 0.7 },
      { kind: 'copula' as const, rho: 0.4, marginal: 'beta' as const },
      { kind: 'copula' as const, rho: 0.4, marginal: 'uniform' as const, maxFraction: 0.5 },
    ];
    for (const model of models) {
      const all = sampleShocks(system, model, 9, 0, 50);
      const tail = sampleShocks(system, model, 9, 30, 20);
      expect(Array.from(tail)).toEqual(Array.from(all.subarray(30 * system.nBanks)));
      for (let k = 0; k < all.length; k++) {
        expect(all[k]).toBeGreaterThanOrEqual(0);
        expect(all[k]).toBeLessThanOrEqual(system.outsideAssets[k % system.nBanks]!);
      }
    }
  });

  it('user scenarios with a bad value name the scenario and bank', () => {
    const row = new Float64Array(system.nBanks);
    row[2] = system.outsideAssets[2]! * 2;
    expect(() =>
      createShockSampler(system, { kind: 'scenarios', rows: [new Float64Array(system.nBanks), row] }),
    ).toThrow(new RegExp(`scenario 1: shock on bank "${system.ids[2]}"`));
  });
});

describe('stress runs', () => {
  const model = { kind: 'uniform' as const, maxFraction: 0.3 };

  it('is reproducible for a seed', () => {
    const first = summariseStress(runStressBatch(system, model, 123, 0, 3000));
    const second = summariseStress(runStressBatch(system, model, 123, 0, 3000));
    expect(second).toEqual(first);
    const other = summariseStress(runStressBatch(system, model, 124, 0, 3000));
    expect(other.expectedLoss).not.toBe(first.expectedLoss);
  });

  it('merging partials equals a single run', () => {
    const whole = summariseStress(runStressBatch(system, model, 5, 0, 3000));
    const parts = [
      runStressBatch(system, model, 5, 1800, 1200),
      runStressBatch(system, model, 5, 0, 700),
      runStressBatch(system, model, 5, 700, 1100),
    ];
    const merged = summariseStress(mergeStressPartials(parts));
    expect(merged.scenarios).toBe(3000);
    expect(merged.expectedLoss).toBeCloseTo(whole.expectedLoss, 6);
    expect(merged.lossRatio).toBeCloseTo(whole.lossRatio!, 12);
    expect(merged.defaultProbability).toEqual(whole.defaultProbability);
    expect(merged.defaultsDistribution).toEqual(whole.defaultsDistribution);
    expect(merged.lossQuantiles).toEqual(whole.lossQuantiles);
    for (const key of Object.keys(whole.expectedShortfall) as Array<keyof typeof whole.expectedShortfall>) {
      expect(merged.expectedShortfall[key] / whole.expectedShortfall[key]).toBeCloseTo(1, 12);
    }
    expect(merged.largestLossScenario).toEqual(whole.largestLossScenario);
  });

  it('summary figures agree with clearing each scenario directly', () => {
    const count = 2000;
    const summary = summariseStress(runStressBatch(system, model, 77, 0, count));
    const shocks = sampleShocks(system, model, 77, 0, count);
    const losses: number[] = [];
    const defaults = new Float64Array(system.nBanks);
    let unconnected = 0;
    for (let k = 0; k < count; k++) {
      const result = clearScenario(system, shocks.subarray(k * system.nBanks, (k + 1) * system.nBanks), {
        depth: false,
      });
      losses.push(result.loss);
      unconnected += result.shockTotal;
      for (const i of result.defaults) defaults[i]!++;
    }
    const mean = losses.reduce((a, b) => a + b, 0) / count;
    expect(summary.expectedLoss / mean).toBeCloseTo(1, 12);
    expect(summary.expectedUnconnectedLoss / (unconnected / count)).toBeCloseTo(1, 12);
    system.ids.forEach((id, i) => expect(summary.defaultProbability[id]).toBeCloseTo(defaults[i]! / count, 12));
    const sorted = [...losses].sort((a, b) => a - b);
    for (const level of [0.9, 0.95, 0.99, 0.999]) {
      const key = String(level) as keyof typeof summary.lossQuantiles;
      const exact = sorted[Math.ceil(level * count) - 1]!;
      expect(Math.abs(summary.lossQuantiles[key] - exact) / exact).toBeLessThanOrEqual(1.0001e-4);
      const tail = sorted.slice(Math.round(level * count));
      const es = tail.reduce((a, b) => a + b, 0) / tail.length;
      expect(Math.abs(summary.expectedShortfall[key] - es) / es).toBeLessThanOrEqual(1.0001e-4);
    }
    let contributions = 0;
    for (const id of system.ids) contributions += summary.lossContribution[id]!;
    expect(contributions / summary.expectedLoss).toBeCloseTo(1, 10);
    expect(summary.largestLossScenario!.loss).toBe(sorted[count - 1]);
    expect(summary.defaultsDistribution.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('keeps memory flat: the sketch has a fixed size whatever the number of scenarios', () => {
    const small = runStressBatch(system, model, 1, 0, 100);
    const large = runStressBatch(system, model, 1, 0, 5000);
    expect(large.sketch.counts.length).toBe(small.sketch.counts.length);
    const sketch = createLossSketch(1e6);
    for (let k = 1; k <= 1000; k++) addToSketch(sketch, k);
    expect(Math.abs(sketchQuantile(sketch, 0.5) - 500) / 500).toBeLessThanOrEqual(1e-4);
    expect(Math.abs(sketchExpectedShortfall(sketch, 0.99) - 995.5) / 995.5).toBeLessThanOrEqual(1e-4);
  });

  it('progress is reported and bad ranges are refused', () => {
    const seen: number[] = [];
    runStressBatch(system, model, 1, 0, 2500, (done) => seen.push(done));
    expect(seen.at(-1)).toBe(2500);
    expect(() => runStressBatch(system, model, 1, -1, 10)).toThrow(/scenario range/);
  });
});
