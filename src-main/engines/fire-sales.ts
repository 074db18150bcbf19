/**
 * Price-mediated contagion (fire sales): N banks hold M illiquid assets; after a shock a bank sells a fraction f_n
 * of every asset it holds (pro rata to its holdings, §4.2 of Cao, Chen, Mishra, Amini & Feinstein, "Modeling
 * inverse demand function with explainable dual neural networks"), the market absorbs the aggregate sale
 * ℓ_m = Σ_n f_n a_nm through an inverse demand function with cross-impact matrix B (x = B ℓ):
 *
 *   linear       p_m = max(0, 1 − x_m)
 *   exponential  p_m = exp(−x_m)
 *   arctangent   p_m = (atan(−x_m) + 2π) / (2π)
 *
 * (prices relative to their pre-shock level). How much a bank sells (the strategy):
 *   - 'leverage-target' (Feinstein & El-Masri 2017, Banerjee & Feinstein 2021 — the contagion model behind the
 *     paper's §4 simulations): with equity E_n = o_n + a_n·p − L_n and the proceeds repaying debt, the smallest
 *     f_n with leverage (o_n + (1 − f_n) a_n·p) / E_n ≤ λ_n, i.e. f_n = clamp(1 − (λ_n E_n − o_n)/(a_n·p), 0, 1);
 *     an insolvent bank (E_n ≤ 0) sells everything;
 *   - 'proportional' (cash shortfall): the bank must pay its liabilities L_n from cash c_n and sales, so
 *     f_n = clamp((L_n − c_n)/(a_n·p), 0, 1).
 * A bank whose holdings are worth nothing (every price it holds at 0) sells the rule's limit as its value falls to 0.
 * The equilibrium is a fixed point p = Φ(p) = P(B ℓ(f(p))) (the paper's §4 data, eq. (2) aggregation); since f is
 * non-increasing in p and P non-increasing in ℓ, iterating from p = 1 gives a non-increasing sequence of upper bounds
 * that converges to the greatest equilibrium price (the least liquidation, Amini, Filipović & Minca 2016).
 *
 * Next to a jump of the equilibrium (a saddle-node: two equilibria merge, e.g. case study 1 at L*) that plain
 * iteration slows to a rate near 1. Where its change shrinks by less than 0.6 twice in a row the engine takes instead a
 * certified Newton step from above. At the upper bound p (Φ(p) ≤ p), on a box [q, p] where no bank changes regime
 * (sells nothing / part, f = α + β/v with β ≥ 0 / all) f is convex in p, so x = Bℓ is convex (B, a ≥ 0), and every P
 * is convex and decreasing in x ≥ 0; with the chord slopes c_m of P over [x(p), x(q)]
 *
 *   Φ(p′) ≤ Φ(p) + J̃ (p′ − p) on [q, p],   J̃ = diag(−c) B Σ_n (β_n / v_n²) a_n a_nᵀ ≥ 0.
 *
 * (a) ρ(J̃) < 1 (shown by u = (I − J̃)⁻¹1 > 0): any r in the box on the segment to the Newton point
 *     p − (I − J̃)⁻¹(p − Φ(p)) bounds p* from above — for z = (p* ∨ r) − r the bound gives z ≤ J̃z, so z = 0.
 * (b) Past the turning point (ρ ≥ 1): if w = p − q has J̃w ≥ w and Φ(p) < p wherever w > 0, no equilibrium lies in
 *     the box and p* ≤ q (w along the leading eigenvector of Φ′(p)).
 * So the iterate stays an upper bound of p* and never jumps below it to a lesser equilibrium; it stops when
 * max|Φ(p) − p| and the Newton correction |(I − Φ′(p))⁻¹(p − Φ(p))| are both ≤ 1e-12. Reported: iterations, steps
 * accelerated, the last change, the residual max|Φ(p) − p| at the prices returned, convergence. The Newton step
 * needs B ≥ 0, a ≥ 0 and no interbank layer; elsewhere the plain iteration runs. Optional Eisenberg–Noe coupling:
 * interbank assets valued at the clearing payments of src-main/engines/clearing.ts, alternated with the price fixed
 * point until both stop changing.
 */
import type { FireSaleFields } from '../../src-shared/results/fire-sales';
import { clearScenario } from './clearing';
import { luFactor, luSolve } from './linalg';
import type { ClearingSystem } from './network-arrays';
import { Rng } from './random';

export type InverseDemandForm = 'linear' | 'exponential' | 'arctangent';
export const INVERSE_DEMAND_FORMS: InverseDemandForm[] = ['linear', 'exponential', 'arctangent'];

export interface InverseDemand {
  form: InverseDemandForm;
  /** M × M row-major: impact[m * M + k] is the effect of selling one unit of asset k on asset m (x = B ℓ). */
  impact: Float64Array;
}

