/**
 * Dense linear algebra for the clearing engine: LU factorisation with partial pivoting, P·M = L·U (L unit lower
 * triangular, stored below the diagonal of the factor; U on and above it), and the solves M·y = r and Mᵀ·y = r.
 * Used for the Eisenberg–Noe default-set systems (I − A_Dᵀ) p_D = … and the depth (I − A_D) u_D = 1 (docs/formats.md).
 * Matrices are row-major Float64Arrays of an m × m block stored with stride m; all work is in place.
 */
import { EngineInputError } from './errors';
import { kernelHelpers, kernelShares, shareOf, type KernelTask } from './kernels/helpers';
import { KERNEL_MAX_DOUBLES, KernelWorkspace, sharedMatrixMemory } from './kernels/workspace';

/** Relative pivot size below which a matrix is treated as singular. */
export const SINGULAR_TOLERANCE = 1e-13;

/** Panel width of the blocked factorisation; matrices narrower than two panels are factorised column by column. */
export const LU_BLOCK = 48;
/**
 * Panel width below two LU_BLOCK panels, where elimination column by column in JavaScript would do all the work: the
 * trailing updates of 16-column panels go to the product kernel (the batched clearing's survivors' factors: 33
 * against 90 µs at m = 67).
 */
export const SMALL_LU_BLOCK = 16;

/**
 * Factorises the m × m matrix `lu` in place; `pivots[k]` receives the row swapped into position k.
 * Throws `EngineInputError` when a pivot is below SINGULAR_TOLERANCE times the largest entry.
 *
 * Right-looking blocked LU (Golub & Van Loan, "Matrix Computations", 4th ed. 2013, §3.2.11 and §3.4.4): each
 * panel of `block` columns (LU_BLOCK; SMALL_LU_BLOCK below two LU_BLOCK panels) is factorised with partial pivoting
 * (whole rows swapped, as column by column), the block row of U to its right is solved with the panel's unit L, and
 * the trailing matrix takes the rank-`block` update A₂₂ −= L₂₁ U₁₂ with the WebAssembly product kernel
 * (kernels/product.wat), TILE_COLUMNS columns at a time so that their rows of U₁₂ stay in cache; with helper
 * threads installed (kernels/helpers.ts) an update of PARALLEL_UPDATE_ROWS rows or more is split among them by rows,
 * with the same digits. A matrix outside a kernel workspace is copied into one for the factorisation and back. Same
 * factors and pivots as elimination column by column (`block` ≥ m/2), up to rounding.
 */
export function luFactor(
  matrix: Float64Array,
  m: number,
  pivots: Int32Array,
  block = m < 2 * LU_BLOCK ? SMALL_LU_BLOCK : LU_BLOCK,
): void {
  if (m * m > KERNEL_MAX_DOUBLES)
    throw new EngineInputError(
      `a ${m.toLocaleString('en-US')} × ${m.toLocaleString('en-US')} matrix is too large to factorise here (over 4 GiB)`,
    );
  let scale = 0;
  for (let k = 0; k < m * m; k++) scale = Math.max(scale, Math.abs(matrix[k]!));
  const tiny = SINGULAR_TOLERANCE * (scale > 0 ? scale : 1);
  if (m < 2 * block) {
    factorPanel(matrix, m, pivots, 0, m, tiny);
    return;
  }
  const held = KernelWorkspace.holding(matrix);
  const workspace = held ?? KernelWorkspace.scratch(m * m);
  const lu = held ? matrix : workspace.take(m * m);
  if (!held) lu.set(matrix.subarray(0, m * m));
  for (let k0 = 0; k0 < m; k0 += block) {
    const k1 = Math.min(m, k0 + block);
    factorColumns(workspace, lu, m, pivots, k0, k1, tiny);
    if (k1 === m) break;
    solveBlockRow(workspace, lu, m, k0, k1, k1, m);
    const helpers = kernelHelpers();
    if (helpers && m - k1 >= PARALLEL_UPDATE_ROWS)
      helpers.run({ kind: 'trailing-update', memory: workspace.memory, at: workspace.indexOf(lu), m, k0, k1 });
    else subtractTrailingRows(workspace, lu, m, k0, k1, k1, m);
  }
  if (!held) matrix.set(lu);
}

