/**
 * Dense linear algebra for the clearing engine: LU factorisation with partial pivoting, P·M = L·U (L unit lower
 * triangular, stored below the diagonal of the factor; U on and above it), and the solves M·y = r and Mᵀ·y = r.
 * Used for the Eisenberg–Noe default-set systems (I − A_Dᵀ) p_D = … and the depth (I − A_D) u_D = 1 (docs/formats.md).
 * Matrices are row-major Float64Arrays of an m × m block stored with stride m; all work is in place.
 */
import { EngineInputError } from './errors';

/** Relative pivot size below which a matrix is treated as singular. */
export const SINGULAR_TOLERANCE = 1e-13;

/** Panel width of the blocked factorisation; matrices narrower than two panels are factorised column by column. */
export const LU_BLOCK = 48;

/**
 * Factorises the m × m matrix `lu` in place; `pivots[k]` receives the row swapped into position k.
 * Throws `EngineInputError` when a pivot is below SINGULAR_TOLERANCE times the largest entry.
 *
 * Right-looking blocked LU (Golub & Van Loan, "Matrix Computations", 4th ed. 2013, §3.2.11 and §3.4.4): each
 * panel of LU_BLOCK columns is factorised with partial pivoting (whole rows swapped, as column by column), the
 * block row of U to its right is solved with the panel's unit L, and the trailing matrix takes the rank-LU_BLOCK
 * update A₂₂ −= L₂₁ U₁₂ row by row, four panel columns at a time, so each trailing row is read once per panel
 * instead of once per column. Same factors and pivots as elimination column by column (`block` ≥ m/2), up to
 * rounding.
 */
export function luFactor(lu: Float64Array, m: number, pivots: Int32Array, block = LU_BLOCK): void {
  let scale = 0;
  for (let k = 0; k < m * m; k++) scale = Math.max(scale, Math.abs(lu[k]!));
  const tiny = SINGULAR_TOLERANCE * (scale > 0 ? scale : 1);
  const width = m < 2 * block ? m : block;
  for (let k0 = 0; k0 < m; k0 += width) {
    const k1 = Math.min(m, k0 + width);
    factorPanel(lu, m, pivots, k0, k1, tiny);
    if (k1 === m) break;
    // U₁₂: rows k0 … k1−1, columns k1 … m−1, forward substitution with the unit L₁₁
    for (let k = k0; k < k1; k++) {
      for (let r = k + 1; r < k1; r++) {
        const l = lu[r * m + k]!;
        if (l === 0) continue;
        const row = r * m;
        const source = k * m;
        for (let c = k1; c < m; c++) lu[row + c]! -= l * lu[source + c]!;
      }
    }
    for (let r = k1; r < m; r++) updateTrailingRow(lu, m, r, k0, k1);
  }
}

/** Eliminates columns k0 … k1−1 with partial pivoting, updating only the panel's own columns below the diagonal. */
function factorPanel(lu: Float64Array, m: number, pivots: Int32Array, k0: number, k1: number, tiny: number): void {
  for (let k = k0; k < k1; k++) {
    let pivotRow = k;
    let pivotAbs = Math.abs(lu[k * m + k]!);
    for (let r = k + 1; r < m; r++) {
      const value = Math.abs(lu[r * m + k]!);
      if (value > pivotAbs) {
        pivotAbs = value;
        pivotRow = r;
      }
    }
    if (!(pivotAbs > tiny)) throw new EngineInputError(`singular matrix: no usable pivot in column ${k} of ${m}`);
    pivots[k] = pivotRow;
    if (pivotRow !== k) {
      const a = k * m;
      const b = pivotRow * m;
      for (let c = 0; c < m; c++) {
        const t = lu[a + c]!;
        lu[a + c] = lu[b + c]!;
        lu[b + c] = t;
      }
    }
    const kOffset = k * m;
    const pivot = lu[kOffset + k]!;
    for (let r = k + 1; r < m; r++) {
      const rowOffset = r * m;
      const factor = lu[rowOffset + k]! / pivot;
      if (factor === 0) continue;
      lu[rowOffset + k] = factor;
      for (let c = k + 1; c < k1; c++) lu[rowOffset + c]! -= factor * lu[kOffset + c]!;
    }
  }
}