export type LiquidationStrategy = { kind: 'leverage-target'; maxLeverage: Float64Array } | { kind: 'proportional' };

export interface FireSaleSystem {
  bankIds: string[];
  assetIds: string[];
  /** N × M row-major units of each illiquid asset held by each bank (valued at price 1 before the shock). */
  holdings: Float64Array;
  /** Non-marketable other assets o_n, at book value (counted in equity and leverage, never sold). */
  otherAssets: Float64Array;
  /** Cash c_n (used only by the proportional strategy to pay liabilities before selling). */
  cash: Float64Array;
  /** Liabilities L_n before the shock. */
  liabilities: Float64Array;
  strategy: LiquidationStrategy;
  inverseDemand: InverseDemand;
  /** Optional interbank layer: bank n's interbank assets are Σ_j A_jn · payment_j (Eisenberg–Noe). */
  interbank?: ClearingSystem;
}

export interface FireSaleOptions {
  /** Converged when max|Φ(p) − p| and, with acceleration, the Newton estimate of the distance to p* are below it (1e-12). */
  tolerance?: number;
  maxIterations?: number;
  /** Keep the price path of each iteration (for plots). */
  recordPath?: boolean;
  /** Certified Newton steps from above (default true); false runs the plain iteration p ← Φ(p). */
  accelerate?: boolean;
}

export type FireSaleEquilibrium = FireSaleFields<Float64Array>;

const TWO_PI = 2 * Math.PI;

/** p = Φ(Bℓ) for one form; `out` receives M prices. */
export function priceOf(
  demand: InverseDemand,
  liquidations: ArrayLike<number>,
  out = new Float64Array(liquidations.length),
): Float64Array {
  const nAssets = liquidations.length;
  for (let m = 0; m < nAssets; m++) {
    let x = 0;
    for (let k = 0; k < nAssets; k++) x += demand.impact[m * nAssets + k]! * liquidations[k]!;
    out[m] = inverseDemandAt(demand.form, x);
  }
  return out;
}

/** P(x) of one form. */
export function inverseDemandAt(form: InverseDemandForm, x: number): number {
  return form === 'linear'
    ? Math.max(0, 1 - x)
    : form === 'exponential'
      ? Math.exp(-x)
      : (Math.atan(-x) + TWO_PI) / TWO_PI;
}

/** P′(x) of one form (for the linear form, the slope to the right of x: 0 from x = 1 on). */
function inverseDemandSlope(form: InverseDemandForm, x: number): number {
  return form === 'linear' ? (x < 1 ? -1 : 0) : form === 'exponential' ? -Math.exp(-x) : -1 / (TWO_PI * (1 + x * x));
}

/** Diagonal impact with `own` on the diagonal and `cross` off it. */
export function impactMatrix(nAssets: number, own: number | ArrayLike<number>, cross = 0): Float64Array {
  const impact = new Float64Array(nAssets * nAssets).fill(cross);
  for (let m = 0; m < nAssets; m++) impact[m * nAssets + m] = typeof own === 'number' ? own : own[m]!;
  return impact;
}

/** Value of each bank's illiquid portfolio at prices p. */
function portfolioValues(system: FireSaleSystem, prices: ArrayLike<number>, out: Float64Array): Float64Array {
  const nAssets = system.assetIds.length;
  for (let n = 0; n < system.bankIds.length; n++) {
    let value = 0;
    for (let m = 0; m < nAssets; m++) value += system.holdings[n * nAssets + m]! * prices[m]!;
    out[n] = value;
  }
  return out;
}

/** Fractions sold at prices p under the system's strategy; `interbankAssets` adds to equity when coupled. */
function fractionsAt(
  system: FireSaleSystem,
  liabilities: ArrayLike<number>,
  portfolio: Float64Array,
  interbankAssets: Float64Array | null,
  out: Float64Array,
): void {
  for (let n = 0; n < system.bankIds.length; n++) {
    const value = portfolio[n]!;
    const other = system.otherAssets[n]! + (interbankAssets ? interbankAssets[n]! : 0);
    if (value <= 0) {
      // Holdings worth nothing (every price held at 0): the rule's limit as the value falls to 0, so the fraction
      // sold stays non-increasing in prices — all of it where the bank sold more as its value fell.
      let limit = 0;
      if (holdingsAtParOf(system, n) > 0) {
        if (system.strategy.kind === 'leverage-target') {
          const equity = other + system.cash[n]! - liabilities[n]!;
          const beta = other - system.strategy.maxLeverage[n]! * equity;
          limit =
            equity <= 0 || beta > 0 ? 1 : beta < 0 ? 0 : Math.min(1, Math.max(0, 1 - system.strategy.maxLeverage[n]!));
        } else {
          limit = liabilities[n]! > system.cash[n]! ? 1 : 0;
        }
      }
      out[n] = limit;
      continue;
    }
    let fraction: number;
    if (system.strategy.kind === 'leverage-target') {
      const equity = other + system.cash[n]! + value - liabilities[n]!;
      fraction = equity <= 0 ? 1 : 1 - (system.strategy.maxLeverage[n]! * equity - other) / value;
    } else {
      fraction = (liabilities[n]! - system.cash[n]!) / value;
    }
    out[n] = Math.min(1, Math.max(0, fraction));
  }
}

