/**
 * Monte Carlo error of the figures the engines report (docs/engines/*.md, "How sure"): standard errors of means of
 * independent draws and of a causal × predictive grid of draws, and the Wilson interval of a probability.
 */

/** 1.96: the two-sided 95% quantile of the normal distribution. */
export const Z95 = 1.959963984540054;

/** s/√n of independent draws (sample s.d. with n − 1); 0 for fewer than two draws. */
export function meanStandardError(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return 0;
  let mean = 0;
  for (let k = 0; k < n; k++) mean += values[k]! / n;
  let squares = 0;
  for (let k = 0; k < n; k++) squares += (values[k]! - mean) ** 2;
  return Math.sqrt(squares / (n - 1) / n);
}

/**
 * Standard error of the grand mean of a crossed grid V[c][p] (every causal draw c with every predictive draw p):
 * with V = μ + a_c + b_p + e_cp, Var(V̄) = σ_a²/C + σ_b²/P + σ_e²/(CP), estimated by the two-way ANOVA mean squares
 * as s_rows²/C + s_columns²/P − MSE/(CP) (floored at 0). With one row (or column) it is s/√n along the other.
 */
export function crossedStandardError(grid: ArrayLike<number>[]): number {
  const rows = grid.length;
  const cols = rows > 0 ? grid[0]!.length : 0;
  if (rows === 0 || cols === 0) return 0;
  const rowMeans = new Float64Array(rows);
  const colMeans = new Float64Array(cols);
  let mean = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = grid[r]![c]!;
      rowMeans[r]! += v / cols;
      colMeans[c]! += v / rows;
      mean += v / (rows * cols);
    }
  }
  if (rows === 1) return meanStandardError(grid[0]!);
  if (cols === 1) return meanStandardError(grid.map((row) => row[0]!));
  const variance = (values: Float64Array) => values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
  let residual = 0;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) residual += (grid[r]![c]! - rowMeans[r]! - colMeans[c]! + mean) ** 2;
  const mse = residual / ((rows - 1) * (cols - 1));
  return Math.sqrt(Math.max(0, variance(rowMeans) / rows + variance(colMeans) / cols - mse / (rows * cols)));
}

/** Wilson score interval (95%) of a probability seen `hits` times in `n` independent trials. */
export function wilsonInterval(hits: number, n: number, z = Z95): [number, number] {
  if (!(n > 0)) return [0, 1];
  const p = hits / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  // exactly 0 (1) when no trial (every trial) hit, where rounding would leave 1e-19
  return [hits <= 0 ? 0 : Math.max(0, centre - half), hits >= n ? 1 : Math.min(1, centre + half)];
}