/**
 * Trailing rows from which luFactor splits its update among helper threads: 2 · 48 · 192² flops, about 0.3 ms of
 * kernel time, against some 0.05 ms to hand a task to the helpers and wait for them.
 */
const PARALLEL_UPDATE_ROWS = 192;

/** Rows r0 … r1−1 of the trailing update after the panel k0 … k1−1: A₂₂ −= L₂₁ U₁₂, TILE_COLUMNS columns at a time. */
function subtractTrailingRows(
  workspace: KernelWorkspace,
  lu: Float64Array,
  m: number,
  k0: number,
  k1: number,
  r0: number,
  r1: number,
): void {
  for (let c0 = k1; c0 < m; c0 += TILE_COLUMNS)
    subtractBlockProduct(workspace, lu, m, r0, r1, k0, k1, c0, Math.min(m, c0 + TILE_COLUMNS));
}

/**
 * Runs share `share` of `shares` of a task handed to helper threads (kernels/helpers.ts), on this thread's workspace
 * over the task's memory: a block of rows of a product or of luFactor's trailing update, a block of columns of
 * InverseColumns.solve's right-hand sides (each a multiple of four, so that the kernel's 4 × 4 blocks fall as in
 * one call: `shareOf`), or blocks of InverseColumns' missing columns claimed in turn, each in the share's own slot.
 */
export function runKernelShare(task: KernelTask, share: number, shares: number): void {
  const workspace = KernelWorkspace.over(task.memory);
  if (task.kind === 'product') {
    workspace.subtractProductRows(task, ...shareOf(0, task.rows, share, shares));
    return;
  }
  if (task.kind === 'trailing-update') {
    const { at, m, k0, k1 } = task;
    const [r0, r1] = shareOf(k1, m, share, shares);
    if (r0 < r1) subtractTrailingRows(workspace, workspace.view(at, m * m), m, k0, k1, r0, r1);
    return;
  }
  if (task.kind === 'solve-block') {
    const { m, stride } = task;
    const [c0, c1] = shareOf(0, stride, share, shares);
    if (c0 < c1) {
      const rhs = workspace.view(task.rhsAt + c0, m * stride - c0);
      solveManyIn(workspace, workspace.view(task.factorsAt, m * m), m, task.pivots, rhs, c1 - c0, stride);
    }
    return;
  }
  const { m, width, columns, next } = task;
  if (share >= task.slots) return;
  const factors = workspace.view(task.factorsAt, m * m);
  const slot = workspace.view(task.slotsAt + share * m * width, m * width);
  const store = new Float64Array(task.store.buffer, 0, m * m);
  for (let start = Atomics.add(next, 0, 1) * width; start < columns.length; start = Atomics.add(next, 0, 1) * width) {
    const block = columns.subarray(start, start + width);
    const stride = 4 * Math.ceil(block.length / 4);
    const rhs = slot.subarray(0, m * stride).fill(0);
    writeIdentityColumns(block, rhs, stride);
    solveManyIn(workspace, factors, m, task.pivots, rhs, stride);
    readColumns(
      rhs,
      stride,
      Array.from(block, (j) => store.subarray(j * m, (j + 1) * m)),
    );
  }
}

/**
 * Runs parts of `task` (`parts` of them: kernels/helpers.ts `partsOf`) claimed in turn through the shared word
 * claim[index] until none is left: what each thread of a kernel pool does with a task, the caller included.
 */
export function runKernelParts(task: KernelTask, parts: number, claim: Int32Array, index: number): void {
  for (let part = Atomics.add(claim, index, 1); part < parts; part = Atomics.add(claim, index, 1))
    runKernelShare(task, part, parts);
}

/**
 * Order from which InverseColumns.solve shares a block's right-hand sides among helper threads: at 256 rows and 8
 * right-hand sides, 1 MFLOP (some 0.1 ms) per share against some 0.05 ms to hand it out.
 */
const PARALLEL_SOLVE_ROWS = 256;

/** Right-hand side t of a block is column block[t] of the identity. */
function writeIdentityColumns(block: ArrayLike<number>, rhs: Float64Array, stride: number): void {
  for (let t = 0; t < block.length; t++) rhs[block[t]! * stride + t] = 1;
}

/** columns[t][i] = solution[i · stride + t]: the solutions of a block, read row by row. */
function readColumns(solution: Float64Array, stride: number, columns: Float64Array[]): void {
  const m = columns[0]?.length ?? 0;
  for (let i = 0; i < m; i++) {
    const row = i * stride;
    for (let t = 0; t < columns.length; t++) columns[t]![i] = solution[row + t]!;
  }
}