function aggregate(system: FireSaleSystem, fractions: Float64Array, out: Float64Array): Float64Array {
  const nAssets = system.assetIds.length;
  out.fill(0);
  for (let n = 0; n < system.bankIds.length; n++) {
    const f = fractions[n]!;
    if (f === 0) continue;
    for (let m = 0; m < nAssets; m++) out[m]! += f * system.holdings[n * nAssets + m]!;
  }
  return out;
}

/** One evaluation of the map and what the Newton step reads from it. */
interface Workspace {
  system: FireSaleSystem;
  original: FireSaleSystem;
  liabilities: ArrayLike<number>;
  portfolio: Float64Array;
  fractions: Float64Array;
  liquidations: Float64Array;
  /** x = Bℓ of the last evaluation. */
  impact: Float64Array;
  interbankAssets: Float64Array | null;
}

/** out = Φ(prices); leaves the portfolio values, fractions, liquidations and x = Bℓ at `prices` in the workspace. */
function evaluate(ws: Workspace, prices: ArrayLike<number>, out: Float64Array): void {
  portfolioValues(ws.system, prices, ws.portfolio);
  if (ws.system.interbank) ws.interbankAssets = interbankValues(ws.system, ws.original, ws.portfolio);
  fractionsAt(ws.system, ws.liabilities, ws.portfolio, ws.interbankAssets, ws.fractions);
  aggregate(ws.system, ws.fractions, ws.liquidations);
  const { form, impact } = ws.system.inverseDemand;
  const nAssets = out.length;
  for (let m = 0; m < nAssets; m++) {
    let x = 0;
    for (let k = 0; k < nAssets; k++) x += impact[m * nAssets + k]! * ws.liquidations[k]!;
    ws.impact[m] = x;
    out[m] = inverseDemandAt(form, x);
  }
}

/**
 * Where a bank's sale rule stands at portfolio value v (as fractionsAt decides it): 0 sells nothing, 1 sells
 * f = α + β/v strictly between 0 and 1, 2 sells everything, 3 has nothing of value to sell.
 */
function saleRegime(ws: Workspace, n: number, value: number): number {
  if (value <= 0) return 3;
  const { system } = ws;
  const other = system.otherAssets[n]! + (ws.interbankAssets ? ws.interbankAssets[n]! : 0);
  let fraction: number;
  if (system.strategy.kind === 'leverage-target') {
    const equity = other + system.cash[n]! + value - ws.liabilities[n]!;
    if (equity <= 0) return 2;
    fraction = 1 - (system.strategy.maxLeverage[n]! * equity - other) / value;
  } else {
    fraction = (ws.liabilities[n]! - system.cash[n]!) / value;
  }
  return fraction <= 0 ? 0 : fraction >= 1 ? 2 : 1;
}

/** β of f = α + β/v: minus v² times the slope of the fraction sold in the portfolio value. */
function saleCurvature(ws: Workspace, n: number): number {
  const { system } = ws;
  if (system.strategy.kind === 'proportional') return ws.liabilities[n]! - system.cash[n]!;
  const lambda = system.strategy.maxLeverage[n]!;
  const other = system.otherAssets[n]!;
  return other - lambda * (other + system.cash[n]! - ws.liabilities[n]!);
}

/** Ratio of successive changes above which the plain iteration counts as slow. */
const SLOW_STEP = 0.6;

/** Whether the certified Newton step applies: no interbank layer, holdings and impacts ≥ 0 (Φ order-preserving). */
function newtonApplies(system: FireSaleSystem): boolean {
  return !system.interbank && system.holdings.every((a) => a >= 0) && system.inverseDemand.impact.every((b) => b >= 0);
}

/**
 * How far along p − t·d (0 ≤ t ≤ 1) prices stay ≥ 0 and no bank changes regime: each bank's value falls linearly
 * in t, so t is where the first value reaches a boundary of its regime (equity 0, f = 1, f = 0, value 0).
 */
