import { beforeAll, describe, expect, it } from 'vitest';
import { caseStudy1, caseStudy2, simulateData } from '../../src-main/engines/fire-sales';
import { Rng } from '../../src-main/engines/random';
import { selectLearningBackend } from '../../src-main/learning/backend';
import {
  DEFAULT_TRAINING,
  predictRows,
  priceMse,
  scaleLiquidation,
  splitSamples,
  trainDualNetwork,
  TrainingCancelled,
  unscaleLiquidation,
  type DualNetworkData,
  type TrainedDualNetwork,
} from '../../src-main/learning/dual-network';
import { evaluateDualNetwork, regressionTables } from '../../src-main/learning/idf-evaluation';
import { olsWithInference, pearson, tCritical, twoSidedPValue } from '../../src-main/learning/statistics';

describe('statistics of Tables 3, 6 and 7', () => {
  it('OLS matches the closed form of simple regression, with its standard error', () => {
    const x = [1, 2, 3, 4, 5, 6];
    const y = [2.1, 3.9, 6.2, 7.8, 10.1, 12.2];
    const fit = olsWithInference(x.map((v) => [v]), y);
    const mx = 3.5;
    const my = y.reduce((a, b) => a + b) / 6;
    const sxx = x.reduce((s, v) => s + (v - mx) ** 2, 0);
    const slope = x.reduce((s, v, i) => s + (v - mx) * (y[i]! - my), 0) / sxx;
    const intercept = my - slope * mx;
    const rss = x.reduce((s, v, i) => s + (y[i]! - intercept - slope * v) ** 2, 0);
    expect(fit.slopes[0]!.estimate).toBeCloseTo(slope, 12);
    expect(fit.intercept.estimate).toBeCloseTo(intercept, 12);
    expect(fit.slopes[0]!.standardError).toBeCloseTo(Math.sqrt(rss / 4 / sxx), 12);
    expect(fit.degreesOfFreedom).toBe(4);
  });

  it('Student-t p-values and quantiles agree with tables', () => {
    expect(twoSidedPValue(2.228, 10)).toBeCloseTo(0.05, 3);
    expect(twoSidedPValue(1.96, 1e6)).toBeCloseTo(0.05, 3);
    expect(tCritical(0.95, 10)).toBeCloseTo(2.228, 3);
    expect(pearson([1, 2, 3], [2, 4, 6.0])).toBeCloseTo(1, 15);
  });

  it('recovers known cross-impact coefficients with the truth inside the 95% intervals', () => {
    const rng = new Rng(3);
    const n = 400;
    const scaled = new Float64Array(2 * n);
    const prices = new Float64Array(2 * n);
    for (let r = 0; r < n; r++) {
      const [l1, l2] = [rng.uniform(), rng.uniform()];
      scaled.set([l1, l2], 2 * r);
      prices.set([1 - 0.15 * l1 - 0.015 * l2 + 0.002 * rng.normal(), 1 - 0.015 * l1 - 0.15 * l2 + 0.002 * rng.normal()], 2 * r);
    }
    const [asset1] = regressionTables(caseStudy2(true), prices, scaled, 2);
    expect(asset1!.map((t) => t.trueValue)).toEqual([-0.15, -0.015, 1]);
    for (const term of asset1!) {
      expect(term.trueInside).toBe(true);
      expect(Math.abs(term.tZero)).toBeGreaterThan(5);
    }
  });
});

describe('eq. (4) linear scaling', () => {
  it('maps the predicted extremes onto the balance-sheet extremes and inverts', () => {
    const scaling = { predictedLow: [0.3], predictedHigh: [1.1], trueLow: [0], trueHigh: [2] };
    expect(scaleLiquidation(scaling, 0, 0.3)).toBe(0);
    expect(scaleLiquidation(scaling, 0, 1.1)).toBeCloseTo(2, 15);
    expect(unscaleLiquidation(scaling, 0, scaleLiquidation(scaling, 0, 0.77))).toBeCloseTo(0.77, 15);
  });
});

