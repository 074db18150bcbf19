/**
 * Scenario studies of intervention in the cross-holdings economy, after "Optimal intervention in economic networks
 * using influence maximization methods" §4.1 (shocks), §4.2 (DiscountFrac), §4.3 (Figures 3–4, Table 1) and §4.4
 * (Figures 5–6).
 *
 * Shocks (§4.1). Each firm's outside asset value is shocked multiplicatively, (Dp)'_i = (Dp)_i (1 + s_i), with
 *   s_i = max(−1, μ + σ (√ρ G + √(1 − ρ) E_i)),   G, E_i iid N(0, 1),
 * i.e. a Gaussian vector with common correlation ρ, volatility σ and drift μ, bounded below at −100%. The
 * paper's code uses ρ = 0.5, σ = 0.15, μ = −0.2. Scenario s draws from its own stream (seed, s), so the numbers
 * do not depend on how scenarios are split over workers.
 *
 * Per scenario, with M = (I − C)⁻¹ applied through the one LU of cascade.ts (columns of M cached as they are
 * needed, `ColumnCache`):
 *   - the best-case cascade, incrementally: V = M (Dp)'; while some survivor has Ĉ_ii V_i < θ_i, fail all of
 *     them and subtract β_j M e_j for each (the same fixed point as cascade.ts from "none failed");
 *   - the transformed problem of §2.2 on the failed set F (intervention.ts `rescueProblem`);
 *   - one DiscountFrac order, of the variant `curveMethod` chooses (docs/engines/cascades.md): adapted to costs
 *     (default, `discountFracPath`): repeatedly pay the still-failing firm with the most influence on the rest of
 *     the failing set per unit of its remaining need, Σ_{a≠b} w_a min(1, K_ab/need_a) / need_b, then let the
 *     cascade add the rescues that come free; or as published (intervention.ts `discountFracPublishedPath`). As
 *     in the paper's batch code, budget B buys the longest prefix of that order whose total cost is ≤ B, so one
 *     order gives the whole budget curve.
 *   - outcomes per budget: failures after = |F| − |saved|; market value saved = Σ_{saved} β_i (1ᵀĈ(I − C)⁻¹ = 1ᵀ).
 *
 * Summaries: per budget the mean ± 95% normal confidence half-width of failures, firms saved and value saved;
 * the tail value at risk of the cascade size N_B (number of failures as a fraction of firms),
 *   TVaR_q(N_B) = E[N_B | N_B ≥ VaR_q(N_B)]   (the mean of the worst ⌈(1 − q)S⌉ of S scenarios; q = 0: E[N_B]),
 * with the standard error of that tail mean; the % reduction of TVaR_q at the chosen budget (Table 1); histograms
 * of failures before/after and of failures averted and value saved as fractions (Figures 3 and 6).
 */
import { EngineInputError } from './errors';
import { type CascadeResult, type EconomySystem, solveCrossHoldings } from './cascade';
import { InverseColumns } from './linalg';
import { sharedColumns, type SharedLu } from './shared-lu';
import {
  discountFracPublishedPath,
  rescueProblem,
  type DiscountFracVariant,
  type InterventionObjective,
  type RescueProblem,
} from './intervention';
import { Rng } from './random';

export interface PriceShockModel {
  /** Common correlation ρ in [0, 1). */
  rho: number;
  /** Volatility σ ≥ 0. */
  sigma: number;
  /** Drift μ. */
  drift: number;
}

export const PAPER_SHOCKS: PriceShockModel = { rho: 0.5, sigma: 0.15, drift: -0.2 };

export function checkShockModel(model: PriceShockModel): void {
  if (!(model.rho >= 0 && model.rho < 1)) throw new EngineInputError(`rho must be in [0, 1), got ${model.rho}`, 'rho');
  if (!(model.sigma >= 0 && Number.isFinite(model.sigma)))
    throw new EngineInputError(`sigma must be finite and ≥ 0, got ${model.sigma}`, 'sigma');
  if (!Number.isFinite(model.drift)) throw new EngineInputError(`drift must be finite, got ${model.drift}`, 'drift');
}

/** The Gaussian draws z_i = μ + σ(√ρ G + √(1 − ρ) E_i) of scenario `scenario` (before the −100% bound). */
export function gaussianReturns(
  model: PriceShockModel,
  n: number,
  seed: number,
  scenario: number,
  out = new Float64Array(n),
  rng = new Rng(seed, scenario),
): Float64Array {
  rng.reseed(seed, scenario);
  const common = Math.sqrt(model.rho) * rng.normal();
  const own = Math.sqrt(1 - model.rho);
  for (let i = 0; i < n; i++) out[i] = model.drift + model.sigma * (common + own * rng.normal());
  return out;
}