function regimeReach(ws: Workspace, prices: Float64Array, direction: Float64Array, regime: Uint8Array): number {
  const { system } = ws;
  const nAssets = prices.length;
  let reach = 1;
  for (let m = 0; m < nAssets; m++) if (direction[m]! > 0) reach = Math.min(reach, prices[m]! / direction[m]!);
  for (let n = 0; n < system.bankIds.length; n++) {
    let value = 0;
    let fall = 0;
    for (let m = 0; m < nAssets; m++) {
      const a = system.holdings[n * nAssets + m]!;
      value += a * prices[m]!;
      fall += a * Math.max(0, direction[m]!);
    }
    if (!(fall > 0) || value <= 0) continue;
    const beta = saleCurvature(ws, n);
    let boundaries: number[];
    if (system.strategy.kind === 'leverage-target') {
      const lambda = system.strategy.maxLeverage[n]!;
      boundaries = [
        ws.liabilities[n]! - system.otherAssets[n]! - system.cash[n]!,
        beta / lambda,
        lambda > 1 ? beta / (lambda - 1) : 0,
        0,
      ];
    } else {
      boundaries = [beta, 0];
    }
    for (const boundary of boundaries.filter((b) => b < value).sort((a, b) => b - a)) {
      if (saleRegime(ws, n, boundary) === regime[n]) continue;
      reach = Math.min(reach, ((value - boundary) / fall) * (1 - 1e-9));
      break;
    }
  }
  return reach;
}

/** The leading eigenvector of J = diag(−slopes) R ≥ 0 by power iteration from `start`, entries ≥ 0, max 1. */
function leadingDirection(response: Float64Array, slopes: ArrayLike<number>, start: Float64Array): Float64Array {
  const nAssets = start.length;
  let vector = Float64Array.from(start, (v) => Math.max(0, v));
  const next = new Float64Array(nAssets);
  for (let k = 0; k < 100; k++) {
    let largest = 0;
    for (let m = 0; m < nAssets; m++) {
      let sum = 0;
      for (let j = 0; j < nAssets; j++) sum -= slopes[m]! * response[m * nAssets + j]! * vector[j]!;
      next[m] = sum;
      largest = Math.max(largest, sum);
    }
    if (!(largest > 0)) break;
    for (let m = 0; m < nAssets; m++) next[m]! /= largest;
    vector = Float64Array.from(next);
  }
  return vector;
}

interface NewtonStep {
  /** A point r ≤ p with p* ≤ r (certified, see the module comment). */
  next: Float64Array;
  /** max|s| of the tangent Newton correction s = (I − Φ′(p))⁻¹(p − Φ(p)): the estimated distance to p*. */
  distance: number;
}

function solveIn(matrix: Float64Array, nAssets: number, rhs: Float64Array[]): boolean {
  const pivots = new Int32Array(nAssets);
  try {
    luFactor(matrix, nAssets, pivots);
  } catch {
    return false;
  }
  for (const r of rhs) {
    luSolve(matrix, nAssets, pivots, r);
    if (!r.every(Number.isFinite)) return false;
  }
  return true;
}

/**
 * The certified Newton step from an upper bound p (with Φ(p) = `mapped` just evaluated, so the workspace holds
 * the state at p). Returns null where it does not apply (a sale rule with β < 0, a singular system).
 *
 * Kept as one function because the Gram matrix, the regimes and the tangent step are built in one pass over the
 * banks and assets and checked together: the step is certified only on the box where none of them changes.
 */
