/**
 * The reconstruction section (run kind `reconstruct`): bounds on the expected system loss over the networks that
 * match the known balance sheets — best and worst case by Frank–Wolfe on the transportation polytope, maximum
 * entropy (RAS) and minimum density — after Glasserman & Young (2015), "How likely is contagion in financial
 * networks?", §2–3 for the loss, and the reconstruction literature for the constraints
 * (docs/engines/reconstruction.md). Each network is evaluated out of sample on fresh shocks paired with maximum
 * entropy on the same shocks.
 */
import type { BriefTable } from '../../../../src-shared/briefs';
import type { ReconstructionObjectiveName, ReconstructionOutcome } from '../../../../src-shared/results/reconstruction';
import { formatNumber, humanise, keyFigure } from '../../../../src-shared/brief-format';
import { intervalChart, renderChart } from '../charts';
import { describeShockModel } from './stress';
import type { SectionProvider } from './provider';
import { runOfKind } from '../../../../src-shared/domain';

const NETWORK_NAMES: Record<ReconstructionObjectiveName, string> = {
  best: 'Best case',
  maxent: 'Maximum entropy',
  worst: 'Worst case',
  mindensity: 'Minimum density',
};
const CURVE_POINTS = 60;
const HEATMAP_BANKS = 30;

/** The liability matrix of a reconstructed network as a heatmap (colour scale 0 … `largest`, shared by the networks compared), over the banks with the largest interbank totals. */
function heatmap(outcome: ReconstructionOutcome, title: string, unit: string, largest: number) {
  const totals = new Map<string, number>();
  for (const l of outcome.document.liabilities) {
    totals.set(l.debtor, (totals.get(l.debtor) ?? 0) + l.amount);
    totals.set(l.creditor, (totals.get(l.creditor) ?? 0) + l.amount);
  }
  const shown = new Set(
    [...totals.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, HEATMAP_BANKS)
      .map(([id]) => id),
  );
  const order = [...shown].sort();
  const cells = outcome.document.liabilities.filter(
    (l) => shown.has(l.debtor) && shown.has(l.creditor) && l.amount > 0,
  );
  return renderChart(
    title,
    `Interbank liability from each debtor (row) to each creditor (column), ${unit}; ${order.length < totals.size ? `the ${order.length} banks with the largest interbank totals of ${totals.size}` : 'every bank'}; blank: no link.`,
    {
      width: Math.min(380, 14 * order.length),
      height: Math.min(380, 14 * order.length),
      data: { values: cells.map((l) => ({ debtor: l.debtor, creditor: l.creditor, amount: l.amount })) },
      mark: 'rect',
      encoding: {
        x: { field: 'creditor', type: 'ordinal', sort: order, title: 'creditor' },
        y: { field: 'debtor', type: 'ordinal', sort: order, title: 'debtor' },
        color: { field: 'amount', type: 'quantitative', title: unit, scale: { scheme: 'blues', domain: [0, largest] } },
      },
    },
  );
}

/** The empirical distribution of losses as CURVE_POINTS (loss, share of scenarios ≤ loss) points. */
function distribution(losses: number[], series: string) {
  const sorted = [...losses].sort((a, b) => a - b);
  const n = sorted.length;
  return Array.from({ length: Math.min(CURVE_POINTS, n) }, (_, k) => {
    const index = Math.min(n - 1, Math.round(((k + 1) * n) / Math.min(CURVE_POINTS, n)) - 1);
    const share = (index + 1) / n;
    return { x: sorted[index]!, mean: share, low: share, high: share, series };
  });
}

