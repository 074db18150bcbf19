/**
 * Clearing: the greatest clearing vector of Eisenberg & Noe (2001), with the default costs of Rogers & Veraart
 * (2013) as an option, and the loss decomposition of Glasserman & Young (2015) (network-reconstruction-optimiser
 * §1.1; formats.md "Definitions behind clear").
 *
 *   p_i = p̄_i                               if c_i − x_i + Σ_j a_ji p_j ≥ p̄_i   (bank i solvent)
 *   p_i = α (c_i − x_i) + β Σ_j a_ji p_j     otherwise                          (α = β = 1: Eisenberg–Noe,
 *                                                               p = min(p̄, max(0, Aᵀp + c − x)))
 *   D = {i : p_i < p̄_i},  s = p̄ − p,  u_D = (I − A_D)⁻¹ 1 (0 off D),
 *   L(x) = Σ_i min(x_i, w_i) + Σ_i s_i  (= Σ_i min(x_i, w_i) + Σ_{i∈D} (x_i − w_i) u_i for Eisenberg–Noe),
 *   L⁰(x) = Σ_i x_i.
 *
 * Algorithm: fictitious default. Round 1 defaults D₁ = {i : x_i > w_i}. Each round solves exactly, on the current
 * default set only, (I − β A_DDᵀ) p_D = α (c − x)_D + β Σ_{j∉D} a_jD p̄_j by LU with partial pivoting (an
 * iteration on the default set when |D| exceeds `denseLimit`, for large sparse networks), then adds the banks
 * that the lost inflows push below p̄; the sets grow monotonically and the last solution is the greatest clearing
 * vector. When every x_i ≤ w_i nobody defaults and no solve is needed (p = p̄, L = Σ x). Picard iteration from p̄,
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
}

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
}

export function createWorkspace(system: ClearingSystem, options: ClearingOptions = {}): ClearingWorkspace {
  const alpha = options.alpha ?? 1;
  const beta = options.beta ?? 1;
  if (!(alpha >= 0 && alpha <= 1)) throw new EngineInputError(`alpha must lie in [0, 1], got ${alpha}`, 'alpha');
  if (!(beta >= 0 && beta <= 1)) throw new EngineInputError(`beta must lie in [0, 1], got ${beta}`, 'beta');
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
    for (let e = rowStart[j]!; e < end; e++) deficit[creditor[e]!] += relative[e]! * lost;
  }
}

/** Exact solve on the default set: (I − β A_DDᵀ) p_D = α e_D + β (Σ_j p̄_ji − Σ_{j∈D} p̄_ji). */
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
    lu[row + r] += 1;
    rhs[r] = alpha * (outsideAssets[i]! - shocks[offset + i]!) + beta * (interbankAssets[i]! - owedByDefaulted);
  }
  luFactor(lu, m, pivots);
  luSolve(lu, m, pivots, rhs);
  for (let r = 0; r < m; r++) payments[defaultList[r]!] = rhs[r]!;
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
      const next = Math.max(0, alpha * (outsideAssets[i]! - shocks[offset + i]!) + beta * (interbankAssets[i]! - deficit[i]!));
      change = Math.max(change, Math.abs(next - payments[i]!));
      payments[i] = next;
    }
    if (change <= tolerance) return;
  }
  throw new EngineInputError('iteration on the default set did not converge');
}

function finishScenario(ws: ClearingWorkspace, shocks: ArrayLike<number>, offset: number): void {
  const { netWorth, totalObligations, nBanks } = ws.system;
  let direct = 0;
  for (let i = 0; i < nBanks; i++) direct += Math.min(shocks[offset + i]!, netWorth[i]!);
  // D = {i : p_i < p̄_i} exactly as defined: a bank whose solved payment rounds up to p̄_i leaves the list.
  let shortfall = 0;
  let kept = 0;
  for (let k = 0; k < ws.nDefaults; k++) {
    const i = ws.defaultList[k]!;
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

/**
 * Clears the scenario shocks[offset .. offset+nBanks) into the workspace. Set `validate` false only for shocks
 * that are valid by construction (generated by the shock models).
 */
export function clearInto(ws: ClearingWorkspace, shocks: ArrayLike<number>, offset = 0, validate = true, scenario?: number): void {
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
  try {
    for (let round = 1; ; round++) {
      ws.rounds = round;
      if (ws.nDefaults <= ws.denseLimit) solveDefaultSetDense(ws, shocks, offset);
      else solveDefaultSetIterative(ws, shocks, offset);
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
export function depthOfDefaultSet(ws: ClearingWorkspace, out: Float64Array = new Float64Array(ws.system.nBanks)): Float64Array {
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

/** One scenario's full outcome (formats.md `cwb clear`). */
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
export function clearScenario(system: ClearingSystem, shock: ArrayLike<number>, options: ClearingOptions = {}): ScenarioClearing {
  const ws = createWorkspace(system, options);
  clearInto(ws, shock, 0, true);
  return scenarioFromWorkspace(ws, shock, 0, options.depth ?? true);
}

function scenarioFromWorkspace(ws: ClearingWorkspace, shock: ArrayLike<number>, offset: number, withDepth: boolean): ScenarioClearing {
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
    throw new EngineInputError(`shock array of length ${shocks.length} is not a whole number of ${n}-bank scenarios`, 'shocks');
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
export function clearPicard(system: ClearingSystem, shock: ArrayLike<number>, options: PicardOptions = {}): PicardResult {
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
      for (let e = csr.rowStart[j]!; e < csr.rowStart[j + 1]!; e++) inflow[csr.creditor[e]!] += csr.relative[e]! * pj;
    }
    let change = 0;
    for (let i = 0; i < n; i++) {
      const cash = outsideAssets[i]! - shock[offset + i]!;
      const next = cash + inflow[i]! >= totalObligations[i]! ? totalObligations[i]! : Math.max(0, alpha * cash + beta * inflow[i]!);
      change = Math.max(change, Math.abs(next - payments[i]!));
      payments[i] = next;
    }
    if (change <= tolerance) return { payments, iterations: iteration, converged: true };
  }
  return { payments, iterations: maxIterations, converged: false };
}