function newtonStep(ws: Workspace, prices: Float64Array, mapped: Float64Array): NewtonStep | null {
  const { system } = ws;
  const nBanks = system.bankIds.length;
  const nAssets = system.assetIds.length;
  const { form, impact } = system.inverseDemand;
  const regime = new Uint8Array(nBanks);
  // G = Σ over banks selling part of their portfolio of (β/v²) a aᵀ; Φ′(p) = diag(−P′(x)) B G.
  const gram = new Float64Array(nAssets * nAssets);
  const held: number[] = [];
  for (let n = 0; n < nBanks; n++) {
    const value = ws.portfolio[n]!;
    regime[n] = saleRegime(ws, n, value);
    if (regime[n] !== 1) continue;
    const beta = saleCurvature(ws, n);
    if (beta < 0) return null;
    const weight = beta / (value * value);
    held.length = 0;
    for (let m = 0; m < nAssets; m++) if (system.holdings[n * nAssets + m]! > 0) held.push(m);
    for (const m of held) {
      const am = weight * system.holdings[n * nAssets + m]!;
      for (const k of held) gram[m * nAssets + k]! += am * system.holdings[n * nAssets + k]!;
    }
  }
  const response = new Float64Array(nAssets * nAssets); // B G
  for (let m = 0; m < nAssets; m++) {
    for (let j = 0; j < nAssets; j++) {
      const b = impact[m * nAssets + j]!;
      if (b === 0) continue;
      for (let k = 0; k < nAssets; k++) response[m * nAssets + k]! += b * gram[j * nAssets + k]!;
    }
  }
  const xAtPrices = ws.impact.slice();
  const gap = Float64Array.from(prices, (p, m) => p - mapped[m]!);
  const newtonMatrix = (slopes: ArrayLike<number>) => {
    const matrix = new Float64Array(nAssets * nAssets);
    for (let m = 0; m < nAssets; m++) {
      for (let k = 0; k < nAssets; k++)
        matrix[m * nAssets + k] = (m === k ? 1 : 0) + slopes[m]! * response[m * nAssets + k]!;
    }
    return matrix;
  };
  // Tangent step: (I − Φ′(p)) s = p − Φ(p), with u = (I − Φ′(p))⁻¹1 > 0 showing ρ(Φ′(p)) < 1.
  const tangentSlopes = Array.from(xAtPrices, (x) => inverseDemandSlope(form, x));
  let direction: Float64Array = gap.slice();
  const unit = new Float64Array(nAssets).fill(1);
  const pastTurn = !solveIn(newtonMatrix(tangentSlopes), nAssets, [direction, unit]) || !unit.every((u) => u > 0);
  const distance = pastTurn
    ? gap.every((g) => g === 0)
      ? 0
      : Number.POSITIVE_INFINITY
    : direction.reduce((a, s) => Math.max(a, Math.abs(s)), 0);
  if (pastTurn) {
    // ρ(Φ′(p)) ≥ 1, past the turning point of a jump: try the box along Φ′'s leading eigenvector (power iteration
    // from p − Φ(p)), scaled so that t = 1 reaches price 0.
    direction = leadingDirection(response, tangentSlopes, gap);
    let reach = Number.POSITIVE_INFINITY;
    for (let m = 0; m < nAssets; m++) if (direction[m]! > 0) reach = Math.min(reach, prices[m]! / direction[m]!);
    if (!Number.isFinite(reach)) return null;
    for (let m = 0; m < nAssets; m++) direction[m]! *= reach;
  }
  // Shorten it to the box [q, p] on which no bank changes regime and prices stay ≥ 0 (regimes change monotonically
  // along the segment, so checking its lower end suffices).
  const lower = new Float64Array(nAssets);
  const value = new Float64Array(nBanks);
  const fits = (t: number) => {
    for (let m = 0; m < nAssets; m++) {
      lower[m] = prices[m]! - t * Math.max(0, direction[m]!);
      if (lower[m]! < 0) return false;
    }
    portfolioValues(system, lower, value);
    for (let n = 0; n < nBanks; n++) if (saleRegime(ws, n, value[n]!) !== regime[n]) return false;
    return true;
  };
  if (!fits(1) && !fits(regimeReach(ws, prices, direction, regime))) {
    let low = 0;
    let high = 1;
    for (let k = 0; k < 60; k++) {
      const mid = (low + high) / 2;
      if (fits(mid)) low = mid;
      else high = mid;
    }
    if (low === 0) return { next: prices, distance };
    fits(low);
  }
  // Chord slopes of the (convex) inverse demand over [x(p), x(q)] bound it from above on the box.
  const scratch = new Float64Array(nAssets);
  const chordsOverBox = () => {
    evaluate(ws, lower, scratch);
    return Float64Array.from(xAtPrices, (x, m) => {
      const span = ws.impact[m]! - x;
      return span > 1e-8
        ? (inverseDemandAt(form, ws.impact[m]!) - inverseDemandAt(form, x)) / span
        : inverseDemandSlope(form, x);
    });
  };
  if (pastTurn) {
    // With w = p − q: J̃w ≥ w and Φ(p) < p wherever w > 0 leave no equilibrium in the box, so p* ≤ q. The chord of
    // a curved inverse demand flattens J̃ over a wide box, so a failed check is retried on boxes 8, 64, … 8⁹ times smaller.
    for (let attempt = 0; attempt < (form === 'linear' ? 1 : 10); attempt++) {
      if (attempt > 0) for (let m = 0; m < nAssets; m++) lower[m] = prices[m]! - (prices[m]! - lower[m]!) / 8;
      const chords = chordsOverBox();
      let certified = true;
      for (let m = 0; m < nAssets && certified; m++) {
        const width = prices[m]! - lower[m]!;
        if (!(width > 0)) continue;
        let pushed = 0;
        for (let k = 0; k < nAssets; k++) pushed -= chords[m]! * response[m * nAssets + k]! * (prices[k]! - lower[k]!);
        certified = gap[m]! > 0 && pushed >= width;
      }
      if (certified) return { next: lower, distance };
    }
    return { next: prices, distance };
  }
  const chords = chordsOverBox();
  const step = gap.slice();
  unit.fill(1);
  if (!solveIn(newtonMatrix(chords), nAssets, [step, unit]) || !unit.every((u) => u > 0))
    return { next: prices, distance };
  let scale = 1;
  for (let m = 0; m < nAssets; m++) {
    step[m] = Math.max(0, step[m]!);
    if (step[m]! > 0) scale = Math.min(scale, (prices[m]! - lower[m]!) / step[m]!);
  }
  return { next: Float64Array.from(prices, (p, m) => Math.max(lower[m]!, p - scale * step[m]!)), distance };
}

