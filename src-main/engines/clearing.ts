/**
 * Clearing: the greatest clearing vector of Eisenberg & Noe (2001), with the default costs of Rogers & Veraart
 * (2013) as an option, and the loss decomposition of Glasserman & Young (2015) (network-reconstruction-optimiser
 * §1.1; docs/formats.md "Definitions behind clear").
 *
 *   p_i = p̄_i                               if c_i − x_i + Σ_j a_ji p_j ≥ p̄_i   (bank i solvent)
 *   p_i = α (c_i − x_i) + β Σ_j a_ji p_j     otherwise                          (α = β = 1: Eisenberg–Noe,
 *                                                               p = min(p̄, max(0, Aᵀp + c − x)))
 *   D = {i : p_i < p̄_i},  s = p̄ − p,  u_D = (I − A_D)⁻¹ 1 (0 off D),
 *   L(x) = Σ_i min(x_i, w_i) + Σ_i s_i  (= Σ_i min(x_i, w_i) + Σ_{i∈D} (x_i − w_i) u_i for Eisenberg–Noe),
 *   L⁰(x) = Σ_i x_i.
 *
 * Algorithm: fictitious default. Round 1 defaults D₁ = {i : x_i > w_i}. Each round solves exactly, on the current
 * default set only, (I − β A_DDᵀ) p_D = α (c − x)_D + β Σ_{j∉D} a_jD p̄_j, then adds the banks that the lost
 * inflows push below p̄; the sets grow monotonically and the last solution is the greatest clearing vector. The
 * default-set solve (`exactPath`, docs/engines/contagion.md) is, in this order of preference:
 *   - product form (Eisenberg–Noe, a_ij = g_i h_j off the diagonal, as in every maximum-entropy network): O(n) per
 *     round by Sherman–Morrison (`productForm`, `productRounds`);
 *   - Schur path (Eisenberg–Noe): through M = (I − Aᵀ)⁻¹, formed once per system, and an |S| × |S| solve on the
 *     solvent complement, (K_DD)⁻¹ = M_DD − M_DS M_SS⁻¹ M_SD (`clearingInverse`, `schurRounds`), chosen per round
 *     when cheaper than
 *   - incremental LU of I − β A_DDᵀ without pivoting (column diagonally dominant), bordered with the banks that
 *     join D each round (`extendFactor`); for |D| > `denseLimit` a monotone Gauss–Seidel iteration from above
 *     merged with the default detection (`iterateDefaultSet`, large sparse networks).
 * When every x_i ≤ w_i nobody defaults and no solve is needed (p = p̄, L = Σ x). Picard iteration from p̄,
 * `clearPicard`, is an independent check. Shocks must satisfy 0 ≤ x_i ≤ c_i.
 */
import { EngineInputError } from './errors';
import { luFactor, luSolve, luSolveTransposed } from './linalg';
import type { ClearingSystem } from './network-arrays';

export interface ClearingOptions {
  /** Rogers–Veraart recovery rate on outside assets (default 1). */
  alpha?: number;
  /** Rogers–Veraart recovery rate on interbank assets (default 1). */
  beta?: number;
  /** Compute the depth u (default false in batches, true in clearScenario). */
  depth?: boolean;
  /** Largest default set solved by dense LU; larger sets are solved by iteration (default 256). */
  denseLimit?: number;
  /**
   * Exact solver (default 'auto': per round the cheaper of the incremental LU on D and the Schur path through
   * M = (I − Aᵀ)⁻¹ on the solvent complement). 'lu': incremental LU only; 'schur': the Schur path from round 1
   * wherever it applies (Eisenberg–Noe, M usable); 'lu-full': the original refactor-every-round LU (reference).
   * 'auto' first uses the O(n) product-form solve when A is of maximum-entropy form; 'general' is 'auto' without it.
   */
  exactPath?: ExactPath;
}

export type ExactPath = 'auto' | 'general' | 'lu' | 'schur' | 'lu-full';

/** How a scenario was cleared. */
export type ClearingMethod = 'no-default' | 'fictitious-default' | 'picard-fallback';

/** Reusable buffers for one system; results of the last `clearInto` call are read from it. */
export interface ClearingWorkspace {
  readonly system: ClearingSystem;
  readonly alpha: number;
  readonly beta: number;
  readonly denseLimit: number;
  /** p of the last scenario. */
  readonly payments: Float64Array;
  /** 0 for a solvent bank, else the round (1, 2, …) in which it defaulted. */
  readonly defaultRound: Int32Array;
  /** The first `nDefaults` entries list the default set in order of default. */
  readonly defaultList: Int32Array;
  nDefaults: number;
  rounds: number;
  loss: number;
  shortfallTotal: number;
  shockTotal: number;
  method: ClearingMethod;
  /** Σ_{j∈D} a_ji (p̄_j − p_j): inflow bank i loses. */
  readonly deficit: Float64Array;
  readonly lu: Float64Array;
  readonly pivots: Int32Array;
  readonly rhs: Float64Array;
  readonly exactPath: ExactPath;
  /** Banks (in default-list order) covered by the incremental LU factor in `lu` (stride denseLimit). */
  factored: number;
  /** Σ_{j∈D} p̄_ji for the bank at each of the first `factored` default-list positions. */
  readonly owedByDefaulted: Float64Array;
  /** M = (I − Aᵀ)⁻¹ (undefined until first needed, null when unusable). */
  inverse: Float64Array | null | undefined;
  /** Product form a_ij = g_i h_j of A (undefined until first needed, null when A is not of that form). */
  productForm: ProductForm | null | undefined;
  readonly sList: Int32Array;
  readonly extended: Float64Array;
  ssLu: Float64Array;
  readonly ssPivots: Int32Array;
}

