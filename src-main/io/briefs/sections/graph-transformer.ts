/**
 * The graph-transformer section (run kind `gt-train`): a transformer on the bipartite investor–asset holdings graph
 * that predicts trades (eqs. 21–23) and reconstructs masked holdings (eq. 20), after Coppola et al., "Regulation and
 * AI", §3 (docs/engines/graph-transformer.md). Correlations of predictions with targets, the model's against the plain
 * baseline's, by split, by investor group and by report date, with the dates above the user's stress threshold
 * marked.
 */
import type { BriefTable } from '../../../../src-shared/briefs';
import type { CorrelationPair } from '../../../../src-shared/results/graph-transformer';
import { formatSignificant, keyFigure } from '../../../../src-shared/brief-format';
import { renderChart } from '../charts';
import type { SectionProvider } from './provider';
import { runOfKind } from '../../../../src-shared/domain';
import { learningBackendInWords, learningBackendName } from '../../../../src-shared/format/learning-backend';

const pair = (p: CorrelationPair) =>
  [
    formatSignificant(p.model, 4),
    formatSignificant(p.baseline, 4),
    formatSignificant(p.model - p.baseline, 3),
    p.pairs,
  ] as const;
const PAIR_COLUMNS = [
  { label: 'Model', numeric: true },
  { label: 'Baseline', numeric: true },
  { label: 'Model less baseline', numeric: true },
  { label: 'Pairs', numeric: true },
];

export const graphTransformerSection: SectionProvider = {
  kind: 'gt-train',
  async describe(context) {
    const run = runOfKind(context.run, 'gt-train');
    const m = run.results;
    const tables: BriefTable[] = [
      {
        title: 'Correlation of predictions with the truth, by split',
        columns: [{ label: 'Task', numeric: false }, { label: 'Split', numeric: false }, ...PAIR_COLUMNS],
        rows: (['trade', 'reconstruction'] as const).flatMap((task) =>
          (['train', 'validation'] as const).map((split) => [
            task === 'trade' ? 'Trade prediction' : 'Holdings reconstruction',
            split === 'train' ? 'training dates' : 'validation dates',
            ...pair(m[task][split]),
          ]),
        ),
        note: `Baselines: trades — ${m.baselines.trade}; reconstruction — ${m.baselines.reconstruction}.`,
      },
      {
        title: 'Trade prediction by investor group (validation dates)',
        columns: [{ label: 'Group', numeric: false }, ...PAIR_COLUMNS],
        rows: m.byGroup.map((g) => [g.group, ...pair(g.trade)]),
      },
      {
        title: 'Trade prediction by report date',
        columns: [
          { label: 'Date', numeric: false },
          { label: 'Split', numeric: false },
          { label: 'Stressed', numeric: false },
          ...PAIR_COLUMNS,
        ],
        rows: m.byDate.map((d) => [
          d.date,
          d.split === 'train' ? 'training' : 'validation',
          d.stressed === null ? 'no index' : d.stressed ? 'yes' : 'no',
          ...pair(d.trade),
        ]),
      },
    ];
    const stressed = m.byDate.filter((d) => d.stressed).map((d) => ({ date: d.date }));
    const chart = await renderChart(
      'Trade prediction by report date',
      `Correlation of predicted and true trades per report date, the model against the baseline; dates with the stress index above ${m.stressThreshold ?? '—'} shaded.`,
      {
        width: 420,
        height: 200,
        layer: [
          {
            data: { values: stressed },
            mark: { type: 'rect', color: '#fde2e1' },
            encoding: { x: { field: 'date', type: 'ordinal', title: 'report date' } },
          },
          {
            data: {
              values: m.byDate.flatMap((d) => [
                { date: d.date, value: d.trade.model, series: 'model' },
                { date: d.date, value: d.trade.baseline, series: 'baseline' },
              ]),
            },
            mark: { type: 'line', point: true },
            encoding: {
              x: { field: 'date', type: 'ordinal', title: 'report date' },
              y: { field: 'value', type: 'quantitative', title: 'correlation' },
              color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom' } },
            },
          },
        ],
      },
    );
    const trade = m.trade.validation;
    const batching =
      m.settings.batchInvestors === undefined
        ? 'each step on the whole holdings graph'
        : `each step on a mini-batch of ${m.settings.batchInvestors.toLocaleString('en-US')} investors' subgraph (memory bounded by the batch)`;
    return {
      heading: `Graph transformer — run #${run.id}, ${m.datasetName}`,
      summary:
        `On the ${m.validationDates.length} held-out report date${m.validationDates.length === 1 ? '' : 's'} of ${m.datasetName}, predicted trades correlate with the true ones at ${formatSignificant(trade.model, 4)} against ${formatSignificant(trade.baseline, 4)} for the baseline, ` +
        `over ${trade.pairs.toLocaleString('en-US')} pairs; holdings reconstruction ${formatSignificant(m.reconstruction.validation.model, 4)} against ${formatSignificant(m.reconstruction.validation.baseline, 4)}. One training seed (${m.settings.seed}); no sampling error is reported.`,
      keyFigures: [
        keyFigure('Trade correlation, validation, model', trade.model, '', 4),
        keyFigure('Trade correlation, validation, baseline', trade.baseline, '', 4),
        keyFigure('Reconstruction correlation, validation, model', m.reconstruction.validation.model, '', 4),
        keyFigure('Reconstruction correlation, validation, baseline', m.reconstruction.validation.baseline, '', 4),
        keyFigure('Parameters', m.parameterCount, 'weights', 0),
        keyFigure(
          'Epochs',
          m.epochs,
          'epochs',
          0,
          `best at epoch ${m.bestEpoch}${m.stoppedEarly ? ', stopped early' : ''}`,
        ),
      ],
      scenario: [
        `Holdings: ${m.datasetName}; training dates ${m.trainDates.join(', ')}; validation dates ${m.validationDates.join(', ')}.`,
      ],
      charts: [chart],
      tables,
      method: [
        `A graph transformer with ${m.config.layers} layer(s), width ${m.config.hidden}, ${m.config.heads} head(s) and embeddings of ${m.config.embedding}, trained for ${m.epochs} epochs (${m.trainingSeconds.toFixed(1)} s on ${learningBackendName(m.backend)}); dropout ${m.settings.dropout}, learning rate ${m.settings.learningRate}, weight decay ${m.settings.weightDecay}, κ = ${m.settings.kappa}, ${Math.round(100 * m.settings.maskFraction)}% of positions masked per step; ${batching}.`,
      ],
      provenance: [{ label: 'Training backend', value: learningBackendInWords(m.backend) }],
    };
  },
};
