import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NETWORK_FORMAT, type NetworkDocument } from '../../src-shared/formats/network';
import {
  clearBatch,
  clearInto,
  clearingInverse,
  clearPicard,
  clearScenario,
  createWorkspace,
  productForm,
  type ExactPath,
} from '../../src-main/engines/clearing';
import { EngineInputError } from '../../src-main/engines/errors';
import { luFactor, luSolve, luSolveTransposed, solveDense } from '../../src-main/engines/linalg';
import { fromDenseLiabilities, toClearingSystem, type ClearingSystem } from '../../src-main/engines/network-arrays';

/** A owes B 10 and has outside liabilities 10; B owes C 5; see the hand computation in each test. */
function threeBanks(): NetworkDocument {
  return {
    format: NETWORK_FORMAT,
    name: 'three banks',
    nodes: [
      { id: 'A', outsideAssets: 25, outsideLiabilities: 10 },
      { id: 'B', outsideAssets: 10, outsideLiabilities: 5 },
      { id: 'C', outsideAssets: 20, outsideLiabilities: 10 },
    ],
    liabilities: [
      { debtor: 'A', creditor: 'B', amount: 10 },
      { debtor: 'B', creditor: 'C', amount: 5 },
    ],
  };
}

interface RandomNetwork {
  system: ClearingSystem;
  shock: Float64Array;
  shockFractions: number[];
}

const PATHS: ExactPath[] = ['auto', 'general', 'lu', 'schur', 'lu-full'];

const amount = (max: number) => fc.double({ min: 0, max, noNaN: true, noDefaultInfinity: true });

/** Small random networks (2–7 banks, some links absent) with a shock 0 ≤ x ≤ c. */
const networkArbitrary = (minOutsideLiabilities: number) =>
  fc.integer({ min: 2, max: 7 }).chain((n) =>
    fc
      .record({
        pbar: fc.array(fc.oneof(fc.constant(0), amount(100)), { minLength: n * n, maxLength: n * n }),
        c: fc.array(amount(100), { minLength: n, maxLength: n }),
        b: fc.array(fc.double({ min: minOutsideLiabilities, max: 100, noNaN: true }), { minLength: n, maxLength: n }),
        // a third of the draws are total losses, so that large default sets (|S| of 0, 1, 2) are common
        fractions: fc.array(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(1)), {
          minLength: n,
          maxLength: n,
        }),
      })
      .map(({ pbar, c, b, fractions }): RandomNetwork => {
        const matrix = Float64Array.from(pbar, (v) => (v < 1e-9 ? 0 : v)); // no sub-rounding amounts (see below)
        for (let i = 0; i < n; i++) matrix[i * n + i] = 0;
        const ids = Array.from({ length: n }, (_, i) => `N${i}`);
        const system = fromDenseLiabilities(ids, matrix, Float64Array.from(c), Float64Array.from(b));
        // fractions below 1e-9 become 0: a sub-rounding shock sits exactly on the Rogers–Veraart discontinuity,
        // where "c − x + inflow < p̄" and "x > w" can disagree in floating point
        const shock = Float64Array.from(fractions, (f, i) => (f < 1e-9 ? 0 : Math.min(c[i]!, f * c[i]!)));
        return { system, shock, shockFractions: fractions };
      }),
  );

function fixedPointResidual(system: ClearingSystem, shock: Float64Array, p: Float64Array): number {
  const n = system.nBanks;
  let worst = 0;
  for (let i = 0; i < n; i++) {
    let inflow = 0;
    for (let j = 0; j < n; j++) inflow += system.relative[j * n + i]! * p[j]!;
    const target = Math.min(system.totalObligations[i]!, Math.max(0, inflow + system.outsideAssets[i]! - shock[i]!));
    worst = Math.max(worst, Math.abs(target - p[i]!) / Math.max(1, system.totalObligations[i]!));
  }
  return worst;
}

