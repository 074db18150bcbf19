/**
 * Maximum-entropy reconstruction of the interbank liabilities (Upper 2011; as used by Glasserman & Young 2015 and
 * Ruela 2019, §1.1): the matrix P̄ closest in relative entropy to f dᵀ with a zero diagonal,
 *   Σ_j p̄_ij = f_i (inside liabilities),  Σ_i p̄_ij = d_j (inside assets),  p̄_ii = 0,
 * found by RAS / iterative proportional fitting: alternately scale rows to f and columns to d. Feasibility needs
 * Σ f = Σ d and, with the zero diagonal, f_i + d_i ≤ Σ f for every bank.
 */
import type { Liability, NetworkDocument } from '../../src-shared/formats/network';
import { EngineInputError } from './errors';
import { assertMemoryFits, assertSupportedArray, banks, denseBytes, liabilityListBytes } from './limits';

export interface MaxentOptions {
  /** Stop when the largest row or column residual ≤ tolerance · Σ f (default 1e-12). */
  tolerance?: number;
  maxIterations?: number;
}

export interface MaxentResult {
  nBanks: number;
  /** p̄_ij row-major, row = debtor. */
  matrix: Float64Array;
  iterations: number;
  converged: boolean;
  /** max over rows and columns of |sum − target| (absolute, in the data's unit). */
  maxResidual: number;
}

/** Banks breaking f_i + d_i ≤ Σ f, and whether the totals match (relative 1e-9). */
export function maxentFeasibility(
  ids: string[],
  insideLiabilities: ArrayLike<number>,
  insideAssets: ArrayLike<number>,
): { feasible: boolean; totalsMatch: boolean; violations: Array<{ id: string; excess: number }> } {
  let totalF = 0;
  let totalD = 0;
  for (let i = 0; i < ids.length; i++) {
    totalF += insideLiabilities[i]!;
    totalD += insideAssets[i]!;
  }
  const totalsMatch = Math.abs(totalF - totalD) <= 1e-9 * Math.max(totalF, totalD, 1e-300);
  const violations: Array<{ id: string; excess: number }> = [];
  for (let i = 0; i < ids.length; i++) {
    const excess = insideLiabilities[i]! + insideAssets[i]! - totalF;
    if (excess > 1e-9 * Math.max(totalF, 1e-300)) violations.push({ id: ids[i]!, excess });
  }
  return { feasible: totalsMatch && violations.length === 0, totalsMatch, violations };
}

/** RAS with zero diagonal. Throws `EngineInputError` naming the bank for negative or infeasible margins. */
export function maxentReconstruct(
  ids: string[],
  insideLiabilities: ArrayLike<number>,
  insideAssets: ArrayLike<number>,
  options: MaxentOptions = {},
): MaxentResult {
  const n = ids.length;
  if (insideLiabilities.length !== n || insideAssets.length !== n)
    throw new EngineInputError(`margins must have ${n} entries`);
  assertSupportedArray(insideLiabilities, (i) => `node "${ids[i]}", insideLiabilities`);
  assertSupportedArray(insideAssets, (i) => `node "${ids[i]}", insideAssets`);
  // the matrix is the one dense allocation (row and column sums are n long)
  assertMemoryFits(denseBytes(n, 1), `a maximum-entropy network of ${banks(n)}`);
  for (let i = 0; i < n; i++) {
    const f = insideLiabilities[i]!;
    const d = insideAssets[i]!;
    if (!(Number.isFinite(f) && f >= 0))
      throw new EngineInputError(
        `node "${ids[i]}": insideLiabilities must be ≥ 0, got ${f}`,
        `nodes.${i}.insideLiabilities`,
      );
    if (!(Number.isFinite(d) && d >= 0))
      throw new EngineInputError(`node "${ids[i]}": insideAssets must be ≥ 0, got ${d}`, `nodes.${i}.insideAssets`);
  }
  const check = maxentFeasibility(ids, insideLiabilities, insideAssets);
  if (!check.totalsMatch)
    throw new EngineInputError('inside liabilities and inside assets have different totals', 'nodes');
  if (check.violations.length > 0) {
    const first = check.violations[0]!;
    throw new EngineInputError(
      `node "${first.id}": insideLiabilities + insideAssets exceeds the system total by ${first.excess} (no zero-diagonal network exists)`,
      'nodes',
    );
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += insideLiabilities[i]!;
  const tolerance = (options.tolerance ?? 1e-12) * Math.max(total, 1e-300);
  const maxIterations = options.maxIterations ?? 100_000;
  const matrix = new Float64Array(n * n);
  if (total === 0) return { nBanks: n, matrix, iterations: 0, converged: true, maxResidual: 0 };
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) if (i !== j) matrix[i * n + j] = (insideLiabilities[i]! * insideAssets[j]!) / total;
  }
  const columnSums = new Float64Array(n);
  let iterations = 0;
  let residual = Infinity;
  while (iterations < maxIterations) {
    iterations++;
    scaleRows(matrix, n, insideLiabilities);
    columnTotals(matrix, n, columnSums);
    for (let j = 0; j < n; j++) {
      const factor = columnSums[j]! > 0 ? insideAssets[j]! / columnSums[j]! : 0;
      for (let i = 0; i < n; i++) matrix[i * n + j]! *= factor;
    }
    residual = maxResidual(matrix, n, insideLiabilities, insideAssets);
    if (residual <= tolerance) break;
  }
  return { nBanks: n, matrix, iterations, converged: residual <= tolerance, maxResidual: residual };
}

