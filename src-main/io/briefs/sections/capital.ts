/**
 * The capital-allocation section (docs/engines/capital-allocation.md): the tiers by total assets, the criterion,
 * the least capital found and certified by Monte Carlo, each classifier's cheapest certified allocation, the
 * T = 2 decision boundary with the samples (the paper's Figure 2), loss curves (Figure 1) and timing (Table 3).
 */
import type { BriefChart, BriefTable } from '../../../../src-shared/briefs';
import { formatNumber, formatPercent, keyFigure, withoutEmptyColumns } from '../../../../src-shared/brief-format';
import {
  CAPITAL_BASE_LABELS,
  CAPITAL_MODEL_COLORS as MODEL_COLORS,
  CAPITAL_MODEL_LABELS as MODEL_NAMES,
  describeBoundary,
  type CapitalRunResults,
} from '../../../../src-shared/results/capital';
import { renderChart } from '../charts';
import type { SectionProvider } from './provider';
import { runOfKind } from '../../../../src-shared/domain';
import { learningBackendInWords } from '../../../../src-shared/format/learning-backend';

const kText = (k: number[]) => `(${k.map((v) => formatPercent(v, 2)).join(', ')})`;

async function boundaryChart(r: CapitalRunResults): Promise<BriefChart | undefined> {
  const samples = r.samplers.find((s) => s.sampler === 'gibbs') ?? r.samplers[0];
  if (r.tiers.length !== 2 || !samples) return undefined;
  const boundaries = r.models.filter((m) => m.sampler === samples.sampler && m.boundary);
  const series = [
    'acceptable sample',
    'not acceptable sample',
    ...boundaries.map((m) => `boundary: ${MODEL_NAMES[m.model]}`),
  ];
  const colors = ['#17803d', '#b42318', ...boundaries.map((m) => MODEL_COLORS[m.model])];
  const points = [
    ...samples.k.map((k, j) => ({
      k1: 100 * k[0]!,
      k2: 100 * k[1]!,
      series: samples.labels[j] ? 'acceptable sample' : 'not acceptable sample',
    })),
    ...boundaries.flatMap((m) =>
      m.boundary!.map(([k1, k2]) => ({ k1: 100 * k1, k2: 100 * k2, series: `boundary: ${MODEL_NAMES[m.model]}` })),
    ),
  ];
  return renderChart(
    'Learned boundary of the acceptable set (T = 2)',
    `${samples.sampler} samples labelled by Monte Carlo and each classifier's boundary P(acceptable) = ½; k in % of ${CAPITAL_BASE_LABELS[r.base]}.`,
    {
      width: 360,
      height: 300,
      data: { values: points },
      mark: { type: 'point', filled: true, size: 12 },
      encoding: {
        x: {
          field: 'k1',
          type: 'quantitative',
          title: `k₁: tier 1 (${r.tiers[0]!.banks.length} largest banks), %`,
          scale: { domain: [0, 100 * r.kMax] },
        },
        y: { field: 'k2', type: 'quantitative', title: 'k₂: tier 2, %', scale: { domain: [0, 100 * r.kMax] } },
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          scale: { domain: series, range: colors },
          legend: { labelLimit: 240 },
        },
      },
    },
  );
}

function lossChart(r: CapitalRunResults): Promise<BriefChart> {
  const sampler = r.samplers[0]!.sampler;
  const values = r.models
    .filter((m) => m.sampler === sampler)
    .flatMap((m) =>
      m.trainLoss
        .filter((_, i) => i % 5 === 0 || i === m.trainLoss.length - 1)
        .map((loss) => ({ model: MODEL_NAMES[m.model], loss })),
    )
    .map((d, i, all) => ({ ...d, epoch: 1 + 5 * all.slice(0, i).filter((e) => e.model === d.model).length }));
  return renderChart(
    'Loss convergence',
    `Training loss (cross-entropy + ridge penalty) per epoch of full-batch Adam on the ${sampler} samples.`,
    {
      width: 360,
      height: 200,
      data: { values },
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
        y: { field: 'loss', type: 'quantitative', title: 'loss', scale: { type: 'log' } },
        color: { field: 'model', type: 'nominal', title: null, legend: { labelLimit: 240 } },
      },
    },
  );
}

function measureName(r: CapitalRunResults): string {
  return r.criterion.measure === 'expected-shortfall' ? 'expected shortfall' : 'value at risk';
}