/** Columns narrower than this are eliminated one by one (`factorPanel`); wider ones are split in two. */
const SPLIT_COLUMNS = 8;

/**
 * Eliminates columns k0 … k1−1 with partial pivoting (rows k0 … m−1, whole rows swapped), recursively: the left half,
 * then the right half's block row of U and its rows below updated by the product kernel, then the right half
 * (Toledo, "Locality of reference in LU decomposition with partial pivoting", SIAM J. Matrix Anal. Appl. 18, 1997),
 * so that most of a panel's work is the kernel's too.
 */
function factorColumns(
  workspace: KernelWorkspace,
  lu: Float64Array,
  m: number,
  pivots: Int32Array,
  k0: number,
  k1: number,
  tiny: number,
): void {
  if (k1 - k0 <= SPLIT_COLUMNS) {
    factorPanel(lu, m, pivots, k0, k1, tiny);
    return;
  }
  const middle = k0 + 4 * Math.ceil((k1 - k0) / 8);
  factorColumns(workspace, lu, m, pivots, k0, middle, tiny);
  solveBlockRow(workspace, lu, m, k0, middle, middle, k1);
  subtractBlockProduct(workspace, lu, m, middle, m, k0, middle, middle, k1);
  factorColumns(workspace, lu, m, pivots, middle, k1, tiny);
}

/**
 * Rows k0 … k1−1, columns c0 … c1−1: forward substitution with the unit lower triangle of rows and columns k0 … k1−1,
 * four rows at a time: the rows above them as the product kernel, then the 4 × 4 corner row by row.
 */
function solveBlockRow(
  workspace: KernelWorkspace,
  lu: Float64Array,
  m: number,
  k0: number,
  k1: number,
  c0: number,
  c1: number,
): void {
  for (let r0 = k0; r0 < k1; r0 += 4) {
    const r1 = Math.min(k1, r0 + 4);
    subtractBlockProduct(workspace, lu, m, r0, r1, k0, r0, c0, c1);
    for (let r = r0 + 1; r < r1; r++) {
      const row = r * m;
      for (let k = r0; k < r; k++) {
        const l = lu[row + k]!;
        if (l === 0) continue;
        const source = k * m;
        for (let c = c0; c < c1; c++) lu[row + c]! -= l * lu[source + c]!;
      }
    }
  }
}

/**
 * lu[r0…r1−1, c0…c1−1] −= lu[r0…r1−1, k0…k1−1] · lu[k0…k1−1, c0…c1−1] (a block of L times a block of U, the three
 * blocks of the one m × m factor) with the product kernel.
 */
function subtractBlockProduct(
  workspace: KernelWorkspace,
  lu: Float64Array,
  m: number,
  r0: number,
  r1: number,
  k0: number,
  k1: number,
  c0: number,
  c1: number,
): void {
  workspace.subtractProduct(lu, r0 * m + c0, m, lu, r0 * m + k0, m, lu, k0 * m + c0, m, r1 - r0, c1 - c0, k1 - k0);
}

/** Columns of the trailing matrix updated together: their rows of U₁₂ (48 × 256 doubles, 96 KiB) stay in cache. */
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
 * takes four rows of the triangle at a time (one read and write of the row per four updates), the rows solved
 * before them as the WebAssembly product (kernels/product.wat), SOLVE_DEPTH rows of R per product. Factors and
 * right-hand sides outside one kernel workspace are copied into one and back: callers that solve often keep theirs
 * in a workspace (InverseColumns).
 */
export function luSolveMany(lu: Float64Array, m: number, pivots: Int32Array, rhs: Float64Array, count: number): void {
  const workspace = KernelWorkspace.holding(lu);
  if (workspace && KernelWorkspace.holding(rhs) === workspace) {
    solveManyIn(workspace, lu, m, pivots, rhs, count);
    return;
  }
  const scratch = KernelWorkspace.scratch(m * m + m * count);
  const factors = scratch.take(m * m);
  factors.set(lu.subarray(0, m * m));
  const block = scratch.take(m * count);
  block.set(rhs.subarray(0, m * count));
  solveManyIn(scratch, factors, m, pivots, block, count);
  rhs.set(block);
}

