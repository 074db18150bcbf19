/**
 * Synthetic holdings with planted structure, for tests, demos and benchmarks of the graph transformer (§3–4 of
 * the graph-transformer paper). Seeded: the same options give the same panel.
 *
 * Latent structure (K = 3 factors). Investor i has a style vector u_i = μ_type + μ_style + σ_u ε_i; asset a has a
 * factor vector v_a = μ_class + μ_currency + σ_v ε_a. The type, style, class and currency means and the trade
 * matrix M are drawn once from `worldSeed`, so two panels with different `seed` and the same `worldSeed` share the
 * rules but not the nodes (a test of inductive prediction).
 *
 * - Positions at the first date: investor i holds n_i assets drawn without replacement with probability
 *   ∝ exp(β u_i·v_a) (Gumbel top-k); amount q_ia = s_i exp(0.5 u_i·v_a + 0.4 η), s_i the investor's size.
 * - Next-quarter trades: Δ%q_ia,t = c_a,t + s_ia,t + ε_ia,t, with an asset-wide move c_a,t (valuation; all holders
 *   alike), the planted signal s_ia,t = γ_t tanh(u_iᵀ M v_a) for active investors (0 for passive ones) and noise
 *   ε (σ_active, or σ_passive for index trackers). In stress quarters γ and the noise are scaled by `stressScale`
 *   and c_a,t falls. Positions with Δ% ≤ −1 close; each investor opens new positions at rate `entryRate`.
 * - A stress index per date: above 1.5 exactly in the stress quarters (like the St. Louis Fed index the paper
 *   shades by), N(0, 0.5) otherwise.
 *
 * The best possible trade forecast knows u_i and v_a exactly; the planted signal-to-noise sets the attainable
 * correlation (`plantedTradeCorrelation` reports it for the panel generated).
 */
import type { HoldingsPanel, PanelAsset, PanelInvestor, PanelSnapshot } from './holdings-panel';
import { tradeZScores, correlation } from './holdings-panel';
import { Rng } from './random';

export interface HoldingsGeneratorOptions {
  investors: number;
  assets: number;
  /** Report dates (quarter ends from `firstDate`). */
  dates: number;
  /** Mean number of positions per investor at the first date. */
  positionsPerInvestor: number;
  seed: number;
  /** Seed of the rules (type, style, class and currency means, trade matrix); default 7. */
  worldSeed?: number;
  /** Indices (0-based) of the stress quarters; default: every fifth quarter starting at the fourth. */
  stressDates?: number[];
  firstDate?: string;
  /** Signal strength γ (default 0.15), noise of active and passive investors (0.12, 0.03). */
  signal?: number;
  noiseActive?: number;
  noisePassive?: number;
  stressScale?: number;
  entryRate?: number;
}

export interface GeneratedHoldings extends HoldingsPanel {
  stressIndex: Array<{ date: string; value: number }>;
  /** The latent vectors, so tests can check what the planted structure allows. */
  latent: { investor: Float64Array[]; asset: Float64Array[] };
  /** Planted signal s_ia,t of each position of each snapshot but the last (same order as the snapshot). */
  plantedSignal: Float64Array[];
}

const FACTORS = 3;
const INVESTOR_TYPES = ['mutual fund', 'ETF', 'insurer', 'pension fund', 'hedge fund'] as const;
const ASSET_CLASSES = ['sovereign', 'corporate', 'equity', 'covered bond'] as const;
const CURRENCIES = ['EUR', 'USD', 'GBP'] as const;

function vector(rng: Rng, scale: number): Float64Array {
  return Float64Array.from({ length: FACTORS }, () => scale * rng.normal());
}

function dot(x: Float64Array, y: Float64Array): number {
  let sum = 0;
  for (let k = 0; k < x.length; k++) sum += x[k]! * y[k]!;
  return sum;
}

