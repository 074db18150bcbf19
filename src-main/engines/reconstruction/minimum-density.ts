/**
 * The minimum-density reference network of reconstruction (Anand, Craig & von Peter, *Filling in the blanks:
 * network structure and interbank contagion* (2015), §3): the fewest links meeting the marginals, the MIP
 *   min Σ z_ij  s.t.  P ∈ Ω,  p̄_ij ≤ min(r̄_i, c̄_j) z_ij,  z ∈ {0, 1},
 * solved by HiGHS within a time limit; the LP-relaxation vertex (cost 1/min(r̄_i, c̄_j), at most 2n − 1 links) is
 * kept when the MIP finds nothing sparser.
 */
import type { Highs } from 'highs';
import { constraintResidual, matrixFromSolution, polytopeLp, type LinearOracle } from '../flow-polytope';
import type { ReconstructionProblem } from './problem';

/**
 * Minimum density (Anand, Craig & von Peter 2015): fewest links meeting the marginals, the MIP
 * min Σ z_ij s.t. P ∈ Ω, p̄_ij ≤ min(r̄_i, c̄_j) z_ij, z ∈ {0,1}, solved by HiGHS within a time limit; the
 * LP-relaxation vertex (cost 1/min(r̄_i, c̄_j), at most 2n − 1 links) is kept when the MIP finds nothing sparser.
 */
export function minimumDensity(
  problem: ReconstructionProblem,
  highs: Highs,
  oracle: LinearOracle,
  timeLimit = 20,
): Float64Array {
  const { polytope } = problem;
  const n = polytope.nBanks;
  const capacity = (e: number) => Math.min(polytope.rowUpper[Math.floor(e / n)]!, polytope.columnUpper[e % n]!);
  const relaxationCost = Float64Array.from({ length: n * n }, (_, e) =>
    polytope.allowed[e] ? 1 / Math.max(capacity(e), 1e-300) : 0,
  );
  const relaxed = oracle(relaxationCost, polytope);
  const linkLines: string[] = [];
  const binaries: string[] = [];
  for (let e = 0; e < n * n; e++) {
    if (!polytope.allowed[e]) continue;
    const i = Math.floor(e / n);
    const j = e % n;
    linkLines.push(` l_${i}_${j}: p_${i}_${j} - ${capacity(e).toPrecision(17)} z_${i}_${j} <= 0`);
    binaries.push(`z_${i}_${j}`);
  }
  const lp = polytopeLp(polytope, new Float64Array(n * n));
  const objective = ` obj: ${binaries.join(' + ')}`;
  const text = [
    lp.replace(/^ obj: .*$/m, objective),
    ...linkLines,
    'Binaries',
    ` ${binaries.join(' ')}`,
    'End',
    '',
  ].join('\n');
  const countLinks = (m: Float64Array) => m.reduce((count, v) => count + (v > 0 ? 1 : 0), 0);
  try {
    const solution = highs.solve(text, { time_limit: timeLimit, mip_rel_gap: 1e-4 });
    if (solution.Status === 'Optimal' || solution.Status === 'Time limit reached') {
      const matrix = matrixFromSolution(n, solution.Columns);
      const residual = constraintResidual(polytope, matrix);
      if (residual.relative <= 1e-6 && countLinks(matrix) < countLinks(relaxed)) return matrix;
    }
  } catch (error) {
    if (!(error instanceof Error)) throw error;
  }
  return relaxed;
}
