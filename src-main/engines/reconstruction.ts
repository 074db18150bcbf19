/**
 * Network reconstruction from partial data: the networks consistent with what is known of each node that give the
 * largest (worst case) and smallest (best case) expected Glasserman–Young loss, after Duarte & Jones as documented
 * in Ruela 2019, §1.1 (loss), §2.2–2.4 (constraints and bounds); reference reconstructions:
 * maximum entropy (RAS) and minimum density (Anand, Craig & von Peter 2015, a MIP solved by HiGHS).
 *
 * Variables: the liabilities P̄ (a_ij = p̄_ij / p̄_i with p̄_i known), in the flow polytope Ω of flow-polytope.ts;
 * unknown b_i = p̄_i − Σ_j p̄_ij and c_i = α_i − Σ_j p̄_ji follow from P̄, and w_i = α_i − p̄_i is constant.
 * Objective: over K common random shocks x_k = φ_k ∘ c (φ ∈ [0, 1]ⁿ drawn once, uniform or beta calibrated to δ),
 *   F(P̄) = (1/K) Σ_k L(x_k; P̄),  L(x) = Σ_i min(x_i, w_i) + Σ_i s_i   (expected loss), or
 *   F(P̄) = Σ_k L(x_k) / Σ_k L⁰(x_k),  L⁰(x) = Σ_i x_i                   (loss ratio),
 * with the gradient, D fixed locally (notes/reconstruction.md): s_D = (I − A_Dᵀ)⁻¹ (x − w)_D (the shortfall),
 * u_D = (I − A_D)⁻¹ 1 (the depth), ∂L/∂p̄_kl = s_k u_l / p̄_k for k, l ∈ D, k ≠ l, and through c_l = α_l − Σ_k p̄_kl
 * the term −φ_l ∂L/∂x_l with ∂L/∂x_l = [x_l < w_l] + u_l (u_l = 0 off D).
 * Worst case: Frank–Wolfe with the min-cost-flow (or LP) oracle; best case: spectral projected gradient with the
 * exact projection. Complementarity p̄_ij p̄_ji = 0 (§2.2): penalty continuation on ρ Σ_{i<j} p̄_ij p̄_ji (ρ ×10 per
 * stage), then each pair's orientation is fixed and the solution polished inside that orientation. Multi-start from
 * the maximum-entropy network and random feasible points. The networks found are then evaluated on an independent
 * sample (fresh scenario indices) against the maximum-entropy network: paired differences with standard errors.
 */
import type { Highs } from 'highs';
import type { NetworkDocument, NetworkNode } from '../../src-shared/formats/network';
import {
  GAP_NOT_AN_OPTIMISER_NOTE,
  RESIDUAL_UNDEFINED_NOTE,
  type InSampleLoss,
  type OptimalityGap,
  type OutOfSampleEvaluation,
  type ReconstructionTracePoint,
  type ReportedResidual,
} from '../../src-shared/results/reconstruction';
import { LOSS_RATIO_UNDEFINED_NOTE } from '../../src-shared/results/stress';
import { clearingInverse, createWorkspace, clearInto, depthOfDefaultSet, type ClearingWorkspace } from './clearing';
import { EngineInputError } from './errors';
import {
  constraintResidual,
  createLinearOracle,
  createProjector,
  hasFixedMarginals,
  InfeasiblePolytopeError,
  marginals,
  matrixFromSolution,
  offDiagonal,
  polytopeLp,
  withAllowed,
  type ConstraintResidual,
  type FlowPolytope,
  type LinearOracle,
} from './flow-polytope';
import { assertFiniteResult, assertMemoryFits, banks, denseBytes, liabilityListBytes, ratioField } from './limits';
import { solveDense } from './linalg';
import { liabilitiesFromMatrix, maxentReconstruct } from './maxent';
import { DEFAULT_DEFAULT_PROBABILITY, fromDenseLiabilities, type ClearingSystem } from './network-arrays';
import { Rng } from './random';
import { sampleShocks, type ShockModel } from './shocks';

