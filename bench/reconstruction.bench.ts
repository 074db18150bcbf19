/**
 * Reconstruction benchmark (docs/engines/reconstruction.md): wall time, memory and the objective reached by the
 * worst-case (Frank–Wolfe) and best-case (spectral projected gradient) solves with complementarity on the EBA
 * 2011 87-bank network with 1,000 uniform shocks (one start, no hops: one solve), and the worst case on a random
 * 300-bank network (~10 links per bank before reconstruction, its node totals only); each network evaluated on
 * 10,000 fresh shocks against maximum entropy (paired difference ± standard error). References in the same
 * process: the linear oracle by the HiGHS LP instead of the min-cost flow (time per call), and a plain random
 * search over vertices of the polytope with the worst case's wall time (the gain over maximum entropy it reaches).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { linearMinimumLp, minCostTransport } from '../src-main/engines/flow-polytope';
import { drawShockFractions, evaluateLoss } from '../src-main/engines/reconstruction/loss-evaluation';
import { maximumEntropy } from '../src-main/engines/reconstruction/maximum-entropy';
import { problemFromDocument, type ReconstructionProblem } from '../src-main/engines/reconstruction/problem';
import { reconstruct, type ReconstructionResult } from '../src-main/engines/reconstruction/reconstruct';
import { Rng } from '../src-main/engines/random';
import { randomSparseNetwork } from '../src-main/engines/synthetic';
import { decodeLatin1, parseEbaDisclosure } from '../src-main/io/eba-disclosure';
import { loadHighs } from '../src-main/io/lp-solver';

const here = fileURLToPath(new URL('.', import.meta.url));
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

function ebaProblem(): ReconstructionProblem {
  const bytes = readFileSync(resolve(here, '../resources/samples/eba-2011-disclosure.csv'));
  return problemFromDocument(parseEbaDisclosure(decodeLatin1(bytes), 'eba-2011-disclosure.csv').document);
}

function solve(problem: ReconstructionProblem, objective: 'worst' | 'best', samples: number) {
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const started = performance.now();
  const result: ReconstructionResult = reconstruct(problem, {
    objective,
    shockModel: { kind: 'uniform' },
    samples,
    seed: 1,
    starts: 1,
    hops: 0,
    evaluationSamples: 10_000,
    onIteration: () => (peakRss = Math.max(peakRss, process.memoryUsage().rss)),
  });
  const seconds = (performance.now() - started) / 1000;
  const maxent = evaluateLoss(
    problem,
    drawShockFractions(problem, maximumEntropy(problem), { kind: 'uniform' }, 1, 0, samples),
    maximumEntropy(problem),
    'expectedLoss',
  );
  return {
    nodes: problem.nBanks,
    samples,
    secondsIncludingEvaluation: round(seconds, 2),
    iterations: result.trace.length,
    inSampleExpectedLoss: round(result.inSample.expectedLoss, 1),
    maxentInSampleExpectedLoss: round(maxent.expectedLoss, 1),
    inSampleGainOverMaxent: round(result.inSample.expectedLoss - maxent.expectedLoss, 1),
    outOfSampleDifferenceToMaxent: round(result.evaluation.differenceToMaxent, 1),
    outOfSampleStandardError: round(result.evaluation.differenceStandardError, 1),
    largestRelativeResidual: result.residual.relative,
    complementarity: result.residual.complementarity,
    links: result.links,
    peakRssMiB: mib(peakRss),
    rssGrowthMiB: mib(peakRss - rssBefore),
  };
}

/** Plain reference: random vertices (min-cost flow with random costs) for a fixed time; the largest E[L] found. */
function randomVertexSearch(problem: ReconstructionProblem, samples: number, seconds: number) {
  const sample = drawShockFractions(problem, maximumEntropy(problem), { kind: 'uniform' }, 1, 0, samples);
  const rng = new Rng(7);
  const size = problem.nBanks * problem.nBanks;
  let best = -Infinity;
  let tried = 0;
  const started = performance.now();
  while ((performance.now() - started) / 1000 < seconds) {
    const vertex = minCostTransport(
      problem.polytope,
      Float64Array.from({ length: size }, () => rng.uniform()),
    );
    best = Math.max(best, evaluateLoss(problem, sample, vertex, 'expectedLoss').expectedLoss);
    tried++;
  }
  return { vertices: tried, bestInSampleExpectedLoss: round(best, 1) };
}

async function oracleTimes(problem: ReconstructionProblem) {
  const highs = await loadHighs();
  const rng = new Rng(3);
  const cost = Float64Array.from({ length: problem.nBanks ** 2 }, () => rng.uniform());
  linearMinimumLp(highs, problem.polytope, cost); // warm-up
  let started = performance.now();
  const flow = minCostTransport(problem.polytope, cost);
  const flowMs = performance.now() - started;
  started = performance.now();
  const lp = linearMinimumLp(highs, problem.polytope, cost);
  const lpMs = performance.now() - started;
  const value = (m: Float64Array) => m.reduce((sum, v, e) => sum + v * cost[e]!, 0);
  return {
    minCostFlowMs: round(flowMs, 1),
    highsLpMs: round(lpMs, 1),
    speedupOverLp: round(lpMs / flowMs, 2),
    relativeObjectiveDifference: Math.abs(value(flow) - value(lp)) / Math.abs(value(lp)),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const eba = ebaProblem();
  const worst87 = solve(eba, 'worst', 1000);
  const best87 = solve(eba, 'best', 1000);
  const random87 = randomVertexSearch(eba, 1000, worst87.secondsIncludingEvaluation);
  const large = problemFromDocument(randomSparseNetwork(300, 10, 5));
  const worst300 = solve(large, 'worst', 1000);
  return {
    eba87: {
      worst: worst87,
      best: best87,
      reference: {
        randomVertexSearchSameTime: random87,
        worstGainOverRandomSearch: round(worst87.inSampleExpectedLoss - random87.bestInSampleExpectedLoss, 1),
      },
      oracle: await oracleTimes(eba),
      targets: { worstSeconds: 10, bestSeconds: 60 },
    },
    random300: { worst: worst300, oracle: await oracleTimes(large), targets: { worstSeconds: 60 } },
  };
}
