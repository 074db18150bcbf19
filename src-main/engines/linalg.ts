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
  const packed = new Float64Array(width * Math.min(m, TILE_COLUMNS));
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
    for (let c0 = k1; c0 < m; c0 += TILE_COLUMNS)
      updateTrailingTile(lu, m, k0, k1, c0, Math.min(m, c0 + TILE_COLUMNS), packed);
  }
}

/** Columns of the trailing matrix updated together: their packed rows of U₁₂ (48 × 256 doubles, 96 KiB) stay in cache. */
const TILE_COLUMNS = 256;

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

/**
 * A[k1…, c0…c1−1] −= L[k1…, k0…k1−1] · U[k0…k1−1, c0…c1−1], the trailing update of one panel on one tile of
 * columns, as a register-blocked matrix product: the tile's rows of U are packed column by column (each column's
 * panel entries contiguous), then every 4 × 4 block of A takes sixteen dot products of length k1 − k0 held in
 * registers — eight loads per sixteen multiply-adds, against five loads and a store per eight for a row at a time.
 */
function updateTrailingTile(
  lu: Float64Array,
  m: number,
  k0: number,
  k1: number,
  c0: number,
  c1: number,
  packed: Float64Array,
): void {
  const b = k1 - k0;
  for (let k = k0; k < k1; k++) {
    const source = k * m;
    for (let c = c0; c < c1; c++) packed[(c - c0) * b + k - k0] = lu[source + c]!;
  }
  const tile = new Float64Array(16);
  let r = k1;
  for (; r + 4 <= m; r += 4) {
    const l0 = r * m + k0;
    let c = c0;
    for (; c + 4 <= c1; c += 4) {
      const u0 = (c - c0) * b;
      dots4x4(lu, l0, m, 1, packed, u0, b, 1, b, tile);
      subtractTile(lu, l0 - k0 + c, m, tile);
    }
    for (; c < c1; c++) for (let q = 0; q < 4; q++) subtractDot(lu, (r + q) * m, k0, packed, (c - c0) * b, b, c);
  }
  for (; r < m; r++) for (let c = c0; c < c1; c++) subtractDot(lu, r * m, k0, packed, (c - c0) * b, b, c);
}

/**
 * tile[4q + j] = Σ_{k < length} a[aq + k·aStep] · b[bj + k·bStep], aq = a0 + q·aRow, bj = b0 + j·bColumn (q, j < 4):
 * sixteen dot products held in registers, eight loads per sixteen multiply-adds (the register blocking of a matrix
 * product). Each sum runs over k in order.
 */
function dots4x4(
  a: Float64Array,
  a0: number,
  aRow: number,
  aStep: number,
  b: Float64Array,
  b0: number,
  bColumn: number,
  bStep: number,
  length: number,
  tile: Float64Array,
): void {
  // prettier-ignore
  let t00 = 0, t01 = 0, t02 = 0, t03 = 0, t10 = 0, t11 = 0, t12 = 0, t13 = 0,
    t20 = 0, t21 = 0, t22 = 0, t23 = 0, t30 = 0, t31 = 0, t32 = 0, t33 = 0;
  let x = a0;
  let y = b0;
  for (let k = 0; k < length; k++, x += aStep, y += bStep) {
    // prettier-ignore
    const p0 = a[x]!, p1 = a[x + aRow]!, p2 = a[x + 2 * aRow]!, p3 = a[x + 3 * aRow]!;
    // prettier-ignore
    const v0 = b[y]!, v1 = b[y + bColumn]!, v2 = b[y + 2 * bColumn]!, v3 = b[y + 3 * bColumn]!;
    t00 += p0 * v0;
    t01 += p0 * v1;
    t02 += p0 * v2;
    t03 += p0 * v3;
    t10 += p1 * v0;
    t11 += p1 * v1;
    t12 += p1 * v2;
    t13 += p1 * v3;
    t20 += p2 * v0;
    t21 += p2 * v1;
    t22 += p2 * v2;
    t23 += p2 * v3;
    t30 += p3 * v0;
    t31 += p3 * v1;
    t32 += p3 * v2;
    t33 += p3 * v3;
  }
  // prettier-ignore
  tile[0] = t00;
  tile[1] = t01;
  tile[2] = t02;
  tile[3] = t03;
  tile[4] = t10;
  tile[5] = t11;
  tile[6] = t12;
  tile[7] = t13;
  // prettier-ignore
  tile[8] = t20;
  tile[9] = t21;
  tile[10] = t22;
  tile[11] = t23;
  tile[12] = t30;
  tile[13] = t31;
  tile[14] = t32;
  tile[15] = t33;
}