export const RECONSTRUCTION_OBJECTIVES = ['worst', 'best', 'maxent', 'mindensity'] as const;
export type ReconstructionObjective = (typeof RECONSTRUCTION_OBJECTIVES)[number];
export type LossMeasure = 'expectedLoss' | 'lossRatio';
/** The node fields a user may mark known or unknown. */
export const KNOWN_FIELDS = ['outsideAssets', 'outsideLiabilities', 'insideAssets', 'insideLiabilities', 'defaultProbability'] as const;
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
      throw new EngineInputError(`node "${node.id}": total liabilities p̄ are required (totalLiabilities, or totalAssets − equity) and must be > 0`, at('totalLiabilities'));
    }
    if (alpha === undefined || !(alpha > 0)) {
      throw new EngineInputError(`node "${node.id}": total assets α are required (totalAssets, or outsideAssets + insideAssets) and must be > 0`, at('totalAssets'));
    }
    totalLiabilities[i] = pbar;
    totalAssets[i] = alpha;
    defaultProbability[i] = isKnown('defaultProbability') ? node.defaultProbability! : DEFAULT_DEFAULT_PROBABILITY;
    const relTol = 1e-9 * Math.max(pbar, alpha);
    const fixedRow = f ?? (b !== undefined ? pbar - b : undefined);
    if (f !== undefined && b !== undefined && Math.abs(f + b - pbar) > 1e-6 * pbar) {
      throw new EngineInputError(`node "${node.id}": insideLiabilities + outsideLiabilities = ${f + b} differs from total liabilities ${pbar}`, at('insideLiabilities'));
    }
    if (fixedRow !== undefined) {
      if (!(fixedRow >= -relTol && fixedRow <= pbar + relTol)) {
        throw new EngineInputError(`node "${node.id}": inside liabilities ${fixedRow} must lie in [0, p̄ = ${pbar}]`, at('insideLiabilities'));
      }
      rowLower[i] = rowUpper[i] = Math.min(pbar, Math.max(0, fixedRow));
    } else {
      rowLower[i] = Math.min(BOUND_MARGIN, pbar / 2);
      rowUpper[i] = Math.max(pbar - BOUND_MARGIN, pbar / 2);
    }
    const fixedColumn = d ?? (c !== undefined ? alpha - c : undefined);
    if (d !== undefined && c !== undefined && Math.abs(d + c - alpha) > 1e-6 * alpha) {
      throw new EngineInputError(`node "${node.id}": insideAssets + outsideAssets = ${d + c} differs from total assets ${alpha}`, at('insideAssets'));
    }
    if (fixedColumn !== undefined) {
      if (!(fixedColumn >= -relTol && fixedColumn <= alpha + relTol)) {
        throw new EngineInputError(`node "${node.id}": inside assets ${fixedColumn} must lie in [0, α = ${alpha}]`, at('insideAssets'));
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

/** Common random shocks as fractions φ = x / c of outside assets, scenario-major. */
export interface ShockFractions {
  nScenarios: number;
  fractions: Float64Array;
}

/** Scenarios first … first+count−1 of the model at the outside assets of `variable` (the start network). */
export function drawShockFractions(
  problem: ReconstructionProblem,
  variable: Float64Array,
  model: ShockModel,
  seed: number,
  first: number,
  count: number,
): ShockFractions {
  const system = systemOf(problem, variable);
  const shocks = sampleShocks(system, model, seed, first, count);
  const n = problem.nBanks;
  for (let k = 0; k < count; k++) {
    for (let i = 0; i < n; i++) {
      const c = system.outsideAssets[i]!;
      shocks[k * n + i] = c > 0 ? Math.min(1, shocks[k * n + i]! / c) : 0;
    }
  }
  return { nScenarios: count, fractions: shocks };
}

/** Sample averages of one network on a shock sample. */
export interface LossEvaluation {
  expectedLoss: number;
  expectedUnconnectedLoss: number;
  lossRatio: number;
  /** The objective: expectedLoss or lossRatio. */
  value: number;
}

/**
 * A clearing workspace; sparse networks (at most 8 links per bank, e.g. Frank–Wolfe vertices) clear large default
 * sets by the clearing engine's monotone iteration instead of dense LU (measured 10× faster at 300 banks, same loss).
 */
function workspaceFor(system: ClearingSystem): ClearingWorkspace {
  return createWorkspace(system, system.nLinks <= 8 * system.nBanks ? { denseLimit: 16 } : {});
}

/** Column sums of M = (I − Aᵀ)⁻¹ (Σ_k M_kj), cached per system. */
const inverseColumnSums = new WeakMap<ClearingSystem, Float64Array>();

/**
 * u_D = (I − A_D)⁻¹ 1 for the workspace's default set. Through M = (I − Aᵀ)⁻¹ when the solvent set S is small:
 * u_D = M_DDᵀ 1 − M_SDᵀ (M_SSᵀ)⁻¹ M_DSᵀ 1 (Schur complement; s·n + s³/3 flops), else by LU on D.
 */
function depthInto(ws: ClearingWorkspace, out: Float64Array): void {
  const { system } = ws;
  const n = system.nBanks;
  const m = ws.nDefaults;
  const s = n - m;
  const luCost = (m * m * m) / 3;
  if (60 * (system.nLinks + n) < Math.min(luCost, s * n + (s * s * s) / 3) && depthByIteration(ws, out)) return;
  const inverse = s * n + (s * s * s) / 3 < luCost ? clearingInverse(system) : null;
  if (!inverse) {
    depthOfDefaultSet(ws, out);
    return;
  }
  let sums = inverseColumnSums.get(system);
  if (!sums) {
    sums = new Float64Array(n);
    for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) sums[j]! += inverse[k * n + j]!;
    inverseColumnSums.set(system, sums);
  }
  const solvent: number[] = [];
  for (let i = 0; i < n; i++) if (ws.defaultRound[i] === 0) solvent.push(i);
  // colD_j = Σ_{k∈D} M_kj
  const colD = Float64Array.from(sums);
  for (const k of solvent) for (let j = 0; j < n; j++) colD[j]! -= inverse[k * n + j]!;
  out.fill(0);
  if (s === 0) {
    for (let i = 0; i < n; i++) out[i] = colD[i]!;
    return;
  }
  const t = new Float64Array(s * s);
  const rhs = new Float64Array(s);
  for (let a = 0; a < s; a++) {
    rhs[a] = colD[solvent[a]!]!;
    for (let b = 0; b < s; b++) t[a * s + b] = inverse[solvent[b]! * n + solvent[a]!]!; // (M_SS)ᵀ
  }
  const z = solveDense(t, s, rhs);
  for (let i = 0; i < n; i++) {
    if (ws.defaultRound[i] === 0) continue;
    let u = colD[i]!;
    for (let b = 0; b < s; b++) u -= inverse[solvent[b]! * n + i]! * z[b]!;
    out[i] = u;
  }
}

/**
 * u_D = 1 + A_DD u_D by Gauss–Seidel over the sparse rows (sparse networks such as Frank–Wolfe vertices, where
 * the sweeps cost far less than a factorisation); false when 60 sweeps do not reach 1e-14 relative (the caller
 * then factors).
 */
function depthByIteration(ws: ClearingWorkspace, out: Float64Array): boolean {
  const { rowStart, creditor, relative } = ws.system.csr;
  const { defaultRound, defaultList } = ws;
  const m = ws.nDefaults;
  out.fill(0);
  for (let k = 0; k < m; k++) out[defaultList[k]!] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let change = 0;
    let largest = 0;
    for (let k = 0; k < m; k++) {
      const i = defaultList[k]!;
      let u = 1;
      for (let e = rowStart[i]!; e < rowStart[i + 1]!; e++) if (defaultRound[creditor[e]!] !== 0) u += relative[e]! * out[creditor[e]!]!;
      change = Math.max(change, Math.abs(u - out[i]!));
      largest = Math.max(largest, u);
      out[i] = u;
    }
    if (change <= 1e-14 * largest) return true;
  }
  return false;
}