function capitalKeyFigures(r: CapitalRunResults) {
  const unit = r.unit;
  const c = r.criterion;
  const best = r.best;
  const pinned = r.boundary?.acceptable ? r.boundary : null;
  return [
    ...(pinned
      ? [
          keyFigure(
            pinned.pinned
              ? 'Capital pinned to the acceptance boundary'
              : 'Capital acceptable at the boundary search’s end',
            pinned.cost,
            unit,
            0,
            `k = ${kText(pinned.k)}; ${pinned.pinned ? `${formatPercent(pinned.step, 0)} less is not acceptable` : `may be up to ${pinned.maxExcess === null ? '?' : formatPercent(pinned.maxExcess, 1)} above the boundary`} at ${formatPercent(pinned.confidence, 0)} confidence on ${pinned.scenarios.toLocaleString('en-US')} scenarios`,
          ),
        ]
      : []),
    ...(best
      ? [
          keyFigure('Least certified capital', best.cost, unit, 0, `k = ${kText(best.k)} from ${best.source}`),
          keyFigure(
            `Society receives (${measureName(r)}, ${formatPercent(c.tail, 1)} tail) at that allocation`,
            100 * best.check.statistic,
            '% of claims',
            3,
            `± ${formatNumber(100 * best.check.standardError, 3)}; ${formatNumber(100 * best.recheck.statistic, 3)}% on ${best.recheck.scenarios.toLocaleString('en-US')} scenarios`,
          ),
        ]
      : []),
    keyFigure(
      'Society receives with no added capital',
      100 * r.noCapital.statistic,
      '% of claims',
      3,
      `± ${formatNumber(100 * r.noCapital.standardError, 3)} (${r.noCapital.acceptable ? 'acceptable' : 'not acceptable'})`,
    ),
    keyFigure('Tiers', r.tiers.length, '', 0),
    keyFigure('Eisenberg–Noe clearings', r.clearingRuns, '', 0),
  ];
}

function tiersTable(r: CapitalRunResults): BriefTable {
  return {
    title: 'Tiers by total assets (largest banks first)',
    columns: [
      { label: 'Tier', numeric: false },
      { label: 'Banks', numeric: true, digits: 0 },
      { label: 'Share of total assets', unit: '%', numeric: true, digits: 1 },
      { label: 'Capital for k = 1%', unit: r.unit, numeric: true, digits: 0 },
      { label: 'Members', numeric: false },
    ],
    rows: r.tiers.map((t) => [
      `k${t.tier}`,
      t.banks.length,
      100 * t.share,
      t.baseTotal / 100,
      t.banks.slice(0, 6).join(', ') + (t.banks.length > 6 ? ', …' : ''),
    ]),
    annexRows: r.tiers.map((t) => [`k${t.tier}`, t.banks.length, 100 * t.share, t.baseTotal / 100, t.banks.join(' ')]),
  };
}

/** The first two columns of the per-(sampler, model) tables. */
const SAMPLER_AND_MODEL: BriefTable['columns'] = [
  { label: 'Sampler', numeric: false },
  { label: 'Model', numeric: false },
];

function allocationsTable(r: CapitalRunResults): BriefTable {
  return {
    title: 'Cheapest allocation each classifier accepts, certified by Monte Carlo',
    columns: [
      ...SAMPLER_AND_MODEL,
      { label: 'k (% of base)', numeric: false },
      { label: 'Total capital', unit: r.unit, numeric: true, digits: 0 },
      { label: 'Statistic', unit: '%', numeric: true, digits: 3 },
      {
        label: `Re-check on ${(r.best?.recheck.scenarios ?? r.scenarios).toLocaleString('en-US')} scenarios`,
        numeric: false,
      },
      { label: 'Boundary agreement', unit: '%', numeric: true, digits: 1 },
    ],
    rows: r.models.map((m) => [
      m.sampler,
      MODEL_NAMES[m.model],
      m.efficient ? `${kText(m.efficient.k)}${m.efficient.certified ? '' : ' not certified'}` : 'accepts nothing',
      m.efficient?.cost ?? '',
      m.efficient ? 100 * m.efficient.check.statistic : '',
      m.efficient ? (m.efficient.recheck.acceptable ? 'acceptable' : 'not acceptable') : '',
      m.gridAgreement === undefined ? '' : 100 * m.gridAgreement,
    ]),
  };
}

