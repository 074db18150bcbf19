/**
 * The node-disaggregation section (run kind `disaggregate`): an aggregated bank split into k parts that keep its
 * totals, after Ruela, "Reconstructing financial networks with disaggregated nodes" (2019), §3 — the proportional
 * split (maximum entropy) or the worst / best case of expected loss — with each part's balance sheet beside the
 * aggregate's, and for the worst and best cases the split's expected loss against the proportional split on the
 * same fresh shocks (docs/engines/reconstruction.md).
 */
import type { BriefTable, KeyFigure } from '../../../../src-shared/briefs';
import type { DisaggregatedBank, DisaggregationRunResults } from '../../../../src-shared/results/reconstruction';
import { formatNumber, keyFigure } from '../../../../src-shared/brief-format';
import { rankingChart } from '../charts';
import type { SectionProvider } from './provider';
import { runOfKind } from '../../../../src-shared/domain';

const SPLIT_WORDS: Record<DisaggregationRunResults['objective'], string> = {
  maxent: 'the proportional split (maximum entropy)',
  worst: 'the worst case of expected loss',
  best: 'the best case of expected loss',
};

const bankName = (bank: DisaggregatedBank): string =>
  bank.name && bank.name !== bank.id ? `${bank.id} — ${bank.name}` : bank.id;

function balanceSheetTable(r: DisaggregationRunResults): BriefTable {
  const row = (label: string, b: Omit<DisaggregatedBank, 'id'>) => [
    label,
    100 * b.share,
    b.outsideAssets,
    b.outsideLiabilities,
    b.interbankClaims,
    b.interbankObligations,
    b.netWorth,
  ];
  const sum = (field: keyof Omit<DisaggregatedBank, 'id' | 'name'>) =>
    r.parts.reduce((total, part) => total + part[field], 0);
  return {
    title: `Balance sheets of ${bankName(r.aggregate)} and its ${r.parts.length} parts`,
    columns: [
      { label: 'Bank', numeric: false, share: 0.25 },
      { label: 'Share of size', unit: '%', numeric: true, digits: 1 },
      { label: 'Outside assets', unit: r.unit, numeric: true, digits: 0 },
      { label: 'Outside liabilities', unit: r.unit, numeric: true, digits: 0 },
      { label: 'Owed by other banks', unit: r.unit, numeric: true, digits: 0 },
      { label: 'Owes other banks', unit: r.unit, numeric: true, digits: 0 },
      { label: 'Net worth', unit: r.unit, numeric: true, digits: 0 },
    ],
    rows: [
      row(`${bankName(r.aggregate)} (before the split)`, r.aggregate),
      ...r.parts.map((part) => row(bankName(part), part)),
      row('Sum of the parts', {
        share: sum('share'),
        outsideAssets: sum('outsideAssets'),
        outsideLiabilities: sum('outsideLiabilities'),
        interbankClaims: sum('interbankClaims'),
        interbankObligations: sum('interbankObligations'),
        netWorth: sum('netWorth'),
      }),
    ],
    ...(Math.abs(sum('interbankClaims') - r.aggregate.interbankClaims) > 1e-9 * Math.max(1, r.aggregate.interbankClaims)
      ? {
          note: 'The parts owe each other: those amounts count on both sides of the sum of the parts, which leaves its net worth unchanged.',
        }
      : {}),
  };
}

export const disaggregationSection: SectionProvider = {
  kind: 'disaggregate',
  async describe(context) {
    const { network } = context;
    const run = runOfKind(context.run, 'disaggregate');
    const r = run.results;
    const split = SPLIT_WORDS[r.objective];
    const where = network ? `${network.name} v${network.version}` : 'the network';
    const largest = r.parts.reduce((a, b) => (b.share > a.share ? b : a));
    const keyFigures: KeyFigure[] = [
      keyFigure('Parts', r.parts.length, 'banks', 0),
      keyFigure(`Outside assets of ${r.aggregate.id}`, r.aggregate.outsideAssets, r.unit, 0),
      keyFigure(`Largest part (${largest.id}), share of size`, largest.share, '%', 1),
    ];
    const e = r.evaluation;
    if (e) {
      keyFigures.push(
        keyFigure(
          'Expected loss of the split network',
          e.expectedLoss,
          r.unit,
          1,
          `± ${formatNumber(e.expectedLossStandardError, 1)} (standard error, ${e.samples.toLocaleString('en-US')} fresh shocks)`,
        ),
        keyFigure(
          'Against the proportional split',
          e.difference,
          r.unit,
          2,
          `± ${formatNumber(e.differenceStandardError, 2)} (standard error, same shocks)`,
        ),
      );
    }
    const chart = await rankingChart(
      `Net worth of the parts of ${r.aggregate.id}`,
      `Each part's outside and interbank assets less its liabilities (${r.unit}); the aggregate had ${formatNumber(r.aggregate.netWorth, 0)}.`,
      r.parts.map((part) => ({ label: part.id, value: part.netWorth })),
      { x: `net worth (${r.unit})`, y: 'part' },
    );
    return {
      heading: `Node disaggregation — ${r.aggregate.id} into ${r.parts.length} parts, run #${run.id}`,
      summary:
        `${bankName(r.aggregate)} of ${where} was split into ${r.parts.length} parts by ${split}, keeping its totals; ` +
        `the result is version ${r.version} of the network.` +
        (e
          ? ` On ${e.samples.toLocaleString('en-US')} fresh uniform shocks its expected loss is ${formatNumber(e.expectedLoss, 1)} ± ${formatNumber(e.expectedLossStandardError, 1)} ${r.unit}, ` +
            `${formatNumber(e.difference, 2)} ± ${formatNumber(e.differenceStandardError, 2)} against the proportional split (± one standard error).`
          : ''),
      keyFigures,
      scenario: [`Amounts in ${r.unit}. Split from version ${network?.version ?? '—'} into version ${r.version}.`],
      charts: [chart],
      tables: [balanceSheetTable(r)],
      method: r.explanation,
      provenance: [
        { label: 'Split', value: split },
        { label: 'Result stored as', value: `version ${r.version} (version #${r.versionId})` },
      ],
    };
  },
};
