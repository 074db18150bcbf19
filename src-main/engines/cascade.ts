/**
 * Failure cascades in the Elliott–Golub–Jackson cross-holdings economy (`crossholdings@1`, docs/formats.md), as used
 * in "Optimal intervention in economic networks using influence maximization methods" §2.1.
 *
 *   C        n × n, C_ij = share of firm j held by firm i (holder row i, issuer column j), C_ii = 0, column sums < 1
 *   Ĉ        diagonal, Ĉ_ii = 1 − Σ_k C_ki (the share of firm i held by outside investors)
 *   D p      value of each firm's outside assets, (Dp)_i = Σ_k D_ik p_k
 *   V        book values   V = (I − C)⁻¹ (D p − β∘y)
 *   v        market values v = Ĉ V         (1ᵀ Ĉ (I − C)⁻¹ = 1ᵀ, so Σ v = Σ Dp − Σ β∘y)
 *   y_i = 1  firm i fails: v_i < θ_i − Ĉ_ii x_i   (an intervention x ≥ 0 lowers thresholds to θ − Ĉx, §2.1)
 *
 * The failure map Φ(y) = 1[v(y) < θ − Ĉx] is monotone increasing in y (v falls as y grows), so by Tarski the
 * equilibria form a lattice: iterating from "no firm failed" climbs to the least failed set (best case, the one
 * docs/formats.md reports; the round a firm first fails is its layer in the default hierarchy); iterating from "all
 * failed" descends to the greatest (worst case). Best ⊆ worst. Lower prices or higher thresholds fail more firms.
 * (I − C) is factorised once (LU with partial pivoting, linalg.ts) and every solve reuses the factors.
 */
import type { EconomyDocument } from '../../src-shared/formats/crossholdings';
import { EngineInputError } from './errors';
import { assertMemoryFits, denseBytes } from './limits';
import { luFactor, luSolve } from './linalg';
import { factoriseShared, type SharedLu } from './shared-lu';

export interface EconomySystem {
  ids: string[];
  nFirms: number;
  assetIds: string[];
  nAssets: number;
  /** C, row-major nFirms × nFirms, row = holder, column = issuer. */
  crossHoldings: Float64Array;
  /** Ĉ_ii = 1 − Σ_k C_ki. */
  selfShare: Float64Array;
  /** D, row-major nFirms × nAssets. */
  assetShares: Float64Array;
  /** p: asset prices of the document. */
  prices: Float64Array;
  /** D p at the document prices. */
  assetValues: Float64Array;
  /** θ. */
  thresholds: Float64Array;
  /** β. */
  failureCosts: Float64Array;
  /** LU factors of (I − C) (see linalg.luFactor) and their pivots. */
  lu: Float64Array;
  pivots: Int32Array;
}

export type CascadeStart = 'none-failed' | 'all-failed';

export interface CascadeOptions {
  /** Asset prices p (default: the document's). */
  prices?: Float64Array;
  /** Outside asset values D p per firm directly (scenario studies shock these); overrides `prices`. */
  assetValues?: Float64Array;
  /** Intervention x ≥ 0 per firm: thresholds become θ − Ĉx. */
  thresholdShift?: Float64Array;
  /** 'none-failed' (default): best-case equilibrium; 'all-failed': worst-case equilibrium. */
  start?: CascadeStart;
}

export interface CascadeResult {
  /** V = (I − C)⁻¹ (D p − β∘y). */
  bookValues: Float64Array;
  /** v = Ĉ V. */
  marketValues: Float64Array;
  /** y: 1 where the firm fails in the equilibrium. */
  failed: Uint8Array;
  /**
   * From "none failed": the round in which each failed firm first failed (1, 2, …: the default hierarchy), 0 for
   * survivors. From "all failed": the round in which each surviving firm recovered, 0 for failed firms.
   */
  rounds: Int32Array;
  /** Iterations of the failure map until the failed set stopped changing. */
  iterations: number;
  converged: boolean;
}

