/**
 * Acceptable capital allocations: the systemic risk measure of Feinstein, Rudloff & Weber (2017) on an
 * Eisenberg–Noe system, learned from labelled samples as in Garisch & Feinstein (capital-allocation-machine-
 * learning, "Table 2" tiers, acceptance set A, uniform and Gibbs sampling).
 *
 * Tiers (Table 2): banks sorted by total assets a_i = c_i + Σ_j p̄_ji (largest first) are cut into T consecutive
 * groups; the cut after tier t is the last bank whose cumulative share of Σ a stays ≤ t/T (every tier non-empty).
 * On the EBA 2011 network this gives the paper's groups, e.g. T = 2: banks 1–9 (48.1%) and 10–87 (51.9%).
 *
 * Allocation: k = (k_1 … k_T) ≥ 0 adds capital k_t · base_i to the outside assets of every bank i of tier t,
 *   c_i(k) = c_i + k_{t(i)} base_i,   base_i = p̄_i (total obligations, the default), b_i or a_i,
 * so k_t is "capital as a fraction of the bank's obligations"; its cost is Σ_t k_t Σ_{i∈t} base_i.
 *
 * Acceptance (the paper's A = {k | ES(…) ≥ 0.98 × obligations to society}): society's claims are B = Σ_i b_i;
 * under shock x it receives R(x; k) = Σ_i (b_i / p̄_i) p_i(x; k) with p the greatest Eisenberg–Noe clearing
 * vector of the capitalised system. With S scenarios x_1 … x_S drawn once from the shock model (common random
 * numbers for every k, shocks on the original outside assets, so 0 ≤ x ≤ c ≤ c(k)), the statistic is
 *   expected shortfall: ES_α = mean of the worst α·S values of R/B   (default α = 5%), or
 *   value at risk:      VaR_α = the ⌈α·S⌉-th smallest value of R/B,
 * and k is acceptable when the statistic ≥ level (default 0.98). Standard errors: for ES the asymptotic
 * sd((q − R/B)⁺)/(α√S) with q = VaR_α; for VaR half the distance between the order statistics ±√(Sα(1−α)).
 * Since p is non-decreasing in c, every R(x_s; k) is non-decreasing in k and so is the statistic: the set of
 * acceptable k is upward closed, exactly, for the common scenarios.
 *
 * Sampling: uniform on the box [0, kMax]^T, or Gibbs sampling of the density π(k) ∝ exp(−(m(k)/σ)²/2) on the box,
 * m = statistic − level (the margin), which concentrates samples near the boundary ∂A. Each coordinate update
 * draws k_t from its full conditional approximated on a stratified random grid of G points (one uniform point in
 * each of G equal strata of [0, kMax]), chosen with probability ∝ π (the "griddy" Gibbs sampler of Ritter &
 * Tanner 1992); every state of the chains is a labelled sample. Several chains start uniformly in the box.
 */
import { clearInto, createWorkspace, type ClearingOptions, type ClearingWorkspace } from './clearing';
import { EngineInputError } from './errors';
import type { ClearingSystem } from './network-arrays';
import { Rng } from './random';
import { createShockSampler, type ShockModel } from './shocks';

export type CapitalBase = 'obligations' | 'outside-liabilities' | 'total-assets';
export type AcceptanceMeasure = 'expected-shortfall' | 'value-at-risk';

export interface AcceptanceCriterion {
  measure: AcceptanceMeasure;
  /** α: the tail of scenarios looked at (0 < α ≤ 1; α = 1 with expected shortfall is the plain mean). */
  tail: number;
  /** Least acceptable share of society's claims B = Σ b_i (e.g. 0.98). */
  level: number;
}

export const DEFAULT_CRITERION: AcceptanceCriterion = { measure: 'expected-shortfall', tail: 0.05, level: 0.98 };

export interface CapitalTier {
  /** 0-based tier index (tier 1 holds the largest banks). */
  index: number;
  /** Bank indices, largest total assets first. */
  banks: number[];
  /** Σ a_i over the tier. */
  totalAssets: number;
  /** Share of Σ a over all banks. */
  share: number;
  /** Σ base_i over the tier: the capital that k_t = 1 costs. */
  baseTotal: number;
}

