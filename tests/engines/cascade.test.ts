import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cascade,
  checkEconomy,
  fromDenseEconomy,
  neumannColumn,
  solveCrossHoldings,
  toEconomySystem,
  valuesGivenFailures,
} from '../../src-main/engines/cascade';
import { EngineInputError } from '../../src-main/engines/errors';
import { solveDense } from '../../src-main/engines/linalg';
import { chainEconomy, economyArbitrary } from '../support/economies';

const subset = (a: Uint8Array, b: Uint8Array) => a.every((y, i) => !y || b[i]);

describe('cascade: hand-computed 3-firm chain', () => {
  it('C fails in round 1, B in round 2, A in round 3', () => {
    const system = toEconomySystem(chainEconomy());
    expect(Array.from(system.assetValues)).toEqual([10, 10, 10]);
    expect(Array.from(system.selfShare).map((s) => +s.toFixed(12))).toEqual([1, 0.8, 0.7]);
    const result = cascade(system);
    // C: V = 10, v = 7 < 8 → fails; then V_C = 5, v_C = 3.5. B: V = 10 + 0.3·5 = 11.5, v = 9.2 < 10 → fails in
    // round 2; then V_B = 6.5, v_B = 5.2. A: V = 10 + 0.2·6.5 = 11.3 < 11.5 → fails in round 3; V_A = 6.3.
    expect(Array.from(result.failed)).toEqual([1, 1, 1]);
    expect(Array.from(result.rounds)).toEqual([3, 2, 1]);
    const expectedBook = [6.3, 6.5, 5];
    const expectedMarket = [6.3, 5.2, 3.5];
    expectedBook.forEach((v, i) => expect(result.bookValues[i]).toBeCloseTo(v, 12));
    expectedMarket.forEach((v, i) => expect(result.marketValues[i]).toBeCloseTo(v, 12));
    // Σ v = Σ Dp − Σ β∘y because 1ᵀ Ĉ (I − C)⁻¹ = 1ᵀ.
    expect(result.marketValues.reduce((s, v) => s + v, 0)).toBeCloseTo(30 - 15, 12);
    expect(result.converged).toBe(true);
  });

  it('a higher price of asset c stops the cascade at its source', () => {
    const system = toEconomySystem(chainEconomy());
    const result = cascade(system, { prices: Float64Array.from([10, 20, 12]) });
    expect(Array.from(result.failed)).toEqual([0, 0, 0]);
  });

  it('self-fulfilling failures: best case none, worst case both', () => {
    const system = fromDenseEconomy({
      ids: ['A', 'B'],
      crossHoldings: Float64Array.from([0, 0.5, 0.5, 0]),
      assetValues: Float64Array.from([10, 10]),
      thresholds: Float64Array.from([8, 8]),
      failureCosts: Float64Array.from([10, 10]),
    });
    // no failure: V = 20, v = 10 ≥ 8; all failed: V = 0, v = 0 < 8.
    const best = cascade(system);
    const worst = cascade(system, { start: 'all-failed' });
    expect(Array.from(best.failed)).toEqual([0, 0]);
    expect(Array.from(worst.failed)).toEqual([1, 1]);
    expect(best.marketValues[0]).toBeCloseTo(10, 12);
    expect(worst.marketValues[0]).toBeCloseTo(0, 12);
  });

  it('refuses bad input naming the field', () => {
    const system = toEconomySystem(chainEconomy());
    expect(() => cascade(system, { prices: new Float64Array(2) })).toThrow(EngineInputError);
    expect(() => cascade(system, { thresholdShift: Float64Array.from([0, -1, 0]) })).toThrow(/firm "B": intervention/);
    try {
      cascade(system, { thresholdShift: Float64Array.from([0, -1, 0]) });
    } catch (error) {
      expect((error as EngineInputError).field).toBe('payments.B');
    }
    expect(() =>
      fromDenseEconomy({
        ids: ['A', 'B'],
        crossHoldings: Float64Array.from([0, 1, 0, 0]),
        assetValues: new Float64Array(2),
        thresholds: new Float64Array(2),
        failureCosts: new Float64Array(2),
      }),
    ).toThrow(/firm "B".*below 1/);
    // The check alone (used before a job starts) refuses the same documents as the full build, naming the firm.
    const document = chainEconomy();
    expect(() => checkEconomy(document)).not.toThrow();
    const tooMuch = { ...document, crossHoldings: [...document.crossHoldings, { holder: 'C', issuer: 'B', share: 1 }] };
    expect(() => checkEconomy(tooMuch)).toThrow(/firm "B".*sum to 1.2 \(must be below 1\)/);
    expect(() => toEconomySystem(tooMuch)).toThrow(/firm "B".*sum to 1.2 \(must be below 1\)/);
    expect(() =>
      checkEconomy({ ...document, firms: document.firms.map((f, i) => (i === 0 ? { ...f, threshold: -1 } : f)) }),
    ).toThrow(/threshold must be finite/);
  });
});