function scaleRows(matrix: Float64Array, n: number, targets: ArrayLike<number>): void {
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += matrix[i * n + j]!;
    const factor = sum > 0 ? targets[i]! / sum : 0;
    for (let j = 0; j < n; j++) matrix[i * n + j]! *= factor;
  }
}

function columnTotals(matrix: Float64Array, n: number, out: Float64Array): void {
  out.fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[j]! += matrix[i * n + j]!;
}

/** Largest |row sum − f_i| and |column sum − d_j|. */
export function maxResidual(
  matrix: Float64Array,
  n: number,
  rowTargets: ArrayLike<number>,
  columnTargets: ArrayLike<number>,
): number {
  const columns = new Float64Array(n);
  columnTotals(matrix, n, columns);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += matrix[i * n + j]!;
    worst = Math.max(worst, Math.abs(sum - rowTargets[i]!), Math.abs(columns[i]! - columnTargets[i]!));
  }
  return worst;
}

/** The document's inside margins (f = insideLiabilities, d = insideAssets; a missing one is taken equal to the other). */
export function insideMargins(doc: NetworkDocument): {
  ids: string[];
  insideLiabilities: Float64Array;
  insideAssets: Float64Array;
} {
  const n = doc.nodes.length;
  const insideLiabilities = new Float64Array(n);
  const insideAssets = new Float64Array(n);
  doc.nodes.forEach((node, i) => {
    const f = node.insideLiabilities ?? node.insideAssets;
    const d = node.insideAssets ?? node.insideLiabilities;
    if (f === null || f === undefined || d === null || d === undefined) {
      throw new EngineInputError(
        `node "${node.id}": insideAssets or insideLiabilities is required for reconstruction`,
        `nodes.${i}.insideAssets`,
      );
    }
    insideLiabilities[i] = f;
    insideAssets[i] = d;
  });
  return { ids: doc.nodes.map((node) => node.id), insideLiabilities, insideAssets };
}

/** Maximum-entropy reconstruction of a document's liabilities from its node margins. */
export function maxentFromDocument(doc: NetworkDocument, options: MaxentOptions = {}): MaxentResult {
  const { ids, insideLiabilities, insideAssets } = insideMargins(doc);
  // the callers turn the dense matrix into a network@1 document: up to n(n − 1) liabilities
  const n = ids.length;
  assertMemoryFits(denseBytes(n, 1) + liabilityListBytes(n * (n - 1)), `a maximum-entropy network of ${banks(n)}`);
  return maxentReconstruct(ids, insideLiabilities, insideAssets, options);
}

/** Liabilities list (entries with amount > minAmount) from a dense matrix, row = debtor. */
export function liabilitiesFromMatrix(ids: string[], matrix: Float64Array, minAmount = 0): Liability[] {
  const n = ids.length;
  if (matrix.length !== n * n) throw new EngineInputError(`matrix must be ${n} × ${n}`);
  const out: Liability[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const amount = matrix[i * n + j]!;
      if (i !== j && amount > minAmount) out.push({ debtor: ids[i]!, creditor: ids[j]!, amount });
    }
  }
  return out;
}

/** A new document with the given liabilities matrix (row = debtor) in place of the old liabilities. */
export function withLiabilities(doc: NetworkDocument, matrix: Float64Array): NetworkDocument {
  const ids = doc.nodes.map((node) => node.id);
  return { ...doc, nodes: doc.nodes.map((node) => ({ ...node })), liabilities: liabilitiesFromMatrix(ids, matrix) };
}
