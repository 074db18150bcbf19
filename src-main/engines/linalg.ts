/**
 * Dense linear algebra for the clearing engine: LU factorisation with partial pivoting, P·M = L·U (L unit lower
 * triangular, stored below the diagonal of the factor; U on and above it), and the solves M·y = r and Mᵀ·y = r.
 * Used for the Eisenberg–Noe default-set systems (I − A_Dᵀ) p_D = … and the depth (I − A_D) u_D = 1 (formats.md).
 * Matrices are row-major Float64Arrays of an m × m block stored with stride m; all work is in place.
 */
import { EngineInputError } from './errors';

/** Relative pivot size below which a matrix is treated as singular. */
export const SINGULAR_TOLERANCE = 1e-13;

/**
 * Factorises the m × m matrix `lu` in place; `pivots[k]` receives the row swapped into position k.
 * Throws `EngineInputError` when a pivot is below SINGULAR_TOLERANCE times the largest entry.
 */
export function luFactor(lu: Float64Array, m: number, pivots: Int32Array): void {
  let scale = 0;
  for (let k = 0; k < m * m; k++) scale = Math.max(scale, Math.abs(lu[k]!));
  const tiny = SINGULAR_TOLERANCE * (scale > 0 ? scale : 1);
  for (let k = 0; k < m; k++) {
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
    const pivot = lu[k * m + k]!;
    for (let r = k + 1; r < m; r++) {
      const rowOffset = r * m;
      const factor = lu[rowOffset + k]! / pivot;
      if (factor === 0) continue;
      lu[rowOffset + k] = factor;
      const kOffset = k * m;
      for (let c = k + 1; c < m; c++) lu[rowOffset + c] -= factor * lu[kOffset + c]!;
    }
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
  if (matrix.length < m * m || rhs.length < m) throw new EngineInputError(`solveDense: arrays smaller than ${m} × ${m}`);
  const lu = matrix.slice(0, m * m);
  const y = rhs.slice(0, m);
  const pivots = new Int32Array(m);
  luFactor(lu, m, pivots);
  luSolve(lu, m, pivots, y);
  return y;
}

/**
 * Solves M·Y = R in place for `count` right-hand sides at once, R row-major m × count (row r holds the r-th entry
 * of every right-hand side): the factors are read once per block instead of once per column.
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
  for (let r = 1; r < m; r++) {
    const row = r * count;
    const offset = r * m;
    for (let c = 0; c < r; c++) {
      const factor = lu[offset + c]!;
      if (factor === 0) continue;
      const from = c * count;
      for (let t = 0; t < count; t++) rhs[row + t] -= factor * rhs[from + t]!;
    }
  }
  for (let r = m - 1; r >= 0; r--) {
    const row = r * count;
    const offset = r * m;
    for (let c = r + 1; c < m; c++) {
      const factor = lu[offset + c]!;
      if (factor === 0) continue;
      const from = c * count;
      for (let t = 0; t < count; t++) rhs[row + t] -= factor * rhs[from + t]!;
    }
    const diagonal = lu[offset + r]!;
    for (let t = 0; t < count; t++) rhs[row + t] /= diagonal;
  }
}
