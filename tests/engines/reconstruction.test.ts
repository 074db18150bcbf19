import type { Highs } from 'highs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  constraintResidual,
  createLinearOracle,
  createProjector,
  linearMinimumLp,
  minCostTransport,
  offDiagonal,
  withAllowed,
  type FlowPolytope,
} from '../../src-main/engines/flow-polytope';
import { drawShockFractions, evaluateLoss } from '../../src-main/engines/reconstruction/loss-evaluation';
import { maximumEntropy } from '../../src-main/engines/reconstruction/maximum-entropy';
import {
  documentOfResult,
  problemFromDocument,
  type ReconstructionProblem,
} from '../../src-main/engines/reconstruction/problem';
import { randomFeasible } from '../../src-main/engines/reconstruction/random-start';
import { reconstruct } from '../../src-main/engines/reconstruction/reconstruct';
import { toClearingSystem } from '../../src-main/engines/network-arrays';
import { Rng } from '../../src-main/engines/random';
import { randomSparseNetwork } from '../../src-main/engines/synthetic';
import { loadHighs } from '../../src-main/io/lp-solver';

let highs: Highs;
beforeAll(async () => {
  highs = await loadHighs();
});

function randomPolytope(n: number, seed: number): FlowPolytope {
  const rng = new Rng(seed);
  const rows = Float64Array.from({ length: n }, () => 1 + 9 * rng.uniform());
  const total = rows.reduce((a, b) => a + b, 0);
  const weights = Float64Array.from({ length: n }, () => 1 + rng.uniform());
  const wTotal = weights.reduce((a, b) => a + b, 0);
  const columns = weights.map((w) => (w / wTotal) * total);
  return {
    nBanks: n,
    allowed: offDiagonal(n),
    rowLower: rows,
    rowUpper: rows.slice(),
    columnLower: columns,
    columnUpper: columns.slice(),
  };
}

const cost = (m: Float64Array, c: Float64Array) => m.reduce((sum, v, e) => sum + v * c[e]!, 0);

/** A small network whose banks default under uniform shocks (equity ≈ 8% of assets); `unknownOutside`: node indices whose c and d are unknown. */
function smallProblem(n: number, seed: number, unknownOutside: number[] = []): ReconstructionProblem {
  const document = randomSparseNetwork(n, 3, seed);
  const known = Object.fromEntries(
    document.nodes.map((node, i) => [
      node.id,
      unknownOutside.includes(i)
        ? (['outsideLiabilities', 'insideLiabilities', 'defaultProbability'] as const).slice()
        : (
            ['outsideAssets', 'outsideLiabilities', 'insideAssets', 'insideLiabilities', 'defaultProbability'] as const
          ).slice(),
    ]),
  );
  return problemFromDocument(document, known);
}

describe('flow polytope', () => {
  it('min-cost flow and the HiGHS LP reach the same minimum, with and without an orientation mask', () => {
    for (const seed of [1, 2, 3]) {
      const polytope = randomPolytope(12, seed);
      const rng = new Rng(seed + 10);
      const c = Float64Array.from({ length: 144 }, () => rng.uniform() - 0.3);
      const flow = minCostTransport(polytope, c);
      const lp = linearMinimumLp(highs, polytope, c);
      expect(constraintResidual(polytope, flow).relative).toBeLessThan(1e-12);
      expect(Math.abs(cost(flow, c) - cost(lp, c))).toBeLessThan(1e-7 * Math.abs(cost(lp, c)));
      // one orientation per pair chosen by the index parity: still feasible for these dense marginals
      const allowed = offDiagonal(12);
      for (let i = 0; i < 12; i++) for (let j = i + 1; j < 12; j++) allowed[(i + j) % 2 ? i * 12 + j : j * 12 + i] = 0;
      const oriented = withAllowed(polytope, allowed);
      const flowOriented = minCostTransport(oriented, c);
      expect(constraintResidual(oriented, flowOriented).relative).toBeLessThan(1e-12);
      expect(cost(flowOriented, c)).toBeCloseTo(cost(linearMinimumLp(highs, oriented, c), c), 6);
    }
  });

  it('refuses marginals no zero-diagonal network meets', () => {
    const rows = Float64Array.from([10, 1, 1]);
    const polytope: FlowPolytope = {
      nBanks: 3,
      allowed: offDiagonal(3),
      rowLower: rows,
      rowUpper: rows,
      columnLower: rows,
      columnUpper: rows,
    };
    expect(() => minCostTransport(polytope, new Float64Array(9))).toThrow(/no network meets the marginals/);
  });

  it('projects exactly: P is feasible and ⟨P − Y, S − P⟩ ≥ 0 for the best vertex S (fixed and interval marginals)', () => {
    const fixed = randomPolytope(10, 4);
    const interval: FlowPolytope = {
      ...fixed,
      rowLower: fixed.rowLower.map((v) => 0.5 * v),
      rowUpper: fixed.rowUpper.map((v) => 1.5 * v),
      columnLower: fixed.columnLower.map((v) => 0.5 * v),
      columnUpper: fixed.columnUpper.map((v) => 1.2 * v),
    };
    for (const polytope of [fixed, interval]) {
      const rng = new Rng(5);
      const projector = createProjector(polytope);
      for (let trial = 0; trial < 3; trial++) {
        const target = Float64Array.from({ length: 100 }, () => 4 * rng.uniform() - 1);
        const p = new Float64Array(100);
        projector.project(target, p);
        expect(constraintResidual(polytope, p).relative).toBeLessThan(1e-9);
        const direction = p.map((v, e) => v - target[e]!);
        const s = linearMinimumLp(highs, polytope, direction);
        const certificate = direction.reduce((sum, d, e) => sum + d * (s[e]! - p[e]!), 0);
        expect(certificate).toBeGreaterThan(-1e-7);
      }
    }
  });
});