function timingTable(r: CapitalRunResults): BriefTable {
  return {
    title: 'Execution time on the machine that ran the study (the paper’s Table 3)',
    columns: [
      ...SAMPLER_AND_MODEL,
      { label: 'Sampling + training', unit: 's', numeric: true, digits: 2 },
      { label: 'Clearings for the samples', numeric: true, digits: 0 },
    ],
    rows: r.models.map((m) => [
      m.sampler,
      MODEL_NAMES[m.model],
      m.totalSeconds,
      r.samplers.find((s) => s.sampler === m.sampler)?.clearingRuns ?? '',
    ]),
  };
}

function capitalSummary(r: CapitalRunResults): string {
  const { unit, criterion: c, best } = r;
  return (
    `With capital k_t × ${CAPITAL_BASE_LABELS[r.base]} added to every bank of tier t (${r.tiers.length} tiers by total assets), the ${measureName(r)} of what society receives in the worst ` +
    `${formatPercent(c.tail, 1)} of ${r.scenarios.toLocaleString('en-US')} scenarios must stay at or above ${formatPercent(c.level, 1)} of its claims; without capital it is ` +
    `${formatPercent(r.noCapital.statistic, 3)}. ` +
    (best
      ? `The least capital found that passes with a margin of two standard errors is ${formatNumber(best.cost, 0)} ${unit}, k = ${kText(best.k)}, and it stays acceptable on ${best.recheck.scenarios.toLocaleString('en-US')} scenarios.`
      : 'No allocation in the sampled box could be certified.') +
    (r.boundary ? ` ${describeBoundary(r.boundary, unit, (v) => formatNumber(v, 0))}` : '')
  );
}

const CAPITAL_METHOD = [
  'Acceptance set (Feinstein, Rudloff & Weber 2017): an allocation k is acceptable when the stressed Eisenberg–Noe system pays society (outside creditors) enough: R(x; k) = Σ_i (b_i/p̄_i) p_i(x; k), statistic of R/B over the common scenarios ≥ the level. With common scenarios the statistic is non-decreasing in k.',
  'Learning (Garisch & Feinstein): samples of k drawn uniformly or by griddy Gibbs sampling of exp(−(margin/σ)²/2), labelled by Monte Carlo; logistic regression, with interactions, interactions only, and a one-hidden-layer network with non-negative weights (monotone) trained with TensorFlow.js; logistic fits checked against an exact IRLS fit.',
  'Efficient allocations: each classifier proposes the cheapest allocations it accepts along rays; Monte Carlo certifies the least multiple that passes by two standard errors, re-checked with more scenarios.',
  'Pinning to the boundary: along the cheapest certified allocation’s direction, the least multiple acceptable at the stated one-sided confidence is found by bisection on common scenarios, and the allocation a step cheaper must be refused at the same confidence; the scenarios are quadrupled until both hold or the scenario budget is spent, and then the distance to the boundary that remains possible is stated.',
];

export const capitalSection: SectionProvider = {
  kind: 'capital',
  async describe(context) {
    const run = runOfKind(context.run, 'capital');
    const r = run.results;
    const unit = r.unit;
    const c = r.criterion;
    const networkLabel = context.network ? `${context.network.name} v${context.network.version}` : r.network;
    const tables = [tiersTable(r), allocationsTable(r), timingTable(r)];
    const boundary = await boundaryChart(r);
    const charts = [...(boundary ? [boundary] : []), await lossChart(r)];
    return {
      heading: `Capital allocation — run #${run.id}, ${networkLabel}`,
      summary: capitalSummary(r),
      keyFigures: capitalKeyFigures(r),
      scenario: [
        `Network: ${networkLabel} — ${r.nBanks} banks, amounts in ${unit}; society's claims Σb_i = ${formatNumber(r.societyClaims, 0)} ${unit}.`,
        `Shocks: ${r.scenarios.toLocaleString('en-US')} common Monte Carlo scenarios, ${r.shockModel}; seed ${r.seed}. Allocations sampled in 0 ≤ k_t ≤ ${formatPercent(r.kMax, 1)} by ${r.samplers.map((s) => `${s.sampler} (${s.k.length} samples)`).join(' and ')}.`,
      ],
      charts,
      tables: tables.map(withoutEmptyColumns),
      method: [...CAPITAL_METHOD],
      provenance: [
        {
          label: 'Criterion',
          value: `${measureName(r)}, tail ${formatPercent(c.tail, 1)}, level ${formatPercent(c.level, 1)}`,
        },
        { label: 'Capital base', value: CAPITAL_BASE_LABELS[r.base] },
        { label: 'TensorFlow.js backend of the study', value: learningBackendInWords(r.backend) },
      ],
    };
  },
};