/** The Rogers–Veraart recovery rates of the options (default 1, 1), each checked to lie in [0, 1]. */
export function recoveryRates(options: { alpha?: number; beta?: number }): { alpha: number; beta: number } {
  const alpha = options.alpha ?? 1;
  const beta = options.beta ?? 1;
  if (!(alpha >= 0 && alpha <= 1)) throw new EngineInputError(`alpha must lie in [0, 1], got ${alpha}`, 'alpha');
  if (!(beta >= 0 && beta <= 1)) throw new EngineInputError(`beta must lie in [0, 1], got ${beta}`, 'beta');
  return { alpha, beta };
}

export function createWorkspace(system: ClearingSystem, options: ClearingOptions = {}): ClearingWorkspace {
  const { alpha, beta } = recoveryRates(options);
  const n = system.nBanks;
  const denseLimit = Math.max(1, Math.min(n, options.denseLimit ?? 256));
  return {
    system,
    alpha,
    beta,
    denseLimit,
    payments: new Float64Array(n),
    defaultRound: new Int32Array(n),
    defaultList: new Int32Array(n),
    nDefaults: 0,
    rounds: 0,
    loss: 0,
    shortfallTotal: 0,
    shockTotal: 0,
    method: 'no-default',
    deficit: new Float64Array(n),
    lu: new Float64Array(denseLimit * denseLimit),
    pivots: new Int32Array(denseLimit),
    rhs: new Float64Array(n),
    exactPath: options.exactPath ?? 'auto',
    factored: 0,
    owedByDefaulted: new Float64Array(denseLimit),
    inverse: undefined,
    productForm: undefined,
    sList: new Int32Array(n),
    extended: new Float64Array(n),
    ssLu: new Float64Array(0),
    ssPivots: new Int32Array(n),
  };
}

/** Throws `EngineInputError` naming the bank (and scenario) unless 0 ≤ x_i ≤ c_i and x_i is finite. */
export function validateShock(system: ClearingSystem, shocks: ArrayLike<number>, offset = 0, scenario?: number): void {
  const { nBanks, outsideAssets, ids } = system;
  if (shocks.length < offset + nBanks) {
    throw new EngineInputError(`shock vector has ${shocks.length - offset} values for ${nBanks} banks`, 'shocks');
  }
  for (let i = 0; i < nBanks; i++) {
    const x = shocks[offset + i]!;
    if (!(Number.isFinite(x) && x >= 0 && x <= outsideAssets[i]!)) {
      const where = scenario === undefined ? '' : `scenario ${scenario}: `;
      throw new EngineInputError(
        `${where}shock on bank "${ids[i]}" must satisfy 0 ≤ x ≤ c = ${outsideAssets[i]}, got ${x}`,
        scenario === undefined ? `shocks.${ids[i]}` : `shocks.${scenario}.${ids[i]}`,
      );
    }
  }
}

/** Adds Σ_{j∈D} a_ji (p̄_j − p_j) into ws.deficit (recomputed from scratch). */
function computeDeficit(ws: ClearingWorkspace): void {
  const { deficit, defaultList, payments } = ws;
  const { csr, totalObligations } = ws.system;
  const { rowStart, creditor, relative } = csr;
  deficit.fill(0);
  for (let k = 0; k < ws.nDefaults; k++) {
    const j = defaultList[k]!;
    const lost = totalObligations[j]! - payments[j]!;
    if (lost <= 0) continue;
    const end = rowStart[j + 1]!;
    for (let e = rowStart[j]!; e < end; e++) deficit[creditor[e]!]! += relative[e]! * lost;
  }
}

/** Pivot magnitude below which an incremental default-set factor is treated as singular (entries are ≤ 1). */
const INCREMENTAL_PIVOT_TOLERANCE = 1e-13;

/**
 * Extends the LU factor of (I − β A_DDᵀ) (rows and columns in default-list order, stride denseLimit, no pivoting)
 * from its first `ws.factored` banks to the first `nDefaults`. The matrix is column diagonally dominant
 * (column j holds 1 and −β a_ji with Σ_i a_ji ≤ 1), so Gaussian elimination without pivoting is stable and partial
 * pivoting would not swap; the new rows and columns are bordered on and eliminated right-looking, at a cost of
 * about (m³ − f³)/3 over all rounds instead of m³/3 per round.
 */
function extendFactor(ws: ClearingWorkspace): void {
  const { lu, defaultList, beta } = ws;
  const stride = ws.denseLimit;
  const { nBanks: n, relative } = ws.system;
  const f = ws.factored;
  const m = ws.nDefaults;
  const { pbarMatrix } = ws.system;
  const owed = ws.owedByDefaulted;
  for (let r = 0; r < f; r++) {
    const i = defaultList[r]!;
    const row = r * stride;
    let added = 0;
    for (let c = f; c < m; c++) {
      const at = defaultList[c]! * n + i;
      lu[row + c] = -beta * relative[at]!;
      added += pbarMatrix[at]!;
    }
    owed[r]! += added;
  }
  for (let r = f; r < m; r++) {
    const i = defaultList[r]!;
    const row = r * stride;
    let total = 0;
    for (let c = 0; c < m; c++) {
      const at = defaultList[c]! * n + i;
      lu[row + c] = -beta * relative[at]!;
      total += pbarMatrix[at]!;
    }
    owed[r] = total;
    lu[row + r]! += 1;
  }
  for (let t = 0; t < m; t++) {
    const tRow = t * stride;
    const pivot = lu[tRow + t]!;
    if (t >= f && !(Math.abs(pivot) > INCREMENTAL_PIVOT_TOLERANCE)) {
      throw new EngineInputError(`singular default-set matrix at pivot ${t} of ${m}`);
    }
    for (let r = t + 1; r < f; r++) {
      const row = r * stride;
      const l = lu[row + t]!;
      if (l === 0) continue;
      for (let c = f; c < m; c++) lu[row + c]! -= l * lu[tRow + c]!;
    }
    for (let r = t + 1 > f ? t + 1 : f; r < m; r++) {
      const row = r * stride;
      const l = lu[row + t]! / pivot;
      lu[row + t] = l;
      if (l === 0) continue;
      for (let c = t + 1; c < m; c++) lu[row + c]! -= l * lu[tRow + c]!;
    }
  }
  ws.factored = m;
}

