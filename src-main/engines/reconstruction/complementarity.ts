/**
 * Net liabilities only, p̄_ij p̄_ji = 0 (Ruela, *Network Contagion: Documentation* (2019), §2.2), which makes Ω a
 * union of polytopes, one per orientation of each pair: penalty continuation on ρ Σ_{i<j} p̄_ij p̄_ji with
 * ρ₀ = 0.01 · max|∇F| / max P̄ and ρ ×10 per stage (up to 6, until max min(p̄_ij, p̄_ji) / max P̄ ≤ 1e-9); then each
 * pair's orientation is fixed (the larger entry; for pairs with both ≈ 0 the direction with the smaller ∇h), the
 * oracle proves the oriented polytope non-empty, and the solution is polished inside it without the penalty.
 */
import { InfeasiblePolytopeError, withAllowed, type FlowPolytope } from '../flow-polytope';
import { frankWolfe } from './frank-wolfe';
import { penalised, type Method, type SolverContext } from './objective';

/** max over pairs of min(P_ij, P_ji), relative to max P. */
function complementarityOf(variable: Float64Array, n: number): number {
  let largest = 0;
  let both = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      largest = Math.max(largest, variable[i * n + j]!);
      if (j > i) both = Math.max(both, Math.min(variable[i * n + j]!, variable[j * n + i]!));
    }
  }
  return largest > 0 ? both / largest : 0;
}

/**
 * One orientation per pair from a near-complementary P: keep the larger entry; where both are (nearly) zero keep
 * the direction with the smaller ∇h (the more useful one), unless `undecidedBoth` keeps both there.
 */
function orientation(
  polytope: FlowPolytope,
  variable: Float64Array,
  gradient: Float64Array,
  undecidedBoth: boolean,
): Uint8Array {
  const n = polytope.nBanks;
  const allowed = Uint8Array.from(polytope.allowed);
  let largest = 0;
  for (let e = 0; e < variable.length; e++) largest = Math.max(largest, variable[e]!);
  const small = 1e-9 * largest;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const ij = i * n + j;
      const ji = j * n + i;
      if (!allowed[ij] || !allowed[ji]) continue;
      const a = variable[ij]!;
      const b = variable[ji]!;
      if (Math.max(a, b) <= small) {
        if (undecidedBoth) continue;
        if (gradient[ij]! <= gradient[ji]!) allowed[ji] = 0;
        else allowed[ij] = 0;
      } else if (a >= b) allowed[ji] = 0;
      else allowed[ij] = 0;
    }
  }
  return allowed;
}

/** Penalty continuation, orientation, polish (docs/engines/reconstruction.md, Complementarity). */
export function solveWithComplementarity(
  context: SolverContext,
  method: Method,
  start: Float64Array,
  iterations: number,
  tolerance: number,
): { variable: Float64Array; polytope: FlowPolytope } {
  const { polytope } = context.problem;
  const n = polytope.nBanks;
  let variable = start;
  const first = penalised(context, variable, 0);
  let largestGradient = 0;
  let largestEntry = 0;
  for (let e = 0; e < variable.length; e++) {
    if (polytope.allowed[e]) largestGradient = Math.max(largestGradient, Math.abs(first.gradient[e]!));
    largestEntry = Math.max(largestEntry, variable[e]!);
  }
  let rho = (0.01 * largestGradient) / Math.max(largestEntry, 1e-300);
  for (let stage = 1; stage <= 6; stage++) {
    variable = method(context, polytope, variable, {
      maxIterations: Math.max(5, Math.ceil(iterations / 4)),
      tolerance: tolerance * 10,
      rho,
      stage: `penalty ρ=${rho.toExponential(1)}`,
    });
    if (complementarityOf(variable, n) <= 1e-9) break;
    rho *= 10;
  }
  const gradient = penalised(context, variable, 0).gradient;
  for (const undecidedBoth of [false, true]) {
    const oriented = withAllowed(polytope, orientation(polytope, variable, gradient, undecidedBoth));
    try {
      // the oracle proves the orientation feasible; its vertex (FW) or the projection (SPG) starts the polish
      const vertex = context.oracle(gradient, oriented);
      const begin = method === frankWolfe ? vertex : variable;
      const polished = method(context, oriented, begin, {
        maxIterations: iterations,
        tolerance,
        rho: 0,
        stage: 'polish (orientation fixed)',
      });
      return { variable: polished, polytope: oriented };
    } catch (error) {
      if (!(error instanceof InfeasiblePolytopeError)) throw error;
    }
  }
  // no orientation found feasible: polish without complementarity (reported as a violation)
  return {
    variable: method(context, polytope, variable, { maxIterations: iterations, tolerance, rho: 0, stage: 'polish' }),
    polytope,
  };
}