export const reconstructionSection: SectionProvider = {
  kind: 'reconstruct',
  async describe(context) {
    const run = runOfKind(context.run, 'reconstruct');
    const { results: r, params } = run;
    const unit = r.unit;
    const where = context.network ? `${context.network.name} v${context.network.version}` : 'the network';
    const name = (o: { objective: ReconstructionObjectiveName }) => NETWORK_NAMES[o.objective];
    const bounds: BriefTable = {
      title: 'Bounds on the expected loss over the matching networks',
      columns: [
        { label: 'Network', numeric: false, share: 0.13 },
        { label: 'E[L] in sample', unit, numeric: true, digits: 2, share: 0.11 },
        { label: 'E[L] out of sample ± s.e.', unit, numeric: false, share: 0.15 },
        { label: 'Less maximum entropy ± s.e.', unit, numeric: false, share: 0.14 },
        { label: 'E[L] / E[L⁰]', numeric: false, share: 0.09 },
        { label: 'Links', numeric: true, share: 0.07 },
        { label: 'Density', unit: '%', numeric: true, digits: 1, share: 0.09 },
        { label: 'Frank–Wolfe gap', unit, numeric: false, share: 0.22 },
      ],
      rows: r.outcomes.map((o) => [
        name(o),
        o.inSample.expectedLoss,
        `${formatNumber(o.evaluation.expectedLoss, 2)} ± ${formatNumber(o.evaluation.expectedLossStandardError, 2)}`,
        o.objective === 'maxent'
          ? '—'
          : `${formatNumber(o.evaluation.differenceToMaxent, 2)} ± ${formatNumber(o.evaluation.differenceStandardError, 2)}`,
        o.evaluation.lossRatio !== undefined
          ? formatNumber(o.evaluation.lossRatio, 4)
          : (o.evaluation.lossRatioNote ?? '—'),
        o.links,
        100 * o.density,
        o.frankWolfeGap !== undefined
          ? `${o.frankWolfeGap.toExponential(2)} (${(o.relativeGap ?? 0).toExponential(1)} relative)`
          : 'none (not an optimiser)',
      ]),
      note: `In sample: ${params.samples.toLocaleString('en-US')} optimisation shocks; out of sample: ${r.outcomes[0]?.evaluation.samples.toLocaleString('en-US') ?? 0} fresh shocks, the same for every network (paired differences). E[L⁰]: the loss without interbank contagion. Largest relative violation of the known totals: ${r.outcomes.map((o) => `${name(o).toLowerCase()} ${o.residual.relative !== undefined ? o.residual.relative.toExponential(1) : (o.residual.relativeNote ?? '—')}`).join(', ')}.`,
    };
    const worst = r.outcomes.find((o) => o.objective === 'worst');
    const best = r.outcomes.find((o) => o.objective === 'best');
    const maxent = r.outcomes.find((o) => o.objective === 'maxent');
    const range = (o: typeof worst) =>
      o
        ? `${formatNumber(o.evaluation.expectedLoss, 2)} ± ${formatNumber(o.evaluation.expectedLossStandardError, 2)} ${unit}`
        : '—';
    const pictured = [worst, maxent].filter((o) => o !== undefined);
    const largest = Math.max(0, ...pictured.flatMap((o) => o.document.liabilities.map((l) => l.amount)));
    const unknown = Object.entries(params.unknown ?? {}).filter(([, fields]) => fields.length > 0);
    const chart = await intervalChart(
      'Loss distributions of the reconstructed networks',
      `Share of the out-of-sample shocks with system loss at most L (${unit}), for each network on the same shocks.`,
      r.outcomes.flatMap((o) => distribution(o.evaluation.losses, name(o))),
      { x: `system loss L (${unit})`, y: 'share of shocks', percentY: true },
    );
    return {
      heading: `Network reconstruction — run #${run.id}, ${where}`,
      summary:
        `Over the networks that match the known balance sheets of ${where}, the expected system loss ranges from ${range(best)} (best case) to ${range(worst)} (worst case)` +
        `${maxent ? `, against ${range(maxent)} for maximum entropy` : ''} (out of sample, ± one standard error).`,
      keyFigures: r.outcomes.flatMap((o) => [
        keyFigure(
          `Expected loss, ${name(o).toLowerCase()}`,
          o.evaluation.expectedLoss,
          unit,
          2,
          `± ${formatNumber(o.evaluation.expectedLossStandardError, 2)} (standard error)`,
        ),
      ]),
      scenario: [
        `Network: ${where}; amounts in ${unit}. Shocks: ${describeShockModel(params.shockModel)}; seed ${params.seed}.`,
        unknown.length > 0
          ? `Fields treated as unknown: ${unknown.map(([id, fields]) => `${id} (${fields.map((f) => humanise(f).toLowerCase()).join(', ')})`).join('; ')}.`
          : 'Every balance-sheet field of the data is treated as known; only the interbank links are reconstructed.',
      ],
      charts: [
        chart,
        ...(await Promise.all(
          pictured.map((o) => heatmap(o, `Liabilities of the ${name(o).toLowerCase()} network`, unit, largest)),
        )),
      ],
      tables: [bounds],
      method: [
        'Loss (Glasserman & Young 2015 §2–3): L = Σ min(x_i, w_i) + Σ s_i under Eisenberg–Noe clearing, against L⁰ = Σ x_i without the network.',
        `Worst and best case: Frank–Wolfe on the matrices with the known row and column totals (${params.starts} starts, ${params.hops} hops${params.complementarity ? ', no two-way links' : ''}); the gap ⟨∇h, P − S⟩ at the network returned says how far it is from stationary. Maximum entropy: RAS; minimum density: fewest links matching the totals.`,
      ],
      provenance: [
        { label: 'Networks', value: r.outcomes.map(name).join(', ') },
        { label: 'Measure', value: params.measure === 'lossRatio' ? 'loss ratio E[L] / E[L⁰]' : 'expected loss E[L]' },
      ],
    };
  },
};