/** a_i = c_i + Σ_j p̄_ji, the balance-sheet total of each bank in the clearing system. */
export function bankTotalAssets(system: ClearingSystem): Float64Array {
  const out = new Float64Array(system.nBanks);
  for (let i = 0; i < system.nBanks; i++) out[i] = system.outsideAssets[i]! + system.interbankAssets[i]!;
  return out;
}

/** base_i of the allocation: p̄_i, b_i or a_i. */
export function capitalBase(system: ClearingSystem, base: CapitalBase): Float64Array {
  if (base === 'obligations') return system.totalObligations.slice();
  if (base === 'outside-liabilities') return system.outsideLiabilities.slice();
  return bankTotalAssets(system);
}

/** The Table 2 tiers: consecutive groups by total assets (largest first), cut where the cumulative share passes t/T. */
export function capitalTiers(system: ClearingSystem, nTiers: number, base: CapitalBase = 'obligations'): CapitalTier[] {
  const n = system.nBanks;
  if (!Number.isInteger(nTiers) || nTiers < 1 || nTiers > n) {
    throw new EngineInputError(
      `the number of tiers must be a whole number from 1 to ${n} (the banks), got ${nTiers}`,
      'tiers',
    );
  }
  const assets = bankTotalAssets(system);
  const baseValues = capitalBase(system, base);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => assets[y]! - assets[x]! || x - y);
  let total = 0;
  for (let i = 0; i < n; i++) total += assets[i]!;
  const tiers: CapitalTier[] = Array.from({ length: nTiers }, (_, index) => ({
    index,
    banks: [],
    totalAssets: 0,
    share: 0,
    baseTotal: 0,
  }));
  let cumulative = 0;
  let previous = 0;
  order.forEach((bank, rank) => {
    cumulative += assets[bank]!;
    // the first tier whose upper edge t/T the cumulative share (this bank included) does not exceed
    const byShare = total > 0 ? Math.ceil((nTiers * cumulative) / total - 1e-12) - 1 : 0;
    const lowest = Math.max(previous, nTiers - (n - rank)); // leave one bank for each tier still to come
    const highest = rank === 0 ? 0 : Math.min(previous + 1, nTiers - 1); // never skip a tier
    const tier = Math.min(highest, Math.max(lowest, byShare));
    tiers[tier]!.banks.push(bank);
    tiers[tier]!.totalAssets += assets[bank]!;
    tiers[tier]!.baseTotal += baseValues[bank]!;
    previous = tier;
  });
  for (const tier of tiers) tier.share = total > 0 ? tier.totalAssets / total : 0;
  return tiers;
}

/** t(i) for every bank. */
export function tierOfBank(tiers: CapitalTier[], nBanks: number): Int32Array {
  const out = new Int32Array(nBanks);
  for (const tier of tiers) for (const bank of tier.banks) out[bank] = tier.index;
  return out;
}

/** Total capital Σ_t k_t Σ_{i∈t} base_i of an allocation, in the network's unit. */
export function allocationCost(tiers: CapitalTier[], k: ArrayLike<number>): number {
  let cost = 0;
  tiers.forEach((tier, t) => (cost += k[t]! * tier.baseTotal));
  return cost;
}

export function checkCriterion(criterion: AcceptanceCriterion): AcceptanceCriterion {
  if (!(criterion.tail > 0 && criterion.tail <= 1))
    throw new EngineInputError(`the tail α must lie in (0, 1], got ${criterion.tail}`, 'criterion.tail');
  if (!(criterion.level > 0 && criterion.level <= 1))
    throw new EngineInputError(`the level must lie in (0, 1], got ${criterion.level}`, 'criterion.level');
  return criterion;
}

/** The statistic of a sample of R/B values (sorted in place) and its standard error. */
export function tailStatistic(
  values: Float64Array,
  criterion: AcceptanceCriterion,
): { statistic: number; standardError: number } {
  const count = values.length;
  if (count === 0) throw new EngineInputError('no scenarios', 'scenarios');
  values.sort();
  const { tail } = criterion;
  const quantileIndex = Math.min(count - 1, Math.max(0, Math.ceil(tail * count - 1e-9) - 1));
  const quantile = values[quantileIndex]!;
  if (criterion.measure === 'value-at-risk') {
    const spread = Math.ceil(Math.sqrt(count * tail * (1 - tail)));
    const upper = values[Math.min(count - 1, quantileIndex + spread)]!;
    const lower = values[Math.max(0, quantileIndex - spread)]!;
    return { statistic: quantile, standardError: (upper - lower) / 2 };
  }
  // ES_α = q − E[(q − V)⁺]/α: exact for the empirical distribution, with the boundary scenario weighted in.
  let sum = 0;
  let sumSquares = 0;
  for (let s = 0; s < count; s++) {
    const excess = quantile - values[s]!;
    if (excess <= 0) break;
    sum += excess;
    sumSquares += excess * excess;
  }
  const mean = sum / count;
  const variance = Math.max(0, sumSquares / count - mean * mean);
  return { statistic: quantile - mean / tail, standardError: Math.sqrt(variance / count) / tail };
}