/** Exact solve on the default set: (I − β A_DDᵀ) p_D = α e_D + β (Σ_j p̄_ji − Σ_{j∈D} p̄_ji), factor extended. */
function solveDefaultSetIncremental(ws: ClearingWorkspace, shocks: ArrayLike<number>, offset: number): void {
  const { lu, rhs, defaultList, payments, alpha, beta, owedByDefaulted } = ws;
  const { outsideAssets, interbankAssets } = ws.system;
  const stride = ws.denseLimit;
  const m = ws.nDefaults;
  extendFactor(ws);
  for (let r = 0; r < m; r++) {
    const i = defaultList[r]!;
    let sum = alpha * (outsideAssets[i]! - shocks[offset + i]!) + beta * (interbankAssets[i]! - owedByDefaulted[r]!);
    const row = r * stride;
    for (let c = 0; c < r; c++) sum -= lu[row + c]! * rhs[c]!;
    rhs[r] = sum;
  }
  for (let r = m - 1; r >= 0; r--) {
    const row = r * stride;
    let sum = rhs[r]!;
    for (let c = r + 1; c < m; c++) sum -= lu[row + c]! * rhs[c]!;
    rhs[r] = sum / lu[row + r]!;
  }
  for (let r = 0; r < m; r++) payments[defaultList[r]!] = alpha === 1 ? rhs[r]! : Math.max(0, rhs[r]!);
}

/** Exact solve on the default set by a full LU with partial pivoting (the pre-incremental path, kept for tests). */
function solveDefaultSetDense(ws: ClearingWorkspace, shocks: ArrayLike<number>, offset: number): void {
  const { lu, pivots, rhs, defaultList, payments, alpha, beta } = ws;
  const { nBanks: n, relative, pbarMatrix, outsideAssets, interbankAssets } = ws.system;
  const m = ws.nDefaults;
  for (let r = 0; r < m; r++) {
    const i = defaultList[r]!;
    let owedByDefaulted = 0;
    const row = r * m;
    for (let s = 0; s < m; s++) {
      const j = defaultList[s]!;
      owedByDefaulted += pbarMatrix[j * n + i]!;
      lu[row + s] = -beta * relative[j * n + i]!;
    }
    lu[row + r]! += 1;
    rhs[r] = alpha * (outsideAssets[i]! - shocks[offset + i]!) + beta * (interbankAssets[i]! - owedByDefaulted);
  }
  luFactor(lu, m, pivots);
  luSolve(lu, m, pivots, rhs);
  for (let r = 0; r < m; r++) payments[defaultList[r]!] = rhs[r]!;
}

/** Largest network for which M = (I − Aᵀ)⁻¹ is formed (n³ flops once, n² doubles: 2 MiB at 512). */
export const SCHUR_MAX_BANKS = 512;
/** M is not used when max_i Σ_j |M_ij| exceeds this (cancellation in the Schur identity would cost digits). */
export const SCHUR_MAX_NORM = 1e7;

const inverseCache = new WeakMap<ClearingSystem, Float64Array | null>();

/**
 * M = (I − Aᵀ)⁻¹, row-major, once per system (cached); null when I − Aᵀ is singular, ill-conditioned
 * (‖M‖∞ > SCHUR_MAX_NORM) or the network has more than SCHUR_MAX_BANKS banks.
 */
export function clearingInverse(system: ClearingSystem): Float64Array | null {
  const cached = inverseCache.get(system);
  if (cached !== undefined) return cached;
  const n = system.nBanks;
  let inverse: Float64Array | null = null;
  if (n > 0 && n <= SCHUR_MAX_BANKS) {
    const { relative } = system;
    const k = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) k[i * n + j] = (i === j ? 1 : 0) - relative[j * n + i]!;
    }
    const pivots = new Int32Array(n);
    try {
      luFactor(k, n, pivots);
      // row i of M solves Kᵀ y = e_i
      const m = new Float64Array(n * n);
      const y = new Float64Array(n);
      let norm = 0;
      for (let i = 0; i < n && Number.isFinite(norm); i++) {
        y.fill(0);
        y[i] = 1;
        luSolveTransposed(k, n, pivots, y);
        m.set(y, i * n);
      }
      for (let i = 0; i < n; i++) {
        let rowSum = 0;
        for (let j = 0; j < n; j++) rowSum += Math.abs(m[i * n + j]!);
        norm = Math.max(norm, rowSum);
      }
      if (Number.isFinite(norm) && norm <= SCHUR_MAX_NORM) inverse = m;
    } catch (error) {
      if (!(error instanceof EngineInputError)) throw error;
    }
  }
  inverseCache.set(system, inverse);
  return inverse;
}

