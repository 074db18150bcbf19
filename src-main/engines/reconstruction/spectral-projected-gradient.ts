/**
 * The best case of reconstruction (Ruela, *Network Contagion: Documentation* (2019), §2.2–2.4: the smallest
 * expected loss over Ω) by the spectral projected gradient (Birgin, Martínez & Raydan, *Nonmonotone spectral
 * projected gradient methods on convex sets* (2000), algorithm SPG2) on h: P⁺ = Π_Ω(P − σ∇h) with the exact
 * Euclidean projection of flow-polytope.ts, the Barzilai–Borwein step σ = sᵀs / sᵀy, and a non-monotone Armijo
 * search along P⁺ − P against the largest of the last 5 values; the Frank–Wolfe gap is reported every 5 iterations.
 */
import { createProjector, type FlowPolytope } from '../flow-polytope';
import { frankWolfeGap } from './frank-wolfe';
import { penalised, violationOf, type MethodOptions, type SolverContext, type Smooth } from './objective';

/**
 * Spectral projected gradient (Birgin, Martínez & Raydan) on h (best case): P⁺ = Π_Ω(P − σ∇h) with the
 * Barzilai–Borwein step σ and a non-monotone Armijo search along P⁺ − P.
 */
export function spectralProjectedGradient(
  context: SolverContext,
  polytope: FlowPolytope,
  start: Float64Array,
  options: MethodOptions,
): Float64Array {
  const projector = createProjector(polytope);
  let variable: Float64Array = new Float64Array(start.length);
  projector.project(start, variable);
  let point = penalised(context, variable, options.rho);
  const history: number[] = [point.value];
  let largestEntry = 0;
  let largestGradient = 0;
  for (let e = 0; e < variable.length; e++) {
    largestEntry = Math.max(largestEntry, variable[e]!, polytope.rowUpper[Math.floor(e / polytope.nBanks)]!);
    if (polytope.allowed[e]) largestGradient = Math.max(largestGradient, Math.abs(point.gradient[e]!));
  }
  const stepMax = (1e3 * largestEntry) / Math.max(largestGradient, 1e-300);
  let sigma = (0.1 * largestEntry) / Math.max(largestGradient, 1e-300);
  const moved = new Float64Array(variable.length);
  const projected = new Float64Array(variable.length);
  for (let iteration = 1; iteration <= options.maxIterations; iteration++) {
    const gapCheck = iteration === 1 || iteration % 5 === 0 || iteration === options.maxIterations;
    const gap = gapCheck ? frankWolfeGap(context, polytope, point, variable).gap : Number.NaN;
    if (gapCheck) {
      context.report({
        stage: options.stage,
        iteration,
        objective: point.objective,
        gap,
        violation: violationOf(polytope, variable, options.rho > 0),
      });
      if (gap <= options.tolerance * Math.max(Math.abs(point.value), 1e-12)) break;
    }
    for (let e = 0; e < variable.length; e++) moved[e] = variable[e]! - sigma * point.gradient[e]!;
    projector.project(moved, projected);
    let slope = 0;
    let size = 0;
    for (let e = 0; e < variable.length; e++) {
      const d = projected[e]! - variable[e]!;
      slope += point.gradient[e]! * d;
      size = Math.max(size, Math.abs(d));
    }
    if (!(slope < 0) || size <= 1e-13 * largestEntry) break;
    const reference = Math.max(...history.slice(-5));
    let accepted: { variable: Float64Array; point: Smooth } | null = null;
    for (let lambda = 1, tries = 0; tries < 20; tries++, lambda *= 0.5) {
      const trial = new Float64Array(variable.length);
      for (let e = 0; e < trial.length; e++) trial[e] = variable[e]! + lambda * (projected[e]! - variable[e]!);
      const next = penalised(context, trial, options.rho);
      if (next.value <= reference + 1e-4 * lambda * slope) {
        accepted = { variable: trial, point: next };
        break;
      }
    }
    if (!accepted) break;
    let ss = 0;
    let sy = 0;
    for (let e = 0; e < variable.length; e++) {
      const s = accepted.variable[e]! - variable[e]!;
      const y = accepted.point.gradient[e]! - point.gradient[e]!;
      ss += s * s;
      sy += s * y;
    }
    sigma = sy > 0 ? Math.min(stepMax, ss / sy) : stepMax;
    variable = accepted.variable;
    point = accepted.point;
    history.push(point.value);
    // stalled: less than 1e-7 relative decrease over the last 10 iterations (Monte Carlo noise is far larger)
    if (history.length > 10 && history[history.length - 11]! - point.value <= 1e-7 * Math.abs(point.value)) break;
  }
  return variable;
}