/**
 * F(P̄) on the sample and, when `gradient` is given, ∂F/∂p̄_ij (dense, every cell) into it.
 */
export function evaluateLoss(
  problem: ReconstructionProblem,
  sample: ShockFractions,
  variable: Float64Array,
  measure: LossMeasure,
  gradient?: Float64Array,
): LossEvaluation {
  const n = problem.nBanks;
  const system = systemOf(problem, variable);
  const { outsideAssets, totalObligations } = system;
  const ws = workspaceFor(system);
  const shock = new Float64Array(n);
  const depth = new Float64Array(n);
  const lossByShock = new Float64Array(n); // Σ_k φ_i ∂L/∂x_i
  const meanFraction = new Float64Array(n);
  let totalLoss = 0;
  let totalUnconnected = 0;
  if (gradient) gradient.fill(0);
  const K = sample.nScenarios;
  for (let k = 0; k < K; k++) {
    const offset = k * n;
    for (let i = 0; i < n; i++) shock[i] = sample.fractions[offset + i]! * outsideAssets[i]!;
    clearInto(ws, shock, 0, false);
    totalLoss += ws.loss;
    totalUnconnected += ws.shockTotal;
    if (!gradient) continue;
    const m = ws.nDefaults;
    if (m > 0) depthInto(ws, depth);
    for (let i = 0; i < n; i++) {
      // ∂L/∂x_i = [x_i < w_i] + u_i (u_i = 0 off D)
      const phi = sample.fractions[offset + i]!;
      meanFraction[i]! += phi;
      lossByShock[i]! += phi * ((shock[i]! < system.netWorth[i]! ? 1 : 0) + (ws.defaultRound[i] !== 0 ? depth[i]! : 0));
    }
    for (let a = 0; a < m; a++) {
      const row = ws.defaultList[a]!;
      const coefficient = (totalObligations[row]! - ws.payments[row]!) / totalObligations[row]!;
      if (!(coefficient > 0)) continue;
      const base = row * n;
      for (let b = 0; b < m; b++) {
        const column = ws.defaultList[b]!;
        if (column !== row) gradient[base + column]! += coefficient * depth[column]!;
      }
    }
  }
  const expectedLoss = totalLoss / K;
  const expectedUnconnectedLoss = totalUnconnected / K;
  if (measure === 'lossRatio' && !(expectedUnconnectedLoss > 0)) {
    throw new EngineInputError(
      'the loss ratio E[L]/E[L⁰] is undefined here: the shocks reach no outside assets (E[L⁰] = 0); optimise the expected loss instead',
      'measure',
    );
  }
  // the objective's ratio; what is reported goes through inSampleLoss (no ratio when E[L⁰] = 0)
  const lossRatio = expectedUnconnectedLoss > 0 ? expectedLoss / expectedUnconnectedLoss : 0;
  if (gradient) {
    for (let e = 0; e < n * n; e++) gradient[e]! /= K;
    for (let column = 0; column < n; column++) {
      const fromShock = lossByShock[column]! / K;
      for (let row = 0; row < n; row++) if (row !== column) gradient[row * n + column]! -= fromShock;
    }
    if (measure === 'lossRatio' && expectedUnconnectedLoss > 0) {
      for (let column = 0; column < n; column++) {
        const unconnected = -meanFraction[column]! / K; // ∂E[L⁰]/∂p̄_kl = −mean φ_l
        for (let row = 0; row < n; row++) {
          const e = row * n + column;
          if (row !== column) gradient[e] = (gradient[e]! - lossRatio * unconnected) / expectedUnconnectedLoss;
        }
      }
    }
  }
  return { expectedLoss, expectedUnconnectedLoss, lossRatio, value: measure === 'lossRatio' ? lossRatio : expectedLoss };
}

export type IterationReport = ReconstructionTracePoint;

interface SolverContext {
  problem: ReconstructionProblem;
  sample: ShockFractions;
  measure: LossMeasure;
  /** −1 to maximise F (worst case), +1 to minimise it (best case). */
  sign: number;
  oracle: LinearOracle;
  report: (entry: Omit<IterationReport, 'start'>) => void;
}