/**
 * Eisenberg–Noe rounds through M = (I − Aᵀ)⁻¹ and the solvent complement S (|S| = s). With z = (I − Aᵀ) p,
 * z_D = e_D = (c − x)_D and p_S = p̄_S, so p = M z gives M_SS z_S = p̄_S − M_SD e_D (an s × s solve) and
 * p_D = M_DD e_D + M_DS z_S — the Schur identity (K_DD)⁻¹ = M_DD − M_DS M_SS⁻¹ M_SD applied to the right-hand
 * side. Bank i ∈ S defaults iff z_i = p̄_i − (Aᵀp)_i > e_i, i.e. x_i + deficit_i > w_i. Per round
 * s·n + s³/3 flops, then n·|D| once. Returns false (state unchanged apart from the rounds) if M_SS is singular.
 */
function schurRounds(
  ws: ClearingWorkspace,
  inverse: Float64Array,
  shocks: ArrayLike<number>,
  offset: number,
  firstRound: number,
): boolean {
  const { defaultRound, defaultList, payments, rhs, sList, extended } = ws;
  const { nBanks: n, outsideAssets, totalObligations } = ws.system;
  for (let round = firstRound; ; round++) {
    ws.rounds = round;
    let s = 0;
    for (let i = 0; i < n; i++) {
      if (defaultRound[i] !== 0) extended[i] = outsideAssets[i]! - shocks[offset + i]!;
      else {
        extended[i] = 0;
        sList[s++] = i;
      }
    }
    if (s === 0) break;
    for (let k = 0; k < s; k++) {
      const i = sList[k]!;
      const row = i * n;
      let sum = 0;
      for (let j = 0; j < n; j++) sum += inverse[row + j]! * extended[j]!;
      rhs[k] = totalObligations[i]! - sum;
    }
    if (ws.ssLu.length < s * s) ws.ssLu = new Float64Array(Math.max(s * s, 2 * ws.ssLu.length));
    const ss = ws.ssLu;
    for (let k = 0; k < s; k++) {
      const row = sList[k]! * n;
      const out = k * s;
      for (let l = 0; l < s; l++) ss[out + l] = inverse[row + sList[l]!]!;
    }
    try {
      luFactor(ss, s, ws.ssPivots);
    } catch (error) {
      if (!(error instanceof EngineInputError)) throw error;
      return false;
    }
    luSolve(ss, s, ws.ssPivots, rhs);
    const before = ws.nDefaults;
    for (let k = 0; k < s; k++) {
      const i = sList[k]!;
      if (rhs[k]! > outsideAssets[i]! - shocks[offset + i]!) {
        defaultRound[i] = round + 1;
        defaultList[ws.nDefaults++] = i;
      }
    }
    if (ws.nDefaults === before) {
      for (let k = 0; k < s; k++) extended[sList[k]!] = rhs[k]!;
      break;
    }
  }
  for (let d = 0; d < ws.nDefaults; d++) {
    const i = defaultList[d]!;
    const row = i * n;
    let sum = 0;
    for (let j = 0; j < n; j++) sum += inverse[row + j]! * extended[j]!;
    payments[i] = sum;
  }
  return true;
}

/** Iterative solve on a large default set (monotone from above): p_D ← α e_D + β (Σ_j p̄_ji − deficit_D). */
function solveDefaultSetIterative(ws: ClearingWorkspace, shocks: ArrayLike<number>, offset: number): void {
  const { defaultList, payments, deficit, alpha, beta } = ws;
  const { outsideAssets, interbankAssets, totalObligations } = ws.system;
  let scale = 0;
  for (let k = 0; k < ws.nDefaults; k++) scale = Math.max(scale, totalObligations[defaultList[k]!]!);
  const tolerance = 1e-15 * Math.max(scale, 1e-300);
  for (let sweep = 0; sweep < 1_000_000; sweep++) {
    computeDeficit(ws);
    let change = 0;
    for (let k = 0; k < ws.nDefaults; k++) {
      const i = defaultList[k]!;
      const next = Math.max(
        0,
        alpha * (outsideAssets[i]! - shocks[offset + i]!) + beta * (interbankAssets[i]! - deficit[i]!),
      );
      change = Math.max(change, Math.abs(next - payments[i]!));
      payments[i] = next;
    }
    if (change <= tolerance) return;
  }
  throw new EngineInputError('iteration on the default set did not converge');
}

/** Incoming liabilities per creditor (the CSR transposed): colStart[i] .. colStart[i+1]-1 index debtors j, a_ji. */
interface IncomingLinks {
  colStart: Int32Array;
  debtor: Int32Array;
  relative: Float64Array;
}

const incomingCache = new WeakMap<ClearingSystem, IncomingLinks>();

function incomingLinks(system: ClearingSystem): IncomingLinks {
  const cached = incomingCache.get(system);
  if (cached) return cached;
  const { nBanks: n, csr } = system;
  const nnz = csr.rowStart[n]!;
  const colStart = new Int32Array(n + 1);
  for (let e = 0; e < nnz; e++) colStart[csr.creditor[e]! + 1]!++;
  for (let i = 0; i < n; i++) colStart[i + 1]! += colStart[i]!;
  const fill = colStart.slice(0, n);
  const debtor = new Int32Array(nnz);
  const relative = new Float64Array(nnz);
  for (let j = 0; j < n; j++) {
    for (let e = csr.rowStart[j]!; e < csr.rowStart[j + 1]!; e++) {
      const at = fill[csr.creditor[e]!]!++;
      debtor[at] = j;
      relative[at] = csr.relative[e]!;
    }
  }
  const links = { colStart, debtor, relative };
  incomingCache.set(system, links);
  return links;
}