/** Quarter end `quarters` after `first` (YYYY-MM-DD, a quarter end). */
function quarterEnd(first: string, quarters: number): string {
  const year = Number(first.slice(0, 4));
  const month = Number(first.slice(5, 7));
  const total = year * 12 + (month - 1) + 3 * quarters;
  const y = Math.floor(total / 12);
  const m = (total % 12) + 1;
  const day = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${y}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The factor means of investor types, styles, asset classes and currencies, and the trade matrix M (world stream). */
function worldFactors(worldSeed: number) {
  const world = new Rng(worldSeed, 1);
  const typeMean = new Map(INVESTOR_TYPES.map((type) => [type, vector(world, 0.6)]));
  const styleMean = { active: vector(world, 0.4), passive: vector(world, 0.4) };
  const classMean = new Map(ASSET_CLASSES.map((name) => [name, vector(world, 0.7)]));
  const currencyMean = new Map(CURRENCIES.map((name) => [name, vector(world, 0.4)]));
  const trade = Array.from({ length: FACTORS }, () => vector(world, 1));
  return { typeMean, styleMean, classMean, currencyMean, trade };
}

type WorldFactors = ReturnType<typeof worldFactors>;

/** Investors with their type, style, latent factors u_i and size, from their own stream (seed, 2). */
function drawInvestors(nInvestors: number, seed: number, world: WorldFactors) {
  const investorRng = new Rng(seed, 2);
  const investors: PanelInvestor[] = [];
  const latent: Float64Array[] = [];
  const scale: number[] = [];
  const active: boolean[] = [];
  for (let i = 0; i < nInvestors; i++) {
    const type = INVESTOR_TYPES[Math.floor(investorRng.uniform() * INVESTOR_TYPES.length)]!;
    const style = type === 'ETF' || (type !== 'hedge fund' && investorRng.uniform() < 0.2) ? 'passive' : 'active';
    const u = vector(investorRng, 0.9);
    for (let k = 0; k < FACTORS; k++) u[k]! += world.typeMean.get(type)![k]! + world.styleMean[style][k]!;
    latent.push(u);
    scale.push(Math.exp(2 + 1.2 * investorRng.normal()));
    active.push(style === 'active');
    investors.push({ code: `INV${String(i + 1).padStart(5, '0')}`, name: null, type, style, aum: null });
  }
  return { investors, latent, scale, active };
}

/** Assets with their class, currency, latent factors v_a and amount outstanding, from their own stream (seed, 3). */
function drawAssets(nAssets: number, seed: number, world: WorldFactors) {
  const assetRng = new Rng(seed, 3);
  const assets: PanelAsset[] = [];
  const latent: Float64Array[] = [];
  for (let a = 0; a < nAssets; a++) {
    const assetClass = ASSET_CLASSES[Math.floor(assetRng.uniform() * ASSET_CLASSES.length)]!;
    const currency = CURRENCIES[Math.floor(assetRng.uniform() * CURRENCIES.length)]!;
    const v = vector(assetRng, 0.8);
    for (let k = 0; k < FACTORS; k++)
      v[k]! += world.classMean.get(assetClass)![k]! + world.currencyMean.get(currency)![k]!;
    latent.push(v);
    assets.push({
      code: `AST${String(a + 1).padStart(6, '0')}`,
      name: null,
      class: assetClass,
      currency,
      amountOutstanding: Math.exp(7 + assetRng.normal()),
    });
  }
  return { assets, latent };
}

/**
 * Draws `count` assets for investor i, ∝ exp(β u·v), skipping those in `held` and adding the chosen ones to it
 * (Gumbel top-k over a sample of the assets).
 */
function drawHeldAssets(
  rng: Rng,
  nAssets: number,
  affinity: (a: number) => number,
  count: number,
  held: Set<number>,
): number[] {
  const pool = Math.min(nAssets, Math.max(count * 8, 64));
  const candidates: Array<{ a: number; key: number }> = [];
  for (let c = 0; c < pool; c++) {
    const a = pool === nAssets ? c : Math.floor(rng.uniform() * nAssets);
    if (held.has(a)) continue;
    candidates.push({ a, key: 1.2 * affinity(a) - Math.log(-Math.log(rng.uniformOpen())) });
  }
  candidates.sort((x, y) => y.key - x.key);
  const chosen: number[] = [];
  for (const candidate of candidates) {
    if (chosen.length >= count) break;
    if (held.has(candidate.a)) continue;
    held.add(candidate.a);
    chosen.push(candidate.a);
  }
  return chosen;
}

export function generateHoldings(options: HoldingsGeneratorOptions): GeneratedHoldings {
  const {
    investors: nInvestors,
    assets: nAssets,
    dates: nDates,
    positionsPerInvestor,
    seed,
    worldSeed = 7,
    firstDate = '2015-03-31',
    signal = 0.15,
    noiseActive = 0.12,
    noisePassive = 0.03,
    stressScale = 1.6,
    entryRate = 0.05,
  } = options;
  const stressDates = new Set(
    options.stressDates ?? Array.from({ length: nDates }, (_, t) => t).filter((t) => t % 5 === 3),
  );
  const world = worldFactors(worldSeed);
  // Separate streams: a panel with more investors (or assets) keeps the same first ones, and the same other side.
  const { investors, latent: investorLatent, scale: investorScale, active } = drawInvestors(nInvestors, seed, world);
  const { assets, latent: assetLatent } = drawAssets(nAssets, seed, world);
  const rng = new Rng(seed, 4);
  // Trade signal tanh(u_iᵀ M v_a), fixed per pair: computed lazily.
  const mv = assetLatent.map((v) => Float64Array.from(world.trade, (row) => dot(row, v)));
  const pairSignal = (i: number, a: number) => (active[i] ? Math.tanh(dot(investorLatent[i]!, mv[a]!)) : 0);
  const affinity = (i: number, a: number) => dot(investorLatent[i]!, assetLatent[a]!);

  const draw = (i: number, count: number, held: Set<number>) =>
    drawHeldAssets(rng, nAssets, (a) => affinity(i, a), count, held);
  const openAmount = (i: number, a: number) => investorScale[i]! * Math.exp(0.5 * affinity(i, a) + 0.4 * rng.normal());

  const positions = new Map<number, number>(); // i * nAssets + a → amount
  const heldBy: Array<Set<number>> = investors.map(() => new Set());
  for (let i = 0; i < nInvestors; i++) {
    const count = Math.max(
      2,
      Math.min(nAssets, Math.round(positionsPerInvestor * Math.exp(0.5 * rng.normal() - 0.125))),
    );
    for (const a of draw(i, count, heldBy[i]!)) positions.set(i * nAssets + a, openAmount(i, a));
  }

  const snapshots: PanelSnapshot[] = [];
  const plantedSignal: Float64Array[] = [];
  const stressIndex: GeneratedHoldings['stressIndex'] = [];
  for (let t = 0; t < nDates; t++) {
    const date = quarterEnd(firstDate, t);
    const keys = [...positions.keys()].sort((x, y) => x - y);
    const snapshot: PanelSnapshot = {
      date,
      investor: Int32Array.from(keys, (key) => Math.floor(key / nAssets)),
      asset: Int32Array.from(keys, (key) => key % nAssets),
      amount: Float64Array.from(keys, (key) => positions.get(key)!),
    };
    snapshots.push(snapshot);
    const stressed = stressDates.has(t);
    stressIndex.push({ date, value: stressed ? 1.6 + 1.5 * rng.uniform() : 0.5 * rng.normal() });
    if (t === nDates - 1) break;
    // Trades between t and t + 1.
    const gamma = signal * (stressed ? stressScale : 1);
    const common = Float64Array.from({ length: nAssets }, () => (stressed ? -0.08 : 0.01) + 0.05 * rng.normal());
    const signals = new Float64Array(keys.length);
    for (let k = 0; k < keys.length; k++) {
      const i = snapshot.investor[k]!;
      const a = snapshot.asset[k]!;
      const s = gamma * pairSignal(i, a);
      signals[k] = s;
      const noise = (active[i] ? noiseActive : noisePassive) * (stressed ? stressScale : 1) * rng.normal();
      const change = common[a]! + s + noise;
      if (change <= -1) {
        positions.delete(keys[k]!);
        heldBy[i]!.delete(a);
      } else {
        positions.set(keys[k]!, snapshot.amount[k]! * (1 + change));
      }
    }
    plantedSignal.push(signals);
    for (let i = 0; i < nInvestors; i++) {
      let opened = 0;
      const expected = entryRate * Math.max(1, heldBy[i]!.size);
      while (rng.uniform() < expected - opened) opened++;
      for (const a of draw(i, opened, heldBy[i]!)) positions.set(i * nAssets + a, openAmount(i, a));
    }
  }
  return {
    investors,
    assets,
    snapshots,
    stressIndex,
    latent: { investor: investorLatent, asset: assetLatent },
    plantedSignal,
  };
}

/**
 * Correlation of the planted signal with the realised trade z-scores over all dates but the last: the ceiling
 * a forecaster that knew every u_i and v_a would reach.
 */
export function plantedTradeCorrelation(panel: GeneratedHoldings): number {
  const signal: number[] = [];
  const target: number[] = [];
  for (let t = 0; t + 1 < panel.snapshots.length; t++) {
    const z = tradeZScores(panel.snapshots[t]!, panel.snapshots[t + 1]!, panel.assets.length);
    for (let k = 0; k < z.length; k++) {
      signal.push(panel.plantedSignal[t]![k]!);
      target.push(z[k]!);
    }
  }
  return correlation(signal, target);
}