/** min_i |c_i − x_i + Σ_j a_ji p_j − p̄_i| / max(1, p̄_i): how close any bank is to the edge of default. */
function smallestSolvencyMargin(system: ClearingSystem, shock: Float64Array, p: Float64Array): number {
  const n = system.nBanks;
  let smallest = Infinity;
  for (let i = 0; i < n; i++) {
    let inflow = 0;
    for (let j = 0; j < n; j++) inflow += system.relative[j * n + i]! * p[j]!;
    const margin = system.outsideAssets[i]! - shock[i]! + inflow - system.totalObligations[i]!;
    smallest = Math.min(smallest, Math.abs(margin) / Math.max(1, system.totalObligations[i]!));
  }
  return smallest;
}

describe('linalg', () => {
  it('solves M y = r and Mᵀ y = r with partial pivoting', () => {
    const m = 3;
    const matrix = Float64Array.from([0, 2, 1, 1, 1, 0, 3, 0, 1]);
    const y = solveDense(matrix, m, Float64Array.from([5, 3, 4]));
    expect(Array.from(y)).toEqual([expect.closeTo(1, 12), expect.closeTo(2, 12), expect.closeTo(1, 12)]);
    const lu = matrix.slice();
    const pivots = new Int32Array(m);
    luFactor(lu, m, pivots);
    const t = Float64Array.from([1, 2, 3]);
    luSolveTransposed(lu, m, pivots, t);
    // check Mᵀ t = (1, 2, 3)
    for (let c = 0; c < m; c++) {
      let sum = 0;
      for (let r = 0; r < m; r++) sum += matrix[r * m + c]! * t[r]!;
      expect(sum).toBeCloseTo(c + 1, 12);
    }
    const again = Float64Array.from([5, 3, 4]);
    luSolve(lu, m, pivots, again);
    expect(again[1]).toBeCloseTo(2, 12);
  });

  it('refuses a singular matrix with EngineInputError', () => {
    expect(() => solveDense(Float64Array.from([1, 2, 2, 4]), 2, Float64Array.from([1, 1]))).toThrow(EngineInputError);
  });
});

describe('network arrays', () => {
  it('derives p̄, w, A, β and the CSR form', () => {
    const system = toClearingSystem(threeBanks());
    expect(Array.from(system.totalObligations)).toEqual([20, 10, 10]);
    expect(Array.from(system.netWorth)).toEqual([5, 10, 15]);
    expect(system.relative[0 * 3 + 1]).toBe(0.5);
    expect(system.relative[1 * 3 + 2]).toBe(0.5);
    expect(Array.from(system.connectivity)).toEqual([0.5, 0.5, 0]);
    expect(Array.from(system.csr.rowStart)).toEqual([0, 1, 2, 2]);
    expect(Array.from(system.csr.creditor)).toEqual([1, 2]);
  });

  it('names the node and the rule for missing or negative values', () => {
    const missing = threeBanks();
    missing.nodes[1] = { id: 'B', outsideAssets: 10 };
    expect(() => toClearingSystem(missing)).toThrow(/node "B": outside liabilities are required/);
    const negative = threeBanks();
    negative.nodes[2]!.outsideAssets = -1;
    expect(() => toClearingSystem(negative)).toThrow(/node "C": outside assets must be a finite number ≥ 0/);
    const badEntry = threeBanks();
    badEntry.liabilities[0]!.amount = -3;
    expect(() => toClearingSystem(badEntry)).toThrow(/A → B\): amount must be/);
    try {
      toClearingSystem(missing);
    } catch (error) {
      expect(error).toBeInstanceOf(EngineInputError);
      expect((error as EngineInputError).field).toBe('nodes.1.outsideLiabilities');
    }
  });
});

