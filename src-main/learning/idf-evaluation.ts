/**
 * Evaluation of a trained dual network on its held-out rows, as in §4 of the dual-network paper: price MSE of
 * the Proposed Model and of the Linear Price Model (Table 2/4), correlation of predicted and true liquidations
 * (Tables 3/5), the linear scaling of eq. (4) fitted at calibration scenarios, the regression of p̂ on the scaled
 * liquidations with tests against the true coefficients and against zero (Tables 6/7), and Figure 2's predicted
 * and true inverse demand curves.
 *
 * The scaled liquidations are generated regressors: their scaling is itself estimated from K calibration
 * scenarios. The regression's standard errors therefore add to the OLS variance (given the scaling) the variance
 * of the estimates over B bootstrap resamples of the calibration scenarios, Var = SE²_OLS + Var_boot (the
 * two-step correction of Murphy & Topel 1985, by resampling), with min(n − k, K − M − 1) degrees of freedom.
 */
import type { CoefficientTest, CurvePoint, DualNetworkMetrics } from '../../src-shared/results/fire-sales';
import { EngineInputError } from '../engines/errors';
import { priceOf, type CalibrationScenarios, type SimulatedData, type SimulationSpec } from '../engines/fire-sales';
import { Rng } from '../engines/random';
import {
  applyAffineMap,
  fitLinearPriceModel,
  fitLiquidationScaling,
  predictPriceFromLiquidations,
  predictRows,
  priceMse,
  type AffineMap,
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

export function evaluateDualNetwork(
  spec: SimulationSpec,
  data: SimulatedData,
  trained: TrainedDualNetwork,
): DualNetworkMetrics {
  const { nAssets, nBanks } = data;
  const { model, trainIndices, testIndices } = trained;
  const train = predictRows(model, data.shocks, trainIndices);
  const test = predictRows(model, data.shocks, testIndices);
  const truePrices = gather(data.prices, nAssets, testIndices);
  const trueLiquidations = gather(data.liquidations, nAssets, testIndices);
  const trueFractions = gather(data.fractions, nBanks, testIndices);
  const linear = fitLinearPriceModel(train.liquidations, train.prices, nAssets);
  const calibration = calibrationOf(model, data.calibration);
  const scaling = fitLiquidationScaling(calibration.predicted, calibration.truth, nAssets);
  const scaled = applyAffineMap(scaling, test.liquidations);

  const learnedBankFraction = (row: number, n: number) => {
    let sum = 0;
    for (let m = 0; m < nAssets; m++) sum += test.fractions[(row * nBanks + n) * nAssets + m]!;
    return sum / nAssets;
  };
  const bankCorrelation = Array.from({ length: nBanks }, (_, n) =>
    finiteOrNull(
      pearson(
        Array.from(testIndices, (_, row) => learnedBankFraction(row, n)),
        column(trueFractions, nBanks, n),
      ),
    ),
  );

  const curves = inverseDemandCurves(spec, model, scaling, calibration);

  const scatter = testIndices.slice(0, SCATTER_ROWS).map((_, row) => ({
    scaled: Array.from(scaled.subarray(row * nAssets, (row + 1) * nAssets)),
    truth: Array.from(trueLiquidations.subarray(row * nAssets, (row + 1) * nAssets)),
    fractions: Array.from({ length: nBanks }, (_, n) => learnedBankFraction(row, n)),
    trueFractions: Array.from(trueFractions.subarray(row * nBanks, (row + 1) * nBanks)),
  }));

  return {
    mseProposed: priceMse(test.prices, truePrices, nAssets),
    mseLinearPriceModel: priceMse(applyAffineMap(linear, test.liquidations), truePrices, nAssets),
    liquidationCorrelation: Array.from({ length: nAssets }, (_, m) =>
      finiteOrNull(pearson(column(test.liquidations, nAssets, m), column(trueLiquidations, nAssets, m))),
    ),
    bankCorrelation,
    curves,
    scatter,
    regression:
      spec.system.inverseDemand.form === 'linear'
        ? regressionOrNull(spec, test.prices, test.liquidations, calibration, trained.model.nAssets)
        : null,
    testRows: testIndices.length,
    calibrationScenarios: data.calibration.count,
  };
}

/** ℓ̂ of the network at the calibration scenarios next to the true ℓ there (both count × M). */
export interface ScalingCalibration {
  predicted: Float64Array;
  truth: Float64Array;
}

function calibrationOf(model: TrainedDualNetwork['model'], scenarios: CalibrationScenarios): ScalingCalibration {
  const predicted = predictRows(
    model,
    scenarios.shocks,
    Array.from({ length: scenarios.count }, (_, k) => k),
  ).liquidations;
  return { predicted, truth: scenarios.liquidations };
}

/**
 * Figure 2: per asset m, ℓ̂_m swept over its range at the calibration scenarios with the other assets at their least;
 * the learned price p̂_m(ℓ̂) and the true Φ_m(ℓ*) against ℓ*_m, where ℓ* = Dℓ̂ + e (only the forward map is used, so
 * learned liquidations spanning fewer dimensions than the assets still give curves). Empty for an asset nobody sold.
 */
function inverseDemandCurves(
  spec: SimulationSpec,
  model: TrainedDualNetwork['model'],
  scaling: AffineMap,
  calibration: ScalingCalibration,
): CurvePoint[][] {
  const nAssets = model.nAssets;
  const least = Array.from({ length: nAssets }, (_, m) => Math.min(...column(calibration.predicted, nAssets, m)));
  const most = Array.from({ length: nAssets }, (_, m) => Math.max(...column(calibration.predicted, nAssets, m)));
  return Array.from({ length: nAssets }, (_, asset) => {
    if (!(most[asset]! > least[asset]!)) return [];
    return Array.from({ length: CURVE_POINTS }, (_, k) => {
      const predicted = least.slice();
      predicted[asset] = least[asset]! + ((most[asset]! - least[asset]!) * k) / (CURVE_POINTS - 1);
      const scaled = applyAffineMap(scaling, predicted);
      return {
        liquidation: scaled[asset]!,
        truePrice: priceOf(spec.system.inverseDemand, scaled)[asset]!,
        predictedPrice: predictPriceFromLiquidations(model, predicted)[asset]!,
      };
    });
  });
}

/** The regression, or null when the scaled liquidations are collinear (e.g. an asset nobody sold). */
function regressionOrNull(
  spec: SimulationSpec,
  predictedPrices: Float64Array,
  predictedLiquidations: Float64Array,
  calibration: ScalingCalibration,
  nAssets: number,
): CoefficientTest[][] | null {
  try {
    return regressionTables(spec, predictedPrices, predictedLiquidations, calibration, nAssets);
  } catch (error) {
    if (error instanceof EngineInputError) return null;
    throw error;
  }
}

/** Bootstrap resamples of the calibration scenarios behind the regression's standard errors. */
export const BOOTSTRAP_RESAMPLES = 200;

/** Per asset m, the OLS of p̂_m on the scaled liquidations ℓ* = D ℓ̂ + e over the test rows. */
function scaledRegressions(
  predictedPrices: Float64Array,
  predictedLiquidations: Float64Array,
  scaling: AffineMap,
  nAssets: number,
) {
  const scaled = applyAffineMap(scaling, predictedLiquidations);
  const nRows = predictedPrices.length / nAssets;
  const design = Array.from({ length: nRows }, (_, r) => Array.from(scaled.subarray(r * nAssets, (r + 1) * nAssets)));
  return Array.from({ length: nAssets }, (_, m) =>
    olsWithInference(
      design,
      Array.from({ length: nRows }, (_, r) => predictedPrices[r * nAssets + m]!),
    ),
  );
}

/**
 * Tables 6–7: for each asset m, p̂_m = c + Σ_k b_k ℓ*_k by OLS on the test rows; the truth is c = 1, b_k = −B_mk
 * (linear inverse demand), tested with two-sided t-tests, with 95% intervals. Standard errors include the
 * calibration's bootstrap variance (see the module comment); `olsStandardError` is the part given the scaling.
 */
export function regressionTables(
  spec: SimulationSpec,
  predictedPrices: Float64Array,
  predictedLiquidations: Float64Array,
  calibration: ScalingCalibration,
  nAssets: number,
  resamples = BOOTSTRAP_RESAMPLES,
): CoefficientTest[][] {
  const count = calibration.truth.length / nAssets;
  const fits = scaledRegressions(
    predictedPrices,
    predictedLiquidations,
    fitLiquidationScaling(calibration.predicted, calibration.truth, nAssets),
    nAssets,
  );
  // Bootstrap: resample the calibration scenarios, refit the scaling, redo the regressions.
  const rng = new Rng(count, 13);
  const sums = fits.map((fit) => new Float64Array(fit.slopes.length + 1));
  const squares = fits.map((fit) => new Float64Array(fit.slopes.length + 1));
  let kept = 0;
  const predicted = new Float64Array(calibration.predicted.length);
  const truth = new Float64Array(calibration.truth.length);
  for (let b = 0; b < resamples; b++) {
    for (let k = 0; k < count; k++) {
      const pick = Math.floor(rng.uniform() * count);
      predicted.set(calibration.predicted.subarray(pick * nAssets, (pick + 1) * nAssets), k * nAssets);
      truth.set(calibration.truth.subarray(pick * nAssets, (pick + 1) * nAssets), k * nAssets);
    }
    let again: ReturnType<typeof scaledRegressions>;
    try {
      again = scaledRegressions(
        predictedPrices,
        predictedLiquidations,
        fitLiquidationScaling(predicted, truth, nAssets),
        nAssets,
      );
    } catch (error) {
      if (error instanceof EngineInputError) continue; // a degenerate resample
      throw error;
    }
    kept++;
    again.forEach((fit, m) =>
      [...fit.slopes, fit.intercept].forEach((term, j) => {
        sums[m]![j]! += term.estimate;
        squares[m]![j]! += term.estimate ** 2;
      }),
    );
  }
  const bootstrapVariance = (m: number, j: number) =>
    kept > 1 ? Math.max(0, (squares[m]![j]! - sums[m]![j]! ** 2 / kept) / (kept - 1)) : 0;
  return fits.map((fit, m) => {
    const degreesOfFreedom = Math.max(1, Math.min(fit.degreesOfFreedom, count - nAssets - 1));
    const critical = tCritical(0.95, degreesOfFreedom);
    const terms = [
      ...fit.slopes.map((term, k) => ({
        name: `scaled liquidation of ${spec.system.assetIds[k]}`,
        term,
        truth: -spec.system.inverseDemand.impact[m * nAssets + k]!,
      })),
      { name: 'intercept', term: fit.intercept, truth: 1 },
    ];
    return terms.map(({ name, term, truth: trueValue }, j) => {
      const combined = {
        estimate: term.estimate,
        standardError: Math.sqrt(term.standardError ** 2 + bootstrapVariance(m, j)),
      };
      const vsTruth = testCoefficient(combined, trueValue, degreesOfFreedom);
      const vsZero = testCoefficient(combined, 0, degreesOfFreedom);
      const low = term.estimate - critical * combined.standardError;
      const high = term.estimate + critical * combined.standardError;
      return {
        name,
        estimate: term.estimate,
        standardError: combined.standardError,
        olsStandardError: term.standardError,
        trueValue,
        tTrue: vsTruth.t,
        pTrue: vsTruth.p,
        tZero: vsZero.t,
        pZero: vsZero.p,
        low,
        high,
        trueInside: trueValue >= low && trueValue <= high,
      };
    });
  });
}