interface Smooth {
  value: number;
  objective: number;
  gradient: Float64Array;
}

/** h(P) = sign·F(P) + ρ Σ_{i<j} P_ij P_ji and its gradient. */
function penalised(context: SolverContext, variable: Float64Array, rho: number): Smooth {
  const n = context.problem.nBanks;
  const gradient = new Float64Array(n * n);
  const evaluation = evaluateLoss(context.problem, context.sample, variable, context.measure, gradient);
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const e = i * n + j;
      gradient[e] = context.sign * gradient[e]! + (rho > 0 ? rho * variable[j * n + i]! : 0);
      if (rho > 0 && j > i) penalty += variable[e]! * variable[j * n + i]!;
    }
  }
  return { value: context.sign * evaluation.value + rho * penalty, objective: evaluation.value, gradient };
}

function frankWolfeGap(context: SolverContext, polytope: FlowPolytope, point: Smooth, variable: Float64Array): { gap: number; vertex: Float64Array } {
  const vertex = context.oracle(point.gradient, polytope);
  let gap = 0;
  for (let e = 0; e < variable.length; e++) if (polytope.allowed[e]) gap += point.gradient[e]! * (variable[e]! - vertex[e]!);
  return { gap: Math.max(0, gap), vertex };
}

function violationOf(polytope: FlowPolytope, variable: Float64Array, withComplementarity: boolean): number {
  const residual = constraintResidual(polytope, variable);
  return withComplementarity ? Math.max(residual.relative, residual.complementarity) : residual.relative;
}

interface MethodOptions {
  maxIterations: number;
  /** Stop when the gap ≤ tolerance · max(|h|, 1e-12). */
  tolerance: number;
  rho: number;
  stage: string;
}

/** Frank–Wolfe on h over the polytope (worst case): the iterates are convex combinations of vertices. */
function frankWolfe(context: SolverContext, polytope: FlowPolytope, start: Float64Array, options: MethodOptions): Float64Array {
  let variable: Float64Array = Float64Array.from(start);
  let point = penalised(context, variable, options.rho);
  for (let iteration = 1; iteration <= options.maxIterations; iteration++) {
    const { gap, vertex } = frankWolfeGap(context, polytope, point, variable);
    context.report({ stage: options.stage, iteration, objective: point.objective, gap, violation: violationOf(polytope, variable, options.rho > 0) });
    if (gap <= options.tolerance * Math.max(Math.abs(point.value), 1e-12)) break;
    let accepted = false;
    for (let step = 1, tries = 0; tries < 12; tries++, step *= 0.5) {
      const trial = new Float64Array(variable.length);
      for (let e = 0; e < trial.length; e++) trial[e] = variable[e]! + step * (vertex[e]! - variable[e]!);
      const next = penalised(context, trial, options.rho);
      if (next.value <= point.value - 1e-4 * step * gap) {
        variable = trial;
        point = next;
        accepted = true;
        break;
      }
    }
    if (!accepted) break;
  }
  return variable;
}

/**
 * Spectral projected gradient (Birgin, Martínez & Raydan) on h (best case): P⁺ = Π_Ω(P − σ∇h) with the
 * Barzilai–Borwein step σ and a non-monotone Armijo search along P⁺ − P.
 */
function spectralProjectedGradient(context: SolverContext, polytope: FlowPolytope, start: Float64Array, options: MethodOptions): Float64Array {
  const projector = createProjector(polytope);
  let variable: Float64Array = new Float64Array(start.length);
  projector.project(start, variable);
  let point = penalised(context, variable, options.rho);
  const history: number[] = [point.value];
  let largestEntry = 0;
  let largestGradient = 0;
  for (let e = 0; e < variable.length; e++) {
    largestEntry = Math.max(largestEntry, variable[e]!, polytope.rowUpper[Math.floor(e / polytope.nBanks)]!);
    if (polytope.allowed[e]) largestGradient = Math.max(largestGradient, Math.abs(point.gradient[e]!));
  }
  const stepMax = (1e3 * largestEntry) / Math.max(largestGradient, 1e-300);
  let sigma = 0.1 * largestEntry / Math.max(largestGradient, 1e-300);
  const moved = new Float64Array(variable.length);
  const projected = new Float64Array(variable.length);
  for (let iteration = 1; iteration <= options.maxIterations; iteration++) {
    const gapCheck = iteration === 1 || iteration % 5 === 0 || iteration === options.maxIterations;
    const gap = gapCheck ? frankWolfeGap(context, polytope, point, variable).gap : Number.NaN;
    if (gapCheck) {
      context.report({ stage: options.stage, iteration, objective: point.objective, gap, violation: violationOf(polytope, variable, options.rho > 0) });
      if (gap <= options.tolerance * Math.max(Math.abs(point.value), 1e-12)) break;
    }
    for (let e = 0; e < variable.length; e++) moved[e] = variable[e]! - sigma * point.gradient[e]!;
    projector.project(moved, projected);
    let slope = 0;
    let size = 0;
    for (let e = 0; e < variable.length; e++) {
      const d = projected[e]! - variable[e]!;
      slope += point.gradient[e]! * d;
      size = Math.max(size, Math.abs(d));
    }
    if (!(slope < 0) || size <= 1e-13 * largestEntry) break;
    const reference = Math.max(...history.slice(-5));
    let accepted: { variable: Float64Array; point: Smooth } | null = null;
    for (let lambda = 1, tries = 0; tries < 20; tries++, lambda *= 0.5) {
      const trial = new Float64Array(variable.length);
      for (let e = 0; e < trial.length; e++) trial[e] = variable[e]! + lambda * (projected[e]! - variable[e]!);
      const next = penalised(context, trial, options.rho);
      if (next.value <= reference + 1e-4 * lambda * slope) {
        accepted = { variable: trial, point: next };
        break;
      }
    }
    if (!accepted) break;
    let ss = 0;
    let sy = 0;
    for (let e = 0; e < variable.length; e++) {
      const s = accepted.variable[e]! - variable[e]!;
      const y = accepted.point.gradient[e]! - point.gradient[e]!;
      ss += s * s;
      sy += s * y;
    }
    sigma = sy > 0 ? Math.min(stepMax, ss / sy) : stepMax;
    variable = accepted.variable;
    point = accepted.point;
    history.push(point.value);
    // stalled: less than 1e-7 relative decrease over the last 10 iterations (Monte Carlo noise is far larger)
    if (history.length > 10 && history[history.length - 11]! - point.value <= 1e-7 * Math.abs(point.value)) break;
  }
  return variable;
}