/** How one allocation fares against the criterion. */
export interface AllocationCheck {
  statistic: number;
  standardError: number;
  /** statistic − level. */
  margin: number;
  acceptable: boolean;
}

export interface AcceptanceSetup {
  tiers: number;
  base?: CapitalBase;
  criterion?: AcceptanceCriterion;
  shockModel: ShockModel;
  /** Shock scenarios per allocation (common to every allocation). */
  scenarios: number;
  seed: number;
  /** First scenario index (default 0). */
  firstScenario?: number;
  clearing?: ClearingOptions;
}

/**
 * Labels allocations by Monte Carlo over one fixed set of shock scenarios. `clearingRuns` counts the
 * Eisenberg–Noe clearings done so far (scenarios × allocations evaluated).
 */
export class AcceptanceEvaluator {
  readonly tiers: CapitalTier[];
  readonly criterion: AcceptanceCriterion;
  readonly nTiers: number;
  readonly nScenarios: number;
  /** B = Σ b_i. */
  readonly societyClaims: number;
  clearingRuns = 0;
  private readonly shocks: Float64Array;
  private readonly tierOf: Int32Array;
  private readonly base: Float64Array;
  private readonly capitalised: ClearingSystem;
  private readonly workspace: ClearingWorkspace;
  private readonly received: Float64Array;
  private readonly societyShare: Float64Array;

  constructor(
    readonly system: ClearingSystem,
    setup: AcceptanceSetup,
  ) {
    const n = system.nBanks;
    this.criterion = checkCriterion(setup.criterion ?? DEFAULT_CRITERION);
    this.tiers = capitalTiers(system, setup.tiers, setup.base ?? 'obligations');
    this.nTiers = setup.tiers;
    this.tierOf = tierOfBank(this.tiers, n);
    this.base = capitalBase(system, setup.base ?? 'obligations');
    const sampler = createShockSampler(system, setup.shockModel);
    const first = setup.firstScenario ?? 0;
    if (!Number.isInteger(setup.scenarios) || setup.scenarios < 1 || first + setup.scenarios > sampler.nScenarios) {
      throw new EngineInputError(
        `scenarios must be a whole number from 1 to ${sampler.nScenarios - first}, got ${setup.scenarios}`,
        'scenarios',
      );
    }
    this.nScenarios = setup.scenarios;
    this.shocks = new Float64Array(this.nScenarios * n);
    for (let s = 0; s < this.nScenarios; s++) sampler.sample(setup.seed, first + s, this.shocks, s * n);
    // A private copy of the system whose outside assets and net worth are overwritten per allocation: A is
    // unchanged, so the workspace's product form and (I − Aᵀ)⁻¹ stay valid across allocations.
    this.capitalised = { ...system, outsideAssets: system.outsideAssets.slice(), netWorth: system.netWorth.slice() };
    this.workspace = createWorkspace(this.capitalised, { ...setup.clearing, depth: false });
    this.received = new Float64Array(this.nScenarios);
    this.societyShare = new Float64Array(n);
    let claims = 0;
    for (let i = 0; i < n; i++) {
      claims += system.outsideLiabilities[i]!;
      const owed = system.totalObligations[i]!;
      this.societyShare[i] = owed > 0 ? system.outsideLiabilities[i]! / owed : 0;
    }
    if (!(claims > 0))
      throw new EngineInputError(
        'society has no claims on the banks (every outsideLiabilities is 0)',
        'outsideLiabilities',
      );
    this.societyClaims = claims;
  }

  /** Capital Σ_t k_t Σ_{i∈t} base_i. */
  cost(k: ArrayLike<number>): number {
    return allocationCost(this.tiers, k);
  }