/**
 * Rows of R one product of the triangular solves reaches back: 512 rows of 64 right-hand sides (256 KiB) and four
 * rows of the factor (16 KiB) stay in a core's second-level cache; products over all the rows solved before streamed
 * R from the third (all columns of the inverse at 2,000 firms: 760 → 690 ms, and 15.5 → 17.3 GFLOP/s in the upward
 * pass).
 */
const SOLVE_DEPTH = 512;

/**
 * luSolveMany on factors and right-hand sides taken from `workspace`: `count` right-hand sides, the rows of R `ld`
 * apart (a block of columns of a wider R: `ld` its full width).
 */
function solveManyIn(
  workspace: KernelWorkspace,
  lu: Float64Array,
  m: number,
  pivots: Int32Array,
  rhs: Float64Array,
  count: number,
  ld = count,
): void {
  for (let k = 0; k < m; k++) {
    const p = pivots[k]!;
    if (p === k) continue;
    for (let t = 0; t < count; t++) {
      const a = rhs[k * ld + t]!;
      rhs[k * ld + t] = rhs[p * ld + t]!;
      rhs[p * ld + t] = a;
    }
  }
  // R[r0 + q, ·] −= Σ_{from ≤ c < to} T[r0 + q, c] R[c, ·] for q < 4 (T = the factor), SOLVE_DEPTH c per product
  const subtractFourRows = (r0: number, from: number, to: number) => {
    for (let c = from; c < to; c += SOLVE_DEPTH) {
      const depth = Math.min(SOLVE_DEPTH, to - c);
      workspace.subtractProduct(rhs, r0 * ld, ld, lu, r0 * m + c, m, rhs, c * ld, ld, 4, count, depth);
    }
  };
  const rows = (r: number, from: number, to: number) => subtractRows(lu, m, rhs, ld, count, r, from, to);
  // L y = P r from the first row that is not zero in every right-hand side (columns of the identity: their own),
  // four rows at a time: the rows solved before them as a register-blocked product, then the 4 × 4 corner
  const first = firstNonZeroRow(rhs, m, count, ld);
  let r0 = first - (first % 4);
  for (; r0 + 4 <= m; r0 += 4) {
    subtractFourRows(r0, first, r0);
    for (let r = r0 + 1; r < r0 + 4; r++) rows(r, r0, r);
  }
  // the last rows from 0 (subtractRows groups four columns from its start: digits as in any other block)
  for (let r = r0; r < m; r++) rows(r, 0, r);
  // U x = y, upwards: the odd rows at the bottom one by one, then four rows at a time
  const divide = (r: number) => {
    const row = r * ld;
    const diagonal = lu[r * m + r]!;
    for (let t = 0; t < count; t++) rhs[row + t]! /= diagonal;
  };
  let top = m;
  for (; top % 4 !== 0; top--) {
    rows(top - 1, top, m);
    divide(top - 1);
  }
  for (; top > 0; top -= 4) {
    subtractFourRows(top - 4, top, m);
    for (let r = top - 1; r >= top - 4; r--) {
      rows(r, r + 1, top);
      divide(r);
    }
  }
}

/** The first of R's m rows (`ld` apart, `count` wide) with an entry that is not zero; m where there is none. */
function firstNonZeroRow(rhs: Float64Array, m: number, count: number, ld: number): number {
  for (let r = 0; r < m; r++) for (let t = 0; t < count; t++) if (rhs[r * ld + t] !== 0) return r;
  return m;
}

/**
 * R[r, ·] −= Σ_{from ≤ c < to} T[r, c] R[c, ·] (T = the factor; R's rows `ld` apart, `count` wide), four c at a
 * time.
 */
function subtractRows(
  lu: Float64Array,
  m: number,
  rhs: Float64Array,
  ld: number,
  count: number,
  r: number,
  from: number,
  to: number,
): void {
  const row = r * ld;
  const offset = r * m;
  let c = from;
  for (; c + 4 <= to; c += 4) {
    const f0 = lu[offset + c]!,
      f1 = lu[offset + c + 1]!,
      f2 = lu[offset + c + 2]!,
      f3 = lu[offset + c + 3]!;
    if (f0 === 0 && f1 === 0 && f2 === 0 && f3 === 0) continue;
    const x0 = c * ld,
      x1 = x0 + ld,
      x2 = x1 + ld,
      x3 = x2 + ld;
    for (let t = 0; t < count; t++)
      rhs[row + t]! -= f0 * rhs[x0 + t]! + f1 * rhs[x1 + t]! + f2 * rhs[x2 + t]! + f3 * rhs[x3 + t]!;
  }
  for (; c < to; c++) {
    const factor = lu[offset + c]!;
    if (factor === 0) continue;
    const from0 = c * ld;
    for (let t = 0; t < count; t++) rhs[row + t]! -= factor * rhs[from0 + t]!;
  }
}

