/**
 * The maximum-entropy reference network of reconstruction (Upper, *Simulation methods to assess the danger of
 * contagion in interbank markets* (2011); as used by Ruela, *Network Contagion: Documentation* (2019), §1.1):
 * RAS with a zero diagonal (maxent.ts) on the problem's marginals, or, where some b or c are unknown, on
 * balanced marginals inside the intervals with equal totals T (rows at a common fraction of their intervals,
 * columns likewise capped by T − f_i).
 */
import { hasFixedMarginals, InfeasiblePolytopeError, type FlowPolytope } from '../flow-polytope';
import { maxentReconstruct } from '../maxent';
import type { ReconstructionProblem } from './problem';

/**
 * Marginals inside the intervals with equal totals T, for the maximum-entropy reference when some b or c are
 * unknown: the rows at a common fraction of their intervals, then the columns at a common fraction of their
 * intervals capped by T − f_i (so that f_i + d_i ≤ T, which a zero-diagonal network needs).
 */
function balancedMarginals(polytope: FlowPolytope): { rows: Float64Array; columns: Float64Array } {
  const { rowLower, rowUpper, columnLower, columnUpper, nBanks: n } = polytope;
  const sum = (values: ArrayLike<number>) => Array.from(values).reduce((a, b) => a + b, 0);
  const low = Math.max(sum(rowLower), sum(columnLower));
  const high = Math.min(sum(rowUpper), sum(columnUpper));
  if (!(low <= high)) throw new InfeasiblePolytopeError('the row and column intervals admit no common total');
  const total = 0.5 * (low + high);
  const fill = (lower: ArrayLike<number>, upper: ArrayLike<number>) => {
    const sumLow = sum(lower);
    const sumHigh = sum(upper);
    const t = sumHigh > sumLow ? Math.min(1, Math.max(0, (total - sumLow) / (sumHigh - sumLow))) : 0;
    return Float64Array.from({ length: n }, (_, i) => lower[i]! + t * (upper[i]! - lower[i]!));
  };
  const rows = fill(rowLower, rowUpper);
  const capped = Float64Array.from({ length: n }, (_, i) =>
    Math.max(columnLower[i]!, Math.min(columnUpper[i]!, total - rows[i]!)),
  );
  return { rows, columns: fill(columnLower, capped) };
}

/** The maximum-entropy network (RAS with zero diagonal) of the problem's (balanced) marginals. */
export function maximumEntropy(problem: ReconstructionProblem): Float64Array {
  const { rows, columns } = hasFixedMarginals(problem.polytope)
    ? { rows: problem.polytope.rowLower, columns: problem.polytope.columnLower }
    : balancedMarginals(problem.polytope);
  return maxentReconstruct(problem.ids, rows, columns).matrix;
}