/**
 * Large default sets (above `denseLimit`): a monotone Gauss–Seidel iteration from above on the default set,
 * p_i ← max(0, α e_i + β Σ_j a_ji p_j) for i ∈ D in turn, merged with the default detection. Every iterate stays
 * above the greatest clearing vector (sweeps of a monotone map started from p̄ or from an earlier round's
 * solution), so a bank whose inflow at the current iterate already leaves it insolvent defaults at the clearing
 * vector as well; it joins D at once instead of after a converged round. Stops when a sweep changes no payment by
 * more than 1e-15·max p̄_D and adds no bank (the tolerance of the round-by-round iteration).
 */
function iterateDefaultSet(ws: ClearingWorkspace, shocks: ArrayLike<number>, offset: number, firstRound: number): void {
  const { defaultList, defaultRound, payments, alpha, beta } = ws;
  const { nBanks: n, outsideAssets, totalObligations } = ws.system;
  const { colStart, debtor, relative } = incomingLinks(ws.system);
  let round = firstRound;
  let scale = 0;
  for (let k = 0; k < ws.nDefaults; k++) scale = Math.max(scale, totalObligations[defaultList[k]!]!);
  for (let sweep = 0; sweep < 1_000_000; sweep++) {
    const before = ws.nDefaults;
    let change = 0;
    for (let i = 0; i < n; i++) {
      let inflow = 0;
      const end = colStart[i + 1]!;
      for (let e = colStart[i]!; e < end; e++) inflow += relative[e]! * payments[debtor[e]!]!;
      const cash = outsideAssets[i]! - shocks[offset + i]!;
      if (defaultRound[i] === 0) {
        if (cash + inflow >= totalObligations[i]!) continue;
        defaultRound[i] = round + 1;
        defaultList[ws.nDefaults++] = i;
        scale = Math.max(scale, totalObligations[i]!);
      }
      const next = Math.max(0, alpha * cash + beta * inflow);
      change = Math.max(change, Math.abs(next - payments[i]!));
      payments[i] = next;
    }
    if (ws.nDefaults > before) ws.rounds = ++round;
    else if (change <= 1e-15 * Math.max(scale, 1e-300)) return;
  }
  throw new EngineInputError('iteration on the default set did not converge');
}

function finishScenario(ws: ClearingWorkspace, shocks: ArrayLike<number>, offset: number): void {
  const { netWorth, totalObligations, nBanks } = ws.system;
  let direct = 0;
  for (let i = 0; i < nBanks; i++) direct += Math.min(shocks[offset + i]!, netWorth[i]!);
  // D = {i : p_i < p̄_i} exactly as defined: a bank whose solved payment rounds up to p̄_i leaves the list, and one
  // whose payment rounds below zero (the exact solves' difference of inflows, some 1e-12 below) pays nothing.
  let shortfall = 0;
  let kept = 0;
  for (let k = 0; k < ws.nDefaults; k++) {
    const i = ws.defaultList[k]!;
    if (ws.payments[i]! < 0) ws.payments[i] = 0;
    if (ws.payments[i]! >= totalObligations[i]!) {
      ws.payments[i] = totalObligations[i]!;
      ws.defaultRound[i] = 0;
      continue;
    }
    ws.defaultList[kept++] = i;
    shortfall += totalObligations[i]! - ws.payments[i]!;
  }
  ws.nDefaults = kept;
  ws.shortfallTotal = shortfall;
  ws.loss = direct + shortfall;
}

/** Picard fallback inside the workspace (used when a default-set matrix is singular). */
function picardIntoWorkspace(ws: ClearingWorkspace, shocks: ArrayLike<number>, offset: number): void {
  const result = clearPicard(ws.system, shocks, { alpha: ws.alpha, beta: ws.beta, offset });
  ws.payments.set(result.payments);
  const { totalObligations, nBanks } = ws.system;
  ws.nDefaults = 0;
  for (let i = 0; i < nBanks; i++) {
    if (ws.payments[i]! < totalObligations[i]!) {
      ws.defaultList[ws.nDefaults++] = i;
      if (ws.defaultRound[i] === 0) ws.defaultRound[i] = ws.rounds + 1;
    } else {
      ws.defaultRound[i] = 0;
    }
  }
  ws.method = 'picard-fallback';
}

/** a_ij = g_i h_j for i ≠ j (a_ii = 0): the product form of maximum-entropy (RAS) networks. */
export interface ProductForm {
  g: Float64Array;
  h: Float64Array;
}

/** Largest per-entry relative misfit |a_ij − g_i h_j| / a_ij for which the product form is used. */
export const PRODUCT_FORM_TOLERANCE = 1e-13;
const productCache = new WeakMap<ClearingSystem, ProductForm | null>();

/**
 * Detects (once per system, cached) whether A is of product form off the diagonal, a_ij = g_i h_j, as every
 * maximum-entropy reconstruction is (RAS only rescales rows and columns of the all-ones matrix with zero diagonal).
 * Fitted from one row and one column, polished by least squares; accepted only when every entry matches to PRODUCT_FORM_TOLERANCE relative
 * (zero entries exactly). Returns null otherwise, or for sparse networks (fewer than half the links possible).
 */
