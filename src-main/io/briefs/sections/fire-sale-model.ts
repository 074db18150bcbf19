/**
 * The fire-sale model section (run kind `idf-train`): the dual neural network (Liquidation Net and Price Net) that
 * learns inverse demand from simulated fire-sale equilibria, after Cao, Chen, Mishra, Amini & Feinstein, "Modeling
 * inverse demand function with explainable dual neural networks" (docs/engines/fire-sales.md): held-out price error against a linear price model, liquidation
 * correlations per asset and per bank (four significant digits), the learned inverse demand against the truth
 * (Figure 2 of the paper), the training curve and, for linear inverse demand, the regression of Table 6.
 */
import type { BriefChart, BriefTable } from '../../../../src-shared/briefs';
import type { CoefficientTest } from '../../../../src-shared/results/fire-sales';
import { formatNumber, formatSignificant, keyFigure } from '../../../../src-shared/brief-format';
import { intervalChart } from '../charts';
import type { SectionProvider } from './provider';
import { runOfKind } from '../../../../src-shared/domain';
import { learningBackendInWords } from '../../../../src-shared/format/learning-backend';

const correlation = (value: number | null) => (value === null ? 'undefined' : formatSignificant(value, 4));

/** Table 6: p̂_m regressed on the scaled liquidations, each coefficient against its true value. */
export function regressionTable(title: string, rows: Array<{ asset: string; test: CoefficientTest }>): BriefTable {
  return {
    title,
    columns: [
      { label: 'Asset', numeric: false },
      { label: 'Coefficient', numeric: false },
      { label: 'Estimate ± s.e.', numeric: false },
      { label: 'True value', numeric: false },
      { label: 't against the truth', numeric: true, digits: 3 },
      { label: 'p against the truth', numeric: true, digits: 4 },
      { label: '95% interval', numeric: false },
      { label: 'Truth inside', numeric: false },
    ],
    rows: rows.map(({ asset, test }) => [
      asset,
      test.name,
      `${formatSignificant(test.estimate, 4)} ± ${formatSignificant(test.standardError, 3)}`,
      formatSignificant(test.trueValue, 4),
      test.tTrue,
      test.pTrue,
      `${formatSignificant(test.low, 4)} – ${formatSignificant(test.high, 4)}`,
      test.trueInside ? 'yes' : 'no',
    ]),
    note: 'Standard errors include the variance from calibrating the scaling (bootstrap over the calibration scenarios).',
  };
}

/** The learned inverse demand against the true one, per asset (the paper's Figure 2). */
export function inverseDemandChart(
  title: string,
  curves: Array<{ name: string; points: Array<{ liquidation: number; truePrice: number; predictedPrice: number }> }>,
): Promise<BriefChart> {
  return intervalChart(
    title,
    'Price against the scaled liquidation ℓ*: the learned inverse demand and the true one on the same grid, per asset.',
    curves.flatMap(({ name, points }) =>
      points.flatMap((p) => [
        {
          x: p.liquidation,
          mean: p.predictedPrice,
          low: p.predictedPrice,
          high: p.predictedPrice,
          series: `${name}, learned`,
        },
        { x: p.liquidation, mean: p.truePrice, low: p.truePrice, high: p.truePrice, series: `${name}, true` },
      ]),
    ),
    { x: 'scaled liquidation ℓ* (units of the asset)', y: 'price' },
  );
}

export const fireSaleModelSection: SectionProvider = {
  kind: 'idf-train',
  async describe(context) {
    const run = runOfKind(context.run, 'idf-train');
    const r = run.results;
    const m = r.metrics;
    const assets = m.liquidationCorrelation.map((_, i) => `Asset ${i + 1}`);
    const ratio = m.mseLinearPriceModel > 0 ? m.mseProposed / m.mseLinearPriceModel : undefined;
    const tables: BriefTable[] = [
      {
        title: 'Liquidations learned against the truth (test rows)',
        columns: [
          { label: 'Asset', numeric: false },
          { label: 'Correlation of learned and true liquidation', numeric: false },
        ],
        rows: m.liquidationCorrelation.map((c, i) => [assets[i]!, correlation(c)]),
      },
      {
        title: 'Fractions sold by each bank, learned against the truth',
        columns: [
          { label: 'Bank', numeric: false },
          { label: 'Correlation (mean over assets)', numeric: false },
        ],
        rows: m.bankCorrelation.map((c, i) => [`Bank ${i + 1}`, correlation(c)]),
      },
    ];
    if (m.regression)
      tables.push(
        regressionTable(
          'Regression of the learned prices on the scaled liquidations (Table 6)',
          m.regression.flatMap((tests, i) => tests.map((test) => ({ asset: assets[i]!, test }))),
        ),
      );
    const charts = [
      await inverseDemandChart(
        'Learned inverse demand against the truth',
        m.curves.map((points, i) => ({ name: assets[i]!, points })),
      ),
      await intervalChart(
        'Training curve',
        `Training and validation loss by epoch; ${r.epochs} epochs (${r.stoppedBy}).`,
        r.curve.flatMap((p) => [
          { x: p.epoch, mean: p.trainLoss, low: p.trainLoss, high: p.trainLoss, series: 'training' },
          { x: p.epoch, mean: p.validationLoss, low: p.validationLoss, high: p.validationLoss, series: 'validation' },
        ]),
        { x: 'epoch', y: 'loss (mean squared error)' },
      ),
    ];
    return {
      heading: `Fire-sale model (dual network) — run #${run.id}, ${r.system}`,
      summary:
        `Trained on ${r.samples.toLocaleString('en-US')} simulated fire sales of ${r.system}, the dual network predicts prices on ${m.testRows} held-out rows with a mean squared error of ${formatSignificant(m.mseProposed, 4)}` +
        `${ratio !== undefined ? `, ${formatNumber(ratio, 2)} times that of a linear price model (${formatSignificant(m.mseLinearPriceModel, 4)})` : ''}; the learned liquidations correlate with the true ones at ${m.liquidationCorrelation.map(correlation).join(', ')} by asset. ` +
        `These are measured once, on one training seed (${r.seed}) and ${m.testRows} test rows; no sampling error is reported.`,
      keyFigures: [
        keyFigure('Test price error, dual network', m.mseProposed, 'mean squared error', 6),
        keyFigure('Test price error, linear price model', m.mseLinearPriceModel, 'mean squared error', 6),
        ...(r.mseInclusive !== null
          ? [keyFigure('Test price error, inclusive model', r.mseInclusive, 'mean squared error', 6)]
          : []),
        keyFigure('Test rows', m.testRows, 'rows', 0),
        keyFigure('Epochs trained', r.epochs, 'epochs', 0, r.stoppedBy),
      ],
      scenario: [
        `System: ${r.system}; ${r.samples.toLocaleString('en-US')} simulated equilibria, seed ${r.seed}; the scaling ℓ* = Dℓ̂ + e calibrated at ${m.calibrationScenarios} scenarios.`,
      ],
      charts,
      tables,
      method: [
        'The Liquidation Net maps each bank’s shock to the fraction it sells; the Price Net maps the scaled liquidation ℓ* of each asset to its price, increasing and bounded; both are trained together on the equilibrium prices (docs/engines/fire-sales.md).',
      ],
      provenance: [
        { label: 'Training backend', value: learningBackendInWords({ name: r.backend, detail: r.backendDetail }) },
      ],
    };
  },
};