/** Shocked asset values (Dp)_i (1 + max(−1, z_i)). */
export function shockedValues(
  base: Float64Array,
  returns: Float64Array,
  out = new Float64Array(base.length),
): Float64Array {
  for (let i = 0; i < base.length; i++) out[i] = base[i]! * (1 + Math.max(-1, returns[i]!));
  return out;
}

/**
 * Columns of M = (I − C)⁻¹, solved with the stored LU of the economy (linalg.InverseColumns) and kept for the whole
 * study (`lasting`: in a shared store, which helper threads solve into where there are some). With `share` (the LU
 * the study's shards share, shared-lu.ts) each column is solved once for all of them.
 */
export class ColumnCache extends InverseColumns {
  constructor(
    readonly system: EconomySystem,
    share?: SharedLu,
  ) {
    super(system.lu, system.nFirms, system.pivots, { lasting: true, shared: share && sharedColumns(share) });
  }
}

/**
 * The best-case equilibrium for outside asset values `assetValues`, iterated from "none failed" by subtracting
 * β_j M e_j as firms fail (book values only fall, so no firm recovers). Same result as cascade.ts.
 */
export function incrementalCascade(cache: ColumnCache, assetValues: Float64Array): CascadeResult {
  const { system } = cache;
  const n = system.nFirms;
  const bookValues = solveCrossHoldings(system, assetValues);
  const failed = new Uint8Array(n);
  const rounds = new Int32Array(n);
  const newly: number[] = [];
  let iterations = 0;
  for (;;) {
    iterations++;
    newly.length = 0;
    for (let i = 0; i < n; i++) {
      if (!failed[i] && system.selfShare[i]! * bookValues[i]! < system.thresholds[i]!) newly.push(i);
    }
    if (newly.length === 0) break;
    cache.prefetch(newly);
    for (const j of newly) {
      failed[j] = 1;
      rounds[j] = iterations;
      const beta = system.failureCosts[j]!;
      if (beta === 0) continue;
      const column = cache.column(j);
      for (let i = 0; i < n; i++) bookValues[i]! -= beta * column[i]!;
    }
  }
  const marketValues = new Float64Array(n);
  for (let i = 0; i < n; i++) marketValues[i] = system.selfShare[i]! * bookValues[i]!;
  return { bookValues, marketValues, failed, rounds, iterations, converged: true };
}

/** One step of the DiscountFrac order: after paying `firm` (index into F) `payment`, the totals so far. */
export interface PathStep {
  firm: number;
  payment: number;
  cumulativeCost: number;
  /** Firms of F saved after this step (including free rescues). */
  saved: number;
  /** Σ β over the saved firms: the market value saved. */
  valueSaved: number;
}

/**
 * DiscountFrac adapted to costs (this project's variant of §4.2) as one order over the failing set, stopped once the total cost exceeds
 * `maxBudget`. Each step recomputes the best-case saved set under the payments so far (downwards from "all of F
 * saved", as intervention.ts `savedByPayments`, in O(k) per removal) and scores every still-failing firm.
 *
 * One pass over the failing set kept together because the incremental state (the compacted still-failing arrays,
 * the hopeless set and its `support` sums, the column-major K) is updated in place at every step: O(k) per step.
 */
