import { describe, expect, it } from 'vitest';
import { diagnoseTraining } from '../../src-shared/results/dual-network-diagnosis';
import type { DualNetworkRunResults } from '../../src-shared/results/fire-sales';

/** A run that learned: falling validation loss, correlations near 1, fractions in [0, 1], beats the linear model. */
function learned(): DualNetworkRunResults {
  return {
    metrics: {
      mseProposed: 1e-4,
      mseLinearPriceModel: 5e-4,
      liquidationCorrelation: [0.98, 0.95],
      bankCorrelation: [0.9],
      curves: [[{ liquidation: 0, truePrice: 1, predictedPrice: 0.99 }]],
      scatter: [{ scaled: [0.1, 0.2], truth: [0.1, 0.2], fractions: [0.2, 0.5], trueFractions: [0.2, 0.5] }],
      regression: null,
      testRows: 60,
      calibrationScenarios: 5,
    },
    mseInclusive: null,
    curve: [10, 5, 2, 1.5, 1.4].map((v, k) => ({ epoch: (k + 1) * 10, trainLoss: v, validationLoss: v * 1.1 })),
    epochs: 50,
    stoppedBy: 'max epochs',
    backend: 'cpu',
    backendDetail: '',
    modelId: null,
    system: 'test',
    samples: 300,
    seed: 1,
  };
}

describe('diagnoseTraining', () => {
  it('finds nothing wrong with a run that learned', () => {
    expect(diagnoseTraining(learned())).toEqual([]);
  });

  it('names the epoch where the validation loss was least when it rose afterwards', () => {
    const run = learned();
    run.curve = [3, 1, 0.6, 0.9, 1.2].map((v, k) => ({ epoch: (k + 1) * 10, trainLoss: v, validationLoss: v }));
    const [finding] = diagnoseTraining(run);
    expect(finding!.problem).toContain('rose from 0.600 at epoch 30 to 1.20 at epoch 50');
    expect(finding!.suggestion).toContain('about 30 epochs');
  });

  it('reports flat and negative correlations, negative fractions sold and a loss to the linear model, each with a remedy', () => {
    const run = learned();
    run.metrics.liquidationCorrelation = [-9.33e-15, null, 0.97];
    run.metrics.mseLinearPriceModel = 0.48631;
    run.metrics.scatter = [{ scaled: [], truth: [], fractions: [-0.4, -0.005], trueFractions: [0.1, 0.3] }];
    run.metrics.mseProposed = 0.48634;
    const findings = diagnoseTraining(run);
    expect(findings).toHaveLength(3);
    expect(findings[0]!.problem).toContain('2 of 3 asset(s)');
    expect(findings[0]!.problem).toContain('asset 2: undefined (constant)');
    expect(findings[1]!.problem).toContain('1 of 2 bank-scenario pairs, down to -0.400');
    expect(findings[2]!.problem).toContain(
      "error 0.48634 is above the Linear Price Model's 0.48631: the network does no better than a straight line",
    );
    for (const f of findings) expect(f.suggestion.length).toBeGreaterThan(20);
  });

  it("says the price error equals the linear model's when they agree to six digits", () => {
    const run = learned();
    run.metrics.mseLinearPriceModel = 0.486280481;
    run.metrics.mseProposed = 0.486280484;
    expect(diagnoseTraining(run)[0]!.problem).toBe(
      "The test price error 0.486 equals the Linear Price Model's: the network does no better than a straight line.",
    );
  });

  it('says so when the learned inverse demand has nothing to draw', () => {
    const run = learned();
    run.metrics.curves = [[{ liquidation: 0, truePrice: 1, predictedPrice: Number.NaN }]];
    expect(diagnoseTraining(run).map((f) => f.problem)).toEqual([
      'The learned inverse demand has no point to draw (no finite predicted price).',
    ]);
  });
});
