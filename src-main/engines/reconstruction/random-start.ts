/**
 * Random feasible starts of the multi-start (docs/engines/reconstruction.md, Multi-start; the feasible set of
 * Ruela, *Network Contagion: Documentation* (2019), §2.2–2.4): P = Σ_m ω_m S_m, a Dirichlet(1, 1, 1) mixture
 * (ω_m = E_m / Σ E, E_m exponential) of three vertices S_m = argmin_{S∈Ω} ⟨G_m, S⟩ of the linear oracle at
 * uniform random costs G_m; Ω is convex, so P is feasible.
 */
import type { LinearOracle } from '../flow-polytope';
import type { Rng } from '../random';
import type { ReconstructionProblem } from './problem';

/** A random feasible point: a Dirichlet mixture of three random vertices. */
export function randomFeasible(problem: ReconstructionProblem, oracle: LinearOracle, rng: Rng): Float64Array {
  const size = problem.nBanks * problem.nBanks;
  const out = new Float64Array(size);
  const weights = [0, 0, 0].map(() => -Math.log(1 - rng.uniform()));
  const total = weights.reduce((a, b) => a + b, 0);
  for (const weight of weights) {
    const cost = Float64Array.from({ length: size }, () => rng.uniform());
    const vertex = oracle(cost, problem.polytope);
    for (let e = 0; e < size; e++) out[e]! += (weight / total) * vertex[e]!;
  }
  return out;
}
