/**
 * Network reconstruction from partial data, the driver: the networks consistent with what is known of each node
 * that give the largest (worst case) and smallest (best case) expected Glasserman–Young loss, after Duarte & Jones
 * as documented by Ruela, *Network Contagion: Documentation* (2019), §1.1 (loss), §2.2–2.4 (constraints and
 * bounds); reference reconstructions maximum entropy (maximum-entropy.ts) and minimum density (minimum-density.ts).
 * Worst case: Frank–Wolfe (frank-wolfe.ts); best case: spectral projected gradient (spectral-projected-gradient.ts),
 * or Frank–Wolfe with the LP oracle on interval marginals; complementarity p̄_ij p̄_ji = 0 (§2.2) by
 * complementarity.ts. Multi-start from the maximum-entropy network and random feasible points (random-start.ts),
 * then for the worst case basin hopping (half the best network mixed with a random vertex, kept when better). The
 * network chosen is reported with its in-sample loss, constraint residual, Frank–Wolfe gap, links and density, and
 * evaluated on an independent sample against maximum entropy (out-of-sample.ts).
 */
import type { Highs } from 'highs';
import {
  GAP_NOT_AN_OPTIMISER_NOTE,
  RESIDUAL_UNDEFINED_NOTE,
  type InSampleLoss,
  type OptimalityGap,
  type ReportedResidual,
} from '../../../src-shared/results/reconstruction';
import { EngineInputError } from '../errors';
import { constraintResidual, createLinearOracle, hasFixedMarginals, type ConstraintResidual } from '../flow-polytope';
import { assertFiniteResult, assertMemoryFits, banks } from '../limits';
import { Rng } from '../random';
import type { ShockModel } from '../shocks';
import { solveWithComplementarity } from './complementarity';
import { frankWolfe, frankWolfeGap } from './frank-wolfe';
import { drawShockFractions, evaluateLoss, inSampleLoss, type LossMeasure } from './loss-evaluation';
import { maximumEntropy } from './maximum-entropy';
import { minimumDensity } from './minimum-density';
import { penalised, type IterationReport, type Method, type SolverContext } from './objective';
import { evaluateOutOfSample, type OutOfSample } from './out-of-sample';
import { fullMatrix, reconstructionBytes, type ReconstructionProblem } from './problem';
import { randomFeasible } from './random-start';
import { spectralProjectedGradient } from './spectral-projected-gradient';

export const RECONSTRUCTION_OBJECTIVES = ['worst', 'best', 'maxent', 'mindensity'] as const;
export type ReconstructionObjective = (typeof RECONSTRUCTION_OBJECTIVES)[number];

export interface ReconstructionOptions {
  objective: ReconstructionObjective;
  measure?: LossMeasure;
  shockModel: ShockModel;
  /** K common random shocks for the optimisation (default 1000). */
  samples?: number;
  seed: number;
  /** Starts: the maximum-entropy network plus starts − 1 random feasible points (default 3). */
  starts?: number;
  /** Enforce p̄_ij p̄_ji = 0 (default true). */
  complementarity?: boolean;
  /** Independent shocks for the out-of-sample evaluation (default 10,000). */
  evaluationSamples?: number;
  maxIterations?: number;
  /** Relative gap at which a solve stops (default 1e-7). */
  tolerance?: number;
  /** Needed for interval marginals and for the minimum-density MIP. */
  highs?: Highs | null;
  /** Time limit of the minimum-density MIP in seconds (default 20). */
  timeLimit?: number;
  onIteration?: (report: IterationReport) => void;
  /** The maximum-entropy (reference) network, when the caller has it (disaggregation). */
  reference?: Float64Array;
  /** Worst case: basin-hopping rounds after the starts (default 6). */
  hops?: number;
  /** Feasible start points replacing the default starts (maximum entropy, then random) and the hops. */
  startPoints?: Float64Array[];
}

export interface ReconstructionResult extends OptimalityGap {
  objective: ReconstructionObjective;
  measure: LossMeasure;
  /** The liability matrix found (known + variable cells), row = debtor. */
  matrix: Float64Array;
  inSample: InSampleLoss;
  evaluation: OutOfSample;
  residual: ReportedResidual;
  links: number;
  /** links / (n (n − 1)). */
  density: number;
  /** The objective reached from each start (in sample), the chosen one first-best. */
  starts: Array<{ start: number; kind: 'maximum entropy' | 'random' | 'given' | 'hop'; value: number }>;
  trace: IterationReport[];
  samples: number;
  seed: number;
}

/** The residual as reported: relative only where some total is positive, else a note. */
export function reportedResidual(residual: ConstraintResidual, complementarity: number): ReportedResidual {
  const { absolute } = residual;
  return residual.scale > 0
    ? { relative: residual.relative, absolute, complementarity }
    : { relativeNote: RESIDUAL_UNDEFINED_NOTE, absolute, complementarity };
}

