import { describe, expect, it } from 'vitest';
import { AcceptanceEvaluator, type AcceptanceSetup } from '../../src-main/engines/capital-allocation';
import { pinToBoundary } from '../../src-main/engines/capital-boundary';
import { fromDenseLiabilities, toClearingSystem } from '../../src-main/engines/network-arrays';
import { normalInverseCdf } from '../../src-main/engines/special-functions';
import { ebaMaxentNetwork } from '../support/eba';

/** Six banks lending in a ring and across, thin equity: losses pass on. */
function smallSystem() {
  const n = 6;
  const pbar = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    pbar[i * n + ((i + 1) % n)] = 30;
    pbar[i * n + ((i + 3) % n)] = 15;
  }
  return fromDenseLiabilities(
    ['A', 'B', 'C', 'D', 'E', 'F'],
    pbar,
    Float64Array.from([80, 60, 75, 50, 90, 55]),
    Float64Array.from([70, 52, 66, 44, 80, 49]),
  );
}

const small = smallSystem();
const setup: AcceptanceSetup = {
  tiers: 2,
  shockModel: { kind: 'uniform', maxFraction: 0.25 },
  scenarios: 500,
  seed: 1,
};

/** The multiple s of u where the statistic crosses the level on one long run of its own (no confidence margin). */
function longRunBoundary(direction: number[], scenarios: number, seed: number): number {
  const evaluator = new AcceptanceEvaluator(small, { ...setup, scenarios, seed });
  let low = 0;
  let high = 1;
  while (!evaluator.evaluate(direction.map((v) => v * high)).acceptable) high *= 2;
  for (let it = 0; it < 30; it++) {
    const mid = 0.5 * (low + high);
    if (evaluator.evaluate(direction.map((v) => v * mid)).acceptable) high = mid;
    else low = mid;
  }
  return high;
}

describe('pinning a capital allocation to the acceptance boundary', () => {
  const direction = [0.1, 0.05];

  it('brackets the boundary that a long Monte Carlo run of its own finds, to within the step', () => {
    const pin = pinToBoundary(small, setup, direction, { maxScenarios: 128_000 });
    expect(pin.acceptable).toBe(true);
    expect(pin.pinned).toBe(true);
    expect(pin.maxExcess).toBeCloseTo(0.02 / 0.98, 12);
    const z = normalInverseCdf(0.95);
    expect(pin.check.margin).toBeGreaterThanOrEqual(z * pin.check.standardError);
    expect(pin.cheaper.check.margin).toBeLessThanOrEqual(-z * pin.cheaper.check.standardError);
    // an independent 400,000-scenario run (another seed): its boundary lies between the refused and the accepted allocation
    const reference = longRunBoundary(direction, 400_000, 77);
    const scale = pin.k[0]! / direction[0]!;
    expect(reference).toBeLessThanOrEqual(scale * 1.002);
    expect(reference).toBeGreaterThanOrEqual(scale * 0.98 * 0.998);
    expect(pin.cost).toBeCloseTo(scale * new AcceptanceEvaluator(small, setup).cost(direction), 6);
    // each stage used four times the scenarios of the one before
    pin.stages.slice(1).forEach((stage, index) => expect(stage.scenarios).toBe(4 * pin.stages[index]!.scenarios));
  });

  it('says how far from the boundary it may be when the scenario budget runs out', () => {
    const pin = pinToBoundary(small, setup, direction, { maxScenarios: 500 });
    expect(pin.stages).toHaveLength(1);
    expect(pin.acceptable).toBe(true);
    expect(pin.pinned).toBe(false);
    expect(pin.maxExcess).toBeGreaterThan(0.02 / 0.98);
    // the bracket holds the allocation a larger budget pins
    const pinnedScale = pinToBoundary(small, setup, direction, { maxScenarios: 128_000 }).k[0]! / direction[0]!;
    const upper = pin.k[0]! / direction[0]!;
    expect(pinnedScale).toBeLessThanOrEqual(upper * 1.01);
    expect(pinnedScale).toBeGreaterThanOrEqual((upper / (1 + pin.maxExcess)) * 0.99);
  });

  it('reports when nothing within reach along the direction is acceptable (ten doublings of a tiny allocation)', () => {
    const pin = pinToBoundary(small, setup, [1e-9, 0], { maxScenarios: 2000 });
    expect(pin.acceptable).toBe(false);
    expect(pin.pinned).toBe(false);
    expect(Number.isFinite(pin.maxExcess)).toBe(false);
  });

  it('refuses a zero or negative direction in one line', () => {
    expect(() => pinToBoundary(small, setup, [0, 0], { maxScenarios: 1000 })).toThrow(/non-negative and not zero/);
    expect(() => pinToBoundary(small, setup, [-0.1, 0.1], { maxScenarios: 1000 })).toThrow(/non-negative/);
  });

  it('pins the EBA 2011 tier-1 allocation within the default budget', () => {
    const eba = toClearingSystem(ebaMaxentNetwork());
    const pin = pinToBoundary(
      eba,
      { tiers: 2, shockModel: { kind: 'uniform', maxFraction: 0.1 }, scenarios: 1000, seed: 1 },
      [0.0227, 0],
      { maxScenarios: 256_000 },
    );
    expect(pin.pinned).toBe(true);
    // the independent 100,000-scenario estimate of the boundary is k₁ = 1.884%; ours brackets it within noise
    expect(pin.k[0]!).toBeGreaterThan(0.0184);
    expect(pin.k[0]!).toBeLessThan(0.0197);
  });
});