/**
 * Right-hand sides solved together per pass over the LU factors of an m × m matrix: as many as keep the block of
 * right-hand sides within 1 MiB (half of this machine's second-level cache per core), 8 … 128, a multiple of four:
 * the product kernel's 4 × 4 blocks leave no column to sum one at a time. Each entry of the factors read from memory
 * serves every right-hand side of the block, so wider blocks pay until the block leaves the cache: at 3,000 rows 40
 * right-hand sides took 1.03–1.10 ms each against 1.38–1.45 ms in blocks of 20 (the rule within 512 KiB), at 2,000
 * rows 64 took 0.49–0.51 against 0.51–0.53 ms for 32, and 128 (2 MiB) took longer than 32 (bench/scale-lu.bench.ts).
 */
export const columnBlock = (m: number): number =>
  4 * Math.floor(Math.min(128, Math.max(8, Math.floor(2 ** 17 / Math.max(m, 1)))) / 4);

/** The words of a shared store's columns (InverseColumns' `shared`). */
const [COLUMN_MISSING, COLUMN_SOLVING, COLUMN_SOLVED] = [0, 1, 2];

/**
 * Order from which InverseColumns keeps its own copy of the factors in a kernel workspace instead of copying them
 * into the shared scratch at every solve.
 */
const RESIDENT_FACTORS_MIN = 128;

/**
 * Columns of M⁻¹ from the factors of luFactor, solved as they are asked for (the missing ones together,
 * columnBlock(m) right-hand sides per pass over the factors, `luSolveMany`) and kept. A column's digits do not
 * depend on which columns were solved with it. From order RESIDENT_FACTORS_MIN the factors live in a kernel
 * workspace with room for one block of right-hand sides (`solve` hands that block out); factors already taken
 * from such a workspace (`InverseColumns.workspaceFor`) are used where they are. A solver that lives long
 * (`lasting`: a new memory per factor would be costly for those built by the thousand) keeps column j, from that
 * order on, as row j of an m × m store in a shared memory of its own (pages taken only as columns are written),
 * which the rows kernel reads in place for `addColumns` and `principalSubmatrix`, and into which helper threads
 * solve (`prefetch`): its own workspace has a slot of right-hand sides for each thread.
 */
export class InverseColumns {
  readonly factors: Float64Array;
  private readonly columns: Array<Float64Array | undefined>;
  /** Where from RESIDENT_FACTORS_MIN on the columns are kept (column j at j · m), and its memory. */
  private readonly store: { memory: WebAssembly.Memory; values: Float64Array } | undefined;
  private readonly workspace: KernelWorkspace | undefined;
  private readonly blockStart: number;
  /** Where the store is shared: each column's word (see the constructor's `shared`). */
  private readonly states: Int32Array | undefined;
  /** Right-hand sides solved per pass over the factors. */
  readonly width: number;
  /** Columns solved so far. */
  solves = 0;
  constructor(
    factors: Float64Array,
    readonly size: number,
    readonly pivots: Int32Array,
    {
      lasting = false,
      shared,
    }: {
      lasting?: boolean;
      /**
       * A store of columns that solvers in other threads share, and a word per column: 0 missing, 1 being solved, 2
       * solved. Each column is solved once, by the solver that claims it first; the others wait for it.
       */
      shared?: { store: WebAssembly.Memory; states: Int32Array };
    } = {},
  ) {
    const m = size;
    this.width = columnBlock(m);
    this.columns = new Array<Float64Array | undefined>(m);
    const held = KernelWorkspace.holding(factors);
    if (held && held.room >= m * this.width) {
      this.workspace = held;
      this.factors = factors;
    } else if (m >= RESIDENT_FACTORS_MIN) {
      this.workspace = InverseColumns.workspaceFor(m, lasting ? kernelShares() : 1);
      this.factors = this.workspace.take(m * m);
      this.factors.set(factors.subarray(0, m * m));
    } else {
      this.factors = factors;
    }
    this.blockStart = this.workspace?.used ?? 0;
    if (shared || (lasting && m >= RESIDENT_FACTORS_MIN)) {
      const memory = shared?.store ?? sharedMatrixMemory(m * m);
      this.store = { memory, values: new Float64Array(memory.buffer, 0, m * m) };
    }
    this.states = shared?.states;
  }

