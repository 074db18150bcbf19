import { describe, expect, it } from 'vitest';
import { EngineInputError } from '../../src-main/engines/errors';
import { InverseColumns, LU_BLOCK, luFactor, luSolve, luSolveMany } from '../../src-main/engines/linalg';
import { Rng } from '../../src-main/engines/random';

function randomMatrix(m: number, seed: number): Float64Array {
  const rng = new Rng(seed, 0);
  return Float64Array.from({ length: m * m }, () => rng.uniform() - 0.5);
}

function multiply(a: Float64Array, m: number, x: Float64Array): Float64Array {
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) out[i]! += a[i * m + j]! * x[j]!;
  return out;
}

describe('blocked LU', () => {
  for (const m of [7, 60, 2 * LU_BLOCK, 2 * LU_BLOCK + 37, 250]) {
    it(`gives the column-by-column factors and pivots (m = ${m}) and solves to a small residual`, () => {
      const a = randomMatrix(m, m);
      const blocked = a.slice();
      const plain = a.slice();
      const pivotsBlocked = new Int32Array(m);
      const pivotsPlain = new Int32Array(m);
      luFactor(blocked, m, pivotsBlocked);
      luFactor(plain, m, pivotsPlain, m);
      expect(Array.from(pivotsBlocked)).toEqual(Array.from(pivotsPlain));
      let gap = 0;
      for (let k = 0; k < m * m; k++) gap = Math.max(gap, Math.abs(blocked[k]! - plain[k]!));
      expect(gap).toBeLessThan(1e-10);
      const x = Float64Array.from({ length: m }, (_, i) => Math.sin(i + 1));
      const b = multiply(a, m, x);
      luSolve(blocked, m, pivotsBlocked, b);
      for (let i = 0; i < m; i++) expect(Math.abs(b[i]! - x[i]!)).toBeLessThan(1e-9);
    });
  }

  it('refuses a singular matrix in one line, as column by column', () => {
    const m = 3 * LU_BLOCK;
    const a = randomMatrix(m, 3);
    for (let c = 0; c < m; c++) a[(m - 1) * m + c] = a[5 * m + c]! * 2; // row m−1 = 2 × row 5
    expect(() => luFactor(a.slice(), m, new Int32Array(m))).toThrow(EngineInputError);
    expect(() => luFactor(a.slice(), m, new Int32Array(m))).toThrow(
      /^singular matrix: no usable pivot in column \d+ of 144$/,
    );
  });

  it('solves many right-hand sides at once as one by one (any count, including not a multiple of four)', () => {
    const m = 130;
    const lu = randomMatrix(m, 9);
    const pivots = new Int32Array(m);
    luFactor(lu, m, pivots);
    for (const count of [1, 3, 17]) {
      const rhs = Float64Array.from({ length: m * count }, (_, k) => Math.cos(k));
      const many = rhs.slice();
      luSolveMany(lu, m, pivots, many, count);
      for (let t = 0; t < count; t++) {
        const one = Float64Array.from({ length: m }, (_, r) => rhs[r * count + t]!);
        luSolve(lu, m, pivots, one);
        for (let r = 0; r < m; r++)
          expect(Math.abs(many[r * count + t]! - one[r]!)).toBeLessThan(1e-10 * (1 + Math.abs(one[r]!)));
      }
    }
  });

  it('gives each column of the inverse the same digits whichever columns are solved with it', () => {
    const m = 3 * LU_BLOCK + 5;
    const a = randomMatrix(m, 11);
    const lu = a.slice();
    const pivots = new Int32Array(m);
    luFactor(lu, m, pivots);
    const wanted = [m - 1, 0, 57, 3, 58, 140];
    const alone = wanted.map((j) => new InverseColumns(lu, m, pivots).column(j));
    const together = new InverseColumns(lu, m, pivots);
    together.prefetch([...wanted, 9, 10, 11, 12, 13, 100]);
    const mixed = new InverseColumns(lu, m, pivots);
    mixed.prefetch([140, 3]);
    mixed.prefetch(wanted);
    wanted.forEach((j, k) => {
      expect(Array.from(together.column(j))).toEqual(Array.from(alone[k]!));
      expect(Array.from(mixed.column(j))).toEqual(Array.from(alone[k]!));
      // M · (column j of M⁻¹) = e_j
      const product = multiply(a, m, alone[k]!);
      product.forEach((value, i) => expect(Math.abs(value - (i === j ? 1 : 0))).toBeLessThan(1e-10));
    });
    expect(together.solves).toBe(12);
  });

  it('uses factors held in a kernel workspace in place, for one solver after another (no copy, same columns)', () => {
    const m = 150;
    const a = randomMatrix(m, 12);
    const workspace = InverseColumns.workspaceFor(m);
    const lu = workspace.take(m * m);
    lu.set(a);
    const pivots = new Int32Array(m);
    luFactor(lu, m, pivots);
    const reference = new InverseColumns(lu.slice(), m, pivots).column(7);
    // each solver takes its block of right-hand sides after the factors and gives it back after each solve
    for (let round = 0; round < 3; round++) {
      const inverse = new InverseColumns(lu, m, pivots);
      expect(inverse.factors).toBe(lu);
      expect(Array.from(inverse.column(7))).toEqual(Array.from(reference));
      inverse.prefetch([1, 2, 3]);
    }
    expect(workspace.used).toBe(m * m);
  });

  // 40 keeps its columns one by one, 150 in the store the rows kernel reads (eight columns at a time, then the rest)
  for (const m of [40, 150]) {
    it(`adds weighted columns of the inverse to a vector as M⁻¹ times the weights (m = ${m})`, () => {
      const a = randomMatrix(m, 13);
      const lu = a.slice();
      const pivots = new Int32Array(m);
      luFactor(lu, m, pivots);
      const inverse = new InverseColumns(lu, m, pivots, { lasting: true });
      const rng = new Rng(14, 0);
      const js = [3, m - 1, 0, 17, 18, 5, 30, 31, 9, 11, 2];
      const weights = js.map(() => rng.uniform() - 0.5);
      const start = Float64Array.from({ length: m }, () => rng.uniform());
      const out = start.slice();
      inverse.addColumns(out, js, weights);
      // M (out − start) = Σ_t weights[t] e_{js[t]}
      const difference = out.map((value, i) => value - start[i]!);
      const product = multiply(a, m, difference);
      const expected = new Float64Array(m);
      js.forEach((j, t) => (expected[j]! += weights[t]!));
      product.forEach((value, i) => expect(Math.abs(value - expected[i]!)).toBeLessThan(1e-10));
      expect(inverse.solves).toBe(js.length);
    });

    it(`gathers a principal submatrix of the inverse from its columns (m = ${m})`, () => {
      const a = randomMatrix(m, 15);
      const lu = a.slice();
      const pivots = new Int32Array(m);
      luFactor(lu, m, pivots);
      const inverse = new InverseColumns(lu, m, pivots, { lasting: true });
      const reference = new InverseColumns(lu, m, pivots);
      const js = [m - 2, 4, 0, 19, 7, 8, 9, 10, 11, 33, 1];
      const k = js.length;
      const out = new Float64Array(k * k + 3).fill(-7);
      inverse.principalSubmatrix(js, out);
      for (let r = 0; r < k; r++)
        for (let c = 0; c < k; c++) expect(out[r * k + c]).toBe(reference.column(js[c]!)[js[r]!]);
      expect(Array.from(out.subarray(k * k))).toEqual([-7, -7, -7]);
    });
  }
});
