/**
 * Evaluation of a trained dual network on its held-out rows, as in §4 of the dual-network paper: price MSE of
 * the Proposed Model and of the Linear Price Model (Table 2/4), correlation of predicted and true liquidations
 * (Tables 3/5), the linear scaling of eq. (4), the regression of p̂ on the scaled liquidations with tests against
 * the true coefficients and against zero (Tables 6/7), and Figure 2's predicted and true inverse demand curves.
 */
import type { CoefficientTest, CurvePoint, DualNetworkMetrics } from '../../src-shared/results/fire-sales';
import { EngineInputError } from '../engines/errors';
import { priceOf, type SimulatedData, type SimulationSpec } from '../engines/fire-sales';
import {
  applyLinearPriceModel,
  cornerScaling,
  fitLinearPriceModel,
  predictPriceFromLiquidations,
  predictRows,
  priceMse,
  scaleLiquidation,
  unscaleLiquidation,
  type TrainedDualNetwork,
} from './dual-network';
import { olsWithInference, pearson, tCritical, testCoefficient } from './statistics';

const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

function column(values: Float64Array, width: number, j: number): Float64Array {
  return values.filter((_, k) => k % width === j);
}

function gather(values: Float64Array, width: number, indices: number[]): Float64Array {
  const out = new Float64Array(indices.length * width);
  indices.forEach((sample, row) => out.set(values.subarray(sample * width, (sample + 1) * width), row * width));
  return out;
}

const CURVE_POINTS = 41;
const SCATTER_ROWS = 200;

export function evaluateDualNetwork(spec: SimulationSpec, data: SimulatedData, trained: TrainedDualNetwork): DualNetworkMetrics {
  const { nAssets, nBanks } = data;
  const { model, trainIndices, testIndices } = trained;
  const train = predictRows(model, data.shocks, trainIndices);
  const test = predictRows(model, data.shocks, testIndices);
  const truePrices = gather(data.prices, nAssets, testIndices);
  const trueLiquidations = gather(data.liquidations, nAssets, testIndices);
  const trueFractions = gather(data.fractions, nBanks, testIndices);
  const linear = fitLinearPriceModel(train.liquidations, train.prices, nAssets);
  const scaling = cornerScaling(model, spec.shockLow, spec.shockHigh, data.liquidationAtMinShock, data.liquidationAtMaxShock);
  const scaled = test.liquidations.map((value, k) => scaleLiquidation(scaling, k % nAssets, value));

  const learnedBankFraction = (row: number, n: number) => {
    let sum = 0;
    for (let m = 0; m < nAssets; m++) sum += test.fractions[(row * nBanks + n) * nAssets + m]!;
    return sum / nAssets;
  };
  const bankCorrelation = Array.from({ length: nBanks }, (_, n) =>
    finiteOrNull(pearson(Array.from(testIndices, (_, row) => learnedBankFraction(row, n)), column(trueFractions, nBanks, n))),
  );

  const curves = Array.from({ length: nAssets }, (_, asset) => {
    const points: CurvePoint[] = [];
    const low = scaling.trueLow[asset]!;
    const high = scaling.trueHigh[asset]!;
    for (let k = 0; k < CURVE_POINTS; k++) {
      const liquidation = low + ((high - low) * k) / (CURVE_POINTS - 1);
      const trueInput = scaling.trueLow.slice();
      trueInput[asset] = liquidation;
      const predictedInput = trueInput.map((value, m) => unscaleLiquidation(scaling, m, value));
      points.push({
        liquidation,
        truePrice: priceOf(spec.system.inverseDemand, trueInput)[asset]!,
        predictedPrice: predictPriceFromLiquidations(model, predictedInput)[asset]!,
      });
    }
    return points;
  });

  const scatter = testIndices.slice(0, SCATTER_ROWS).map((_, row) => ({
    scaled: Array.from(scaled.subarray(row * nAssets, (row + 1) * nAssets)),
    truth: Array.from(trueLiquidations.subarray(row * nAssets, (row + 1) * nAssets)),
    fractions: Array.from({ length: nBanks }, (_, n) => learnedBankFraction(row, n)),
    trueFractions: Array.from(trueFractions.subarray(row * nBanks, (row + 1) * nBanks)),
  }));

  return {
    mseProposed: priceMse(test.prices, truePrices, nAssets),
    mseLinearPriceModel: priceMse(applyLinearPriceModel(linear, test.liquidations, nAssets), truePrices, nAssets),
    liquidationCorrelation: Array.from({ length: nAssets }, (_, m) => finiteOrNull(pearson(column(test.liquidations, nAssets, m), column(trueLiquidations, nAssets, m)))),
    bankCorrelation,
    curves,
    scatter,
    regression: spec.system.inverseDemand.form === 'linear' ? regressionOrNull(spec, test.prices, scaled, nAssets) : null,
    testRows: testIndices.length,
  };
}

/** The regression, or null when the scaled liquidations are collinear (e.g. an asset nobody sold). */
function regressionOrNull(spec: SimulationSpec, predictedPrices: Float64Array, scaled: Float64Array, nAssets: number): CoefficientTest[][] | null {
  try {
    return regressionTables(spec, predictedPrices, scaled, nAssets);
  } catch (error) {
    if (error instanceof EngineInputError) return null;
    throw error;
  }
}

/**
 * Tables 6–7: for each asset m, p̂_m = c + Σ_k b_k ℓ*_k by OLS on the test rows; the truth is c = 1, b_k = −B_mk
 * (linear inverse demand), tested with two-sided t-tests, with 95% intervals.
 */
export function regressionTables(spec: SimulationSpec, predictedPrices: Float64Array, scaled: Float64Array, nAssets: number): CoefficientTest[][] {
  const nRows = predictedPrices.length / nAssets;
  const design = Array.from({ length: nRows }, (_, r) => Array.from(scaled.subarray(r * nAssets, (r + 1) * nAssets)));
  return Array.from({ length: nAssets }, (_, m) => {
    const fit = olsWithInference(design, Array.from({ length: nRows }, (_, r) => predictedPrices[r * nAssets + m]!));
    const critical = tCritical(0.95, fit.degreesOfFreedom);
    const terms = [
      ...fit.slopes.map((term, k) => ({ name: `scaled liquidation of ${spec.system.assetIds[k]}`, term, truth: -spec.system.inverseDemand.impact[m * nAssets + k]! })),
      { name: 'intercept', term: fit.intercept, truth: 1 },
    ];
    return terms.map(({ name, term, truth }) => {
      const vsTruth = testCoefficient(term, truth, fit.degreesOfFreedom);
      const vsZero = testCoefficient(term, 0, fit.degreesOfFreedom);
      const low = term.estimate - critical * term.standardError;
      const high = term.estimate + critical * term.standardError;
      return {
        name,
        estimate: term.estimate,
        standardError: term.standardError,
        trueValue: truth,
        tTrue: vsTruth.t,
        pTrue: vsTruth.p,
        tZero: vsZero.t,
        pZero: vsZero.p,
        low,
        high,
        trueInside: truth >= low && truth <= high,
      };
    });
  });
}
