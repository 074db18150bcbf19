/**
 * Statistics of the reproduction report (Tables 3, 6 and 7 of the dual-network paper): Pearson correlation and
 * ordinary least squares with classical standard errors, σ̂² = RSS/(n − k), SE_j = √(σ̂² [(XᵀX)⁻¹]_jj), t-statistics
 * against a hypothesised value and two-sided p-values from Student's t with n − k degrees of freedom,
 * P(|T| > |t|) = I_{ν/(ν+t²)}(ν/2, 1/2).
 */
import { solveDense } from '../engines/linalg';
import { incompleteBeta } from '../engines/special-functions';

export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]! / n;
    my += y[i]! / n;
  }
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Number.NaN;
}

/** Two-sided p-value of a t-statistic with ν degrees of freedom. */
export function twoSidedPValue(t: number, degreesOfFreedom: number): number {
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(degreesOfFreedom / (degreesOfFreedom + t * t), degreesOfFreedom / 2, 0.5);
}

/** Student-t quantile q with P(|T| ≤ q) = level, by bisection on the p-value. */
export function tCritical(level: number, degreesOfFreedom: number): number {
  let low = 0;
  let high = 1e3;
  for (let k = 0; k < 200; k++) {
    const mid = (low + high) / 2;
    if (twoSidedPValue(mid, degreesOfFreedom) > 1 - level) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

export interface RegressionTerm {
  estimate: number;
  standardError: number;
}

export interface OlsFit {
  intercept: RegressionTerm;
  slopes: RegressionTerm[];
  residualVariance: number;
  degreesOfFreedom: number;
  rSquared: number;
}

/**
 * y = c + Σ_j b_j x_j + ε by least squares; `design` rows hold the x_j (no intercept column). `ridge` adds
 * ridge·max diag(XᵀX) to the diagonal (a constant or collinear regressor then gets a finite estimate).
 */
export function olsWithInference(design: number[][], y: number[], ridge = 0): OlsFit {
  const n = y.length;
  const k = design[0]!.length + 1;
  const row = (i: number) => [1, ...design[i]!];
  const xtx = new Float64Array(k * k);
  const xty = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const x = row(i);
    for (let a = 0; a < k; a++) {
      xty[a]! += x[a]! * y[i]!;
      for (let b = 0; b < k; b++) xtx[a * k + b]! += x[a]! * x[b]!;
    }
  }
  if (ridge > 0) {
    let largest = 0;
    for (let a = 0; a < k; a++) largest = Math.max(largest, xtx[a * k + a]!);
    for (let a = 0; a < k; a++) xtx[a * k + a]! += ridge * largest;
  }
  const beta = solveDense(xtx.slice(), k, xty.slice());
  let rss = 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i]! / n;
  let tss = 0;
  for (let i = 0; i < n; i++) {
    const x = row(i);
    let fitted = 0;
    for (let a = 0; a < k; a++) fitted += x[a]! * beta[a]!;
    rss += (y[i]! - fitted) ** 2;
    tss += (y[i]! - mean) ** 2;
  }
  const degreesOfFreedom = n - k;
  const residualVariance = rss / Math.max(1, degreesOfFreedom);
  const term = (a: number): RegressionTerm => {
    const unit = new Float64Array(k);
    unit[a] = 1;
    const column = solveDense(xtx.slice(), k, unit);
    return { estimate: beta[a]!, standardError: Math.sqrt(Math.max(0, residualVariance * column[a]!)) };
  };
  return {
    intercept: term(0),
    slopes: Array.from({ length: k - 1 }, (_, j) => term(j + 1)),
    residualVariance,
    degreesOfFreedom,
    rSquared: tss > 0 ? 1 - rss / tss : Number.NaN,
  };
}

/** t and two-sided p of one coefficient against a hypothesised value. */
export function testCoefficient(
  term: RegressionTerm,
  hypothesis: number,
  degreesOfFreedom: number,
): { t: number; p: number } {
  const t = (term.estimate - hypothesis) / term.standardError;
  return { t, p: twoSidedPValue(t, degreesOfFreedom) };
}