/** Row r of the trailing matrix: A[r, k1…] −= Σ_{k0 ≤ k < k1} L[r, k] U[k, k1…], four k at a time. */
function updateTrailingRow(lu: Float64Array, m: number, r: number, k0: number, k1: number): void {
  const row = r * m;
  let k = k0;
  for (; k + 4 <= k1; k += 4) {
    const l0 = lu[row + k]!,
      l1 = lu[row + k + 1]!,
      l2 = lu[row + k + 2]!,
      l3 = lu[row + k + 3]!;
    if (l0 === 0 && l1 === 0 && l2 === 0 && l3 === 0) continue;
    const u0 = k * m,
      u1 = u0 + m,
      u2 = u1 + m,
      u3 = u2 + m;
    for (let c = k1; c < m; c++)
      lu[row + c]! -= l0 * lu[u0 + c]! + l1 * lu[u1 + c]! + l2 * lu[u2 + c]! + l3 * lu[u3 + c]!;
  }
  for (; k < k1; k++) {
    const l = lu[row + k]!;
    if (l === 0) continue;
    const u = k * m;
    for (let c = k1; c < m; c++) lu[row + c]! -= l * lu[u + c]!;
  }
}

/** Solves M·y = rhs in place, given the factors of luFactor. */
export function luSolve(lu: Float64Array, m: number, pivots: Int32Array, rhs: Float64Array): void {
  for (let k = 0; k < m; k++) {
    const p = pivots[k]!;
    if (p !== k) {
      const t = rhs[k]!;
      rhs[k] = rhs[p]!;
      rhs[p] = t;
    }
  }
  for (let r = 1; r < m; r++) {
    let sum = rhs[r]!;
    const offset = r * m;
    for (let c = 0; c < r; c++) sum -= lu[offset + c]! * rhs[c]!;
    rhs[r] = sum;
  }
  for (let r = m - 1; r >= 0; r--) {
    let sum = rhs[r]!;
    const offset = r * m;
    for (let c = r + 1; c < m; c++) sum -= lu[offset + c]! * rhs[c]!;
    rhs[r] = sum / lu[offset + r]!;
  }
}

/** Solves Mᵀ·y = rhs in place, given the factors of luFactor (Mᵀ = Uᵀ Lᵀ P). */
export function luSolveTransposed(lu: Float64Array, m: number, pivots: Int32Array, rhs: Float64Array): void {
  // Uᵀ z = rhs (forward)
  for (let r = 0; r < m; r++) {
    let sum = rhs[r]!;
    for (let c = 0; c < r; c++) sum -= lu[c * m + r]! * rhs[c]!;
    rhs[r] = sum / lu[r * m + r]!;
  }
  // Lᵀ v = z (backward, unit diagonal)
  for (let r = m - 2; r >= 0; r--) {
    let sum = rhs[r]!;
    for (let c = r + 1; c < m; c++) sum -= lu[c * m + r]! * rhs[c]!;
    rhs[r] = sum;
  }
  // y = Pᵀ v: undo the swaps in reverse order
  for (let k = m - 1; k >= 0; k--) {
    const p = pivots[k]!;
    if (p !== k) {
      const t = rhs[k]!;
      rhs[k] = rhs[p]!;
      rhs[p] = t;
    }
  }
}

/** Non-destructive convenience: solves M·y = rhs for an m × m row-major matrix. */
export function solveDense(matrix: Float64Array, m: number, rhs: Float64Array): Float64Array {
  if (matrix.length < m * m || rhs.length < m)
    throw new EngineInputError(`solveDense: arrays smaller than ${m} × ${m}`);
  const lu = matrix.slice(0, m * m);
  const y = rhs.slice(0, m);
  const pivots = new Int32Array(m);
  luFactor(lu, m, pivots);
  luSolve(lu, m, pivots, y);
  return y;
}

/**
 * Solves M·Y = R in place for `count` right-hand sides at once, R row-major m × count (row r holds the r-th entry
 * of every right-hand side): the factors are read once per block instead of once per column, and each row of R
 * takes four rows of the triangle at a time (one read and write of the row per four updates).
 */
