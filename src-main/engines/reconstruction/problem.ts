/**
 * The reconstruction problem of a network document: what is known of each node as the flow polytope Ω of the
 * liabilities P̄ (Ruela, *Network Contagion: Documentation* (2019), §2.2 known inside assets and liabilities,
 * §2.3–2.4 unknown ones with the strict bounds 1e-5 ≤ b_i ≤ p̄_i − 1e-5, 1e-5 ≤ c_i ≤ α_i − 1e-5), and back:
 *   f_i = Σ_j p̄_ij, d_i = Σ_j p̄_ji, b_i = p̄_i − f_i, c_i = α_i − d_i, w_i = α_i − p̄_i (§1.1),
 * with p̄_i and α_i required (given, or from equity, b + f, c + d). The variables are the liabilities P̄
 * (a_ij = p̄_ij / p̄_i with p̄_i known) in Ω (flow-polytope.ts); known cells (disaggregation) are kept apart.
 */
import type { NetworkDocument, NetworkNode } from '../../../src-shared/formats/network';
import { EngineInputError } from '../errors';
import { marginals, offDiagonal, type FlowPolytope } from '../flow-polytope';
import { assertMemoryFits, banks, denseBytes, liabilityListBytes } from '../limits';
import { liabilitiesFromMatrix } from '../maxent';
import { DEFAULT_DEFAULT_PROBABILITY, fromDenseLiabilities, type ClearingSystem } from '../network-arrays';

/** The node fields a user may mark known or unknown. */
export const KNOWN_FIELDS = [
  'outsideAssets',
  'outsideLiabilities',
  'insideAssets',
  'insideLiabilities',
  'defaultProbability',
] as const;
export type KnownField = (typeof KNOWN_FIELDS)[number];
/** Strict-inequality margin of §2.4: 1e-5 ≤ b_i ≤ p̄_i − 1e-5, 1e-5 ≤ c_i ≤ α_i − 1e-5. */
export const BOUND_MARGIN = 1e-5;

export interface ReconstructionProblem {
  ids: string[];
  nBanks: number;
  /** p̄_i. */
  totalLiabilities: Float64Array;
  /** α_i. */
  totalAssets: Float64Array;
  defaultProbability: Float64Array;
  /** The variable cells and their marginals. */
  polytope: FlowPolytope;
  /** Known cells (disaggregation); the network is fixed + variable. */
  fixed: Float64Array;
}

function present(value: number | null | undefined): value is number {
  return value !== null && value !== undefined && Number.isFinite(value);
}

/**
 * The problem of a document. `known` lists, per node id, the fields taken as known (default: every field the
 * document has). p̄_i and α_i are required (from totalLiabilities/totalAssets, or derived from equity or b + f,
 * c + d). Throws `EngineInputError` naming the node and field.
 */