/**
 * The greatest-price equilibrium for one scenario: `liabilities` replaces L (shocks to liabilities) and
 * `otherAssetLosses` are subtracted from o (shocks to other assets); both default to none.
 *
 * One iteration loop (plain steps, Newton steps from newtonStep when they certify, the stopping test) kept together
 * because the iterate, its image Φ(p) and the workspace must stay in step; the rest is the report at the end.
 */
export function solveFireSale(
  system: FireSaleSystem,
  scenario: { liabilities?: ArrayLike<number>; otherAssetLosses?: ArrayLike<number> } = {},
  options: FireSaleOptions = {},
): FireSaleEquilibrium {
  const nBanks = system.bankIds.length;
  const nAssets = system.assetIds.length;
  const tolerance = options.tolerance ?? 1e-12;
  const maxIterations = options.maxIterations ?? 10_000;
  const liabilities = scenario.liabilities ?? system.liabilities;
  const shocked: FireSaleSystem = scenario.otherAssetLosses
    ? { ...system, otherAssets: system.otherAssets.map((o, n) => o - scenario.otherAssetLosses![n]!) }
    : system;
  const ws: Workspace = {
    system: shocked,
    original: system,
    liabilities,
    portfolio: new Float64Array(nBanks),
    fractions: new Float64Array(nBanks),
    liquidations: new Float64Array(nAssets),
    impact: new Float64Array(nAssets),
    interbankAssets: null,
  };
  const accelerate = (options.accelerate ?? true) && newtonApplies(shocked);
  // The iterate p_k: an upper bound of the greatest equilibrium that only falls.
  const prices = new Float64Array(nAssets).fill(1);
  const mapped = new Float64Array(nAssets);
  const pricePath: number[][] = [];
  const liquidationPath: number[] = [];
  let iterations = 0;
  let acceleratedSteps = 0;
  let lastChange = Number.POSITIVE_INFINITY;
  let previousChange = Number.POSITIVE_INFINITY;
  let newton = false;
  let slowBefore = false;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    evaluate(ws, prices, mapped);
    lastChange = 0;
    for (let m = 0; m < nAssets; m++) lastChange = Math.max(lastChange, Math.abs(mapped[m]! - prices[m]!));
    const sold = options.recordPath ? ws.liquidations.reduce((a, b) => a + b, 0) : 0;
    // Newton steps from the second step in a row at which the plain iteration shrinks its change by less than 0.6.
    const slow = lastChange > SLOW_STEP * previousChange;
    newton ||= accelerate && slow && slowBefore;
    slowBefore = slow;
    const step = newton ? newtonStep(ws, prices, mapped) : null;
    converged = lastChange <= tolerance && (step ? step.distance <= tolerance : true);
    previousChange = lastChange;
    let moved = false;
    if (converged || !step) {
      prices.set(mapped);
    } else {
      let accelerated = false;
      for (let m = 0; m < nAssets; m++) {
        if (step.next[m]! < mapped[m]!) accelerated = true;
        const next = Math.min(mapped[m]!, step.next[m]!);
        if (next !== prices[m]) moved = true;
        prices[m] = next;
      }
      if (accelerated) acceleratedSteps++;
    }
    if (options.recordPath) {
      pricePath.push(Array.from(prices));
      liquidationPath.push(sold);
    }
    if (converged) break;
    if (step && !moved) {
      // Rounding stops the iterate (next to a double root, Φ(p) − p is below rounding across a wider interval than
      // the tolerance): converged if the Newton correction is within 100 × the tolerance.
      converged = lastChange <= tolerance && step.distance <= 100 * tolerance;
      break;
    }
  }
  // Fractions consistent with the final prices, and the residual there.
  evaluate(ws, prices, mapped);
  let residual = 0;
  for (let m = 0; m < nAssets; m++) residual = Math.max(residual, Math.abs(mapped[m]! - prices[m]!));
  const { portfolio, fractions, liquidations, interbankAssets } = ws;
  const equity = new Float64Array(nBanks);
  const losses = new Float64Array(nBanks);
  const interbankAtPar = shocked.interbank ? interbankValues(system, system, null) : null;
  for (let n = 0; n < nBanks; n++) {
    let holdingsAtPar = 0;
    for (let m = 0; m < nAssets; m++) holdingsAtPar += system.holdings[n * nAssets + m]!;
    const interbank = interbankAssets ? interbankAssets[n]! : 0;
    equity[n] = shocked.otherAssets[n]! + shocked.cash[n]! + portfolio[n]! + interbank - liabilities[n]!;
    losses[n] = holdingsAtPar - portfolio[n]! + (interbankAtPar ? interbankAtPar[n]! - interbank : 0);
  }
  return {
    prices,
    fractions,
    assetLiquidations: liquidations,
    equity,
    losses,
    defaulted: Array.from(equity, (e) => e <= 0),
    iterations,
    acceleratedSteps,
    lastChange,
    residual,
    converged,
    pricePath,
    liquidationPath,
  };
}

