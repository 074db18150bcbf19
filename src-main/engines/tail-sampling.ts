/**
 * Tail events of the cascade size by importance sampling, after "Optimal intervention in economic networks using
 * influence maximization methods" §3.3 ("Identifying large failure cascade scenarios", "Importance sampling of
 * tail events"), on the shock model of §4.1 (intervention-study.ts).
 *
 * 1. Worst shock of bounded size, greedily under random thresholds (§3.3, the mirror image of §2.2). From the
 *    mean scenario (Dp)(1 + μ), with book values V and survivors S, a drop δ_j ≥ 0 of firm j's outside value lowers
 *    book values by δ_j M e_j and a failure of j by β_j M e_j (M = (I − C)⁻¹). Firm i ∈ S fails once
 *      Σ_{j seeded} δ_j M_ij + Σ_{j failed} β_j M_ij > σ_i,   σ_i = V_i − θ_i / Ĉ_ii   (its book-value slack),
 *    with σ_i drawn uniform on σ_i (1 ± U). Seeding j costs δ_j = σ_j / M_jj (the drop that fails it alone). The
 *    greedy adds, while Σ δ ≤ Δ (the aggregate shock bound), the seed with the largest expected number of
 *    failures gained per unit of shock (Monte Carlo over `samples` threshold draws, common random numbers). The
 *    expected cascade is monotone and submodular in the seed set under random thresholds, so the greedy is within
 *    (1 − 1/e) of the best seed set of its cost (§3.2–3.3).
 * 2. Importance sampling. The shock vector z ~ N(μ1, Σ), Σ = σ²((1 − ρ)I + ρ11ᵀ), is drawn instead from the
 *    defensive mixture q = α N(μ1, Σ) + (1 − α) N(μ1 + h, Σ), h_j = −δ_j / (Dp)_j (the greedy's shock as returns),
 *    and each draw is weighted by
 *      w(z) = 1 / (α + (1 − α) exp(uᵀ(z − μ1) − ½ uᵀh)),   u = Σ⁻¹h = (h − ρ/(1 − ρ + nρ) (1ᵀh) 1) / (σ²(1 − ρ))
 *    (Sherman–Morrison), so E_q[w f(z)] = E[f(z)] for any f; the −100% bound is a function of z and changes
 *    nothing. The exceedance probability P(N ≥ m), VaR_q and TVaR_q of the number of failures N are read from
 *    the weighted sample; the variance of w·1[N ≥ m] against p(1 − p) of plain Monte Carlo says how many fewer
 *    samples the same accuracy needs.
 */
import { type EconomySystem } from './cascade';
import { EngineInputError } from './errors';
import {
  checkShockModel,
  ColumnCache,
  gaussianReturns,
  incrementalCascade,
  shockedValues,
  type PriceShockModel,
} from './intervention-study';
import { Rng } from './random';

export interface TailShockOptions {
  /** Δ: the aggregate drop Σ δ_j allowed, in units of asset value. */
  aggregateShock: number;
  /** U in [0, 1]: slack drawn uniform on σ(1 ± U) (default 0.2). */
  uncertainty?: number;
  /** Threshold draws per evaluation (default 24). */
  samples?: number;
  seed?: number;
  /** Seeds considered per step: the cheapest-to-fail by β-weighted reach per unit of cost (default 32). */
  candidates?: number;
}

export interface TailShock {
  /** δ per firm (drop of outside asset value). */
  drops: Float64Array;
  /** Seeded firms in the order chosen. */
  seeds: number[];
  /** Expected number of failures (random thresholds) at the mean scenario plus the drops. */
  expectedFailures: number;
  /** Failures at the mean scenario with no extra drop. */
  baseFailures: number;
}