  /**
   * A workspace for the m × m factors (take them first) and `slots` blocks of right-hand sides: one for each thread
   * that solves columns at once (a lasting solver's: `kernelShares()`).
   */
  static workspaceFor(m: number, slots = 1): KernelWorkspace {
    return new KernelWorkspace(InverseColumns.workspaceDoubles(m, slots));
  }

  /** Doubles of `workspaceFor(m, slots)`: the factors and the slots (compare with KERNEL_MAX_DOUBLES first). */
  static workspaceDoubles(m: number, slots = 1): number {
    return m * m + slots * m * columnBlock(m);
  }

  /** Column j as it lies in the store (row j of it), kept as the solver's column j. */
  private stored(store: { values: Float64Array }, j: number): Float64Array {
    const m = this.size;
    return (this.columns[j] = store.values.subarray(j * m, (j + 1) * m));
  }

  column(j: number): Float64Array {
    if (!this.columns[j]) this.prefetch([j]);
    return this.columns[j]!;
  }

  /**
   * out[i] += Σ_t weights[t] · (M⁻¹)[i, js[t]] for i < m: the columns solved first where missing, then summed by
   * the rows kernel from the store where there is one (eight columns per pass over out), else one by one.
   */
  addColumns(out: Float64Array, js: ArrayLike<number>, weights: ArrayLike<number>): void {
    const m = this.size;
    const count = js.length;
    this.prefetch(js);
    if (!this.store) {
      for (let t = 0; t < count; t++) {
        const column = this.columns[js[t]!]!;
        const weight = weights[t]!;
        for (let i = 0; i < m; i++) out[i]! += weight * column[i]!;
      }
      return;
    }
    const scratch = KernelWorkspace.scratch(m + 2 * count);
    const sums = scratch.take(m);
    const factors = scratch.take(count);
    const offsets = scratch.takeIndices(count);
    sums.set(out.subarray(0, m));
    for (let t = 0; t < count; t++) {
      offsets[t] = js[t]! * m;
      factors[t] = -weights[t]!;
    }
    scratch.subtractRows(this.store.memory, sums, 0, m, offsets, factors, count);
    out.set(sums);
  }

  /**
   * Solves M·Y = R for `count` ≤ width right-hand sides: `fill` writes R (row-major, m rows of `stride` entries, the
   * first `count` of each row; all zero on entry), `read` reads Y from the same array, which is valid only during
   * the call. The stride is `count` rounded up to a multiple of four, so that the product kernel's 4 × 4 blocks
   * cover every column (the padding columns stay zero).
   */
  solve(
    count: number,
    fill: (rhs: Float64Array, stride: number) => void,
    read: (solution: Float64Array, stride: number) => void,
  ): void {
    const m = this.size;
    if (count > this.width) throw new RangeError(`at most ${this.width} right-hand sides per solve, not ${count}`);
    const stride = 4 * Math.ceil(count / 4);
    let rhs: Float64Array;
    if (this.workspace) {
      this.workspace.rewind(this.blockStart);
      rhs = this.workspace.take(m * stride).fill(0);
    } else rhs = new Float64Array(m * stride);
    fill(rhs, stride);
    const helpers = kernelHelpers();
    if (helpers && this.workspace && m >= PARALLEL_SOLVE_ROWS && stride >= 8)
      helpers.run({
        kind: 'solve-block',
        memory: this.workspace.memory,
        factorsAt: this.workspace.indexOf(this.factors),
        m,
        pivots: this.pivots,
        rhsAt: this.workspace.indexOf(rhs),
        stride,
      });
    else luSolveMany(this.factors, m, this.pivots, rhs, stride);
    read(rhs, stride);
    // the block is free again: a later InverseColumns built on the same workspace (`holding`) finds its room
    this.workspace?.rewind(this.blockStart);
  }