/**
 * Interbank assets at Eisenberg–Noe clearing payments: Σ_j p̄_jn · P_j / p̄_j. The clearing shock of bank n is
 * the fall of its outside assets from their pre-shock value, x_n = (o_n + c_n + Σ_m a_nm) − (o'_n + c_n + a_n·p),
 * with o' the shocked other assets; `portfolio` null values the holdings at par (no shock from prices).
 */
function interbankValues(
  system: FireSaleSystem,
  original: FireSaleSystem,
  portfolio: Float64Array | null,
): Float64Array {
  const interbank = system.interbank!;
  const nBanks = interbank.nBanks;
  const shock = new Float64Array(nBanks);
  for (let n = 0; n < nBanks; n++) {
    const atPar = holdingsAtParOf(system, n);
    const before = original.otherAssets[n]! + atPar;
    const after = system.otherAssets[n]! + (portfolio ? portfolio[n]! : atPar);
    shock[n] = Math.min(interbank.outsideAssets[n]!, Math.max(0, before - after));
  }
  const { payments } = clearScenario(interbank, shock, { depth: false });
  const values = new Float64Array(nBanks);
  for (let j = 0; j < nBanks; j++) {
    const total = interbank.totalObligations[j]!;
    if (total <= 0) continue;
    const ratio = payments[j]! / total;
    for (let n = 0; n < nBanks; n++) values[n]! += interbank.pbarMatrix[j * nBanks + n]! * ratio;
  }
  return values;
}

function holdingsAtParOf(system: FireSaleSystem, n: number): number {
  const nAssets = system.assetIds.length;
  let sum = 0;
  for (let m = 0; m < nAssets; m++) sum += system.holdings[n * nAssets + m]!;
  return sum;
}

// ---------------------------------------------------------------------------------------------------------------
// Data simulation (§4 of the paper): shocks drawn uniformly, equilibrium prices and the hidden liquidations.

export interface SimulatedData {
  nSamples: number;
  nBanks: number;
  nAssets: number;
  /** nSamples × N shocks (the post-shock liabilities in the paper's case studies). */
  shocks: Float64Array;
  /** nSamples × M equilibrium prices. */
  prices: Float64Array;
  /** nSamples × M units sold per asset (hidden in practice). */
  liquidations: Float64Array;
  /** nSamples × N fractions sold per bank (hidden in practice). */
  fractions: Float64Array;
  /**
   * Calibration scenarios: K shock vectors (a Latin hypercube over the shock box) with their true liquidations per
   * asset, the balance-sheet information the linear scaling of eq. (4) rests on, here at K scenarios rather than
   * at the smallest and largest shock only (docs/engines/fire-sales.md, "Identification").
   */
  calibration: CalibrationScenarios;
  /** Largest iteration count and whether every sample converged. */
  maxIterations: number;
  allConverged: boolean;
}

export interface CalibrationScenarios {
  count: number;
  /** count × N */
  shocks: Float64Array;
  /** count × M */
  liquidations: Float64Array;
}

/** Calibration scenarios by default: enough to fit an affine map of M liquidations, and at least 32. */
export const calibrationCount = (nAssets: number): number => Math.max(32, 4 * (nAssets + 1));

/**
 * A Latin hypercube of `count` shock vectors over [low, high]^N (each bank's shock visits every one of `count`
 * equal strata once, at the stratum's centre, in an order shuffled per bank) with the equilibrium liquidations.
 */
export function calibrationScenarios(spec: SimulationSpec, count: number, seed: number): CalibrationScenarios {
  const nBanks = spec.system.bankIds.length;
  const rng = new Rng(seed, 11);
  const shocks = new Float64Array(count * nBanks);
  const liquidations = new Float64Array(count * spec.system.assetIds.length);
  for (let n = 0; n < nBanks; n++) {
    const order = Array.from({ length: count }, (_, k) => k);
    for (let k = count - 1; k > 0; k--) {
      const j = Math.floor(rng.uniform() * (k + 1));
      [order[k], order[j]] = [order[j]!, order[k]!];
    }
    order.forEach(
      (stratum, k) =>
        (shocks[k * nBanks + n] = spec.shockLow + ((spec.shockHigh - spec.shockLow) * (stratum + 0.5)) / count),
    );
  }
  for (let k = 0; k < count; k++) {
    liquidations.set(
      solveFireSale(spec.system, scenarioOf(spec, shocks.subarray(k * nBanks, (k + 1) * nBanks))).assetLiquidations,
      k * spec.system.assetIds.length,
    );
  }
  return { count, shocks, liquidations };
}