export function discountFracPath(problem: RescueProblem, maxBudget: number): PathStep[] {
  const k = problem.failing.length;
  const { influence: K, interventionThresholds: theta, pad, weights } = problem;
  const beta = Float64Array.from(problem.failing, (i) => problem.system.failureCosts[i]!);
  // Column-major copy: KT[b k + a] = K_ab, so the loops over a for a fixed b read contiguous memory.
  const KT = new Float64Array(k * k);
  const rowSums = new Float64Array(k);
  for (let a = 0; a < k; a++) {
    let sum = 0;
    for (let b = 0; b < k; b++) {
      const value = K[a * k + b]!;
      KT[b * k + a] = value;
      if (b !== a) sum += value;
    }
    rowSums[a] = sum;
  }
  const x = new Float64Array(k);
  const field = new Float64Array(k);
  const saved = new Uint8Array(k);
  const needs = new Float64Array(k);
  // The still-failing firms, compacted each step: open[i], w, w / need.
  const open = new Int32Array(k);
  const openWeight = new Float64Array(k);
  const perNeed = new Float64Array(k);
  const steps: PathStep[] = [];
  const queue: number[] = [];
  // Hopeless firms fail even if every other firm of F is saved (x_a + Σ_{b≠a} K_ab < θ_a); x only grows, so a firm
  // only ever leaves this set (when paid). `support` = Σ_{b≠a, b not hopeless} K_ab, kept as firms leave.
  const hopeless = new Uint8Array(k);
  const support = Float64Array.from(rowSums);
  const dropColumn = (b: number, sign: number) => {
    const column = b * k;
    for (let a = 0; a < k; a++) support[a]! += sign * KT[column + a]!;
    support[b]! -= sign * KT[column + b]!;
  };
  for (let a = 0; a < k; a++) {
    if (rowSums[a]! < theta[a]!) {
      hopeless[a] = 1;
      dropColumn(a, -1);
    }
  }
  let cost = 0;
  for (;;) {
    // Greatest saved set under x: start with every firm that is not hopeless saved, drop firms whose field falls
    // short, until stable (the best-case cascade of cascade.ts, restricted to F).
    for (let a = 0; a < k; a++) {
      field[a] = x[a]! + support[a]!;
      saved[a] = hopeless[a] ? 0 : 1;
      if (saved[a] && field[a]! < theta[a]!) {
        saved[a] = 0;
        queue.push(a);
      }
    }
    while (queue.length > 0) {
      const b = queue.pop()!;
      const column = b * k;
      // Failing firms' fields are kept too: their need is measured against the final saved set.
      for (let a = 0; a < k; a++) field[a]! -= KT[column + a]!;
      field[b]! += KT[column + b]!;
      for (let a = 0; a < k; a++) {
        if (saved[a] && field[a]! < theta[a]!) {
          saved[a] = 0;
          queue.push(a);
        }
      }
    }
    let nSaved = 0;
    let value = 0;
    let nOpen = 0;
    for (let a = 0; a < k; a++) {
      if (saved[a]) {
        nSaved++;
        value += beta[a]!;
        needs[a] = 0;
      } else {
        needs[a] = theta[a]! - field[a]! + pad[a]!;
        open[nOpen] = a;
        openWeight[nOpen] = weights[a]!;
        perNeed[nOpen] = weights[a]! / needs[a]!;
        nOpen++;
      }
    }
    if (steps.length > 0) {
      steps[steps.length - 1]!.saved = nSaved;
      steps[steps.length - 1]!.valueSaved = value;
    }
    if (nSaved === k) break;
    // Score of b: Σ_{a failing, a ≠ b} w_a min(1, K_ab / need_a) / need_b = Σ_a min(w_a, K_ab w_a / need_a) / need_b.
    let best = -1;
    let bestScore = 0;
    let fallback = -1;
    let fallbackScore = -Infinity;
    for (let i = 0; i < nOpen; i++) {
      const b = open[i]!;
      const column = b * k;
      let reach = 0;
      for (let j = 0; j < nOpen; j++) {
        const push = KT[column + open[j]!]! * perNeed[j]!;
        const weight = openWeight[j]!;
        reach += push < weight ? push : weight;
      }
      reach -= Math.min(openWeight[i]!, KT[column + b]! * perNeed[i]!);
      const need = Math.max(needs[b]!, Number.MIN_VALUE);
      if (reach / need > bestScore) {
        bestScore = reach / need;
        best = b;
      }
      if (weights[b]! / need > fallbackScore) {
        fallbackScore = weights[b]! / need;
        fallback = b;
      }
    }
    if (best < 0) best = fallback;
    if (best < 0 || cost + needs[best]! > maxBudget) break;
    x[best]! += needs[best]!;
    cost += needs[best]!;
    if (hopeless[best] && x[best]! + rowSums[best]! >= theta[best]!) {
      hopeless[best] = 0;
      dropColumn(best, 1);
    }
    steps.push({ firm: best, payment: needs[best]!, cumulativeCost: cost, saved: 0, valueSaved: 0 });
  }
  return steps;
}

/** Payments over F (k entries) of the longest prefix of `steps` costing at most `budget`. */
export function prefixPayments(steps: PathStep[], k: number, budget: number): Float64Array {
  const x = new Float64Array(k);
  for (const step of steps) {
    if (step.cumulativeCost > budget) break;
    x[step.firm]! += step.payment;
  }
  return x;
}