export function productForm(system: ClearingSystem): ProductForm | null {
  const cached = productCache.get(system);
  if (cached !== undefined) return cached;
  const { nBanks: n, relative } = system;
  let result: ProductForm | null = null;
  if (n >= 3 && system.nLinks >= 0.5 * n * (n - 1)) {
    const g = new Float64Array(n);
    const h = new Float64Array(n);
    // exact start: row p (largest sum) gives h_j = a_pj (g_p = 1) for j ≠ p; another row q gives h_p
    let p = 0;
    let q = -1;
    let best = -1;
    for (let i = 0; i < n; i++) {
      let rowSum = 0;
      for (let j = 0; j < n; j++) rowSum += relative[i * n + j]!;
      if (rowSum > best) {
        best = rowSum;
        p = i;
      }
    }
    for (let j = 0; j < n; j++) h[j] = j === p ? 0 : relative[p * n + j]!;
    let ratio = 0;
    for (let i = 0; i < n; i++) {
      if (i === p) continue;
      for (let j = 0; j < n; j++) {
        if (j === p || j === i || !(h[j]! > 0) || !(relative[i * n + j]! > 0)) continue;
        if (relative[i * n + j]! / h[j]! > ratio) {
          ratio = relative[i * n + j]! / h[j]!; // g_i
          q = i;
        }
        break;
      }
    }
    if (q >= 0) h[p] = relative[q * n + p]! / ratio;
    // least-squares polish: g from the rows, h from the columns, g again (exact data stays exact)
    for (let pass = 0; pass < 3; pass++) {
      const fitRows = pass !== 1;
      const a = fitRows ? h : g;
      const out = fitRows ? g : h;
      for (let k = 0; k < n; k++) {
        let num = 0;
        let den = 0; // Σ_{l≠k} a_l², summed directly (no cancellation)
        for (let l = 0; l < n; l++) {
          if (l === k) continue;
          num += (fitRows ? relative[k * n + l]! : relative[l * n + k]!) * a[l]!;
          den += a[l]! * a[l]!;
        }
        out[k] = den > 0 ? num / den : 0;
      }
    }
    let fits = q >= 0;
    for (let i = 0; i < n && fits; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const a = relative[i * n + j]!;
        if (!(Math.abs(a - g[i]! * h[j]!) <= PRODUCT_FORM_TOLERANCE * a) && !(a === 0 && g[i]! * h[j]! === 0)) {
          fits = false;
          break;
        }
      }
    }
    if (fits) result = { g, h };
  }
  productCache.set(system, result);
  return result;
}

/**
 * Eisenberg–Noe rounds for a product-form A in O(n) each: with G = Σ_j g_j p_j, (Aᵀp)_i = h_i (G − g_i p_i), so a
 * defaulted bank pays p_i = (e_i + h_i G)/(1 + g_i h_i) (e = c − x), and G solves the scalar equation
 * G (1 − Σ_D g_i h_i/(1 + g_i h_i)) = Σ_S g_j p̄_j + Σ_D g_i e_i/(1 + g_i h_i) — the Sherman–Morrison form of
 * the default-set solve. Bank i ∈ S defaults when x_i + (Σ_j p̄_ji − h_i (G − g_i p̄_i)) > w_i. Returns false when
 * the scalar equation is too close to singular (then the general paths take over).
 */
function productRounds(ws: ClearingWorkspace, form: ProductForm, shocks: ArrayLike<number>, offset: number): boolean {
  const { defaultRound, defaultList, payments } = ws;
  const { g, h } = form;
  const { nBanks: n, outsideAssets, totalObligations, interbankAssets, netWorth } = ws.system;
  let sum = 0;
  for (let round = 1; ; round++) {
    ws.rounds = round;
    let numerator = 0;
    let denominator = 1;
    for (let i = 0; i < n; i++) {
      if (defaultRound[i] !== 0) {
        const gi = g[i]!;
        const d = 1 + gi * h[i]!;
        numerator += (gi * (outsideAssets[i]! - shocks[offset + i]!)) / d;
        denominator -= (gi * h[i]!) / d;
      } else numerator += g[i]! * totalObligations[i]!;
    }
    if (!(denominator > 1e-8)) return false;
    sum = numerator / denominator;
    const before = ws.nDefaults;
    for (let i = 0; i < n; i++) {
      if (defaultRound[i] !== 0) continue;
      const inflow = h[i]! * (sum - g[i]! * totalObligations[i]!);
      if (shocks[offset + i]! + (interbankAssets[i]! - inflow) > netWorth[i]!) {
        defaultRound[i] = round + 1;
        defaultList[ws.nDefaults++] = i;
      }
    }
    if (ws.nDefaults === before) break;
  }
  for (let k = 0; k < ws.nDefaults; k++) {
    const i = defaultList[k]!;
    payments[i] = (outsideAssets[i]! - shocks[offset + i]! + h[i]! * sum) / (1 + g[i]! * h[i]!);
  }
  return true;
}

/** Estimated flops of the next round on each path (m = |D|, f = banks already factored, s = n − m). */
function preferSchur(ws: ClearingWorkspace): boolean {
  const n = ws.system.nBanks;
  const m = ws.nDefaults;
  const s = n - m;
  const f = ws.factored;
  const schurCost = (s * s * s) / 3 + s * n + s * s;
  if (m > ws.denseLimit) return schurCost + m * n < 20 * (ws.system.nLinks + n); // vs sweeps of the iteration
  const luCost = (m * m * m - f * f * f) / 3 + m * m + m * n;
  return schurCost < luCost;
}

