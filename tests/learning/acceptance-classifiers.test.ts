import { describe, expect, it } from 'vitest';
import { AcceptanceEvaluator } from '../../src-main/engines/capital-allocation';
import { toClearingSystem } from '../../src-main/engines/network-arrays';
import { Rng } from '../../src-main/engines/random';
import {
  crossEntropy,
  fitLogisticIrls,
  predictProbability,
  trainAcceptanceClassifier,
  validationSplit,
} from '../../src-main/learning/acceptance-classifiers';
import { selectLearningBackend } from '../../src-main/learning/backend';
import {
  gridAgreement,
  monotonicityViolations,
  monteCarloGrid,
  runCapitalStudy,
} from '../../src-main/learning/capital-study';
import { shockModelSchema } from '../../src-shared/jobs';
import { capitalStudySchema } from '../../src-shared/results/capital';
import { ebaMaxentNetwork } from '../support/eba';

/** Labels from a noisy curved monotone rule on [0, 1]²: not separable, so the penalised optimum is interior. */
function syntheticSamples(count: number, seed: number) {
  const rng = new Rng(seed);
  const x = new Float64Array(2 * count);
  const labels = new Uint8Array(count);
  for (let j = 0; j < count; j++) {
    x[2 * j] = rng.uniform();
    x[2 * j + 1] = rng.uniform();
    const score = x[2 * j]! + 0.6 * x[2 * j + 1]! + 0.8 * x[2 * j]! * x[2 * j + 1]! - 0.9 + 0.25 * rng.normal();
    labels[j] = score > 0 ? 1 : 0;
  }
  return { x, labels };
}

describe('acceptance classifiers', () => {
  it('TensorFlow.js reaches the exact (IRLS) optimum of the penalised logistic losses', async () => {
    await selectLearningBackend('cpu');
    const { x, labels } = syntheticSamples(300, 1);
    for (const kind of ['logistic', 'logistic-interactions', 'interactions-only'] as const) {
      const fitted = await trainAcceptanceClassifier(kind, x, labels, 2, {
        epochs: 600,
        learningRate: 0.1,
        l2: 1e-3,
        seed: 2,
      });
      const { train } = validationSplit(300, 2);
      const trainX = Float64Array.from(train.flatMap((j) => [x[2 * j]!, x[2 * j + 1]!]));
      const trainY = train.map((j) => labels[j]!);
      const exact = fitLogisticIrls(kind, trainX, trainY, 2, 1e-3);
      // the IRLS optimum has zero gradient: check one coordinate by central finite differences
      const optimum = exact.parameters;
      if (optimum.kind !== 'monotone-network') {
        const objectiveAt = (shift: number) => {
          const p = { ...optimum, intercept: optimum.intercept + shift };
          return crossEntropy(
            train.map((_, r) => predictProbability(p, trainX.subarray(2 * r, 2 * r + 2))),
            trainY,
          );
        };
        expect((objectiveAt(1e-5) - objectiveAt(-1e-5)) / 2e-5).toBeCloseTo(0, 5);
      }
      const p = fitted.parameters;
      if (p.kind === 'monotone-network') throw new Error('unexpected kind');
      const tfObjective =
        crossEntropy(
          train.map((_, r) => predictProbability(p, trainX.subarray(2 * r, 2 * r + 2))),
          trainY,
        ) +
        1e-3 * p.coefficients.reduce((sum, c) => sum + c * c, 0);
      expect(tfObjective).toBeGreaterThanOrEqual(exact.objective - 1e-6);
      expect(tfObjective - exact.objective).toBeLessThan(2e-3);
      expect(fitted.trainLoss.at(-1)!).toBeCloseTo(tfObjective, 3);
      expect(fitted.trainLoss.at(-1)!).toBeLessThan(fitted.trainLoss[0]!);
      expect(fitted.validationLoss).toHaveLength(600);
    }
  });

  it('the monotone network keeps non-negative weights and never lowers P(acceptable) when capital rises', async () => {
    await selectLearningBackend('cpu');
    const { x, labels } = syntheticSamples(200, 7);
    const fitted = await trainAcceptanceClassifier('monotone-network', x, labels, 2, {
      epochs: 300,
      learningRate: 0.1,
      l2: 1e-4,
      seed: 3,
    });
    const p = fitted.parameters;
    if (p.kind !== 'monotone-network') throw new Error('unexpected kind');
    expect(p.hiddenWeights.flat().every((w) => w >= 0)).toBe(true);
    expect(p.outputWeights.every((w) => w >= 0)).toBe(true);
    expect(monotonicityViolations(p, 2, 2000, 5)).toBe(0);
    expect(fitted.trainAccuracy).toBeGreaterThan(0.75);
    // reproducible for a seed
    const again = await trainAcceptanceClassifier('monotone-network', x, labels, 2, {
      epochs: 300,
      learningRate: 0.1,
      l2: 1e-4,
      seed: 3,
    });
    expect(again.parameters).toEqual(p);
  });
});

describe('capital study on the EBA 2011 network (acceptance criteria)', () => {
  it('T = 2: the learned boundary agrees with direct Monte Carlo on ≥ 98% of a held-out grid; the cheapest allocation survives 10× the scenarios', async () => {
    const document = ebaMaxentNetwork();
    const config = capitalStudySchema(shockModelSchema).parse({
      tiers: 2,
      shockModel: { kind: 'uniform', maxFraction: 0.1 },
      scenarios: 300,
      samples: 300,
      samplers: ['uniform', 'gibbs'],
      models: ['monotone-network'],
      validationGrid: 20,
      backend: 'cpu',
      seed: 1,
    });
    const results = await runCapitalStudy(document, config);
    const model = results.models[0]!;
    expect(results.backend.name).toBe('cpu');
    // both samplers' networks: 98.0% (uniform) and 98.75% (Gibbs) of the 400 grid points on this build
    for (const fitted of results.models) expect(fitted.gridAgreement).toBeGreaterThanOrEqual(0.98);
    // recompute the agreement on the grid independently of the study's own figure
    const evaluator = new AcceptanceEvaluator(toClearingSystem(document), {
      tiers: 2,
      shockModel: { kind: 'uniform', maxFraction: 0.1 },
      scenarios: 300,
      seed: 1,
    });
    const grid = monteCarloGrid(evaluator, 0.05, 20);
    expect(grid.labels).toEqual(results.grid!.labels);
    expect(gridAgreement(model.parameters as never, grid, 0.05)).toBe(model.gridAgreement);
    // the grid is held out: none of its points is a training sample
    const trained = new Set(results.samplers.flatMap((sampler) => sampler.k.map((k) => k.join(','))));
    expect(grid.k1.some((k1) => grid.k2.some((k2) => trained.has(`${k1},${k2}`)))).toBe(false);
    const efficient = model.efficient!;
    expect(efficient.certified).toBe(true);
    expect(efficient.recheck.scenarios).toBe(3000);
    expect(efficient.recheck.acceptable).toBe(true);
    expect(model.monotonicityViolations).toBe(0);
    // cheaper than the box corner, dearer than nothing
    expect(efficient.cost).toBeGreaterThan(0);
    expect(efficient.cost).toBeLessThan(results.tiers.reduce((sum, tier) => sum + 0.05 * tier.baseTotal, 0));
    expect(results.noCapital.acceptable).toBe(false);
    // the least capital over all candidates is no dearer than the network's, and survives 10× the scenarios too
    expect(results.best!.cost).toBeLessThanOrEqual(efficient.cost);
    expect(results.best!.recheck.acceptable).toBe(true);
    expect(results.best!.recheck.scenarios).toBe(3000);
  });
});