  /** R(x_s; k)/B for every scenario s (a fresh array). */
  societyReceipts(k: ArrayLike<number>): Float64Array {
    if (k.length !== this.nTiers)
      throw new EngineInputError(`an allocation needs ${this.nTiers} values, got ${k.length}`, 'k');
    const { system, capitalised, workspace: ws, societyShare, tierOf, base } = this;
    const n = system.nBanks;
    for (let i = 0; i < n; i++) {
      const kt = k[tierOf[i]!]!;
      if (!(kt >= 0 && Number.isFinite(kt)))
        throw new EngineInputError(`allocation k_${tierOf[i]! + 1} must be a finite number ≥ 0, got ${kt}`, 'k');
      const added = kt * base[i]!;
      capitalised.outsideAssets[i] = system.outsideAssets[i]! + added;
      capitalised.netWorth[i] = system.netWorth[i]! + added;
    }
    for (let s = 0; s < this.nScenarios; s++) {
      clearInto(ws, this.shocks, s * n, false, s);
      let shortfall = 0;
      for (let d = 0; d < ws.nDefaults; d++) {
        const i = ws.defaultList[d]!;
        shortfall += societyShare[i]! * (system.totalObligations[i]! - ws.payments[i]!);
      }
      this.received[s] = 1 - shortfall / this.societyClaims;
    }
    this.clearingRuns += this.nScenarios;
    return this.received.slice();
  }

  evaluate(k: ArrayLike<number>): AllocationCheck {
    const { statistic, standardError } = tailStatistic(this.societyReceipts(k), this.criterion);
    const margin = statistic - this.criterion.level;
    return { statistic, standardError, margin, acceptable: margin >= 0 };
  }
}

/** Labelled allocations, row-major (sample j is k[j·T .. j·T+T)). */
export interface LabelledSamples {
  sampler: 'uniform' | 'gibbs';
  nTiers: number;
  kMax: number;
  k: Float64Array;
  labels: Uint8Array;
  statistic: Float64Array;
  standardError: Float64Array;
  /** Clearings spent (including Gibbs grid points not kept). */
  clearingRuns: number;
  allocationsEvaluated: number;
  seconds: number;
}

export interface UniformSampling {
  samples: number;
  kMax: number;
  seed: number;
}

export interface GibbsSampling extends UniformSampling {
  /** Independent chains started uniformly in the box (default 8). */
  chains?: number;
  /** Grid points per coordinate update (default 8). */
  gridPoints?: number;
  /** σ of the target exp(−(m/σ)²/2), in units of the criterion's statistic (default 0.002). */
  width?: number;
  /** Coordinate updates discarded at the start of each chain (default T). */
  burnIn?: number;
}

/** Random stream indices of the samplers: above every shock-scenario index, so they never share a stream. */
const SAMPLER_STREAM = 2 ** 40;

function checkBox(options: UniformSampling): void {
  if (!Number.isInteger(options.samples) || options.samples < 1)
    throw new EngineInputError(`samples must be a whole number ≥ 1, got ${options.samples}`, 'samples');
  if (!(options.kMax > 0 && Number.isFinite(options.kMax)))
    throw new EngineInputError(`kMax must be a positive number, got ${options.kMax}`, 'kMax');
}

function emptySamples(sampler: LabelledSamples['sampler'], nTiers: number, options: UniformSampling): LabelledSamples {
  return {
    sampler,
    nTiers,
    kMax: options.kMax,
    k: new Float64Array(options.samples * nTiers),
    labels: new Uint8Array(options.samples),
    statistic: new Float64Array(options.samples),
    standardError: new Float64Array(options.samples),
    clearingRuns: 0,
    allocationsEvaluated: 0,
    seconds: 0,
  };
}

function record(samples: LabelledSamples, j: number, k: ArrayLike<number>, check: AllocationCheck): void {
  for (let t = 0; t < samples.nTiers; t++) samples.k[j * samples.nTiers + t] = k[t]!;
  samples.labels[j] = check.acceptable ? 1 : 0;
  samples.statistic[j] = check.statistic;
  samples.standardError[j] = check.standardError;
}