/**
 * Clears the scenario shocks[offset .. offset+nBanks) into the workspace. Set `validate` false only for shocks
 * that are valid by construction (generated by the shock models).
 */
export function clearInto(
  ws: ClearingWorkspace,
  shocks: ArrayLike<number>,
  offset = 0,
  validate = true,
  scenario?: number,
): void {
  const { system, payments, defaultRound, defaultList, deficit } = ws;
  const { nBanks, netWorth, totalObligations } = system;
  if (validate) validateShock(system, shocks, offset, scenario);
  payments.set(totalObligations);
  defaultRound.fill(0);
  ws.nDefaults = 0;
  ws.rounds = 0;
  let shockTotal = 0;
  for (let i = 0; i < nBanks; i++) {
    const x = shocks[offset + i]!;
    shockTotal += x;
    if (x > netWorth[i]!) {
      defaultRound[i] = 1;
      defaultList[ws.nDefaults++] = i;
    }
  }
  ws.shockTotal = shockTotal;
  if (ws.nDefaults === 0) {
    ws.method = 'no-default';
    ws.shortfallTotal = 0;
    ws.loss = shockTotal;
    return;
  }
  ws.method = 'fictitious-default';
  ws.factored = 0;
  const schurAllowed = ws.alpha === 1 && ws.beta === 1 && ws.exactPath !== 'lu' && ws.exactPath !== 'lu-full';
  let schurFailed = false;
  if (schurAllowed && ws.exactPath === 'auto') {
    const form = ws.productForm === undefined ? (ws.productForm = productForm(system)) : ws.productForm;
    if (form !== null && productRounds(ws, form, shocks, offset)) {
      finishScenario(ws, shocks, offset);
      return;
    }
  }
  try {
    for (let round = ws.rounds > 0 ? ws.rounds : 1; ; round++) {
      ws.rounds = round;
      if (schurAllowed && !schurFailed && (ws.exactPath === 'schur' || preferSchur(ws))) {
        const inverse = ws.inverse === undefined ? (ws.inverse = clearingInverse(system)) : ws.inverse;
        if (inverse !== null) {
          if (schurRounds(ws, inverse, shocks, offset, round)) break;
          schurFailed = true;
          round = ws.rounds;
        }
      }
      if (ws.exactPath === 'lu-full') {
        if (ws.nDefaults <= ws.denseLimit) solveDefaultSetDense(ws, shocks, offset);
        else solveDefaultSetIterative(ws, shocks, offset);
      } else if (ws.nDefaults <= ws.denseLimit) solveDefaultSetIncremental(ws, shocks, offset);
      else {
        iterateDefaultSet(ws, shocks, offset, round);
        break;
      }
      computeDeficit(ws);
      const before = ws.nDefaults;
      for (let i = 0; i < nBanks; i++) {
        if (defaultRound[i] !== 0) continue;
        if (shocks[offset + i]! + deficit[i]! > netWorth[i]!) {
          defaultRound[i] = round + 1;
          defaultList[ws.nDefaults++] = i;
        }
      }
      if (ws.nDefaults === before) break;
    }
  } catch (error) {
    if (!(error instanceof EngineInputError)) throw error;
    picardIntoWorkspace(ws, shocks, offset);
  }
  finishScenario(ws, shocks, offset);
}

/** u_D = (I − A_D)⁻¹ 1 on the workspace's current default set, 0 off D (Infinity where I − A_D is singular). */
export function depthOfDefaultSet(
  ws: ClearingWorkspace,
  out: Float64Array = new Float64Array(ws.system.nBanks),
): Float64Array {
  const { nBanks: n, relative } = ws.system;
  const m = ws.nDefaults;
  out.fill(0);
  if (m === 0) return out;
  // Factor M = I − A_DDᵀ and solve Mᵀ u = 1, i.e. (I − A_DD) u = 1.
  const lu = new Float64Array(m * m);
  const pivots = new Int32Array(m);
  const u = new Float64Array(m).fill(1);
  for (let r = 0; r < m; r++) {
    const i = ws.defaultList[r]!;
    for (let s = 0; s < m; s++) lu[r * m + s] = (r === s ? 1 : 0) - relative[ws.defaultList[s]! * n + i]!;
  }
  try {
    luFactor(lu, m, pivots);
  } catch (error) {
    if (!(error instanceof EngineInputError)) throw error;
    for (let r = 0; r < m; r++) out[ws.defaultList[r]!] = Infinity;
    return out;
  }
  luSolveTransposed(lu, m, pivots, u);
  for (let r = 0; r < m; r++) out[ws.defaultList[r]!] = u[r]!;
  return out;
}

/** One scenario's full outcome (docs/formats.md `cwb clear`). */
export interface ScenarioClearing {
  payments: Float64Array;
  /** Bank indices in D, in order of default. */
  defaults: number[];
  /** 0 for a solvent bank, else the round in which it defaulted. */
  defaultRound: Int32Array;
  shortfall: Float64Array;
  depth: Float64Array;
  loss: number;
  /** Σ min(x, w) + Σ_{D} (x − w) u: equals `loss` for Eisenberg–Noe (not for α, β < 1). */
  lossDepthForm: number;
  shortfallTotal: number;
  shockTotal: number;
  rounds: number;
  method: ClearingMethod;
}

/** Clears one scenario and returns fresh arrays (convenience; use clearBatch or clearInto for many). */
export function clearScenario(
  system: ClearingSystem,
  shock: ArrayLike<number>,
  options: ClearingOptions = {},
): ScenarioClearing {
  const ws = createWorkspace(system, options);
  clearInto(ws, shock, 0, true);
  return scenarioFromWorkspace(ws, shock, 0, options.depth ?? true);
}