export function problemFromDocument(doc: NetworkDocument, known?: Record<string, KnownField[]>): ReconstructionProblem {
  const n = doc.nodes.length;
  if (n < 2) throw new EngineInputError('reconstruction needs at least 2 nodes', 'nodes');
  assertMemoryFits(reconstructionBytes(n), `reconstructing a network of ${banks(n)}`);
  const totalLiabilities = new Float64Array(n);
  const totalAssets = new Float64Array(n);
  const defaultProbability = new Float64Array(n);
  const rowLower = new Float64Array(n);
  const rowUpper = new Float64Array(n);
  const columnLower = new Float64Array(n);
  const columnUpper = new Float64Array(n);
  doc.nodes.forEach((node, i) => {
    const isKnown = (field: KnownField) => present(node[field]) && (known?.[node.id] ?? KNOWN_FIELDS).includes(field);
    const at = (field: string) => `nodes.${i}.${field}`;
    const b = isKnown('outsideLiabilities') ? node.outsideLiabilities! : undefined;
    const c = isKnown('outsideAssets') ? node.outsideAssets! : undefined;
    const f = isKnown('insideLiabilities') ? node.insideLiabilities! : undefined;
    const d = isKnown('insideAssets') ? node.insideAssets! : undefined;
    const pbar = present(node.totalLiabilities)
      ? node.totalLiabilities
      : present(node.totalAssets) && present(node.equity)
        ? node.totalAssets - node.equity
        : b !== undefined && f !== undefined
          ? b + f
          : undefined;
    const alpha = present(node.totalAssets)
      ? node.totalAssets
      : c !== undefined && d !== undefined
        ? c + d
        : pbar !== undefined && present(node.equity)
          ? pbar + node.equity
          : undefined;
    if (pbar === undefined || !(pbar > 0)) {
      throw new EngineInputError(
        `node "${node.id}": total liabilities p̄ are required (totalLiabilities, or totalAssets − equity) and must be > 0`,
        at('totalLiabilities'),
      );
    }
    if (alpha === undefined || !(alpha > 0)) {
      throw new EngineInputError(
        `node "${node.id}": total assets α are required (totalAssets, or outsideAssets + insideAssets) and must be > 0`,
        at('totalAssets'),
      );
    }
    totalLiabilities[i] = pbar;
    totalAssets[i] = alpha;
    defaultProbability[i] = isKnown('defaultProbability') ? node.defaultProbability! : DEFAULT_DEFAULT_PROBABILITY;
    const relTol = 1e-9 * Math.max(pbar, alpha);
    const fixedRow = f ?? (b !== undefined ? pbar - b : undefined);
    if (f !== undefined && b !== undefined && Math.abs(f + b - pbar) > 1e-6 * pbar) {
      throw new EngineInputError(
        `node "${node.id}": insideLiabilities + outsideLiabilities = ${f + b} differs from total liabilities ${pbar}`,
        at('insideLiabilities'),
      );
    }
    if (fixedRow !== undefined) {
      if (!(fixedRow >= -relTol && fixedRow <= pbar + relTol)) {
        throw new EngineInputError(
          `node "${node.id}": inside liabilities ${fixedRow} must lie in [0, p̄ = ${pbar}]`,
          at('insideLiabilities'),
        );
      }
      rowLower[i] = rowUpper[i] = Math.min(pbar, Math.max(0, fixedRow));
    } else {
      rowLower[i] = Math.min(BOUND_MARGIN, pbar / 2);
      rowUpper[i] = Math.max(pbar - BOUND_MARGIN, pbar / 2);
    }
    const fixedColumn = d ?? (c !== undefined ? alpha - c : undefined);
    if (d !== undefined && c !== undefined && Math.abs(d + c - alpha) > 1e-6 * alpha) {
      throw new EngineInputError(
        `node "${node.id}": insideAssets + outsideAssets = ${d + c} differs from total assets ${alpha}`,
        at('insideAssets'),
      );
    }
    if (fixedColumn !== undefined) {
      if (!(fixedColumn >= -relTol && fixedColumn <= alpha + relTol)) {
        throw new EngineInputError(
          `node "${node.id}": inside assets ${fixedColumn} must lie in [0, α = ${alpha}]`,
          at('insideAssets'),
        );
      }
      columnLower[i] = columnUpper[i] = Math.min(alpha, Math.max(0, fixedColumn));
    } else {
      columnLower[i] = Math.min(BOUND_MARGIN, alpha / 2);
      columnUpper[i] = Math.max(alpha - BOUND_MARGIN, alpha / 2);
    }
  });
  return {
    ids: doc.nodes.map((node) => node.id),
    nBanks: n,
    totalLiabilities,
    totalAssets,
    defaultProbability,
    polytope: { nBanks: n, allowed: offDiagonal(n), rowLower, rowUpper, columnLower, columnUpper },
    fixed: new Float64Array(n * n),
  };
}

/** The whole liability matrix: known cells plus the variable part. */
export function fullMatrix(problem: ReconstructionProblem, variable: Float64Array): Float64Array {
  const out = Float64Array.from(variable);
  for (let e = 0; e < out.length; e++) out[e]! += problem.fixed[e]!;
  return out;
}

/** The clearing system of a network of the problem: b = p̄ − Σ_j p̄_ij, c = α − Σ_j p̄_ji (clamped at 0). */
export function systemOf(problem: ReconstructionProblem, variable: Float64Array): ClearingSystem {
  const n = problem.nBanks;
  const matrix = fullMatrix(problem, variable);
  const { rows, columns } = marginals(matrix, n);
  const b = new Float64Array(n);
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    b[i] = Math.max(0, problem.totalLiabilities[i]! - rows[i]!);
    c[i] = Math.max(0, problem.totalAssets[i]! - columns[i]!);
  }
  return fromDenseLiabilities(problem.ids, matrix, c, b, problem.defaultProbability);
}

/**
 * Bytes a reconstruction of n banks holds at its peak: about eight dense n × n arrays (the problem's known cells
 * and allowed pattern, the start, the current and best networks, the gradient, the clearing system's p̄ and a),
 * the liabilities of the network document it returns, and the shock fractions (scenarios × n).
 */
export function reconstructionBytes(n: number, scenarios = 0): number {
  return denseBytes(n, 8) + liabilityListBytes(n * (n - 1)) + 8 * n * scenarios;
}

/**
 * A complete network@1 document of the network found: node balance sheets with b, c, f, d recomputed from P̄
 * (p̄ and α as given, equity w = α − p̄), liabilities from the matrix.
 */
export function documentOfResult(
  doc: NetworkDocument,
  problem: ReconstructionProblem,
  matrix: Float64Array,
  name: string,
): NetworkDocument {
  const n = problem.nBanks;
  const { rows, columns } = marginals(matrix, n);
  const nodes: NetworkNode[] = doc.nodes.map((node, i) => ({
    ...node,
    outsideAssets: Math.max(0, problem.totalAssets[i]! - columns[i]!),
    outsideLiabilities: Math.max(0, problem.totalLiabilities[i]! - rows[i]!),
    insideAssets: columns[i]!,
    insideLiabilities: rows[i]!,
    totalAssets: problem.totalAssets[i]!,
    totalLiabilities: problem.totalLiabilities[i]!,
    equity: problem.totalAssets[i]! - problem.totalLiabilities[i]!,
  }));
  return { ...doc, name, nodes, liabilities: liabilitiesFromMatrix(problem.ids, matrix) };
}