type Method = typeof frankWolfe;

/** max over pairs of min(P_ij, P_ji), relative to max P. */
function complementarityOf(variable: Float64Array, n: number): number {
  let largest = 0;
  let both = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      largest = Math.max(largest, variable[i * n + j]!);
      if (j > i) both = Math.max(both, Math.min(variable[i * n + j]!, variable[j * n + i]!));
    }
  }
  return largest > 0 ? both / largest : 0;
}

/**
 * One orientation per pair from a near-complementary P: keep the larger entry; where both are (nearly) zero keep
 * the direction with the smaller ∇h (the more useful one), unless `undecidedBoth` keeps both there.
 */
function orientation(polytope: FlowPolytope, variable: Float64Array, gradient: Float64Array, undecidedBoth: boolean): Uint8Array {
  const n = polytope.nBanks;
  const allowed = Uint8Array.from(polytope.allowed);
  let largest = 0;
  for (let e = 0; e < variable.length; e++) largest = Math.max(largest, variable[e]!);
  const small = 1e-9 * largest;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const ij = i * n + j;
      const ji = j * n + i;
      if (!allowed[ij] || !allowed[ji]) continue;
      const a = variable[ij]!;
      const b = variable[ji]!;
      if (Math.max(a, b) <= small) {
        if (undecidedBoth) continue;
        if (gradient[ij]! <= gradient[ji]!) allowed[ji] = 0;
        else allowed[ij] = 0;
      } else if (a >= b) allowed[ji] = 0;
      else allowed[ij] = 0;
    }
  }
  return allowed;
}

/** Penalty continuation, orientation, polish (notes/reconstruction.md "Complementarity"). */
function solveWithComplementarity(
  context: SolverContext,
  method: Method,
  start: Float64Array,
  iterations: number,
  tolerance: number,
): { variable: Float64Array; polytope: FlowPolytope } {
  const { polytope } = context.problem;
  const n = polytope.nBanks;
  let variable = start;
  const first = penalised(context, variable, 0);
  let largestGradient = 0;
  let largestEntry = 0;
  for (let e = 0; e < variable.length; e++) {
    if (polytope.allowed[e]) largestGradient = Math.max(largestGradient, Math.abs(first.gradient[e]!));
    largestEntry = Math.max(largestEntry, variable[e]!);
  }
  let rho = (0.01 * largestGradient) / Math.max(largestEntry, 1e-300);
  for (let stage = 1; stage <= 6; stage++) {
    variable = method(context, polytope, variable, { maxIterations: Math.max(5, Math.ceil(iterations / 4)), tolerance: tolerance * 10, rho, stage: `penalty ρ=${rho.toExponential(1)}` });
    if (complementarityOf(variable, n) <= 1e-9) break;
    rho *= 10;
  }
  const gradient = penalised(context, variable, 0).gradient;
  for (const undecidedBoth of [false, true]) {
    const oriented = withAllowed(polytope, orientation(polytope, variable, gradient, undecidedBoth));
    try {
      // the oracle proves the orientation feasible; its vertex (FW) or the projection (SPG) starts the polish
      const vertex = context.oracle(gradient, oriented);
      const begin = method === frankWolfe ? vertex : variable;
      const polished = method(context, oriented, begin, { maxIterations: iterations, tolerance, rho: 0, stage: 'polish (orientation fixed)' });
      return { variable: polished, polytope: oriented };
    } catch (error) {
      if (!(error instanceof InfeasiblePolytopeError)) throw error;
    }
  }
  // no orientation found feasible: polish without complementarity (reported as a violation)
  return { variable: method(context, polytope, variable, { maxIterations: iterations, tolerance, rho: 0, stage: 'polish' }), polytope };
}

