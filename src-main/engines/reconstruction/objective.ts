/**
 * The objective the reconstruction methods descend (Ruela, *Network Contagion: Documentation* (2019), §2.2
 * complementarity as a penalty): h(P̄) = sign · F(P̄) + ρ Σ_{i<j} p̄_ij p̄_ji with its gradient, sign = −1 for the
 * worst case (maximise F) and +1 for the best case, F the in-sample loss of loss-evaluation.ts; with the
 * constraint violation each iteration reports, the methods' shared options and their common signature.
 */
import type { ReconstructionTracePoint } from '../../../src-shared/results/reconstruction';
import { constraintResidual, type FlowPolytope, type LinearOracle } from '../flow-polytope';
import { evaluateLoss, type LossMeasure, type ShockFractions } from './loss-evaluation';
import type { ReconstructionProblem } from './problem';

export type IterationReport = ReconstructionTracePoint;

export interface SolverContext {
  problem: ReconstructionProblem;
  sample: ShockFractions;
  measure: LossMeasure;
  /** −1 to maximise F (worst case), +1 to minimise it (best case). */
  sign: number;
  oracle: LinearOracle;
  report: (entry: Omit<IterationReport, 'start'>) => void;
}

export interface Smooth {
  value: number;
  objective: number;
  gradient: Float64Array;
}

/** h(P) = sign·F(P) + ρ Σ_{i<j} P_ij P_ji and its gradient. */
export function penalised(context: SolverContext, variable: Float64Array, rho: number): Smooth {
  const n = context.problem.nBanks;
  const gradient = new Float64Array(n * n);
  const evaluation = evaluateLoss(context.problem, context.sample, variable, context.measure, gradient);
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const e = i * n + j;
      gradient[e] = context.sign * gradient[e]! + (rho > 0 ? rho * variable[j * n + i]! : 0);
      if (rho > 0 && j > i) penalty += variable[e]! * variable[j * n + i]!;
    }
  }
  return { value: context.sign * evaluation.value + rho * penalty, objective: evaluation.value, gradient };
}

export function violationOf(polytope: FlowPolytope, variable: Float64Array, withComplementarity: boolean): number {
  const residual = constraintResidual(polytope, variable);
  return withComplementarity ? Math.max(residual.relative, residual.complementarity) : residual.relative;
}

export interface MethodOptions {
  maxIterations: number;
  /** Stop when the gap ≤ tolerance · max(|h|, 1e-12). */
  tolerance: number;
  rho: number;
  stage: string;
}

/** A method: from `start`, a point of `polytope` that lowers h. */
export type Method = (
  context: SolverContext,
  polytope: FlowPolytope,
  start: Float64Array,
  options: MethodOptions,
) => Float64Array;