/** The greedy worst shock of aggregate size ≤ Δ from the mean scenario of `model` (§3.3). */
export function greedyTailShock(cache: ColumnCache, model: PriceShockModel, options: TailShockOptions): TailShock {
  checkShockModel(model);
  const { system } = cache;
  const n = system.nFirms;
  const uncertainty = options.uncertainty ?? 0.2;
  const samples = options.samples ?? 24;
  const maxCandidates = options.candidates ?? 32;
  if (!(options.aggregateShock >= 0 && Number.isFinite(options.aggregateShock)))
    throw new EngineInputError(
      `aggregate shock must be finite and ≥ 0, got ${options.aggregateShock}`,
      'aggregateShock',
    );
  if (!(uncertainty >= 0 && uncertainty <= 1))
    throw new EngineInputError(`uncertainty must be in [0, 1], got ${uncertainty}`, 'uncertainty');
  const mean = Float64Array.from(system.assetValues, (v) => v * (1 + Math.max(-1, model.drift)));
  const base = incrementalCascade(cache, mean);
  const survivors: number[] = [];
  const slack = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (base.failed[i]) continue;
    survivors.push(i);
    slack[i] = base.bookValues[i]! - system.thresholds[i]! / system.selfShare[i]!;
  }
  const cost = new Float64Array(n);
  for (const j of survivors) cost[j] = Math.max(slack[j]!, 0) / cache.column(j)[j]!;
  // Candidates: reach per unit of cost, Σ_i∈S β_j M_ij / σ_i-weighted (how many survivors one failure pushes).
  const reach = (j: number) => {
    const column = cache.column(j);
    let sum = 0;
    for (const i of survivors)
      if (i !== j) sum += Math.min(1, (system.failureCosts[j]! * column[i]!) / Math.max(slack[i]!, 1e-12));
    return (1 + sum) / Math.max(cost[j]!, 1e-12);
  };
  const candidates = survivors
    .filter((j) => cost[j]! <= options.aggregateShock)
    .map((j) => ({ j, score: reach(j) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, maxCandidates)
    .map(({ j }) => j);
  const rng = new Rng(options.seed ?? 1, 0);
  const draws = new Float64Array(samples * n);
  for (let s = 0; s < samples; s++)
    for (const i of survivors) draws[s * n + i] = slack[i]! * (1 + uncertainty * (2 * rng.uniform() - 1));
  const pushed = new Float64Array(n);
  const failed = new Uint8Array(n);
  const expected = (seeds: number[]): number => {
    let total = 0;
    for (let s = 0; s < samples; s++) {
      pushed.fill(0);
      failed.fill(0);
      const queue: number[] = [];
      const fail = (j: number) => {
        failed[j] = 1;
        queue.push(j);
      };
      for (const j of seeds) {
        const column = cache.column(j);
        for (const i of survivors) pushed[i]! += cost[j]! * column[i]!;
      }
      for (const j of seeds) fail(j);
      for (const i of survivors) if (!failed[i] && pushed[i]! >= draws[s * n + i]!) fail(i);
      let count = 0;
      while (queue.length > 0) {
        const j = queue.pop()!;
        count++;
        const beta = system.failureCosts[j]!;
        if (beta === 0) continue;
        const column = cache.column(j);
        for (const i of survivors) {
          if (failed[i]) continue;
          pushed[i]! += beta * column[i]!;
          if (pushed[i]! >= draws[s * n + i]!) fail(i);
        }
      }
      total += count;
    }
    return total / samples;
  };
  const seeds: number[] = [];
  let spent = 0;
  let value = 0;
  for (;;) {
    let best = -1;
    let bestRatio = 0;
    let bestValue = value;
    for (const j of candidates) {
      if (seeds.includes(j) || spent + cost[j]! > options.aggregateShock) continue;
      const v = expected([...seeds, j]);
      const ratio = (v - value) / Math.max(cost[j]!, 1e-12);
      if (v - value > 1e-12 && ratio > bestRatio) {
        bestRatio = ratio;
        best = j;
        bestValue = v;
      }
    }
    if (best < 0) break;
    seeds.push(best);
    spent += cost[best]!;
    value = bestValue;
  }
  const drops = new Float64Array(n);
  for (const j of seeds) drops[j] = cost[j]!;
  let baseFailures = 0;
  base.failed.forEach((y) => (baseFailures += y));
  return { drops, seeds, expectedFailures: baseFailures + value, baseFailures };
}

export interface TailEstimate {
  samples: number;
  /** P(N ≥ m) with its standard error. */
  exceedance: number;
  exceedanceError: number;
  /** VaR_q and TVaR_q of the number of failures N. */
  valueAtRisk: number;
  tvar: number;
  /** Variance of the per-sample exceedance estimator (p(1 − p) for plain Monte Carlo). */
  perSampleVariance: number;
}

export interface TailSamplingOptions {
  shocks: PriceShockModel;
  seed: number;
  samples: number;
  /** m: the cascade size whose exceedance probability is estimated. */
  threshold: number;
  /** q for VaR/TVaR. */
  quantile: number;
  /** Importance shifts h_k (returns); none = plain Monte Carlo. */
  shifts?: Float64Array[];
  /** α: weight of the nominal law in the defensive mixture (default 0.2). */
  nominalWeight?: number;
}

/** Shift h in return space of a drop vector δ: h_j = −δ_j / (Dp)_j. */
export function returnShift(system: EconomySystem, drops: Float64Array): Float64Array {
  return Float64Array.from(drops, (d, j) => (system.assetValues[j]! > 0 ? -d / system.assetValues[j]! : 0));
}

/** Failures at the returns μ1 + t·h (bounded below at −100%). */
function failuresAlong(cache: ColumnCache, model: PriceShockModel, direction: Float64Array, t: number): number {
  const returns = Float64Array.from(direction, (h) => model.drift + t * h);
  const result = incrementalCascade(cache, shockedValues(cache.system.assetValues, returns));
  let count = 0;
  result.failed.forEach((y) => (count += y));
  return count;
}

/**
 * The mixture's shifts: along the greedy's direction and along the common factor (−1 per firm), the nearest point
 * t·h (bisection on t ≤ `maxScale`) at which the cascade reaches m failures — the dominating point of the tail
 * event {N ≥ m} on each ray. A ray that never reaches m contributes its end point.
 */
export function importanceShifts(
  cache: ColumnCache,
  model: PriceShockModel,
  tail: TailShock,
  threshold: number,
  maxScale = 4,
): Float64Array[] {
  const n = cache.system.nFirms;
  const directions = [returnShift(cache.system, tail.drops), new Float64Array(n).fill(-model.sigma)];
  return directions
    .filter((h) => h.some((v) => v !== 0))
    .map((h) => {
      let low = 0;
      let high = maxScale;
      if (failuresAlong(cache, model, h, high) >= threshold) {
        for (let iteration = 0; iteration < 40; iteration++) {
          const mid = 0.5 * (low + high);
          if (failuresAlong(cache, model, h, mid) >= threshold) high = mid;
          else low = mid;
        }
      }
      return Float64Array.from(h, (v) => v * high);
    });
}

/** Estimates P(N ≥ m), VaR_q and TVaR_q of the number of failures by plain or importance sampling. */
export function estimateTail(cache: ColumnCache, options: TailSamplingOptions): TailEstimate {
  const { system } = cache;
  const n = system.nFirms;
  const { shocks, samples, threshold, quantile } = options;
  checkShockModel(shocks);
  if (!(Number.isInteger(samples) && samples >= 1))
    throw new EngineInputError(`samples must be an integer ≥ 1, got ${samples}`, 'samples');
  if (!(quantile >= 0 && quantile < 1))
    throw new EngineInputError(`quantile must be in [0, 1), got ${quantile}`, 'quantile');
  const shifts = options.shifts ?? [];
  const alpha = shifts.length > 0 ? (options.nominalWeight ?? 0.2) : 1;
  if (!(alpha > 0 && alpha <= 1))
    throw new EngineInputError(`nominal weight must be in (0, 1], got ${alpha}`, 'nominalWeight');
  // u_k = Σ⁻¹ h_k by Sherman–Morrison, and ½ u_kᵀh_k.
  const sigma2 = shocks.sigma * shocks.sigma * (1 - shocks.rho);
  if (shifts.length > 0 && !(sigma2 > 0)) throw new EngineInputError('importance sampling needs sigma > 0', 'sigma');
  const correction = shocks.rho / (1 - shocks.rho + n * shocks.rho);
  const components = shifts.map((h) => {
    const hSum = h.reduce((sum, v) => sum + v, 0);
    const u = Float64Array.from(h, (v) => (v - correction * hSum) / sigma2);
    return { h, u, half: 0.5 * u.reduce((sum, v, j) => sum + v * h[j]!, 0) };
  });
  const rng = new Rng(options.seed, 0);
  const pick = new Rng(options.seed, 0);
  const z = new Float64Array(n);
  const values = new Float64Array(n);
  const failures = new Float64Array(samples);
  const weights = new Float64Array(samples).fill(1);
  for (let s = 0; s < samples; s++) {
    gaussianReturns(shocks, n, options.seed, s, z, rng);
    if (components.length > 0) {
      pick.reseed(options.seed ^ 0x5851f42d, s);
      const draw = pick.uniform();
      if (draw >= alpha) {
        const { h } =
          components[Math.min(components.length - 1, Math.floor(((draw - alpha) / (1 - alpha)) * components.length))]!;
        for (let j = 0; j < n; j++) z[j]! += h[j]!;
      }
      let ratio = 0;
      for (const { u, half } of components) {
        let exponent = -half;
        for (let j = 0; j < n; j++) exponent += u[j]! * (z[j]! - shocks.drift);
        ratio += Math.exp(exponent);
      }
      weights[s] = 1 / (alpha + ((1 - alpha) / components.length) * ratio);
    }
    const result = incrementalCascade(cache, shockedValues(system.assetValues, z, values));
    let count = 0;
    result.failed.forEach((y) => (count += y));
    failures[s] = count;
  }
  let sum = 0;
  let squares = 0;
  for (let s = 0; s < samples; s++) {
    const term = failures[s]! >= threshold ? weights[s]! : 0;
    sum += term;
    squares += term * term;
  }
  const exceedance = sum / samples;
  const perSampleVariance = Math.max(0, squares / samples - exceedance * exceedance);
  // Weighted quantile: sort by N, accumulate the self-normalised weights (an estimate of the CDF).
  const order = Array.from({ length: samples }, (_, s) => s).sort((a, b) => failures[a]! - failures[b]!);
  const totalWeight = weights.reduce((total, w) => total + w, 0);
  let cumulative = 0;
  let valueAtRisk = failures[order[samples - 1]!]!;
  for (const s of order) {
    cumulative += weights[s]! / totalWeight;
    if (cumulative >= quantile) {
      valueAtRisk = failures[s]!;
      break;
    }
  }
  let tailMass = 0;
  let tailSum = 0;
  for (let s = 0; s < samples; s++) {
    if (failures[s]! >= valueAtRisk) {
      tailMass += weights[s]!;
      tailSum += weights[s]! * failures[s]!;
    }
  }
  return {
    samples,
    exceedance,
    exceedanceError: Math.sqrt(perSampleVariance / samples),
    valueAtRisk,
    tvar: tailMass > 0 ? tailSum / tailMass : valueAtRisk,
    perSampleVariance,
  };
}