export interface ReconstructionOptions {
  objective: ReconstructionObjective;
  measure?: LossMeasure;
  shockModel: ShockModel;
  /** K common random shocks for the optimisation (default 1000). */
  samples?: number;
  seed: number;
  /** Starts: the maximum-entropy network plus starts − 1 random feasible points (default 3). */
  starts?: number;
  /** Enforce p̄_ij p̄_ji = 0 (default true). */
  complementarity?: boolean;
  /** Independent shocks for the out-of-sample evaluation (default 10,000). */
  evaluationSamples?: number;
  maxIterations?: number;
  /** Relative gap at which a solve stops (default 1e-7). */
  tolerance?: number;
  /** Needed for interval marginals and for the minimum-density MIP. */
  highs?: Highs | null;
  /** Time limit of the minimum-density MIP in seconds (default 20). */
  timeLimit?: number;
  onIteration?: (report: IterationReport) => void;
  /** The maximum-entropy (reference) network, when the caller has it (disaggregation). */
  reference?: Float64Array;
  /** Worst case: basin-hopping rounds after the starts (default 6). */
  hops?: number;
  /** Feasible start points replacing the default starts (maximum entropy, then random) and the hops. */
  startPoints?: Float64Array[];
}

export type OutOfSample = OutOfSampleEvaluation;

export interface ReconstructionResult extends OptimalityGap {
  objective: ReconstructionObjective;
  measure: LossMeasure;
  /** The liability matrix found (known + variable cells), row = debtor. */
  matrix: Float64Array;
  inSample: InSampleLoss;
  evaluation: OutOfSample;
  residual: ReportedResidual;
  links: number;
  /** links / (n (n − 1)). */
  density: number;
  /** The objective reached from each start (in sample), the chosen one first-best. */
  starts: Array<{ start: number; kind: 'maximum entropy' | 'random' | 'given' | 'hop'; value: number }>;
  trace: IterationReport[];
  samples: number;
  seed: number;
}

/**
 * Marginals inside the intervals with equal totals T, for the maximum-entropy reference when some b or c are
 * unknown: the rows at a common fraction of their intervals, then the columns at a common fraction of their
 * intervals capped by T − f_i (so that f_i + d_i ≤ T, which a zero-diagonal network needs).
 */
function balancedMarginals(polytope: FlowPolytope): { rows: Float64Array; columns: Float64Array } {
  const { rowLower, rowUpper, columnLower, columnUpper, nBanks: n } = polytope;
  const sum = (values: ArrayLike<number>) => Array.from(values).reduce((a, b) => a + b, 0);
  const low = Math.max(sum(rowLower), sum(columnLower));
  const high = Math.min(sum(rowUpper), sum(columnUpper));
  if (!(low <= high)) throw new InfeasiblePolytopeError('the row and column intervals admit no common total');
  const total = 0.5 * (low + high);
  const fill = (lower: ArrayLike<number>, upper: ArrayLike<number>) => {
    const sumLow = sum(lower);
    const sumHigh = sum(upper);
    const t = sumHigh > sumLow ? Math.min(1, Math.max(0, (total - sumLow) / (sumHigh - sumLow))) : 0;
    return Float64Array.from({ length: n }, (_, i) => lower[i]! + t * (upper[i]! - lower[i]!));
  };
  const rows = fill(rowLower, rowUpper);
  const capped = Float64Array.from({ length: n }, (_, i) => Math.max(columnLower[i]!, Math.min(columnUpper[i]!, total - rows[i]!)));
  return { rows, columns: fill(columnLower, capped) };
}

/** The maximum-entropy network (RAS with zero diagonal) of the problem's (balanced) marginals. */
export function maximumEntropy(problem: ReconstructionProblem): Float64Array {
  const { rows, columns } = hasFixedMarginals(problem.polytope)
    ? { rows: problem.polytope.rowLower, columns: problem.polytope.columnLower }
    : balancedMarginals(problem.polytope);
  return maxentReconstruct(problem.ids, rows, columns).matrix;
}

/**
 * Minimum density (Anand, Craig & von Peter 2015): fewest links meeting the marginals, the MIP
 * min Σ z_ij s.t. P ∈ Ω, p̄_ij ≤ min(r̄_i, c̄_j) z_ij, z ∈ {0,1}, solved by HiGHS within a time limit; the
 * LP-relaxation vertex (cost 1/min(r̄_i, c̄_j), at most 2n − 1 links) is kept when the MIP finds nothing sparser.
 */
export function minimumDensity(problem: ReconstructionProblem, highs: Highs, oracle: LinearOracle, timeLimit = 20): Float64Array {
  const { polytope } = problem;
  const n = polytope.nBanks;
  const capacity = (e: number) => Math.min(polytope.rowUpper[Math.floor(e / n)]!, polytope.columnUpper[e % n]!);
  const relaxationCost = Float64Array.from({ length: n * n }, (_, e) => (polytope.allowed[e] ? 1 / Math.max(capacity(e), 1e-300) : 0));
  const relaxed = oracle(relaxationCost, polytope);
  const linkLines: string[] = [];
  const binaries: string[] = [];
  for (let e = 0; e < n * n; e++) {
    if (!polytope.allowed[e]) continue;
    const i = Math.floor(e / n);
    const j = e % n;
    linkLines.push(` l_${i}_${j}: p_${i}_${j} - ${capacity(e).toPrecision(17)} z_${i}_${j} <= 0`);
    binaries.push(`z_${i}_${j}`);
  }
  const lp = polytopeLp(polytope, new Float64Array(n * n));
  const objective = ` obj: ${binaries.join(' + ')}`;
  const text = [lp.replace(/^ obj: .*$/m, objective), ...linkLines, 'Binaries', ` ${binaries.join(' ')}`, 'End', ''].join('\n');
  const countLinks = (m: Float64Array) => m.reduce((count, v) => count + (v > 0 ? 1 : 0), 0);
  try {
    const solution = highs.solve(text, { time_limit: timeLimit, mip_rel_gap: 1e-4 });
    if (solution.Status === 'Optimal' || solution.Status === 'Time limit reached') {
      const matrix = matrixFromSolution(n, solution.Columns);
      const residual = constraintResidual(polytope, matrix);
      if (residual.relative <= 1e-6 && countLinks(matrix) < countLinks(relaxed)) return matrix;
    }
  } catch (error) {
    if (!(error instanceof Error)) throw error;
  }
  return relaxed;
}