/** N allocations uniform on [0, kMax]^T, each labelled by Monte Carlo. */
export function sampleUniform(
  evaluator: AcceptanceEvaluator,
  options: UniformSampling,
  onProgress?: (done: number) => void,
): LabelledSamples {
  checkBox(options);
  const started = performance.now();
  const runsBefore = evaluator.clearingRuns;
  const T = evaluator.nTiers;
  const out = emptySamples('uniform', T, options);
  const rng = new Rng(options.seed, SAMPLER_STREAM);
  const k = new Float64Array(T);
  for (let j = 0; j < options.samples; j++) {
    for (let t = 0; t < T; t++) k[t] = options.kMax * rng.uniform();
    record(out, j, k, evaluator.evaluate(k));
    onProgress?.(j + 1);
  }
  out.allocationsEvaluated = options.samples;
  out.clearingRuns = evaluator.clearingRuns - runsBefore;
  out.seconds = (performance.now() - started) / 1000;
  return out;
}

/** Griddy Gibbs sampling of π(k) ∝ exp(−(m(k)/σ)²/2) on the box; every kept chain state is a labelled sample. */
export function sampleGibbs(
  evaluator: AcceptanceEvaluator,
  options: GibbsSampling,
  onProgress?: (done: number) => void,
): LabelledSamples {
  checkBox(options);
  const chains = Math.max(1, Math.min(options.chains ?? 8, options.samples));
  const gridPoints = options.gridPoints ?? 8;
  const width = options.width ?? 0.002;
  const T = evaluator.nTiers;
  const burnIn = options.burnIn ?? T;
  if (!Number.isInteger(gridPoints) || gridPoints < 2)
    throw new EngineInputError(`Gibbs grid points must be a whole number ≥ 2, got ${gridPoints}`, 'gibbs.gridPoints');
  if (!(width > 0)) throw new EngineInputError(`Gibbs width σ must be positive, got ${width}`, 'gibbs.width');
  const started = performance.now();
  const runsBefore = evaluator.clearingRuns;
  const out = emptySamples('gibbs', T, options);
  const k = new Float64Array(T);
  const candidates = new Float64Array(gridPoints);
  const checks = new Array<AllocationCheck>(gridPoints);
  const logWeights = new Float64Array(gridPoints);
  let evaluated = 0;
  let kept = 0;
  for (let chain = 0; chain < chains; chain++) {
    const rng = new Rng(options.seed, SAMPLER_STREAM + 1 + chain);
    const quota = Math.floor(((chain + 1) * options.samples) / chains) - Math.floor((chain * options.samples) / chains);
    for (let t = 0; t < T; t++) k[t] = options.kMax * rng.uniform();
    for (let step = 0, keptHere = 0; keptHere < quota; step++) {
      const t = step % T;
      const stratum = options.kMax / gridPoints;
      let best = -Infinity;
      for (let g = 0; g < gridPoints; g++) {
        candidates[g] = (g + rng.uniform()) * stratum;
        k[t] = candidates[g]!;
        checks[g] = evaluator.evaluate(k);
        evaluated++;
        const z = checks[g]!.margin / width;
        logWeights[g] = -0.5 * z * z;
        if (logWeights[g]! > best) best = logWeights[g]!;
      }
      let total = 0;
      for (let g = 0; g < gridPoints; g++) total += logWeights[g] = Math.exp(logWeights[g]! - best);
      let u = rng.uniform() * total;
      let chosen = gridPoints - 1;
      for (let g = 0; g < gridPoints; g++) {
        u -= logWeights[g]!;
        if (u < 0) {
          chosen = g;
          break;
        }
      }
      k[t] = candidates[chosen]!;
      if (step >= burnIn) {
        record(out, kept++, k, checks[chosen]!);
        keptHere++;
        onProgress?.(kept);
      }
    }
  }
  out.allocationsEvaluated = evaluated;
  out.clearingRuns = evaluator.clearingRuns - runsBefore;
  out.seconds = (performance.now() - started) / 1000;
  return out;
}

/** Indices of the acceptable samples that no other acceptable sample dominates (≤ in every tier), cheapest first. */
export function efficientSamples(samples: LabelledSamples, tiers: CapitalTier[]): number[] {
  const T = samples.nTiers;
  const accepted: number[] = [];
  samples.labels.forEach((label, j) => label === 1 && accepted.push(j));
  const dominated = (a: number, b: number) => {
    // b dominates a: b ≤ a everywhere and < somewhere
    let strictly = false;
    for (let t = 0; t < T; t++) {
      const x = samples.k[a * T + t]!;
      const y = samples.k[b * T + t]!;
      if (y > x) return false;
      if (y < x) strictly = true;
    }
    return strictly;
  };
  const front = accepted.filter((a) => !accepted.some((b) => b !== a && dominated(a, b)));
  const cost = (j: number) => allocationCost(tiers, samples.k.subarray(j * T, j * T + T));
  return front.sort((a, b) => cost(a) - cost(b));
}