describe('cascade: properties on random economies', () => {
  it('the LU solve agrees with the Neumann series Σ Cᵏ r and with a direct dense solve', () => {
    fc.assert(
      fc.property(economyArbitrary(), (system) => {
        const n = system.nFirms;
        const rhs = Float64Array.from(system.assetValues, (v, i) => v - system.failureCosts[i]! / 2);
        const lu = solveCrossHoldings(system, rhs);
        // Neumann: x ← r + C x converges since every column sum of C is ≤ 0.9 (‖C‖₁ ≤ 0.9).
        let x = rhs.slice();
        for (let it = 0; it < 400; it++) {
          const next = rhs.slice();
          for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) next[i]! += system.crossHoldings[i * n + j]! * x[j]!;
          x = next;
        }
        const identityMinusC = Float64Array.from(system.crossHoldings, (c) => -c);
        for (let i = 0; i < n; i++) identityMinusC[i * n + i] = 1;
        const direct = solveDense(identityMinusC, n, rhs);
        for (let i = 0; i < n; i++) {
          expect(lu[i]).toBeCloseTo(x[i]!, 8);
          expect(lu[i]).toBeCloseTo(direct[i]!, 10);
        }
        // columns of (I − C)⁻¹ are ≥ e_j and Ĉ (I − C)⁻¹ is column-stochastic
        for (let j = 0; j < n; j++) {
          const column = neumannColumn(system, j);
          expect(column[j]).toBeGreaterThanOrEqual(1 - 1e-12);
          let sum = 0;
          for (let i = 0; i < n; i++) sum += system.selfShare[i]! * column[i]!;
          expect(sum).toBeCloseTo(1, 10);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('both equilibria are fixed points of the failure map, and best ⊆ worst', () => {
    fc.assert(
      fc.property(
        economyArbitrary(),
        fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { minLength: 8, maxLength: 8 }),
        (system, shiftDraw) => {
          const thresholdShift = Float64Array.from(shiftDraw.slice(0, system.nFirms));
          const best = cascade(system, { thresholdShift });
          const worst = cascade(system, { thresholdShift, start: 'all-failed' });
          for (const result of [best, worst]) {
            expect(result.converged).toBe(true);
            const values = valuesGivenFailures(system, system.assetValues, result.failed);
            result.failed.forEach((y, i) => {
              expect(result.marketValues[i]).toBeCloseTo(values.marketValues[i]!, 10);
              expect(y).toBe(
                result.marketValues[i]! < system.thresholds[i]! - system.selfShare[i]! * thresholdShift[i]! ? 1 : 0,
              );
            });
          }
          expect(subset(best.failed, worst.failed)).toBe(true);
          // default hierarchy: failed firms carry rounds 1, 2, … without gaps
          const rounds = [...new Set(Array.from(best.rounds).filter((r) => r > 0))].sort((a, b) => a - b);
          rounds.forEach((r, k) => expect(r).toBe(k + 1));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('is monotone: higher prices or larger interventions never add failures', () => {
    fc.assert(
      fc.property(
        economyArbitrary(),
        fc.array(fc.double({ min: 1, max: 1.5, noNaN: true }), { minLength: 8, maxLength: 8 }),
        (system, factors) => {
          const higher = Float64Array.from(system.prices, (p, k) => p * factors[k]!);
          const base = cascade(system);
          expect(subset(cascade(system, { prices: higher }).failed, base.failed)).toBe(true);
          const shift = Float64Array.from(factors.slice(0, system.nFirms), (f) => (f - 1) * 10);
          expect(subset(cascade(system, { thresholdShift: shift }).failed, base.failed)).toBe(true);
          expect(
            subset(
              cascade(system, { prices: higher, start: 'all-failed' }).failed,
              cascade(system, { start: 'all-failed' }).failed,
            ),
          ).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});