/** A random feasible point: a Dirichlet mixture of three random vertices. */
export function randomFeasible(problem: ReconstructionProblem, oracle: LinearOracle, rng: Rng): Float64Array {
  const size = problem.nBanks * problem.nBanks;
  const out = new Float64Array(size);
  const weights = [0, 0, 0].map(() => -Math.log(1 - rng.uniform()));
  const total = weights.reduce((a, b) => a + b, 0);
  for (const weight of weights) {
    const cost = Float64Array.from({ length: size }, () => rng.uniform());
    const vertex = oracle(cost, problem.polytope);
    for (let e = 0; e < size; e++) out[e]! += (weight / total) * vertex[e]!;
  }
  return out;
}

function paired(a: Float64Array, b: Float64Array): { mean: number; standardError: number } {
  const m = a.length;
  let mean = 0;
  for (let k = 0; k < m; k++) mean += a[k]! - b[k]!;
  mean /= m;
  let variance = 0;
  for (let k = 0; k < m; k++) variance += (a[k]! - b[k]! - mean) ** 2;
  return { mean, standardError: m > 1 ? Math.sqrt(variance / (m - 1) / m) : 0 };
}

/** Per-scenario losses of a network on a fraction sample. */
export function scenarioLosses(problem: ReconstructionProblem, sample: ShockFractions, variable: Float64Array): { losses: Float64Array; unconnected: Float64Array } {
  const n = problem.nBanks;
  const system = systemOf(problem, variable);
  const ws = workspaceFor(system);
  const shock = new Float64Array(n);
  const losses = new Float64Array(sample.nScenarios);
  const unconnected = new Float64Array(sample.nScenarios);
  for (let k = 0; k < sample.nScenarios; k++) {
    for (let i = 0; i < n; i++) shock[i] = sample.fractions[k * n + i]! * system.outsideAssets[i]!;
    clearInto(ws, shock, 0, false);
    losses[k] = ws.loss;
    unconnected[k] = ws.shockTotal;
  }
  return { losses, unconnected };
}

/** Out-of-sample evaluation of `variable` against the maximum-entropy network on the same fractions. */
export function evaluateOutOfSample(
  problem: ReconstructionProblem,
  variable: Float64Array,
  reference: Float64Array,
  shockModel: ShockModel,
  seed: number,
  firstScenario: number,
  samples: number,
): OutOfSample {
  const fractions = drawShockFractions(problem, reference, shockModel, seed, firstScenario, samples);
  const found = scenarioLosses(problem, fractions, variable);
  const maxent = scenarioLosses(problem, fractions, reference);
  const zeros = new Float64Array(samples);
  const level = paired(found.losses, zeros);
  const difference = paired(found.losses, maxent.losses);
  const maxentLevel = paired(maxent.losses, zeros);
  const totalUnconnected = found.unconnected.reduce((a, b) => a + b, 0) / samples;
  const cap = Math.min(samples, 2000);
  return {
    samples,
    firstScenario,
    expectedLoss: level.mean,
    expectedLossStandardError: level.standardError,
    ...ratioField('lossRatio', level.mean, totalUnconnected, LOSS_RATIO_UNDEFINED_NOTE),
    maxentExpectedLoss: maxentLevel.mean,
    differenceToMaxent: difference.mean,
    differenceStandardError: difference.standardError,
    losses: Array.from(found.losses.subarray(0, cap)),
    maxentLosses: Array.from(maxent.losses.subarray(0, cap)),
  };
}

/**
 * Bytes a reconstruction of n banks holds at its peak: about eight dense n × n arrays (the problem's known cells
 * and allowed pattern, the start, the current and best networks, the gradient, the clearing system's p̄ and a),
 * the liabilities of the network document it returns, and the shock fractions (scenarios × n).
 */
export function reconstructionBytes(n: number, scenarios = 0): number {
  return denseBytes(n, 8) + liabilityListBytes(n * (n - 1)) + 8 * n * scenarios;
}

/** What a result reports of an in-sample evaluation: the ratio only where E[L⁰] > 0, else a note. */
function inSampleLoss(evaluation: LossEvaluation): InSampleLoss {
  const { expectedLoss, expectedUnconnectedLoss, value } = evaluation;
  return { expectedLoss, expectedUnconnectedLoss, ...ratioField('lossRatio', expectedLoss, expectedUnconnectedLoss, LOSS_RATIO_UNDEFINED_NOTE), value };
}

/** The residual as reported: relative only where some total is positive, else a note. */
export function reportedResidual(residual: ConstraintResidual, complementarity: number): ReportedResidual {
  const { absolute } = residual;
  return residual.scale > 0
    ? { relative: residual.relative, absolute, complementarity }
    : { relativeNote: RESIDUAL_UNDEFINED_NOTE, absolute, complementarity };
}