  /**
   * out[a · k + b] = (M⁻¹)[js[a], js[b]] for a, b < k = js.length — the principal submatrix of the inverse on those
   * rows and columns (`transposed`: out[b · k + a], column b of it as row b of out): the columns solved first where
   * missing, then gathered by the gather kernel (eight columns in flight) where there is a store, else entry by entry.
   */
  principalSubmatrix(js: ArrayLike<number>, out: Float64Array, { transposed = false } = {}): void {
    const k = js.length;
    this.prefetch(js);
    if (!this.store) {
      for (let b = 0; b < k; b++) {
        const column = this.columns[js[b]!]!;
        for (let a = 0; a < k; a++) out[transposed ? b * k + a : a * k + b] = column[js[a]!]!;
      }
      return;
    }
    const scratch = KernelWorkspace.scratch(k * k + k);
    const block = scratch.take(k * k);
    const list = scratch.takeIndices(k);
    for (let t = 0; t < k; t++) list[t] = js[t]!;
    // block[b · k + a] = (row js[b] of the store)[js[a]] = (M⁻¹)[js[a], js[b]]: out transposed
    scratch.gather(this.store.memory, block, k, list, this.size, 0, k, 0, k);
    if (transposed) out.set(block);
    else for (let b = 0; b < k; b++) for (let a = 0; a < k; a++) out[a * k + b] = block[b * k + a]!;
  }

  /**
   * Solves the missing columns among `js` together. Where the store is shared, only those no other solver has
   * claimed: the others are read once solved (and claimed again should their solver fail).
   */
  prefetch(js: ArrayLike<number>): void {
    // in order, so that a block's columns of the identity start near one row (luSolveMany skips the zeros above)
    const wanted = Array.from(new Set(Array.from(js).filter((j) => !this.columns[j]))).sort((a, b) => a - b);
    const { states, store } = this;
    if (!states || !store) {
      this.solveColumns(wanted);
      return;
    }
    const mine: number[] = [];
    const theirs: number[] = [];
    for (const j of wanted) {
      const state = Atomics.compareExchange(states, j, COLUMN_MISSING, COLUMN_SOLVING);
      if (state === COLUMN_MISSING) mine.push(j);
      else if (state === COLUMN_SOLVING) theirs.push(j);
      else this.stored(store, j);
    }
    let published = false;
    try {
      this.solveColumns(mine);
      published = true;
    } finally {
      // solved: for every solver; not (an error): free to be claimed again
      for (const j of mine) {
        Atomics.store(states, j, published ? COLUMN_SOLVED : COLUMN_MISSING);
        Atomics.notify(states, j);
      }
    }
    const again: number[] = [];
    for (const j of theirs) {
      while (Atomics.load(states, j) === COLUMN_SOLVING) Atomics.wait(states, j, COLUMN_SOLVING);
      if (Atomics.load(states, j) === COLUMN_SOLVED) this.stored(store, j);
      else again.push(j);
    }
    if (again.length > 0) this.prefetch(again);
  }

  /**
   * Solves `missing` (ascending) together: with helper threads installed (kernels/helpers.ts) and a store, their
   * blocks are shared out among the threads, each in its own slot of the workspace.
   */
  private solveColumns(missing: number[]): void {
    const m = this.size;
    const helpers = kernelHelpers();
    const { store, workspace } = this;
    if (helpers && store && workspace && missing.length > this.width) {
      const slots = Math.min(1 + helpers.count, Math.floor((workspace.doubles - this.blockStart) / (m * this.width)));
      if (slots > 1) {
        helpers.run({
          kind: 'inverse-columns',
          memory: workspace.memory,
          factorsAt: workspace.indexOf(this.factors),
          m,
          pivots: this.pivots,
          columns: Int32Array.from(missing),
          width: this.width,
          slotsAt: this.blockStart,
          slots,
          next: new Int32Array(new SharedArrayBuffer(4)),
          store: store.memory,
        });
        for (const j of missing) this.stored(store, j);
        this.solves += missing.length;
        return;
      }
    }
    for (let start = 0; start < missing.length; start += this.width) {
      const block = missing.slice(start, start + this.width);
      this.solve(
        block.length,
        (rhs, stride) => writeIdentityColumns(block, rhs, stride),
        (solution, stride) => {
          const columns = block.map((j) => (store ? this.stored(store, j) : (this.columns[j] = new Float64Array(m))));
          readColumns(solution, stride, columns);
        },
      );
      this.solves += block.length;
    }
  }
}