/** How the shock enters: as the post-shock liabilities (case studies) or as a fraction of other assets lost. */
export type ShockChannel = 'liabilities' | 'other-assets';

export interface SimulationSpec {
  system: FireSaleSystem;
  shockChannel: ShockChannel;
  /** Shocks uniform on [low, high] per bank, independent. */
  shockLow: number;
  shockHigh: number;
}

/** A shock vector as a scenario: post-shock liabilities, or the fraction of other assets lost. */
export function scenarioOf(
  spec: SimulationSpec,
  shock: ArrayLike<number>,
): { liabilities?: ArrayLike<number>; otherAssetLosses?: ArrayLike<number> } {
  return spec.shockChannel === 'liabilities'
    ? { liabilities: shock }
    : { otherAssetLosses: Array.from(shock, (s, n) => s * spec.system.otherAssets[n]!) };
}

export function simulateData(spec: SimulationSpec, nSamples: number, seed: number): SimulatedData {
  const nBanks = spec.system.bankIds.length;
  const nAssets = spec.system.assetIds.length;
  const rng = new Rng(seed);
  const shocks = new Float64Array(nSamples * nBanks);
  const prices = new Float64Array(nSamples * nAssets);
  const liquidations = new Float64Array(nSamples * nAssets);
  const fractions = new Float64Array(nSamples * nBanks);
  let maxIterations = 0;
  let allConverged = true;
  const shock = new Float64Array(nBanks);
  for (let s = 0; s < nSamples; s++) {
    for (let n = 0; n < nBanks; n++) shock[n] = spec.shockLow + (spec.shockHigh - spec.shockLow) * rng.uniform();
    const result = solveFireSale(spec.system, scenarioOf(spec, shock));
    shocks.set(shock, s * nBanks);
    prices.set(result.prices, s * nAssets);
    liquidations.set(result.assetLiquidations, s * nAssets);
    fractions.set(result.fractions, s * nBanks);
    maxIterations = Math.max(maxIterations, result.iterations);
    allConverged &&= result.converged;
  }
  return {
    nSamples,
    nBanks,
    nAssets,
    shocks,
    prices,
    liquidations,
    fractions,
    calibration: calibrationScenarios(spec, calibrationCount(nAssets), seed),
    maxIterations,
    allConverged,
  };
}

/** The paper's leverage requirement for the §4 systems: λ = 2.5 makes the smallest shock (L = 0.6) sell nothing. */
export const CASE_STUDY_MAX_LEVERAGE = 2.5;

function caseStudySystem(holdings: number[][], form: InverseDemandForm, impact: Float64Array): FireSaleSystem {
  const nBanks = holdings.length;
  const nAssets = holdings[0]!.length;
  return {
    bankIds: Array.from({ length: nBanks }, (_, n) => `bank ${n + 1}`),
    assetIds: Array.from({ length: nAssets }, (_, m) => `asset ${m + 1}`),
    holdings: Float64Array.from(holdings.flat()),
    otherAssets: new Float64Array(nBanks),
    cash: new Float64Array(nBanks),
    liabilities: new Float64Array(nBanks),
    strategy: { kind: 'leverage-target', maxLeverage: new Float64Array(nBanks).fill(CASE_STUDY_MAX_LEVERAGE) },
    inverseDemand: { form, impact },
  };
}

/**
 * Case study 1 (§4.1): N = 2 banks holding one unit each of M = 1 asset, liabilities uniform on [0.6, 0.85];
 * p = 1 − 0.15ℓ, exp(−0.15ℓ) or (atan(−ℓ) + 2π)/(2π).
 */
export function caseStudy1(form: InverseDemandForm): SimulationSpec {
  const coefficient = form === 'arctangent' ? 1 : 0.15;
  return {
    system: caseStudySystem([[1], [1]], form, impactMatrix(1, coefficient)),
    shockChannel: 'liabilities',
    shockLow: 0.6,
    shockHigh: 0.85,
  };
}

/**
 * Case study 2 (§4.2): N = 2, M = 2, a_1 = (0.4, 0.6), a_2 = (0.6, 0.4), liabilities uniform on [0.6, 0.9],
 * linear impact 0.15 on the own asset and, with cross-impact, 0.015 on the other (p₁ = 1 − 0.15ℓ₁ − 0.015ℓ₂;
 * symmetric for p₂, which the paper does not state).
 */
export function caseStudy2(crossImpact: boolean): SimulationSpec {
  return {
    system: caseStudySystem(
      [
        [0.4, 0.6],
        [0.6, 0.4],
      ],
      'linear',
      impactMatrix(2, 0.15, crossImpact ? 0.015 : 0),
    ),
    shockChannel: 'liabilities',
    shockLow: 0.6,
    shockHigh: 0.9,
  };
}