/**
 * The cheapest allocations a classifier accepts: over rays k = s·u (u ≥ 0 on the unit simplex, sampled uniformly
 * plus the T axes and the diagonal; s scaled so the largest coordinate reaches kMax at s = 1), the smallest s with
 * predict(s·u) ≥ 1/2 by bisection; the `count` rays of least cost Σ_t k_t cost_t, cheapest first (empty when the
 * classifier accepts nothing in the box).
 */
export function cheapestAccepted(
  predict: (k: Float64Array) => number,
  costPerUnit: ArrayLike<number>,
  kMax: number,
  seed: number,
  count = 1,
  rays = 400,
): Float64Array[] {
  const T = costPerUnit.length;
  const rng = new Rng(seed, SAMPLER_STREAM + 1_000_000);
  const directions: Float64Array[] = [];
  for (let t = 0; t < T; t++) directions.push(Float64Array.from({ length: T }, (_, s) => (s === t ? 1 : 0)));
  directions.push(new Float64Array(T).fill(1 / T));
  for (let r = 0; r < rays; r++) {
    const u = Float64Array.from({ length: T }, () => -Math.log(rng.uniformOpen()));
    const sum = u.reduce((a, b) => a + b, 0);
    directions.push(u.map((v) => v / sum));
  }
  const found: Array<{ k: Float64Array; cost: number }> = [];
  const point = new Float64Array(T);
  const at = (u: Float64Array, s: number) => {
    const top = Math.max(...u);
    for (let t = 0; t < T; t++) point[t] = (s * kMax * u[t]!) / top;
    return point;
  };
  for (const u of directions) {
    if (predict(at(u, 1)) < 0.5) continue;
    let low = 0;
    let high = 1;
    if (predict(at(u, 0)) >= 0.5) high = 0;
    for (let it = 0; it < 40 && high - low > 1e-7; it++) {
      const mid = 0.5 * (low + high);
      if (predict(at(u, mid)) >= 0.5) high = mid;
      else low = mid;
    }
    const k = at(u, high).slice();
    let cost = 0;
    for (let t = 0; t < T; t++) cost += k[t]! * costPerUnit[t]!;
    found.push({ k, cost });
  }
  return found
    .sort((a, b) => a.cost - b.cost)
    .slice(0, count)
    .map((entry) => entry.k);
}

/** An allocation checked by Monte Carlo on the ray through a classifier's proposal. */
export interface CertifiedAllocation {
  k: number[];
  cost: number;
  check: AllocationCheck;
  /** The factor applied to the proposal (1 = as proposed). */
  scale: number;
  certified: boolean;
}

/**
 * The least multiple s·k of a proposal k that Monte Carlo accepts with margin ≥ z·SE: s is doubled from 1 until
 * the proposal passes (at most maxDoublings times), then bisected between the last failing and the first passing
 * multiple; the passing end is returned. The statistic is non-decreasing in s for the common scenarios.
 */
export function certifyAllocation(
  evaluator: AcceptanceEvaluator,
  proposal: ArrayLike<number>,
  z = 2,
  bisections = 12,
  maxDoublings = 8,
): CertifiedAllocation {
  const base = Float64Array.from(proposal);
  const at = (scale: number) => {
    const k = base.map((v) => v * scale);
    const check = evaluator.evaluate(k);
    return { k, check, passes: check.acceptable && check.margin >= z * check.standardError };
  };
  let high = 1;
  let best = at(high);
  let low = 0;
  if (base.every((v) => v === 0))
    return { k: Array.from(best.k), cost: evaluator.cost(best.k), check: best.check, scale: 1, certified: best.passes };
  for (let d = 0; !best.passes && d < maxDoublings; d++) {
    low = high;
    high *= 2;
    best = at(high);
  }
  if (best.passes) {
    for (let b = 0; b < bisections; b++) {
      const mid = 0.5 * (low + high);
      const trial = at(mid);
      if (trial.passes) {
        high = mid;
        best = trial;
      } else low = mid;
    }
  }
  return {
    k: Array.from(best.k),
    cost: evaluator.cost(best.k),
    check: best.check,
    scale: high,
    certified: best.passes,
  };
}
