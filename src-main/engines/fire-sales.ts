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
 * The equilibrium is a fixed point p = Φ(ℓ(f(p))); since f is non-increasing in p and Φ non-increasing in ℓ,
 * iterating from p = 1 gives a non-increasing sequence that converges to the greatest equilibrium price (the
 * least liquidation, Amini, Filipović & Minca 2016). The iteration count, the last change and convergence are
 * reported. Optional Eisenberg–Noe coupling: interbank assets valued at the clearing payments of
 * src-main/engines/clearing.ts, alternated with the price fixed point until both stop changing.
 */
import type { FireSaleFields } from '../../src-shared/results/fire-sales';
import { clearScenario } from './clearing';
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
  tolerance?: number;
  maxIterations?: number;
  /** Keep the price path of each iteration (for plots). */
  recordPath?: boolean;
}

export type FireSaleEquilibrium = FireSaleFields<Float64Array>;

const TWO_PI = 2 * Math.PI;

/** p = Φ(Bℓ) for one form; `out` receives M prices. */
export function priceOf(demand: InverseDemand, liquidations: ArrayLike<number>, out = new Float64Array(liquidations.length)): Float64Array {
  const nAssets = liquidations.length;
  for (let m = 0; m < nAssets; m++) {
    let x = 0;
    for (let k = 0; k < nAssets; k++) x += demand.impact[m * nAssets + k]! * liquidations[k]!;
    out[m] = demand.form === 'linear' ? Math.max(0, 1 - x) : demand.form === 'exponential' ? Math.exp(-x) : (Math.atan(-x) + TWO_PI) / TWO_PI;
  }
  return out;
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
function fractionsAt(system: FireSaleSystem, liabilities: ArrayLike<number>, portfolio: Float64Array, interbankAssets: Float64Array | null, out: Float64Array): void {
  for (let n = 0; n < system.bankIds.length; n++) {
    const value = portfolio[n]!;
    if (value <= 0) {
      out[n] = 0;
      continue;
    }
    const other = system.otherAssets[n]! + (interbankAssets ? interbankAssets[n]! : 0);
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
    for (let m = 0; m < nAssets; m++) out[m] += f * system.holdings[n * nAssets + m]!;
  }
  return out;
}

/**
 * The greatest-price equilibrium for one scenario: `liabilities` replaces L (shocks to liabilities) and
 * `otherAssetLosses` are subtracted from o (shocks to other assets); both default to none.
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
  const prices = new Float64Array(nAssets).fill(1);
  const next = new Float64Array(nAssets);
  const fractions = new Float64Array(nBanks);
  const liquidations = new Float64Array(nAssets);
  const portfolio = new Float64Array(nBanks);
  const pricePath: number[][] = [];
  const liquidationPath: number[] = [];
  let interbankAssets: Float64Array | null = null;
  let iterations = 0;
  let lastChange = Number.POSITIVE_INFINITY;
  while (iterations < maxIterations) {
    iterations++;
    portfolioValues(shocked, prices, portfolio);
    if (shocked.interbank) interbankAssets = interbankValues(shocked, system, portfolio);
    fractionsAt(shocked, liabilities, portfolio, interbankAssets, fractions);
    priceOf(system.inverseDemand, aggregate(shocked, fractions, liquidations), next);
    lastChange = 0;
    for (let m = 0; m < nAssets; m++) {
      lastChange = Math.max(lastChange, Math.abs(next[m]! - prices[m]!));
      prices[m] = next[m]!;
    }
    if (options.recordPath) {
      pricePath.push(Array.from(prices));
      liquidationPath.push(liquidations.reduce((a, b) => a + b, 0));
    }
    if (lastChange <= tolerance) break;
  }
  // Fractions consistent with the final prices.
  portfolioValues(shocked, prices, portfolio);
  if (shocked.interbank) interbankAssets = interbankValues(shocked, system, portfolio);
  fractionsAt(shocked, liabilities, portfolio, interbankAssets, fractions);
  aggregate(shocked, fractions, liquidations);
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
    lastChange,
    converged: lastChange <= tolerance,
    pricePath,
    liquidationPath,
  };
}

/**
 * Interbank assets at Eisenberg–Noe clearing payments: Σ_j p̄_jn · P_j / p̄_j. The clearing shock of bank n is
 * the fall of its outside assets from their pre-shock value, x_n = (o_n + c_n + Σ_m a_nm) − (o'_n + c_n + a_n·p),
 * with o' the shocked other assets; `portfolio` null values the holdings at par (no shock from prices).
 */
function interbankValues(system: FireSaleSystem, original: FireSaleSystem, portfolio: Float64Array | null): Float64Array {
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
    for (let n = 0; n < nBanks; n++) values[n] += interbank.pbarMatrix[j * nBanks + n]! * ratio;
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
    order.forEach((stratum, k) => (shocks[k * nBanks + n] = spec.shockLow + ((spec.shockHigh - spec.shockLow) * (stratum + 0.5)) / count));
  }
  for (let k = 0; k < count; k++) {
    liquidations.set(solveFireSale(spec.system, scenarioOf(spec, shocks.subarray(k * nBanks, (k + 1) * nBanks))).assetLiquidations, k * spec.system.assetIds.length);
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
export function scenarioOf(spec: SimulationSpec, shock: ArrayLike<number>): { liabilities?: ArrayLike<number>; otherAssetLosses?: ArrayLike<number> } {
  return spec.shockChannel === 'liabilities' ? { liabilities: shock } : { otherAssetLosses: Array.from(shock, (s, n) => s * spec.system.otherAssets[n]!) };
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
  return { system: caseStudySystem([[1], [1]], form, impactMatrix(1, coefficient)), shockChannel: 'liabilities', shockLow: 0.6, shockHigh: 0.85 };
}

/**
 * Case study 2 (§4.2): N = 2, M = 2, a_1 = (0.4, 0.6), a_2 = (0.6, 0.4), liabilities uniform on [0.6, 0.9],
 * linear impact 0.15 on the own asset and, with cross-impact, 0.015 on the other (p₁ = 1 − 0.15ℓ₁ − 0.015ℓ₂;
 * symmetric for p₂, which the paper does not state).
 */
export function caseStudy2(crossImpact: boolean): SimulationSpec {
  return {
    system: caseStudySystem([[0.4, 0.6], [0.6, 0.4]], 'linear', impactMatrix(2, 0.15, crossImpact ? 0.015 : 0)),
    shockChannel: 'liabilities',
    shockLow: 0.6,
    shockHigh: 0.9,
  };
}
