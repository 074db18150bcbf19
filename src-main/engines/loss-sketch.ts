/**
 * A fixed-bin logarithmic sketch of the loss distribution (the DDSketch mapping of Masson, Rim & Lee, *DDSketch:
 * a fast and fully-mergeable quantile sketch with relative-error guarantees* (2019), §2): with γ = (1 + ε)/(1 − ε),
 * ε = 1e-4, bin k holds the values in (ℓ γ^(k−1), ℓ γ^k] with ℓ = scale · 1e-12 and scale an upper bound of the loss
 * (Σ c_i + Σ p̄_i), its count and its sum; values ≤ ℓ go to an underflow bin. Bins are fixed by the network, so
 * partial sketches merge exactly by adding counts and sums. Read back: the lower q-quantile at rank ⌈qN⌉ as the
 * bin's value 2γ^k/(γ + 1) · ℓ (relative error ≤ ε), its distribution-free 95% interval at ranks
 * qN ∓ 1.96 √(N q (1 − q)), the expected shortfall as the mean of the worst (1 − q)N losses (whole bins exact),
 * and its asymptotic standard error √((Var(L | tail) + q (ES − VaR)²) / (N (1 − q))).
 */
import { EngineInputError } from './errors';
import { Z95 } from './monte-carlo';

/** Relative accuracy of the loss quantiles (values inside the sketch's range). */
export const QUANTILE_RELATIVE_ACCURACY = 1e-4;
/** The sketch covers [scale · 1e-12, scale] with scale = Σ c_i + Σ p̄_i (an upper bound of L). */
const SKETCH_DYNAMIC_RANGE = 1e12;

/** A fixed-bin log sketch of a non-negative quantity: bin k holds values in (lowest·γ^(k−1), lowest·γ^k]. */
export interface LossSketch {
  lowest: number;
  gamma: number;
  counts: Float64Array;
  sums: Float64Array;
  /** Values ≤ lowest (including 0 and negatives). */
  underflowCount: number;
  underflowSum: number;
  underflowMax: number;
  min: number;
  max: number;
}

export function createLossSketch(upperBound: number, relativeAccuracy = QUANTILE_RELATIVE_ACCURACY): LossSketch {
  const scale = upperBound > 0 && Number.isFinite(upperBound) ? upperBound : 1;
  const gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
  const lowest = scale / SKETCH_DYNAMIC_RANGE;
  const nBins = Math.ceil(Math.log(SKETCH_DYNAMIC_RANGE) / Math.log(gamma)) + 2;
  return emptySketch(lowest, gamma, nBins);
}

/** An empty sketch with the same bins as `like` (for merging). */
export const emptySketchLike = (like: LossSketch): LossSketch =>
  emptySketch(like.lowest, like.gamma, like.counts.length);

function emptySketch(lowest: number, gamma: number, nBins: number): LossSketch {
  return {
    lowest,
    gamma,
    counts: new Float64Array(nBins),
    sums: new Float64Array(nBins),
    underflowCount: 0,
    underflowSum: 0,
    underflowMax: -Infinity,
    min: Infinity,
    max: -Infinity,
  };
}

export function addToSketch(sketch: LossSketch, value: number): void {
  if (value < sketch.min) sketch.min = value;
  if (value > sketch.max) sketch.max = value;
  if (!(value > sketch.lowest)) {
    sketch.underflowCount++;
    sketch.underflowSum += value;
    if (value > sketch.underflowMax) sketch.underflowMax = value;
    return;
  }
  const last = sketch.counts.length - 1;
  const bin = Math.min(last, Math.max(1, Math.ceil(Math.log(value / sketch.lowest) / Math.log(sketch.gamma))));
  sketch.counts[bin]!++;
  sketch.sums[bin]! += value;
}

export function mergeSketchInto(target: LossSketch, source: LossSketch): void {
  if (
    target.lowest !== source.lowest ||
    target.gamma !== source.gamma ||
    target.counts.length !== source.counts.length
  ) {
    throw new EngineInputError('stress partials were built with different loss sketches (different networks?)');
  }
  for (let k = 0; k < target.counts.length; k++) {
    target.counts[k]! += source.counts[k]!;
    target.sums[k]! += source.sums[k]!;
  }
  target.underflowCount += source.underflowCount;
  target.underflowSum += source.underflowSum;
  target.underflowMax = Math.max(target.underflowMax, source.underflowMax);
  target.min = Math.min(target.min, source.min);
  target.max = Math.max(target.max, source.max);
}

