/** Economies for the cascade and intervention tests: a hand-checked chain and random small economies. */
import fc from 'fast-check';
import { CROSSHOLDINGS_FORMAT, type EconomyDocument } from '../../src-shared/formats/crossholdings';
import { cascade, fromDenseEconomy, type EconomySystem } from '../../src-main/engines/cascade';

/** A holds 20% of B, B holds 30% of C; Dp = 10 each, β = 5 each, θ = (11.5, 10, 8). */
export function chainEconomy(): EconomyDocument {
  return {
    format: CROSSHOLDINGS_FORMAT,
    name: 'chain',
    firms: [
      { id: 'A', threshold: 11.5, failureCost: 5 },
      { id: 'B', threshold: 10, failureCost: 5 },
      { id: 'C', threshold: 8, failureCost: 5 },
    ],
    assets: [
      { id: 'a', price: 10 },
      { id: 'b', price: 20 },
      { id: 'c', price: 10 },
    ],
    assetHoldings: [
      { firm: 'A', asset: 'a', share: 1 },
      { firm: 'B', asset: 'b', share: 0.5 },
      { firm: 'C', asset: 'c', share: 1 },
    ],
    crossHoldings: [
      { holder: 'A', issuer: 'B', share: 0.2 },
      { holder: 'B', issuer: 'C', share: 0.3 },
    ],
  };
}

/** Random economies of 2–8 firms: column sums of C ≤ 0.9, thresholds around the no-failure market values. */
export const economyArbitrary = (minFirms = 2, maxFirms = 8) =>
  fc.integer({ min: minFirms, max: maxFirms }).chain((n) =>
    fc
      .record({
        c: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })), {
          minLength: n * n,
          maxLength: n * n,
        }),
        columnTotals: fc.array(fc.double({ min: 0, max: 0.9, noNaN: true }), { minLength: n, maxLength: n }),
        dp: fc.array(fc.double({ min: 1, max: 20, noNaN: true }), { minLength: n, maxLength: n }),
        beta: fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: n, maxLength: n }),
        level: fc.array(fc.double({ min: 0.4, max: 1.3, noNaN: true }), { minLength: n, maxLength: n }),
      })
      .map(({ c, columnTotals, dp, beta, level }): EconomySystem => {
        const matrix = Float64Array.from(c);
        for (let i = 0; i < n; i++) matrix[i * n + i] = 0;
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let i = 0; i < n; i++) sum += matrix[i * n + j]!;
          for (let i = 0; i < n; i++) matrix[i * n + j] = sum > 0 ? (matrix[i * n + j]! / sum) * columnTotals[j]! : 0;
        }
        const ids = Array.from({ length: n }, (_, i) => `F${i}`);
        const base = fromDenseEconomy({
          ids,
          crossHoldings: matrix,
          assetValues: Float64Array.from(dp),
          thresholds: new Float64Array(n),
          failureCosts: Float64Array.from(beta),
        });
        const healthy = cascade(base).marketValues;
        return fromDenseEconomy({
          ids,
          crossHoldings: matrix,
          assetValues: Float64Array.from(dp),
          thresholds: Float64Array.from(level, (l, i) => l * healthy[i]!),
          failureCosts: Float64Array.from(beta),
        });
      }),
  );