function checkedShare(value: number, field: string): number {
  if (!(value >= 0 && value <= 1))
    throw new EngineInputError(`${field} must be a share in [0, 1], got ${value}`, field);
  return value;
}

/**
 * Builds the arrays of a validated `crossholdings@1` document and factorises I − C once (or, with `shared`, reads
 * the factor that the shards of one study share and the first of them builds).
 */
export function toEconomySystem(doc: EconomyDocument, shared?: SharedFactor): EconomySystem {
  return buildSystem(economyParts(doc), shared);
}

/** The LU of I − C that the shards of one study share (shared-lu.ts), and which of them reads it. */
export interface SharedFactor {
  share: SharedLu;
  thread: number;
}

/**
 * Refuses a document the engine cannot use (unknown firms or assets, shares outside [0, 1], column sums ≥ 1, bad
 * thresholds), naming the field, without factorising I − C (column sums below 1 make it invertible).
 */
export function checkEconomy(doc: EconomyDocument): void {
  checkParts(economyParts(doc));
}

function economyParts(doc: EconomyDocument): SystemParts {
  const ids = doc.firms.map((firm) => firm.id);
  const firmIndex = new Map(ids.map((id, i) => [id, i]));
  const assetIds = doc.assets.map((asset) => asset.id);
  const assetIndex = new Map(assetIds.map((id, k) => [id, k]));
  const n = ids.length;
  const m = assetIds.length;
  assertEconomyFits(n, m);
  const crossHoldings = new Float64Array(n * n);
  doc.crossHoldings.forEach((entry, index) => {
    const i = firmIndex.get(entry.holder);
    const j = firmIndex.get(entry.issuer);
    if (i === undefined) throw new EngineInputError(`unknown firm "${entry.holder}"`, `crossHoldings.${index}.holder`);
    if (j === undefined) throw new EngineInputError(`unknown firm "${entry.issuer}"`, `crossHoldings.${index}.issuer`);
    if (i === j) throw new EngineInputError(`firm "${entry.holder}" cannot hold itself`, `crossHoldings.${index}`);
    crossHoldings[i * n + j] = checkedShare(entry.share, `crossHoldings.${index}.share`);
  });
  const assetShares = new Float64Array(n * m);
  doc.assetHoldings.forEach((entry, index) => {
    const i = firmIndex.get(entry.firm);
    const k = assetIndex.get(entry.asset);
    if (i === undefined) throw new EngineInputError(`unknown firm "${entry.firm}"`, `assetHoldings.${index}.firm`);
    if (k === undefined) throw new EngineInputError(`unknown asset "${entry.asset}"`, `assetHoldings.${index}.asset`);
    assetShares[i * m + k] = checkedShare(entry.share, `assetHoldings.${index}.share`);
  });
  return {
    ids,
    assetIds,
    crossHoldings,
    assetShares,
    prices: Float64Array.from(doc.assets, (asset) => asset.price),
    thresholds: Float64Array.from(doc.firms, (firm) => firm.threshold),
    failureCosts: Float64Array.from(doc.firms, (firm) => firm.failureCost),
  };
}

export interface DenseEconomy {
  ids: string[];
  /** C, row-major n × n, row = holder. */
  crossHoldings: Float64Array;
  /** D p per firm (each firm then holds one asset of its own, priced D p). */
  assetValues: Float64Array;
  thresholds: Float64Array;
  failureCosts: Float64Array;
}

/** A system from dense arrays (tests, generators): firm i holds all of asset i, priced (Dp)_i. */
export function fromDenseEconomy(economy: DenseEconomy): EconomySystem {
  const n = economy.ids.length;
  assertEconomyFits(n, n);
  const assetShares = new Float64Array(n * n);
  for (let i = 0; i < n; i++) assetShares[i * n + i] = 1;
  return buildSystem({
    ids: economy.ids,
    assetIds: economy.ids.map((id) => `${id}_asset`),
    crossHoldings: economy.crossHoldings.slice(0, n * n),
    assetShares,
    prices: economy.assetValues.slice(0, n),
    thresholds: economy.thresholds.slice(0, n),
    failureCosts: economy.failureCosts.slice(0, n),
  });
}