/** Outcome of budget B on a path: the last step within B (or nothing paid). */
export function outcomeAt(steps: PathStep[], budget: number): { saved: number; valueSaved: number; spent: number } {
  let out = { saved: 0, valueSaved: 0, spent: 0 };
  for (const step of steps) {
    if (step.cumulativeCost > budget) break;
    out = { saved: step.saved, valueSaved: step.valueSaved, spent: step.cumulativeCost };
  }
  return out;
}

export interface StudyOptions {
  shocks: PriceShockModel;
  seed: number;
  /** Budget grid (ascending, ≥ 0), in the units of the asset values. */
  budgets: number[];
  /** The budget whose histograms and Table 1 are reported (need not be on the grid). */
  chosenBudget: number;
  objective: InterventionObjective;
  /** The DiscountFrac variant whose order draws the curve (default: adapted to costs). */
  curveMethod?: DiscountFracVariant;
}

/** Per-scenario outcomes of a range of scenarios (mergeable by concatenation). */
export interface StudyPartial {
  firstScenario: number;
  count: number;
  /** Scenarios firstScenario, firstScenario + stride, …: interleaved shards share the heavy scenarios evenly. */
  stride: number;
  /** Failures without intervention, per scenario. */
  failedBefore: Float64Array;
  /** Σ β over the failed firms (market value destroyed by failures), per scenario. */
  valueLostBefore: Float64Array;
  /** Failures after intervention, scenario-major, budgets.length + 1 per scenario (the last = chosen budget). */
  failedAfter: Float64Array;
  /** Market value saved, same layout. */
  valueSaved: Float64Array;
  /** How often each firm is paid at the chosen budget, and the total paid to it. */
  supportCount: Float64Array;
  supportAmount: Float64Array;
}

/** Zeroed outcomes for `count` scenarios from `first` every `stride`, `width` budgets each, `n` firms. */
function emptyPartial(first: number, count: number, width: number, n: number, stride = 1): StudyPartial {
  return {
    firstScenario: first,
    count,
    stride,
    failedBefore: new Float64Array(count),
    valueLostBefore: new Float64Array(count),
    failedAfter: new Float64Array(count * width),
    valueSaved: new Float64Array(count * width),
    supportCount: new Float64Array(n),
    supportAmount: new Float64Array(n),
  };
}

/** Runs scenarios [first, first + count). `progress` is called with the number done. */
export function runStudyRange(
  system: EconomySystem,
  options: StudyOptions,
  first: number,
  count: number,
  progress?: (done: number) => void,
  cache = new ColumnCache(system),
  stride = 1,
): StudyPartial {
  checkShockModel(options.shocks);
  const n = system.nFirms;
  const budgets = [...options.budgets, options.chosenBudget];
  const maxBudget = Math.max(...budgets);
  const width = budgets.length;
  const partial = emptyPartial(first, count, width, n, stride);
  const rng = new Rng(options.seed, first);
  const returns = new Float64Array(n);
  const values = new Float64Array(n);
  for (let s = 0; s < count; s++) {
    gaussianReturns(options.shocks, n, options.seed, first + s * stride, returns, rng);
    shockedValues(system.assetValues, returns, values);
    const before = incrementalCascade(cache, values);
    const problem = rescueProblem(system, options.objective, before, (j) => cache.column(j));
    const k = problem.failing.length;
    partial.failedBefore[s] = k;
    let lost = 0;
    for (const i of problem.failing) lost += system.failureCosts[i]!;
    partial.valueLostBefore[s] = lost;
    const steps =
      k === 0
        ? []
        : options.curveMethod === 'discountfrac-published'
          ? discountFracPublishedPath(problem, maxBudget)
          : discountFracPath(problem, maxBudget);
    budgets.forEach((budget, b) => {
      const outcome = outcomeAt(steps, budget);
      partial.failedAfter[s * width + b] = k - outcome.saved;
      partial.valueSaved[s * width + b] = outcome.valueSaved;
    });
    const chosen = prefixPayments(steps, k, options.chosenBudget);
    chosen.forEach((x, a) => {
      if (x > 0) {
        partial.supportCount[problem.failing[a]!]!++;
        partial.supportAmount[problem.failing[a]!]! += x;
      }
    });
    if (progress && ((s + 1) % 10 === 0 || s + 1 === count)) progress(s + 1);
  }
  return partial;
}