/** Runs one reconstruction (see the module docstring). */
export function reconstruct(problem: ReconstructionProblem, options: ReconstructionOptions): ReconstructionResult {
  const measure = options.measure ?? 'expectedLoss';
  const samples = options.samples ?? 1000;
  const evaluationSamples = options.evaluationSamples ?? 10_000;
  const scenarios = samples + evaluationSamples;
  assertMemoryFits(
    reconstructionBytes(problem.nBanks, scenarios),
    `reconstructing a network of ${banks(problem.nBanks)} with ${scenarios.toLocaleString('en-US')} shock scenarios`,
  );
  const starts = Math.max(1, options.starts ?? 3);
  const tolerance = options.tolerance ?? 1e-7;
  const maxIterations = options.maxIterations ?? (options.objective === 'best' ? 150 : 40);
  const complementarity = options.complementarity ?? true;
  const oracle = createLinearOracle(options.highs ?? null);
  const reference = options.reference ?? maximumEntropy(problem);
  const sample = drawShockFractions(problem, reference, options.shockModel, options.seed, 0, samples);
  const trace: IterationReport[] = [];
  let startIndex = 0;
  const context: SolverContext = {
    problem,
    sample,
    measure,
    sign: options.objective === 'worst' ? -1 : 1,
    oracle,
    report: (entry) => {
      const report = { start: startIndex, ...entry };
      trace.push(report);
      options.onIteration?.(report);
    },
  };
  let best: Float64Array = reference;
  let bestPolytope = problem.polytope;
  const startValues: ReconstructionResult['starts'] = [];
  if (options.objective === 'mindensity') {
    if (!options.highs) throw new EngineInputError('minimum density needs the LP solver');
    best = minimumDensity(problem, options.highs, oracle, options.timeLimit);
  } else if (options.objective !== 'maxent') {
    // the projection's semismooth Newton is not reliable on interval marginals (unknown b or c): the best case
    // then runs Frank–Wolfe with the LP oracle too (slower, always feasible)
    const method: Method =
      options.objective === 'best' && hasFixedMarginals(problem.polytope) ? spectralProjectedGradient : frankWolfe;
    const rng = new Rng(options.seed, 0x5eed);
    let bestValue = Infinity;
    const solve = (start: Float64Array) =>
      complementarity
        ? solveWithComplementarity(context, method, start, maxIterations, tolerance)
        : {
            variable: method(context, problem.polytope, start, { maxIterations, tolerance, rho: 0, stage: 'solve' }),
            polytope: problem.polytope,
          };
    const given = options.startPoints;
    for (startIndex = 0; startIndex < (given ? given.length : starts); startIndex++) {
      const start = given ? given[startIndex]! : startIndex === 0 ? reference : randomFeasible(problem, oracle, rng);
      const solved = solve(start);
      const value = context.sign * evaluateLoss(problem, sample, solved.variable, measure).value;
      startValues.push({
        start: startIndex,
        kind: given ? 'given' : startIndex === 0 ? 'maximum entropy' : 'random',
        value: context.sign * value,
      });
      if (value < bestValue) {
        bestValue = value;
        best = solved.variable;
        bestPolytope = solved.polytope;
      }
    }
    // worst case: basin hopping from the best network (half of it mixed with a random vertex), kept when better
    const hops = options.objective === 'worst' && !given ? (options.hops ?? 6) : 0;
    for (let hop = 0; hop < hops; hop++, startIndex++) {
      const vertex = oracle(
        Float64Array.from({ length: best.length }, () => rng.uniform()),
        problem.polytope,
      );
      const start = best.map((v, e) => 0.5 * v + 0.5 * vertex[e]!);
      const solved = solve(start);
      const value = context.sign * evaluateLoss(problem, sample, solved.variable, measure).value;
      startValues.push({ start: startIndex, kind: 'hop', value: context.sign * value });
      if (value < bestValue) {
        bestValue = value;
        best = solved.variable;
        bestPolytope = solved.polytope;
      }
    }
  }
  const residual = constraintResidual(bestPolytope, best);
  let optimality: OptimalityGap = { gapNote: GAP_NOT_AN_OPTIMISER_NOTE };
  if (options.objective === 'worst' || options.objective === 'best') {
    const point = penalised(context, best, 0);
    const gap = frankWolfeGap(context, bestPolytope, point, best).gap;
    optimality = { frankWolfeGap: gap, relativeGap: gap / Math.max(Math.abs(point.value), 1e-12) };
  }
  const matrix = fullMatrix(problem, best);
  let links = 0;
  for (let e = 0; e < matrix.length; e++) if (matrix[e]! > 0) links++;
  const n = problem.nBanks;
  return assertFiniteResult<ReconstructionResult>(
    {
      objective: options.objective,
      measure,
      matrix,
      inSample: inSampleLoss(evaluateLoss(problem, sample, best, measure)),
      evaluation: evaluateOutOfSample(
        problem,
        best,
        reference,
        options.shockModel,
        options.seed,
        samples,
        evaluationSamples,
      ),
      residual: reportedResidual(residual, constraintResidual(problem.polytope, best).complementarity),
      ...optimality,
      links,
      density: links / (n * (n - 1)),
      starts: startValues,
      trace,
      samples,
      seed: options.seed,
    },
    'reconstruction result',
  );
}