function scenarioFromWorkspace(
  ws: ClearingWorkspace,
  shock: ArrayLike<number>,
  offset: number,
  withDepth: boolean,
): ScenarioClearing {
  const { nBanks, totalObligations, netWorth } = ws.system;
  const payments = ws.payments.slice();
  const shortfall = new Float64Array(nBanks);
  for (let i = 0; i < nBanks; i++) shortfall[i] = totalObligations[i]! - payments[i]!;
  const depth = withDepth ? depthOfDefaultSet(ws) : new Float64Array(nBanks);
  let lossDepthForm = 0;
  for (let i = 0; i < nBanks; i++) {
    const x = shock[offset + i]!;
    lossDepthForm += Math.min(x, netWorth[i]!);
    if (ws.defaultRound[i] !== 0 && depth[i] !== 0) lossDepthForm += (x - netWorth[i]!) * depth[i]!;
  }
  return {
    payments,
    defaults: Array.from(ws.defaultList.subarray(0, ws.nDefaults)),
    defaultRound: ws.defaultRound.slice(),
    shortfall,
    depth,
    loss: ws.loss,
    lossDepthForm: withDepth ? lossDepthForm : Number.NaN,
    shortfallTotal: ws.shortfallTotal,
    shockTotal: ws.shockTotal,
    rounds: ws.rounds,
    method: ws.method,
  };
}

/** Results of many scenarios, scenario-major (row s holds bank values of scenario s). */
export interface BatchClearing {
  nScenarios: number;
  nBanks: number;
  payments: Float64Array;
  defaultRound: Int32Array;
  nDefaults: Int32Array;
  loss: Float64Array;
  shortfallTotal: Float64Array;
  shockTotal: Float64Array;
  /** Present when options.depth is true. */
  depth?: Float64Array;
}

/** Clears nScenarios = shocks.length / nBanks scenarios (row-major), validating every shock first. */
export function clearBatch(system: ClearingSystem, shocks: Float64Array, options: ClearingOptions = {}): BatchClearing {
  const n = system.nBanks;
  if (n === 0 || shocks.length % n !== 0) {
    throw new EngineInputError(
      `shock array of length ${shocks.length} is not a whole number of ${n}-bank scenarios`,
      'shocks',
    );
  }
  const nScenarios = shocks.length / n;
  for (let s = 0; s < nScenarios; s++) validateShock(system, shocks, s * n, s);
  const ws = createWorkspace(system, options);
  const result: BatchClearing = {
    nScenarios,
    nBanks: n,
    payments: new Float64Array(nScenarios * n),
    defaultRound: new Int32Array(nScenarios * n),
    nDefaults: new Int32Array(nScenarios),
    loss: new Float64Array(nScenarios),
    shortfallTotal: new Float64Array(nScenarios),
    shockTotal: new Float64Array(nScenarios),
  };
  const depth = options.depth ? new Float64Array(nScenarios * n) : undefined;
  if (depth) result.depth = depth;
  for (let s = 0; s < nScenarios; s++) {
    clearInto(ws, shocks, s * n, false, s);
    result.payments.set(ws.payments, s * n);
    result.defaultRound.set(ws.defaultRound, s * n);
    result.nDefaults[s] = ws.nDefaults;
    result.loss[s] = ws.loss;
    result.shortfallTotal[s] = ws.shortfallTotal;
    result.shockTotal[s] = ws.shockTotal;
    if (depth) depth.set(depthOfDefaultSet(ws), s * n);
  }
  return result;
}

export interface PicardOptions {
  alpha?: number;
  beta?: number;
  /** Stop when max |Δp| ≤ tolerance · max p̄ (default 1e-14). */
  tolerance?: number;
  maxIterations?: number;
  offset?: number;
}

export interface PicardResult {
  payments: Float64Array;
  iterations: number;
  converged: boolean;
}

/** Picard iteration from p̄: p ← Φ(p) (Eisenberg–Noe: min(p̄, max(0, Aᵀp + c − x))). Independent check. */
export function clearPicard(
  system: ClearingSystem,
  shock: ArrayLike<number>,
  options: PicardOptions = {},
): PicardResult {
  const { nBanks: n, totalObligations, outsideAssets, csr } = system;
  const alpha = options.alpha ?? 1;
  const beta = options.beta ?? 1;
  const offset = options.offset ?? 0;
  const maxIterations = options.maxIterations ?? 1_000_000;
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, totalObligations[i]!);
  const tolerance = (options.tolerance ?? 1e-14) * Math.max(scale, 1e-300);
  const payments = Float64Array.from(totalObligations);
  const inflow = new Float64Array(n);
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    inflow.fill(0);
    for (let j = 0; j < n; j++) {
      const pj = payments[j]!;
      for (let e = csr.rowStart[j]!; e < csr.rowStart[j + 1]!; e++) inflow[csr.creditor[e]!]! += csr.relative[e]! * pj;
    }
    let change = 0;
    for (let i = 0; i < n; i++) {
      const cash = outsideAssets[i]! - shock[offset + i]!;
      const next =
        cash + inflow[i]! >= totalObligations[i]!
          ? totalObligations[i]!
          : Math.max(0, alpha * cash + beta * inflow[i]!);
      change = Math.max(change, Math.abs(next - payments[i]!));
      payments[i] = next;
    }
    if (change <= tolerance) return { payments, iterations: iteration, converged: true };
  }
  return { payments, iterations: maxIterations, converged: false };
}