/** Concatenates partials in scenario order (and adds the support tallies). */
export function mergeStudyPartials(parts: StudyPartial[]): StudyPartial {
  const first = Math.min(...parts.map((part) => part.firstScenario));
  const count = parts.reduce((sum, part) => sum + part.count, 0);
  const sample = parts.find((part) => part.count > 0);
  const width = sample ? sample.failedAfter.length / sample.count : 0;
  const n = parts[0]?.supportCount.length ?? 0;
  const merged = emptyPartial(parts.length > 0 ? first : 0, count, width, n);
  for (const part of parts) {
    for (let s = 0; s < part.count; s++) {
      // Scenario firstScenario + s·stride lands at its place in the merged, contiguous range.
      const at = part.firstScenario + s * part.stride - first;
      merged.failedBefore[at] = part.failedBefore[s]!;
      merged.valueLostBefore[at] = part.valueLostBefore[s]!;
      merged.failedAfter.set(part.failedAfter.subarray(s * width, (s + 1) * width), at * width);
      merged.valueSaved.set(part.valueSaved.subarray(s * width, (s + 1) * width), at * width);
    }
    for (let i = 0; i < n; i++) {
      merged.supportCount[i]! += part.supportCount[i]!;
      merged.supportAmount[i]! += part.supportAmount[i]!;
    }
  }
  return merged;
}

/** Mean and 95% normal confidence half-width. */
export function meanWithInterval(values: ArrayLike<number>): { mean: number; halfWidth: number } {
  const m = values.length;
  if (m === 0) return { mean: Number.NaN, halfWidth: Number.NaN };
  let sum = 0;
  for (let i = 0; i < m; i++) sum += values[i]!;
  const mean = sum / m;
  let squares = 0;
  for (let i = 0; i < m; i++) squares += (values[i]! - mean) ** 2;
  const sd = m > 1 ? Math.sqrt(squares / (m - 1)) : 0;
  return { mean, halfWidth: (1.96 * sd) / Math.sqrt(m) };
}

/** TVaR_q = mean of the worst ⌈(1 − q)S⌉ outcomes (q = 0: the mean), with the standard error of that tail mean. */
export function tailValueAtRisk(
  values: ArrayLike<number>,
  q: number,
): { valueAtRisk: number; tvar: number; standardError: number } {
  if (!(q >= 0 && q < 1)) throw new EngineInputError(`quantile must be in [0, 1), got ${q}`, 'quantiles');
  const sorted = Float64Array.from(values).sort();
  const m = sorted.length;
  if (m === 0) return { valueAtRisk: Number.NaN, tvar: Number.NaN, standardError: Number.NaN };
  const tail = Math.max(1, Math.ceil((1 - q) * m - 1e-9));
  const tailValues = sorted.subarray(m - tail);
  const { mean, halfWidth } = meanWithInterval(tailValues);
  return { valueAtRisk: sorted[m - tail]!, tvar: mean, standardError: halfWidth / 1.96 };
}

/** Counts of values in `bins` equal bins over [0, 1] (1 goes in the last bin). */
export function fractionHistogram(values: ArrayLike<number>, bins = 20): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = Math.min(1, Math.max(0, values[i]!));
    counts[Math.min(bins - 1, Math.floor(v * bins))]!++;
  }
  return counts;
}

export interface BudgetPoint {
  budget: number;
  /** Budget as a fraction of the total initial asset value Σ(Dp). */
  budgetFraction: number;
  failedAfter: { mean: number; halfWidth: number };
  /** Firms saved as a fraction of the failures without intervention (scenarios with failures only). */
  firmsSavedFraction: { mean: number; halfWidth: number };
  /** Value saved as a fraction of the value failures destroyed (Σβ over failed firms). */
  valueSavedFraction: { mean: number; halfWidth: number };
  valueSaved: { mean: number; halfWidth: number };
  /** TVaR_q of the cascade size (fraction of firms), one per quantile. */
  tvar: Array<{ q: number; tvar: number; standardError: number }>;
}

export interface StudySummary {
  scenarios: number;
  firms: number;
  totalAssetValue: number;
  failedBefore: { mean: number; halfWidth: number };
  scenariosWithFailures: number;
  budgets: BudgetPoint[];
  chosen: BudgetPoint;
  /** Table 1: % reduction of TVaR_q at the chosen budget relative to no intervention. */
  tvarReduction: Array<{ q: number; before: number; after: number; reductionPercent: number }>;
  /** Figure 3: histograms of the fraction of firms failing, before and after (20 bins on [0, 1]). */
  failuresHistogram: { before: number[]; after: number[] };
  /** Figure 6: histograms of failures averted and value saved, as fractions (scenarios with failures). */
  avertedHistogram: number[];
  valueSavedHistogram: number[];
  /** Firms paid at the chosen budget: in how many scenarios, and the mean payment when paid. */
  support: Array<{ firm: number; scenarios: number; meanPayment: number }>;
}