describe('dual network (TensorFlow.js, WebAssembly backend)', () => {
  const spec = caseStudy1('linear');
  const simulated = simulateData(spec, 400, 11);
  const data: DualNetworkData = { nSamples: 400, nBanks: 2, nAssets: 1, shocks: simulated.shocks, prices: simulated.prices, holdings: spec.system.holdings };
  let trained: TrainedDualNetwork;

  beforeAll(async () => {
    await selectLearningBackend('wasm');
    trained = await trainDualNetwork(data, { ...DEFAULT_TRAINING, maxEpochs: 600, hidden: 16, seed: 5, restarts: 0 }, 0.2);
  }, 60_000);

  it('the plain-array evaluation reproduces the TensorFlow.js validation loss of the kept weights', () => {
    // The validation rows are the second split of the training part, as inside trainDualNetwork.
    const inner = splitSamples(trained.trainIndices.length, DEFAULT_TRAINING.validationFraction, 6);
    const validation = inner.test.map((i) => trained.trainIndices[i]!);
    const predicted = predictRows(trained.model, data.shocks, validation).prices;
    const truth = Float64Array.from(validation, (s) => data.prices[s]!);
    expect(priceMse(predicted, truth, 1)).toBeCloseTo(trained.bestValidationLoss, 6);
    expect(trained.curve.length).toBeGreaterThan(10);
  });

  it('keeps every weight non-negative, so the price is non-increasing in each shock', () => {
    for (const layer of [...trained.model.liquidationNet, ...trained.model.priceNet]) expect(Math.min(...layer.kernel)).toBeGreaterThanOrEqual(0);
    const grid = Array.from({ length: 11 }, (_, k) => 0.6 + 0.025 * k);
    const shocks = Float64Array.from(grid.flatMap((a) => grid.flatMap((b) => [a, b])));
    const prices = predictRows(trained.model, shocks, Array.from({ length: grid.length ** 2 }, (_, i) => i)).prices;
    for (let a = 0; a < grid.length; a++) {
      for (let b = 0; b < grid.length; b++) {
        if (a + 1 < grid.length) expect(prices[(a + 1) * grid.length + b]!).toBeLessThanOrEqual(prices[a * grid.length + b]! + 1e-12);
        if (b + 1 < grid.length) expect(prices[a * grid.length + b + 1]!).toBeLessThanOrEqual(prices[a * grid.length + b]! + 1e-12);
      }
    }
  });

  it('learns prices from shocks alone and recovers the hidden liquidations (short training)', () => {
    const metrics = evaluateDualNetwork(spec, simulated, trained);
    const testPrices = trained.testIndices.map((s) => data.prices[s]!);
    const mean = testPrices.reduce((a, b) => a + b) / testPrices.length;
    const variance = testPrices.reduce((a, b) => a + (b - mean) ** 2, 0) / testPrices.length;
    expect(metrics.mseProposed).toBeLessThan(0.01 * variance);
    expect(metrics.liquidationCorrelation[0]!).toBeGreaterThan(0.97);
    // eq. (4) anchors: the learned curve starts at the no-sale price and ends at the full-sale price.
    expect(metrics.curves[0]![0]!.liquidation).toBe(0);
    expect(metrics.curves[0]!.at(-1)!.liquidation).toBe(2);
    expect(metrics.curves[0]![0]!.predictedPrice).toBeCloseTo(1, 1);
  });

  it('stops early when validation stops improving, and cancels on an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(trainDualNetwork(data, { ...DEFAULT_TRAINING, maxEpochs: 50 }, 0.2, { signal: controller.signal })).rejects.toBeInstanceOf(TrainingCancelled);
    const early = await trainDualNetwork(data, { ...DEFAULT_TRAINING, maxEpochs: 100_000, learningRate: 0, patience: 5, hidden: 4 }, 0.2);
    expect(early.stoppedBy).toBe('early-stopping');
    // Nothing improves after the first evaluation: the rate is halved 8 times, 5 epochs apart, then training stops.
    expect(early.epochs).toBeLessThanOrEqual(5 * 9 + 5);
  });
});