/** out[o + q·stride + j] −= tile[4q + j] for q, j < 4. */
function subtractTile(out: Float64Array, o: number, stride: number, tile: Float64Array): void {
  for (let q = 0; q < 4; q++) {
    const row = o + q * stride;
    out[row]! -= tile[4 * q]!;
    out[row + 1]! -= tile[4 * q + 1]!;
    out[row + 2]! -= tile[4 * q + 2]!;
    out[row + 3]! -= tile[4 * q + 3]!;
  }
}

/** lu[row + c] −= Σ_{k < b} lu[row + k0 + k] · packed[column + k] (the edges of updateTrailingTile). */
function subtractDot(
  lu: Float64Array,
  row: number,
  k0: number,
  packed: Float64Array,
  column: number,
  b: number,
  c: number,
): void {
  let sum = 0;
  for (let k = 0; k < b; k++) sum += lu[row + k0 + k]! * packed[column + k]!;
  lu[row + c]! -= sum;
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
  // L y = P r from the first row that is not zero in every right-hand side (columns of the identity: their own),
  // four rows at a time: the rows solved before them as a register-blocked product, then the 4 × 4 corner
  let first = 0;
  while (first < m && rhs.subarray(first * count, (first + 1) * count).every((value) => value === 0)) first++;
  let r0 = first - (first % 4);
  for (; r0 + 4 <= m; r0 += 4) {
    subtractFourRows(lu, m, rhs, count, r0, first, r0);
    for (let r = r0 + 1; r < r0 + 4; r++) subtractRows(lu, m, rhs, count, r, r0, r);
  }
  // the last rows from 0 (subtractRows groups four columns from its start: digits as in any other block)
  for (let r = r0; r < m; r++) subtractRows(lu, m, rhs, count, r, 0, r);
  // U x = y, upwards: the odd rows at the bottom one by one, then four rows at a time
  const divide = (r: number) => {
    const row = r * count;
    const diagonal = lu[r * m + r]!;
    for (let t = 0; t < count; t++) rhs[row + t]! /= diagonal;
  };
  let top = m;
  for (; top % 4 !== 0; top--) {
    subtractRows(lu, m, rhs, count, top - 1, top, m);
    divide(top - 1);
  }
  for (; top > 0; top -= 4) {
    subtractFourRows(lu, m, rhs, count, top - 4, top, m);
    for (let r = top - 1; r >= top - 4; r--) {
      subtractRows(lu, m, rhs, count, r, r + 1, top);
      divide(r);
    }
  }
}

/**
 * R[r0 + q, ·] −= Σ_{from ≤ c < to} T[r0 + q, c] R[c, ·] for q < 4 (T = the factor): four right-hand sides at a
 * time, each 4 × 4 block of R taking sixteen dot products held in registers (eight loads per sixteen multiply-adds).
 */
function subtractFourRows(
  lu: Float64Array,
  m: number,
  rhs: Float64Array,
  count: number,
  r0: number,
  from: number,
  to: number,
): void {
  const l0 = r0 * m;
  const tile = new Float64Array(16);
  let t = 0;
  for (; t + 4 <= count; t += 4) {
    dots4x4(lu, l0 + from, m, 1, rhs, from * count + t, 1, count, to - from, tile);
    subtractTile(rhs, r0 * count + t, count, tile);
  }
  for (; t < count; t++) {
    for (let q = 0; q < 4; q++) {
      const row = l0 + q * m;
      let sum = 0;
      for (let c = from; c < to; c++) sum += lu[row + c]! * rhs[c * count + t]!;
      rhs[(r0 + q) * count + t]! -= sum;
    }
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
    // in order, so that a block's columns of the identity start near one row (luSolveMany skips the zeros above)
    const missing = Array.from(new Set(Array.from(js).filter((j) => !this.columns[j]))).sort((a, b) => a - b);
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