/** Runs one reconstruction (see the module docstring). */
export function reconstruct(problem: ReconstructionProblem, options: ReconstructionOptions): ReconstructionResult {
  const measure = options.measure ?? 'expectedLoss';
  const samples = options.samples ?? 1000;
  const evaluationSamples = options.evaluationSamples ?? 10_000;
  const scenarios = samples + evaluationSamples;
  assertMemoryFits(
    reconstructionBytes(problem.nBanks, scenarios),
    `reconstructing a network of ${banks(problem.nBanks)} with ${scenarios.toLocaleString('en-US')} shock scenarios`,
  );
  const starts = Math.max(1, options.starts ?? 3);
  const tolerance = options.tolerance ?? 1e-7;
  const maxIterations = options.maxIterations ?? (options.objective === 'best' ? 150 : 40);
  const complementarity = options.complementarity ?? true;
  const oracle = createLinearOracle(options.highs ?? null);
  const reference = options.reference ?? maximumEntropy(problem);
  const sample = drawShockFractions(problem, reference, options.shockModel, options.seed, 0, samples);
  const trace: IterationReport[] = [];
  let startIndex = 0;
  const context: SolverContext = {
    problem,
    sample,
    measure,
    sign: options.objective === 'worst' ? -1 : 1,
    oracle,
    report: (entry) => {
      const report = { start: startIndex, ...entry };
      trace.push(report);
      options.onIteration?.(report);
    },
  };
  let best: Float64Array = reference;
  let bestPolytope = problem.polytope;
  const startValues: ReconstructionResult['starts'] = [];
  if (options.objective === 'mindensity') {
    if (!options.highs) throw new EngineInputError('minimum density needs the LP solver');
    best = minimumDensity(problem, options.highs, oracle, options.timeLimit);
  } else if (options.objective !== 'maxent') {
    // the projection's semismooth Newton is not reliable on interval marginals (unknown b or c): the best case
    // then runs Frank–Wolfe with the LP oracle too (slower, always feasible)
    const method: Method = options.objective === 'best' && hasFixedMarginals(problem.polytope) ? spectralProjectedGradient : frankWolfe;
    const rng = new Rng(options.seed, 0x5eed);
    let bestValue = Infinity;
    const solve = (start: Float64Array) =>
      complementarity
        ? solveWithComplementarity(context, method, start, maxIterations, tolerance)
        : { variable: method(context, problem.polytope, start, { maxIterations, tolerance, rho: 0, stage: 'solve' }), polytope: problem.polytope };
    const given = options.startPoints;
    for (startIndex = 0; startIndex < (given ? given.length : starts); startIndex++) {
      const start = given ? given[startIndex]! : startIndex === 0 ? reference : randomFeasible(problem, oracle, rng);
      const solved = solve(start);
      const value = context.sign * evaluateLoss(problem, sample, solved.variable, measure).value;
      startValues.push({ start: startIndex, kind: given ? 'given' : startIndex === 0 ? 'maximum entropy' : 'random', value: context.sign * value });
      if (value < bestValue) {
        bestValue = value;
        best = solved.variable;
        bestPolytope = solved.polytope;
      }
    }
    // worst case: basin hopping from the best network (half of it mixed with a random vertex), kept when better
    const hops = options.objective === 'worst' && !given ? (options.hops ?? 6) : 0;
    for (let hop = 0; hop < hops; hop++, startIndex++) {
      const vertex = oracle(Float64Array.from({ length: best.length }, () => rng.uniform()), problem.polytope);
      const start = best.map((v, e) => 0.5 * v + 0.5 * vertex[e]!);
      const solved = solve(start);
      const value = context.sign * evaluateLoss(problem, sample, solved.variable, measure).value;
      startValues.push({ start: startIndex, kind: 'hop', value: context.sign * value });
      if (value < bestValue) {
        bestValue = value;
        best = solved.variable;
        bestPolytope = solved.polytope;
      }
    }
  }
  const residual = constraintResidual(bestPolytope, best);
  let optimality: OptimalityGap = { gapNote: GAP_NOT_AN_OPTIMISER_NOTE };
  if (options.objective === 'worst' || options.objective === 'best') {
    const point = penalised(context, best, 0);
    const gap = frankWolfeGap(context, bestPolytope, point, best).gap;
    optimality = { frankWolfeGap: gap, relativeGap: gap / Math.max(Math.abs(point.value), 1e-12) };
  }
  const matrix = fullMatrix(problem, best);
  let links = 0;
  for (let e = 0; e < matrix.length; e++) if (matrix[e]! > 0) links++;
  const n = problem.nBanks;
  return assertFiniteResult<ReconstructionResult>({
    objective: options.objective,
    measure,
    matrix,
    inSample: inSampleLoss(evaluateLoss(problem, sample, best, measure)),
    evaluation: evaluateOutOfSample(problem, best, reference, options.shockModel, options.seed, samples, evaluationSamples),
    residual: reportedResidual(residual, constraintResidual(problem.polytope, best).complementarity),
    ...optimality,
    links,
    density: links / (n * (n - 1)),
    starts: startValues,
    trace,
    samples,
    seed: options.seed,
  }, 'reconstruction result');
}

/**
 * A complete network@1 document of the network found: node balance sheets with b, c, f, d recomputed from P̄
 * (p̄ and α as given, equity w = α − p̄), liabilities from the matrix.
 */
export function documentOfResult(doc: NetworkDocument, problem: ReconstructionProblem, matrix: Float64Array, name: string): NetworkDocument {
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