describe('Eisenberg–Noe clearing', () => {
  it('matches the hand-computed three-bank example', () => {
    const system = toClearingSystem(threeBanks());
    // x = (15, 0, 0): A keeps 10 of 20, pays B 5 of 10; B (w = 10) absorbs it.
    const first = clearScenario(system, [15, 0, 0]);
    expect(Array.from(first.payments)).toEqual([10, 10, 10]);
    expect(first.defaults).toEqual([0]);
    expect(first.loss).toBe(15);
    expect(first.lossDepthForm).toBe(15);
    expect(Array.from(first.depth)).toEqual([1, 0, 0]);
    // x = (25, 10, 0): A pays 0; B then loses 10 of inflow and defaults in round 2; C (w = 15) loses 5.
    const second = clearScenario(system, [25, 10, 0]);
    expect(Array.from(second.payments)).toEqual([0, 0, 10]);
    expect(second.defaults).toEqual([0, 1]);
    expect(Array.from(second.defaultRound)).toEqual([1, 2, 0]);
    expect(Array.from(second.shortfall)).toEqual([20, 10, 0]);
    expect(Array.from(second.depth)).toEqual([1.5, 1, 0]);
    expect(second.loss).toBe(45); // min(25,5) + min(10,10) + 0 + (20 + 10)
    expect(second.lossDepthForm).toBeCloseTo(45, 12); // 15 + (25 − 5)·1.5 + (10 − 10)·1
    expect(second.shortfallTotal).toBe(30);
    expect(second.shockTotal).toBe(35);
  });

  it('takes the fast path when every x_i ≤ w_i: nobody defaults, L = Σ x', () => {
    const system = toClearingSystem(threeBanks());
    const result = clearScenario(system, [5, 10, 15]);
    expect(result.method).toBe('no-default');
    expect(result.defaults).toEqual([]);
    expect(result.loss).toBe(30);
    expect(Array.from(result.payments)).toEqual([20, 10, 10]);
  });

  it('refuses shocks outside [0, c_i], naming the bank and scenario', () => {
    const system = toClearingSystem(threeBanks());
    expect(() => clearScenario(system, [1, -1, 0])).toThrow(/bank "B" must satisfy 0 ≤ x ≤ c = 10, got -1/);
    expect(() => clearScenario(system, [1, 0, 21])).toThrow(/bank "C"/);
    expect(() => clearScenario(system, [Number.NaN, 0, 0])).toThrow(/bank "A"/);
    expect(() => clearBatch(system, Float64Array.from([0, 0, 0, 0, 11, 0]))).toThrow(/scenario 1: shock on bank "B"/);
  });

  it.each(PATHS)('pays nothing, not −1e-12, where a cycle with nothing outside clears at zero (%s)', (exactPath) => {
    // found by the property below (seed 1645382551): N4 and N6 owe each other and hold no outside assets, so both pay
    // 0; the exact solves' inflow differences left −1.0e-12 and −9.9e-13 before payments were kept at or above 0
    const ids = ['N0', 'N1', 'N2', 'N3', 'N4', 'N5', 'N6'];
    const pbar = new Float64Array(49);
    for (const [debtor, creditor, amount] of [
      [0, 6, 99.99999999976232],
      [3, 4, 0.499999999999865],
      [4, 6, 31.999999999523297],
      [5, 6, 99.99999999964513],
      [6, 4, 37.26207367086239],
    ] as const)
      pbar[debtor * 7 + creditor] = amount;
    const system = fromDenseLiabilities(ids, pbar, new Float64Array(7), new Float64Array(7).fill(0.5));
    const result = clearScenario(system, new Float64Array(7), { exactPath });
    expect(Array.from(result.payments)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    // nothing is paid: the loss is every obligation less the net worth already missing (N0, N1, N2, N3 and N5)
    let identity = 0;
    for (let i = 0; i < 7; i++) identity += system.totalObligations[i]! + Math.min(0, system.netWorth[i]!);
    expect(result.loss).toBeCloseTo(identity, 9);
    expect(result.loss).toBeCloseTo(system.totalObligations[4]! + system.totalObligations[6]!, 9); // N4's and N6's
  });

  it.each(PATHS)(
    'gives a fixed point p = min(p̄, max(0, Aᵀp + c − x)) with 0 ≤ p ≤ p̄ and the loss identities (%s)',
    (exactPath) => {
      fc.assert(
        fc.property(networkArbitrary(0.5), ({ system, shock }) => {
          const result = clearScenario(system, shock, { exactPath });
          expect(fixedPointResidual(system, shock, result.payments)).toBeLessThan(1e-9);
          for (let i = 0; i < system.nBanks; i++) {
            expect(result.payments[i]).toBeGreaterThanOrEqual(-1e-12);
            expect(result.payments[i]).toBeLessThanOrEqual(system.totalObligations[i]!);
            expect(result.defaultRound[i] !== 0).toBe(result.payments[i]! < system.totalObligations[i]!);
          }
          let direct = 0;
          let shortfall = 0;
          for (let i = 0; i < system.nBanks; i++) {
            direct += Math.min(shock[i]!, system.netWorth[i]!);
            shortfall += system.totalObligations[i]! - result.payments[i]!;
          }
          const scale = Math.max(1, Math.abs(result.loss));
          expect(Math.abs(result.loss - (direct + shortfall)) / scale).toBeLessThan(1e-9);
          expect(Math.abs(result.loss - result.lossDepthForm) / scale).toBeLessThan(1e-9);
        }),
        { numRuns: 400 },
      );
    },
  );

  it.each(PATHS)('agrees with Picard iteration to 1e-9 relative (%s)', (exactPath) => {
    fc.assert(
      fc.property(networkArbitrary(1), ({ system, shock }) => {
        const exact = clearScenario(system, shock, { exactPath });
        const picard = clearPicard(system, shock, { tolerance: 1e-15 });
        expect(picard.converged).toBe(true);
        for (let i = 0; i < system.nBanks; i++) {
          const scale = Math.max(1, system.totalObligations[i]!);
          expect(Math.abs(exact.payments[i]! - picard.payments[i]!) / scale).toBeLessThan(1e-9);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('pays less (never more) when a shock grows', () => {
    fc.assert(
      fc.property(
        networkArbitrary(0.5),
        fc.integer({ min: 0, max: 6 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (net, bank, extra) => {
          const { system, shock } = net;
          const i = bank % system.nBanks;
          const bigger = shock.slice();
          bigger[i] = Math.min(system.outsideAssets[i]!, shock[i]! + extra * (system.outsideAssets[i]! - shock[i]!));
          const before = clearScenario(system, shock).payments;
          const after = clearScenario(system, bigger).payments;
          for (let k = 0; k < system.nBanks; k++)
            expect(after[k]!).toBeLessThanOrEqual(before[k]! + 1e-9 * Math.max(1, before[k]!));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('Rogers–Veraart with α = β = 1 equals Eisenberg–Noe, and lower recovery pays less', () => {
    fc.assert(
      fc.property(networkArbitrary(0.5), ({ system, shock }) => {
        const en = clearScenario(system, shock);
        const rv = clearScenario(system, shock, { alpha: 1, beta: 1 });
        expect(Array.from(rv.payments)).toEqual(Array.from(en.payments));
        const costly = clearScenario(system, shock, { alpha: 0.5, beta: 0.8 });
        const picard = clearPicard(system, shock, { alpha: 0.5, beta: 0.8 });
        // With α, β < 1 payments jump where a bank's margin c − x + Σ_j a_ji p_j − p̄ crosses 0; a draw whose margin
        // is within rounding of 0 may land on either side in floating point, so it says nothing about the solver.
        fc.pre(smallestSolvencyMargin(system, shock, costly.payments) > 1e-9);
        for (let i = 0; i < system.nBanks; i++) {
          expect(costly.payments[i]!).toBeLessThanOrEqual(en.payments[i]! + 1e-9);
          expect(Math.abs(costly.payments[i]! - picard.payments[i]!)).toBeLessThan(
            1e-7 * Math.max(1, system.totalObligations[i]!),
          );
        }
      }),
      { numRuns: 200 },
    );
  });

  it('batch results equal one-by-one clearing, with reused buffers', () => {
    fc.assert(
      fc.property(
        networkArbitrary(0.5),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 21, maxLength: 21 }),
        ({ system }, fractions) => {
          const n = system.nBanks;
          const nScenarios = 3;
          const shocks = new Float64Array(nScenarios * n);
          for (let k = 0; k < shocks.length; k++) shocks[k] = fractions[k % 21]! * system.outsideAssets[k % n]!;
          const batch = clearBatch(system, shocks, { depth: true });
          for (let s = 0; s < nScenarios; s++) {
            const single = clearScenario(system, shocks.subarray(s * n, (s + 1) * n));
            expect(batch.loss[s]).toBe(single.loss);
            expect(Array.from(batch.payments.subarray(s * n, (s + 1) * n))).toEqual(Array.from(single.payments));
            expect(Array.from(batch.depth!.subarray(s * n, (s + 1) * n))).toEqual(Array.from(single.depth));
            expect(batch.nDefaults[s]).toBe(single.defaults.length);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('solves large default sets by iteration with the same result as dense LU', () => {
    fc.assert(
      fc.property(networkArbitrary(1), ({ system, shock }) => {
        const dense = createWorkspace(system);
        const iterative = createWorkspace(system, { denseLimit: 1, exactPath: 'lu' });
        clearInto(dense, shock);
        clearInto(iterative, shock);
        for (let i = 0; i < system.nBanks; i++) {
          expect(Math.abs(dense.payments[i]! - iterative.payments[i]!)).toBeLessThan(
            1e-9 * Math.max(1, system.totalObligations[i]!),
          );
        }
      }),
      { numRuns: 150 },
    );
  });

  /** Networks where every bank but the first `solvent` ones defaults: tiny interbank amounts, large b, x = c. */
  const nearlyAllDefault = (solvent: number) =>
    fc.integer({ min: Math.max(2, solvent + 1), max: 9 }).chain((n) =>
      fc
        .record({
          pbar: fc.array(fc.oneof(fc.constant(0), amount(10)), { minLength: n * n, maxLength: n * n }),
          c: fc.array(fc.double({ min: 1, max: 100, noNaN: true }), { minLength: n, maxLength: n }),
          b: fc.array(fc.double({ min: 100, max: 200, noNaN: true }), { minLength: n, maxLength: n }),
        })
        .map(({ pbar, c, b }) => {
          const matrix = Float64Array.from(pbar, (v) => (v < 1e-9 ? 0 : v));
          for (let i = 0; i < n; i++) matrix[i * n + i] = 0;
          const outside = Float64Array.from(c);
          for (let i = 0; i < solvent; i++) outside[i] = 1e4; // w_i ≥ 1e4 − 300: never defaults
          const ids = Array.from({ length: n }, (_, i) => `N${i}`);
          const system = fromDenseLiabilities(ids, matrix, outside, Float64Array.from(b));
          const shock = Float64Array.from(outside, (v, i) => (i < solvent ? 0 : v));
          return { system, shock };
        }),
    );

  function expectSamePayments(system: ClearingSystem, a: Float64Array, b: Float64Array): void {
    for (let i = 0; i < system.nBanks; i++) {
      expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, system.totalObligations[i]!));
    }
  }

  it.each([0, 1, 2])('Schur path through (I − Aᵀ)⁻¹ equals the LU path with |S| = %i solvent banks', (solvent) => {
    fc.assert(
      fc.property(nearlyAllDefault(solvent), ({ system, shock }) => {
        expect(clearingInverse(system)).not.toBeNull();
        const schur = createWorkspace(system, { exactPath: 'schur' });
        const lu = createWorkspace(system, { exactPath: 'lu-full' });
        clearInto(schur, shock);
        clearInto(lu, shock);
        expect(schur.method).toBe('fictitious-default');
        expect(schur.nDefaults).toBe(system.nBanks - solvent);
        expect(lu.nDefaults).toBe(system.nBanks - solvent);
        expectSamePayments(system, schur.payments, lu.payments);
        expect(fixedPointResidual(system, shock, schur.payments)).toBeLessThan(1e-9);
        expect(Math.abs(schur.loss - lu.loss)).toBeLessThanOrEqual(1e-9 * Math.max(1, lu.loss));
      }),
      { numRuns: 150 },
    );
  });

  it('Schur, incremental LU and full LU agree on random systems', () => {
    fc.assert(
      fc.property(networkArbitrary(0.5), ({ system, shock }) => {
        const full = createWorkspace(system, { exactPath: 'lu-full' });
        clearInto(full, shock);
        for (const exactPath of ['schur', 'lu', 'general', 'auto'] as const) {
          const ws = createWorkspace(system, { exactPath });
          clearInto(ws, shock);
          expectSamePayments(system, ws.payments, full.payments);
          expect(Math.abs(ws.loss - full.loss)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(full.loss)));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('uses the Schur path on the workspace when most banks default, and refuses a singular I − Aᵀ', () => {
    // a closed loop A ↔ B with no outside liabilities: I − Aᵀ is singular, so M is unavailable
    const loop = fromDenseLiabilities(
      ['A', 'B'],
      Float64Array.from([0, 5, 5, 0]),
      Float64Array.from([1, 1]),
      Float64Array.from([0, 0]),
    );
    expect(clearingInverse(loop)).toBeNull();
    const result = clearScenario(loop, [1, 1], { exactPath: 'schur' });
    expect(fixedPointResidual(loop, Float64Array.from([1, 1]), result.payments)).toBeLessThan(1e-9);
  });

  /** Maximum-entropy-like networks p̄_ij = r_i s_j (i ≠ j), where A has the product form a_ij = g_i h_j. */
  const productNetwork = fc.integer({ min: 3, max: 12 }).chain((n) =>
    fc
      .record({
        r: fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: n, maxLength: n }),
        s: fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: n, maxLength: n }),
        c: fc.array(fc.double({ min: 1, max: 300, noNaN: true }), { minLength: n, maxLength: n }),
        b: fc.array(fc.double({ min: 1, max: 100, noNaN: true }), { minLength: n, maxLength: n }),
        fractions: fc.array(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(1)), {
          minLength: n,
          maxLength: n,
        }),
      })
      .map(({ r, s, c, b, fractions }) => {
        const matrix = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) matrix[i * n + j] = i === j ? 0 : r[i]! * s[j]!;
        const ids = Array.from({ length: n }, (_, i) => `N${i}`);
        const system = fromDenseLiabilities(ids, matrix, Float64Array.from(c), Float64Array.from(b));
        const shock = Float64Array.from(fractions, (f, i) => (f < 1e-9 ? 0 : Math.min(c[i]!, f * c[i]!)));
        return { system, shock };
      }),
  );

  it('clears product-form (maximum-entropy) networks in O(n) per round, equal to LU and Picard', () => {
    fc.assert(
      fc.property(productNetwork, ({ system, shock }) => {
        expect(productForm(system)).not.toBeNull();
        const fast = createWorkspace(system);
        const full = createWorkspace(system, { exactPath: 'lu-full' });
        clearInto(fast, shock);
        clearInto(full, shock);
        expectSamePayments(system, fast.payments, full.payments);
        expectSamePayments(system, fast.payments, clearPicard(system, shock, { tolerance: 1e-15 }).payments);
        expect(fixedPointResidual(system, shock, fast.payments)).toBeLessThan(1e-9);
        expect(Math.abs(fast.loss - full.loss)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(full.loss)));
      }),
      { numRuns: 300 },
    );
    // one perturbed entry breaks the product form: the general paths are used
    const n = 4;
    const matrix = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) matrix[i * n + j] = i === j ? 0 : (i + 1) * (j + 2);
    matrix[1]! *= 1.001;
    const ids = ['A', 'B', 'C', 'D'];
    expect(
      productForm(
        fromDenseLiabilities(ids, matrix, Float64Array.from([50, 50, 50, 50]), Float64Array.from([5, 5, 5, 5])),
      ),
    ).toBeNull();
  });
});