/** Representative value of bin k: 2γ^k/(γ+1)·lowest, within relative accuracy of every value in the bin. */
function binValue(sketch: LossSketch, bin: number): number {
  return ((2 * Math.pow(sketch.gamma, bin)) / (sketch.gamma + 1)) * sketch.lowest;
}

function clampToRange(sketch: LossSketch, value: number): number {
  return Math.min(sketch.max, Math.max(sketch.min, value));
}

/** Lower q-quantile: the smallest loss ℓ with at least ⌈q·N⌉ losses ≤ ℓ (relative error ≤ the accuracy). */
export function sketchQuantile(sketch: LossSketch, q: number): number {
  const total = sketchCount(sketch);
  if (total === 0) return Number.NaN;
  return sketchAtRank(sketch, Math.max(1, Math.ceil(q * total - 1e-9)));
}

/** The rank-th smallest loss (1-based), within the sketch's relative accuracy. */
function sketchAtRank(sketch: LossSketch, rank: number): number {
  let seen = sketch.underflowCount;
  if (seen >= rank) return sketch.underflowMax;
  for (let k = 0; k < sketch.counts.length; k++) {
    seen += sketch.counts[k]!;
    if (seen >= rank) return clampToRange(sketch, binValue(sketch, k));
  }
  return sketch.max;
}

/** Expected shortfall: mean of the worst (1 − q)·N losses (whole bins exact, the boundary bin at its mean). */
export function sketchExpectedShortfall(sketch: LossSketch, q: number): number {
  const total = sketchCount(sketch);
  if (total === 0) return Number.NaN;
  const tail = (1 - q) * total;
  if (tail <= 0) return sketch.max;
  let remaining = tail;
  let sum = 0;
  for (let k = sketch.counts.length - 1; k >= 0 && remaining > 0; k--) {
    const count = sketch.counts[k]!;
    if (count === 0) continue;
    const take = Math.min(count, remaining);
    sum += take === count ? sketch.sums[k]! : (take * sketch.sums[k]!) / count;
    remaining -= take;
  }
  if (remaining > 0 && sketch.underflowCount > 0) {
    const take = Math.min(sketch.underflowCount, remaining);
    sum += (take * sketch.underflowSum) / sketch.underflowCount;
    remaining -= take;
  }
  return sum / (tail - remaining);
}

/**
 * Distribution-free 95% interval of the q-quantile: the losses at ranks nq ∓ 1.96√(nq(1 − q)) (the normal
 * approximation of the binomial count of losses below the true quantile), clamped to 1 … n.
 */
export function sketchQuantileInterval(sketch: LossSketch, q: number): [number, number] {
  const total = sketchCount(sketch);
  if (total === 0) return [Number.NaN, Number.NaN];
  const spread = Z95 * Math.sqrt(total * q * (1 - q));
  const low = Math.min(total, Math.max(1, Math.floor(q * total - spread)));
  const high = Math.min(total, Math.max(1, Math.ceil(q * total + spread)));
  return [sketchAtRank(sketch, low), sketchAtRank(sketch, high)];
}

/**
 * Asymptotic standard error of the expected shortfall at q: √((Var(L | tail) + q(ES − VaR)²) / (n(1 − q))), the
 * tail's second moment from the bins' representative values (within the sketch's relative accuracy).
 */
export function sketchExpectedShortfallError(sketch: LossSketch, q: number): number {
  const total = sketchCount(sketch);
  const tail = (1 - q) * total;
  if (!(tail > 0)) return 0;
  let remaining = tail;
  let sum = 0;
  let squares = 0;
  for (let k = sketch.counts.length - 1; k >= 0 && remaining > 0; k--) {
    const count = sketch.counts[k]!;
    if (count === 0) continue;
    const take = Math.min(count, remaining);
    const value = sketch.sums[k]! / count;
    sum += take * value;
    squares += take * value * value;
    remaining -= take;
  }
  if (remaining > 0 && sketch.underflowCount > 0) {
    const take = Math.min(sketch.underflowCount, remaining);
    const value = sketch.underflowSum / sketch.underflowCount;
    sum += take * value;
    squares += take * value * value;
    remaining -= take;
  }
  const taken = tail - remaining;
  if (!(taken > 0)) return 0;
  const shortfall = sum / taken;
  const tailVariance = Math.max(0, squares / taken - shortfall * shortfall);
  const valueAtRisk = sketchQuantile(sketch, q);
  return Math.sqrt((tailVariance + q * (shortfall - valueAtRisk) ** 2) / (total * (1 - q)));
}

function sketchCount(sketch: LossSketch): number {
  let total = sketch.underflowCount;
  for (let k = 0; k < sketch.counts.length; k++) total += sketch.counts[k]!;
  return total;
}