export function luSolveMany(lu: Float64Array, m: number, pivots: Int32Array, rhs: Float64Array, count: number): void {
  for (let k = 0; k < m; k++) {
    const p = pivots[k]!;
    if (p === k) continue;
    for (let t = 0; t < count; t++) {
      const a = rhs[k * count + t]!;
      rhs[k * count + t] = rhs[p * count + t]!;
      rhs[p * count + t] = a;
    }
  }
  for (let r = 1; r < m; r++) subtractRows(lu, m, rhs, count, r, 0, r);
  for (let r = m - 1; r >= 0; r--) {
    subtractRows(lu, m, rhs, count, r, r + 1, m);
    const row = r * count;
    const diagonal = lu[r * m + r]!;
    for (let t = 0; t < count; t++) rhs[row + t]! /= diagonal;
  }
}

/** R[r, ·] −= Σ_{from ≤ c < to} T[r, c] R[c, ·] (T = the factor), four c at a time. */
function subtractRows(
  lu: Float64Array,
  m: number,
  rhs: Float64Array,
  count: number,
  r: number,
  from: number,
  to: number,
): void {
  const row = r * count;
  const offset = r * m;
  let c = from;
  for (; c + 4 <= to; c += 4) {
    const f0 = lu[offset + c]!,
      f1 = lu[offset + c + 1]!,
      f2 = lu[offset + c + 2]!,
      f3 = lu[offset + c + 3]!;
    if (f0 === 0 && f1 === 0 && f2 === 0 && f3 === 0) continue;
    const x0 = c * count,
      x1 = x0 + count,
      x2 = x1 + count,
      x3 = x2 + count;
    for (let t = 0; t < count; t++)
      rhs[row + t]! -= f0 * rhs[x0 + t]! + f1 * rhs[x1 + t]! + f2 * rhs[x2 + t]! + f3 * rhs[x3 + t]!;
  }
  for (; c < to; c++) {
    const factor = lu[offset + c]!;
    if (factor === 0) continue;
    const from0 = c * count;
    for (let t = 0; t < count; t++) rhs[row + t]! -= factor * rhs[from0 + t]!;
  }
}

/**
 * Right-hand sides solved together per pass over the LU factors of an m × m matrix: as many as keep the block of
 * right-hand sides within 512 KiB (cache), 8 … 128 (bench/scale-lu.bench.ts: at 2,000 firms, blocks of 128 took
 * 2.3× as long as blocks of 32).
 */
export const columnBlock = (m: number): number => Math.min(128, Math.max(8, Math.floor(2 ** 16 / Math.max(m, 1))));

/**
 * Columns of M⁻¹ from the factors of luFactor, solved as they are asked for (the missing ones together,
 * columnBlock(m) right-hand sides per pass over the factors, `luSolveMany`) and kept. A column's digits do not
 * depend on which columns were solved with it.
 */
export class InverseColumns {
  private readonly columns: Array<Float64Array | undefined>;
  /** Columns solved so far. */
  solves = 0;
  constructor(
    readonly factors: Float64Array,
    readonly size: number,
    readonly pivots: Int32Array,
  ) {
    this.columns = new Array<Float64Array | undefined>(size);
  }
  column(j: number): Float64Array {
    if (!this.columns[j]) this.prefetch([j]);
    return this.columns[j]!;
  }
  /** Solves the missing columns among `js` together. */
  prefetch(js: ArrayLike<number>): void {
    const missing = Array.from(js).filter((j) => !this.columns[j]);
    const m = this.size;
    const width = columnBlock(m);
    for (let start = 0; start < missing.length; start += width) {
      const block = missing.slice(start, start + width);
      const count = block.length;
      const rhs = new Float64Array(m * count);
      block.forEach((j, t) => (rhs[j * count + t] = 1));
      luSolveMany(this.factors, m, this.pivots, rhs, count);
      block.forEach((j, t) => {
        const column = new Float64Array(m);
        for (let i = 0; i < m; i++) column[i] = rhs[i * count + t]!;
        this.columns[j] = column;
      });
      this.solves += count;
    }
  }
}