type SystemParts = Pick<
  EconomySystem,
  'ids' | 'assetIds' | 'crossHoldings' | 'assetShares' | 'prices' | 'thresholds' | 'failureCosts'
>;

/** Checks lengths, column sums, thresholds and failure costs; returns the self-shares Ĉ_jj = 1 − Σ_i C_ij. */
function checkParts(parts: SystemParts): Float64Array {
  const n = parts.ids.length;
  const m = parts.assetIds.length;
  for (const [name, array, length] of [
    ['crossHoldings', parts.crossHoldings, n * n],
    ['assetShares', parts.assetShares, n * m],
    ['prices', parts.prices, m],
    ['thresholds', parts.thresholds, n],
    ['failureCosts', parts.failureCosts, n],
  ] as const) {
    if (array.length !== length)
      throw new EngineInputError(`${name} has ${array.length} entries, expected ${length}`, name);
  }
  const selfShare = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let column = 0;
    for (let i = 0; i < n; i++) column += parts.crossHoldings[i * n + j]!;
    if (!(column < 1))
      throw new EngineInputError(
        `shares of firm "${parts.ids[j]}" held by other firms sum to ${column} (must be below 1)`,
        `crossHoldings`,
      );
    selfShare[j] = 1 - column;
  }
  parts.thresholds.forEach((value, i) => {
    if (!(value >= 0 && Number.isFinite(value)))
      throw new EngineInputError(`firm "${parts.ids[i]}": threshold must be finite and ≥ 0`, `firms.${i}.threshold`);
  });
  parts.failureCosts.forEach((value, i) => {
    if (!(value >= 0 && Number.isFinite(value)))
      throw new EngineInputError(
        `firm "${parts.ids[i]}": failureCost must be finite and ≥ 0`,
        `firms.${i}.failureCost`,
      );
  });
  return selfShare;
}

/** C and its LU factors (n × n each) and the asset shares (n × m), refused above the memory limit before any is made. */
function assertEconomyFits(n: number, m: number): void {
  assertMemoryFits(denseBytes(n, 2) + 8 * n * m, `a cross-holdings economy of ${n.toLocaleString('en-US')} firms`);
}

function buildSystem(parts: SystemParts, shared?: SharedFactor): EconomySystem {
  const n = parts.ids.length;
  const m = parts.assetIds.length;
  const selfShare = checkParts(parts);
  const write = (lu: Float64Array) => {
    for (let k = 0; k < n * n; k++) lu[k] = -parts.crossHoldings[k]!;
    for (let i = 0; i < n; i++) lu[i * n + i] = 1;
  };
  let factor: { factors: Float64Array; pivots: Int32Array } | undefined;
  if (shared) {
    factor = factoriseShared(shared.share, n, shared.thread, write);
    if (!factor)
      throw new EngineInputError('I − C is singular to working precision: cross-holdings sum to almost 100%');
  } else {
    factor = { factors: new Float64Array(n * n), pivots: new Int32Array(n) };
    write(factor.factors);
    luFactor(factor.factors, n, factor.pivots);
  }
  const { factors: lu, pivots } = factor;
  const system: EconomySystem = {
    ...parts,
    nFirms: n,
    nAssets: m,
    selfShare,
    assetValues: new Float64Array(n),
    lu,
    pivots,
  };
  system.assetValues = assetValuesAt(system, parts.prices);
  return system;
}

/** D p for the given prices. */
export function assetValuesAt(system: EconomySystem, prices: Float64Array): Float64Array {
  const { nFirms: n, nAssets: m } = system;
  if (prices.length !== m) throw new EngineInputError(`prices has ${prices.length} entries, expected ${m}`, 'prices');
  prices.forEach((price, k) => {
    if (!(price >= 0 && Number.isFinite(price)))
      throw new EngineInputError(`asset "${system.assetIds[k]}": price must be finite and ≥ 0`, `assets.${k}.price`);
  });
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let k = 0; k < m; k++) sum += system.assetShares[i * m + k]! * prices[k]!;
    values[i] = sum;
  }
  return values;
}