describe('expected-loss objective', () => {
  it('matches central finite differences of the sample average (E[L] and the loss ratio, known and unknown c)', () => {
    for (const unknown of [[], [2, 4]]) {
      const problem = smallProblem(8, 3, unknown);
      const start = maximumEntropy(problem);
      const sample = drawShockFractions(problem, start, { kind: 'uniform' }, 7, 0, 60);
      for (const measure of ['expectedLoss', 'lossRatio'] as const) {
        const gradient = new Float64Array(64);
        evaluateLoss(problem, sample, start, measure, gradient);
        let checked = 0;
        for (const [k, l] of [
          [0, 1],
          [2, 5],
          [4, 3],
          [6, 7],
          [7, 0],
          [1, 6],
        ] as const) {
          const e = k * 8 + l;
          const h = 1e-4 * Math.max(1, start[e]!); // smaller steps lose digits to rounding (c = α − Σ p̄ cancels)
          const plus = Float64Array.from(start);
          const minus = Float64Array.from(start);
          plus[e]! += h;
          minus[e]! -= h;
          const fd =
            (evaluateLoss(problem, sample, plus, measure).value - evaluateLoss(problem, sample, minus, measure).value) /
            (2 * h);
          expect(Math.abs(fd - gradient[e]!)).toBeLessThan(1e-5 * Math.max(Math.abs(fd), 1e-3));
          if (gradient[e] !== 0) checked++;
        }
        expect(checked).toBeGreaterThan(3);
      }
    }
  });
});

describe('reconstruction', () => {
  it('meets every constraint to 1e-6 relative with complementarity (worst, best, maxent, mindensity)', () => {
    const problem = smallProblem(10, 8);
    for (const objective of ['worst', 'best', 'maxent', 'mindensity'] as const) {
      const result = reconstruct(problem, {
        objective,
        shockModel: { kind: 'uniform' },
        samples: 80,
        seed: 3,
        starts: 2,
        evaluationSamples: 500,
        maxIterations: 25,
        highs,
        timeLimit: 1,
      });
      expect(result.residual.relative).toBeLessThan(1e-6);
      if (objective === 'worst' || objective === 'best') expect(result.residual.complementarity).toBe(0);
      if (objective === 'mindensity') expect(result.links).toBeLessThanOrEqual(2 * 10 - 1);
      // the document rebuilt from the result keeps p̄, α and w of every node
      const doc = documentOfResult(randomSparseNetwork(10, 3, 8), problem, result.matrix, 'x');
      const system = toClearingSystem(doc);
      for (let i = 0; i < 10; i++) {
        expect(system.totalObligations[i]).toBeCloseTo(problem.totalLiabilities[i]!, 6);
        expect(system.netWorth[i]).toBeCloseTo(problem.totalAssets[i]! - problem.totalLiabilities[i]!, 6);
      }
    }
  });

  it('keeps unknown outside assets inside 1e-5 ≤ c ≤ α − 1e-5 in the worst and best cases (interval marginals through the LP oracle)', () => {
    const problem = smallProblem(8, 5, [1, 5]);
    const values: number[] = [];
    for (const objective of ['worst', 'best'] as const) {
      const result = reconstruct(problem, {
        objective,
        shockModel: { kind: 'uniform' },
        samples: 60,
        seed: 2,
        starts: 1,
        hops: 1,
        evaluationSamples: 300,
        highs,
      });
      expect(result.residual.relative).toBeLessThan(1e-6);
      const columns = new Float64Array(8);
      for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) columns[j]! += result.matrix[i * 8 + j]!;
      for (const i of [1, 5]) {
        const c = problem.totalAssets[i]! - columns[i]!;
        expect(c).toBeGreaterThanOrEqual(1e-5 - 1e-9);
        expect(c).toBeLessThanOrEqual(problem.totalAssets[i]! - 1e-5 + 1e-9);
      }
      values.push(result.inSample.expectedLoss);
    }
    expect(values[0]).toBeGreaterThan(values[1]!);
  });

  it('on random 20-bank instances the worst case found (multi-start and basin hopping) is at least as bad as the best of 20 random starts polished by the same method', () => {
    for (const seed of [11, 16]) {
      const problem = smallProblem(20, seed);
      const options = {
        objective: 'worst' as const,
        shockModel: { kind: 'uniform' as const },
        samples: 60,
        seed,
        evaluationSamples: 200,
      };
      const found = reconstruct(problem, { ...options, starts: 21, hops: 10 });
      expect(found.starts.filter((s) => s.kind === 'hop')).toHaveLength(10);
      const oracle = createLinearOracle(null);
      const rng = new Rng(seed, 99);
      const startPoints = Array.from({ length: 20 }, () => randomFeasible(problem, oracle, rng));
      const polished = reconstruct(problem, { ...options, startPoints });
      expect(polished.starts).toHaveLength(20);
      const bestRandom = Math.max(...polished.starts.map((s) => s.value));
      expect(found.inSample.expectedLoss).toBeGreaterThanOrEqual(bestRandom * (1 - 1e-12));
    }
  });

  it('is reproducible for a seed and changes with the seed', () => {
    const problem = smallProblem(8, 9);
    const run = (seed: number) =>
      reconstruct(problem, {
        objective: 'best',
        shockModel: { kind: 'beta' },
        samples: 50,
        seed,
        evaluationSamples: 200,
        maxIterations: 15,
      });
    const a = run(4);
    const b = run(4);
    expect(Array.from(a.matrix)).toEqual(Array.from(b.matrix));
    expect(a.evaluation).toEqual(b.evaluation);
    expect(run(5).inSample.expectedLoss).not.toBe(a.inSample.expectedLoss);
  });
});