/** Budget curve, TVaR, Table 1 and the histograms of merged per-scenario outcomes. */
export function summariseStudy(
  partial: StudyPartial,
  budgets: number[],
  chosenBudget: number,
  quantiles: number[],
  system: Pick<EconomySystem, 'nFirms' | 'assetValues'>,
): StudySummary {
  const S = partial.count;
  const n = system.nFirms;
  const width = budgets.length + 1;
  const totalAssetValue = system.assetValues.reduce((sum, v) => sum + v, 0);
  const withFailures: number[] = [];
  for (let s = 0; s < S; s++) if (partial.failedBefore[s]! > 0) withFailures.push(s);
  const column = (array: Float64Array, b: number) => Float64Array.from({ length: S }, (_, s) => array[s * width + b]!);
  const point = (b: number, budget: number): BudgetPoint => {
    const after = column(partial.failedAfter, b);
    const saved = column(partial.valueSaved, b);
    return {
      budget,
      budgetFraction: totalAssetValue > 0 ? budget / totalAssetValue : 0,
      failedAfter: meanWithInterval(after),
      firmsSavedFraction: meanWithInterval(withFailures.map((s) => 1 - after[s]! / partial.failedBefore[s]!)),
      valueSavedFraction: meanWithInterval(
        withFailures.map((s) => (partial.valueLostBefore[s]! > 0 ? saved[s]! / partial.valueLostBefore[s]! : 0)),
      ),
      valueSaved: meanWithInterval(saved),
      tvar: quantiles.map((q) => {
        const { tvar, standardError } = tailValueAtRisk(
          after.map((v) => v / n),
          q,
        );
        return { q, tvar, standardError };
      }),
    };
  };
  const chosen = point(budgets.length, chosenBudget);
  const beforeFractions = partial.failedBefore.map((v) => v / n);
  const afterFractions = column(partial.failedAfter, budgets.length).map((v) => v / n);
  const noneTvar = quantiles.map((q) => tailValueAtRisk(beforeFractions, q).tvar);
  const support: StudySummary['support'] = [];
  partial.supportCount.forEach((c, i) => {
    if (c > 0) support.push({ firm: i, scenarios: c, meanPayment: partial.supportAmount[i]! / c });
  });
  support.sort((a, b) => b.scenarios - a.scenarios || b.meanPayment - a.meanPayment);
  return {
    scenarios: S,
    firms: n,
    totalAssetValue,
    failedBefore: meanWithInterval(partial.failedBefore),
    scenariosWithFailures: withFailures.length,
    budgets: budgets.map((budget, b) => point(b, budget)),
    chosen,
    tvarReduction: quantiles.map((q, index) => {
      const before = noneTvar[index]!;
      const after = chosen.tvar[index]!.tvar;
      return { q, before, after, reductionPercent: before > 0 ? (100 * (before - after)) / before : 0 };
    }),
    failuresHistogram: { before: fractionHistogram(beforeFractions), after: fractionHistogram(afterFractions) },
    avertedHistogram: fractionHistogram(
      withFailures.map((s) => 1 - (afterFractions[s]! * n) / partial.failedBefore[s]!),
    ),
    valueSavedHistogram: fractionHistogram(
      withFailures.map((s) =>
        partial.valueLostBefore[s]! > 0
          ? partial.valueSaved[s * width + budgets.length]! / partial.valueLostBefore[s]!
          : 0,
      ),
    ),
    support: support.slice(0, 50),
  };
}

/** An evenly spaced grid of `count` budgets from 0 to `fraction` × Σ(Dp). */
export function budgetGrid(system: Pick<EconomySystem, 'assetValues'>, maxFraction: number, count: number): number[] {
  if (!(maxFraction >= 0 && Number.isFinite(maxFraction)))
    throw new EngineInputError(
      `maximum budget fraction must be finite and ≥ 0, got ${maxFraction}`,
      'maxBudgetFraction',
    );
  if (!(Number.isInteger(count) && count >= 2))
    throw new EngineInputError(`budget count must be an integer ≥ 2, got ${count}`, 'budgets');
  const total = system.assetValues.reduce((sum, v) => sum + v, 0);
  return Array.from({ length: count }, (_, b) => (b / (count - 1)) * maxFraction * total);
}