/** (I − C)⁻¹ r with the stored factors (a new array; r is untouched). */
export function solveCrossHoldings(system: EconomySystem, rhs: Float64Array): Float64Array {
  const y = rhs.slice(0, system.nFirms);
  luSolve(system.lu, system.nFirms, system.pivots, y);
  return y;
}

/** Column j of (I − C)⁻¹: the book-value effect on every firm of one unit of value at firm j. */
export function neumannColumn(system: EconomySystem, j: number): Float64Array {
  const e = new Float64Array(system.nFirms);
  e[j] = 1;
  luSolve(system.lu, system.nFirms, system.pivots, e);
  return e;
}

function checkShift(system: EconomySystem, shift: Float64Array | undefined): Float64Array {
  const n = system.nFirms;
  if (!shift) return new Float64Array(n);
  if (shift.length !== n)
    throw new EngineInputError(`thresholdShift has ${shift.length} entries, expected ${n}`, 'thresholdShift');
  shift.forEach((x, i) => {
    if (!(x >= 0 && Number.isFinite(x)))
      throw new EngineInputError(
        `firm "${system.ids[i]}": intervention must be finite and ≥ 0, got ${x}`,
        `payments.${system.ids[i]}`,
      );
  });
  return shift;
}

/** Book and market values given the failed set y. */
export function valuesGivenFailures(
  system: EconomySystem,
  assetValues: Float64Array,
  failed: Uint8Array,
): { bookValues: Float64Array; marketValues: Float64Array } {
  const n = system.nFirms;
  const rhs = new Float64Array(n);
  for (let i = 0; i < n; i++) rhs[i] = assetValues[i]! - (failed[i] ? system.failureCosts[i]! : 0);
  luSolve(system.lu, n, system.pivots, rhs);
  const marketValues = new Float64Array(n);
  for (let i = 0; i < n; i++) marketValues[i] = system.selfShare[i]! * rhs[i]!;
  return { bookValues: rhs, marketValues };
}

/** The equilibrium reached from `start` by iterating y ← 1[v(y) < θ − Ĉx] until the failed set stops changing. */
export function cascade(system: EconomySystem, options: CascadeOptions = {}): CascadeResult {
  const n = system.nFirms;
  const assetValues =
    options.assetValues ?? (options.prices ? assetValuesAt(system, options.prices) : system.assetValues);
  const shift = checkShift(system, options.thresholdShift);
  const fromAllFailed = options.start === 'all-failed';
  const effective = new Float64Array(n);
  for (let i = 0; i < n; i++) effective[i] = system.thresholds[i]! - system.selfShare[i]! * shift[i]!;
  const failed = new Uint8Array(n).fill(fromAllFailed ? 1 : 0);
  const rounds = new Int32Array(n);
  let values = valuesGivenFailures(system, assetValues, failed);
  let iterations = 0;
  let converged = false;
  // Each round moves at least one firm in one direction, so n + 1 rounds always suffice.
  while (iterations <= n + 1) {
    iterations++;
    let changed = false;
    for (let i = 0; i < n; i++) {
      const fails = values.marketValues[i]! < effective[i]! ? 1 : 0;
      if (fails !== failed[i]) {
        failed[i] = fails;
        rounds[i] = fromAllFailed ? (fails ? 0 : iterations) : fails ? iterations : 0;
        changed = true;
      }
    }
    if (!changed) {
      converged = true;
      break;
    }
    values = valuesGivenFailures(system, assetValues, failed);
  }
  return { ...values, failed, rounds, iterations, converged };
}

/** Indices of the failed firms. */
export const failedIndices = (result: Pick<CascadeResult, 'failed'>): number[] => {
  const out: number[] = [];
  result.failed.forEach((y, i) => {
    if (y) out.push(i);
  });
  return out;
};
