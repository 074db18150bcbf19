/**
 * The worst case of reconstruction (Ruela, *Network Contagion: Documentation* (2019), §2.2–2.4: the largest
 * expected loss over Ω) by Frank–Wolfe (Frank & Wolfe, *An algorithm for quadratic programming* (1956)) on h:
 * the vertex S = argmin_{S∈Ω} ⟨∇h(P), S⟩ of the linear oracle (min-cost flow or LP), the gap ⟨∇h, P − S⟩ reported
 * every iteration, and P⁺ = P + γ (S − P) by Armijo backtracking from γ = 1, so the iterates are convex
 * combinations of vertices.
 */
import type { FlowPolytope } from '../flow-polytope';
import { penalised, violationOf, type MethodOptions, type SolverContext, type Smooth } from './objective';

export function frankWolfeGap(
  context: SolverContext,
  polytope: FlowPolytope,
  point: Smooth,
  variable: Float64Array,
): { gap: number; vertex: Float64Array } {
  const vertex = context.oracle(point.gradient, polytope);
  let gap = 0;
  for (let e = 0; e < variable.length; e++)
    if (polytope.allowed[e]) gap += point.gradient[e]! * (variable[e]! - vertex[e]!);
  return { gap: Math.max(0, gap), vertex };
}

/** Frank–Wolfe on h over the polytope (worst case): the iterates are convex combinations of vertices. */
export function frankWolfe(
  context: SolverContext,
  polytope: FlowPolytope,
  start: Float64Array,
  options: MethodOptions,
): Float64Array {
  let variable: Float64Array = Float64Array.from(start);
  let point = penalised(context, variable, options.rho);
  for (let iteration = 1; iteration <= options.maxIterations; iteration++) {
    const { gap, vertex } = frankWolfeGap(context, polytope, point, variable);
    context.report({
      stage: options.stage,
      iteration,
      objective: point.objective,
      gap,
      violation: violationOf(polytope, variable, options.rho > 0),
    });
    if (gap <= options.tolerance * Math.max(Math.abs(point.value), 1e-12)) break;
    let accepted = false;
    for (let step = 1, tries = 0; tries < 12; tries++, step *= 0.5) {
      const trial = new Float64Array(variable.length);
      for (let e = 0; e < trial.length; e++) trial[e] = variable[e]! + step * (vertex[e]! - variable[e]!);
      const next = penalised(context, trial, options.rho);
      if (next.value <= point.value - 1e-4 * step * gap) {
        variable = trial;
        point = next;
        accepted = true;
        break;
      }
    }
    if (!accepted) break;
  }
  return variable;
}
