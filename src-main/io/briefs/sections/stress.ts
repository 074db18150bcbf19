/**
 * The stress-test section: Eisenberg–Noe (or Rogers–Veraart) clearing of Monte Carlo shocks, decomposed as in
 * Glasserman & Young (2015) — E[L], E[L⁰], the loss ratio and its bound 1 + NVI, VaR and expected shortfall,
 * defaults, each bank's contribution to E[L], and the largest-loss scenario drawn on the network.
 */
import type { BriefTable } from '../../../../src-shared/briefs';
import type { NetworkDocument } from '../../../../src-shared/formats/network';
import type { ShockModelInput } from '../../../../src-shared/jobs';
import { numberOrNote } from '../../../../src-shared/results/notes';
import type { QuantileLevel, StressClusterProvenance, StressRunResults } from '../../../../src-shared/results/stress';
import { scenarioOutcome, shockVector } from '../../../engines/scenario-outcome';
import { toClearingSystem } from '../../../engines/network-arrays';
import { barChart, rankingChart } from '../charts';
import type { RunContext } from '../context';
import { formatNumber, formatPercent, keyFigure, withoutEmptyColumns } from '../../../../src-shared/brief-format';
import { drawNetwork } from '../network-svg';
import type { SectionProvider } from './provider';
import { runOfKind } from '../../../../src-shared/domain';
import type { JobParams } from '../../../../src-shared/run-kinds';

type StressParams = JobParams<'stress'>;

const TOP = 20;
const SHOCK_MODEL_NAMES: Record<ShockModelInput['kind'], string> = {
  uniform: 'uniform',
  beta: 'beta',
  copula: 'common-factor',
  scenarios: 'user-supplied',
};

export function describeShockModel(model: ShockModelInput): string {
  switch (model.kind) {
    case 'uniform':
      return `independent uniform losses x_i = f·c_i·U_i on outside assets, with f = ${formatPercent(model.maxFraction, 0)}`;
    case 'beta':
      return `independent beta-distributed losses calibrated so that P(x_i ≥ w_i) equals each bank's stated default probability${model.a ? ` (a = ${model.a})` : ''}`;
    case 'copula':
      return `losses driven by one Gaussian common factor with correlation ρ = ${model.rho} and ${model.marginal} marginals${model.marginal === 'uniform' ? ` up to ${formatPercent(model.maxFraction, 0)} of outside assets` : ''}`;
    case 'scenarios':
      return `${model.rows.length} scenarios supplied by the user in ${model.fileName}`;
  }
}

/** "95% interval a – b" of a VaR (runs saved before intervals were reported have none). */
function varNote(r: StressRunResults, level: QuantileLevel): string | undefined {
  const interval = r.lossQuantileInterval?.[level];
  return interval ? `95% interval ${formatNumber(interval[0], 1)} – ${formatNumber(interval[1], 1)}` : undefined;
}

function esNote(r: StressRunResults, level: QuantileLevel): string | undefined {
  const error = r.expectedShortfallStandardError?.[level];
  return error !== undefined ? `± ${formatNumber(error, 1)} (standard error)` : undefined;
}

/** A default probability's Wilson 95% interval in percent, as text. */
function pdInterval(r: StressRunResults, id: string): string {
  const interval = r.defaultProbabilityInterval?.[id];
  return interval ? `${formatNumber(100 * interval[0], 2)} – ${formatNumber(100 * interval[1], 2)}` : '—';
}

function networkOf(context: RunContext): NetworkDocument | undefined {
  return context.network?.kind === 'interbank' ? context.network.document : undefined;
}

type Labels = Map<string, string>;
type Contributor = [string, number];

function clearingText(params: StressParams): string {
  return params.recovery
    ? `Rogers–Veraart clearing (recovery α = ${params.recovery.alpha} on outside assets, β = ${params.recovery.beta} on interbank assets)`
    : 'Eisenberg–Noe clearing';
}

function stressKeyFigures(r: StressRunResults) {
  const unit = r.unit;
  return [
    keyFigure(
      'Expected system loss E[L]',
      r.expectedLoss,
      unit,
      1,
      `± ${formatNumber(r.expectedLossStandardError, 1)} (standard error)`,
    ),
    keyFigure(
      'Expected loss without the network E[L⁰]',
      r.expectedUnconnectedLoss,
      unit,
      1,
      `± ${formatNumber(r.expectedUnconnectedLossStandardError, 1)}`,
    ),
    // an undefined ratio (E[L⁰] = 0, β⁺ = 1) has no figure; the summary says why in words
    ...(r.lossRatio !== undefined
      ? [
          keyFigure(
            'Loss ratio E[L] / E[L⁰]',
            r.lossRatio,
            '',
            4,
            `± ${formatNumber(r.lossRatioStandardError ?? 0, 4)}`,
          ),
        ]
      : []),
    ...(r.nvi !== undefined && r.glassermanYoungBound !== undefined
      ? [
          keyFigure('Network vulnerability index NVI', r.nvi, '', 4, `β⁺ = ${formatNumber(r.maxConnectivity, 3)}`),
          keyFigure('Glasserman–Young bound 1 + NVI', r.glassermanYoungBound, '', 4),
        ]
      : []),
    ...(r.lossQuantiles['0.99'] !== undefined
      ? [
          keyFigure('Value at risk, 99%', r.lossQuantiles['0.99'], unit, 1, varNote(r, '0.99')),
          keyFigure('Expected shortfall, 99%', r.expectedShortfall['0.99'], unit, 1, esNote(r, '0.99')),
        ]
      : []),
    keyFigure(
      'Expected number of defaults',
      r.expectedDefaults,
      'banks',
      3,
      `${r.expectedDefaultsStandardError !== undefined ? `± ${formatNumber(r.expectedDefaultsStandardError, 3)}; ` : ''}${formatNumber(r.expectedContagionDefaults, 3)} by contagion`,
    ),
  ];
}

/** Banks by their contribution to E[L], largest first (ties by id). */
function contributorsOf(r: StressRunResults): Contributor[] {
  return Object.entries(r.lossContribution).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function tailTable(r: StressRunResults): BriefTable {
  const unit = r.unit;
  const levels = (Object.keys(r.lossQuantiles) as QuantileLevel[]).sort((a, b) => Number(a) - Number(b));
  return {
    title: 'Tail of the loss distribution',
    columns: [
      { label: 'Level', numeric: false },
      { label: 'Value at risk', unit, numeric: true },
      { label: 'VaR, 95% interval', unit, numeric: false },
      { label: 'Expected shortfall', unit, numeric: true },
      { label: 'ES ± standard error', unit, numeric: false },
    ],
    rows: levels.map((level) => [
      formatPercent(Number(level), 1),
      r.lossQuantiles[level],
      r.lossQuantileInterval
        ? `${formatNumber(r.lossQuantileInterval[level][0], 1)} – ${formatNumber(r.lossQuantileInterval[level][1], 1)}`
        : '—',
      r.expectedShortfall[level],
      r.expectedShortfallStandardError ? `± ${formatNumber(r.expectedShortfallStandardError[level], 1)}` : '—',
    ]),
    note: `Monte Carlo estimates from ${r.scenarios.toLocaleString('en-US')} scenarios: VaR with the distribution-free 95% interval of its order statistics, ES with its asymptotic standard error.`,
  };
}

function contributorsTable(
  r: StressRunResults,
  contributors: Contributor[],
  nameOf: Labels,
  groupOf: Labels,
): BriefTable {
  const unit = r.unit;
  const contributorRow = ([id, value]: Contributor) => [
    id,
    nameOf.get(id) ?? '',
    groupOf.get(id) ?? '',
    value,
    r.expectedLoss > 0 ? (100 * value) / r.expectedLoss : 0,
    100 * (r.defaultProbability[id] ?? 0),
    pdInterval(r, id),
  ];
  return {
    title: `Top ${Math.min(TOP, contributors.length)} loss contributors`,
    columns: [
      { label: 'Bank', numeric: false },
      { label: 'Name', numeric: false },
      { label: 'Group', numeric: false },
      { label: 'Contribution to E[L]', unit, numeric: true },
      { label: 'Share of E[L]', unit: '%', numeric: true, digits: 2 },
      { label: 'P(default)', unit: '%', numeric: true, digits: 2 },
      { label: 'P(default), 95% interval', unit: '%', numeric: false },
    ],
    rows: contributors.slice(0, TOP).map(contributorRow),
    annexRows: contributors.map(contributorRow),
    ...(contributors.length > TOP ? { note: `${contributors.length - TOP} more banks in the annex` } : {}),
  };
}

/** The loss histogram, the distribution of the number of defaults and the largest contributors. */
async function stressCharts(r: StressRunResults, contributors: Contributor[]) {
  const unit = r.unit;
  const h = r.lossHistogram;
  const total = h.counts.reduce((a, b) => a + b, 0) || 1;
  const lastDefaults = Math.max(
    0,
    r.defaultsDistribution.findLastIndex((p) => p > 0),
  );
  return [
    await barChart(
      'Loss distribution',
      `Share of the ${r.scenarios.toLocaleString('en-US')} scenarios by system loss L (${unit}); bins of ${formatNumber((h.edges[1] ?? 0) - (h.edges[0] ?? 0), 1)} ${unit}.`,
      h.counts.map((count, i) => ({
        label: formatNumber((h.edges[i]! + h.edges[i + 1]!) / 2, 0),
        value: count / total,
      })),
      { x: `loss L (${unit}), bin centre`, y: 'share of scenarios', percentY: true },
    ),
    await barChart(
      'Number of defaults',
      'Probability of exactly k banks in default.',
      r.defaultsDistribution.slice(0, lastDefaults + 1).map((p, k) => ({ label: String(k), value: p })),
      { x: 'banks in default k', y: 'probability', color: '#b42318' },
    ),
    await rankingChart(
      'Largest contributions to the expected loss',
      `Each bank's expected min(x_i, w_i) + s_i (${unit}); the contributions add up to E[L].`,
      contributors.slice(0, TOP).map(([id, value]) => ({ label: id, value })),
      { x: `contribution to E[L] (${unit})`, y: 'bank' },
    ),
  ];
}

/** The network, shock model and clearing in words, with a note when stated equity disagrees with the network. */
function scenarioLines(
  r: StressRunResults,
  params: StressParams,
  networkLabel: string,
  document: NetworkDocument | undefined,
): string[] {
  const unit = r.unit;
  const lines = [
    `Network: ${networkLabel}${document ? ` — ${document.nodes.length} banks, ${document.liabilities.length} interbank liabilities, amounts in ${unit}` : ''}.`,
    `Shocks: ${r.scenarios.toLocaleString('en-US')} Monte Carlo scenarios of ${describeShockModel(params.shockModel)}; seed ${params.seed}.`,
    `Clearing: ${clearingText(params)}.`,
  ];
  if (r.balanceInconsistencies.length > 0) {
    lines.push(
      `Data note: for ${r.balanceInconsistencies.length} bank(s) the stated equity disagrees with the net worth w = c + Σ p̄_ji − p̄ implied by the network (largest difference ${formatNumber(Math.max(...r.balanceInconsistencies.map((b) => Math.abs(b.difference))), 1)} ${unit}); the figures use the derived net worth.`,
    );
  }
  return lines;
}

/**
 * The largest-loss scenario: a line for the scenario list, the network drawn with its defaults in red, and the table
 * of the banks in default (none when nobody defaulted).
 */
function largestLossScenario(
  r: StressRunResults,
  params: StressParams,
  networkLabel: string,
  document: NetworkDocument,
  nameOf: Labels,
) {
  const unit = r.unit;
  const largest = r.largestLossScenario!;
  const { shocks } = largest;
  // Runs saved before the outcome was stored are cleared again here, under the run's own recovery rates.
  const system = toClearingSystem(document);
  const outcome = largest.outcome ?? scenarioOutcome(system, shockVector(system, shocks), params.recovery);
  const defaulted = new Set(outcome.defaults.map((d) => d.id));
  const line = `Largest-loss scenario (no. ${largest.scenario}): shocks of ${formatNumber(outcome.shockTotal, 1)} ${unit} cause a loss of ${formatNumber(outcome.loss, 1)} ${unit}, with ${outcome.defaults.length} bank(s) in default over ${outcome.rounds} round(s).`;
  const network = drawNetwork({
    title: 'The network in the largest-loss scenario',
    caption: `${networkLabel}: banks in default in scenario ${largest.scenario} in red (on an inner ring when there are few), the others around the ring by group; lines are the largest interbank liabilities.`,
    nodes: document.nodes.map((n) => ({
      id: n.id,
      group: n.group,
      weight: n.totalAssets ?? n.outsideAssets ?? 0,
      highlight: defaulted.has(n.id) ? 'default' : undefined,
    })),
    edges: document.liabilities.map((l) => ({ from: l.debtor, to: l.creditor, amount: l.amount })),
    highlights: [{ key: 'default', label: 'in default', color: '#b42318' }],
    unit,
  });
  let table: BriefTable | undefined;
  if (outcome.defaults.length > 0) {
    const defaultRows = outcome.defaults.map((d) => [
      d.id,
      nameOf.get(d.id) ?? '',
      d.round,
      outcome.depth[d.id] ?? 0,
      shocks[d.id] ?? 0,
    ]);
    table = {
      title: `Banks in default in the largest-loss scenario`,
      columns: [
        { label: 'Bank', numeric: false },
        { label: 'Name', numeric: false },
        { label: 'Round', numeric: true },
        { label: 'Depth u_i', numeric: true },
        { label: 'Shock x_i', unit, numeric: true },
      ],
      rows: defaultRows.slice(0, TOP),
      annexRows: defaultRows,
      ...(defaultRows.length > TOP ? { note: `${defaultRows.length - TOP} more in the annex` } : {}),
    };
  }
  return { line, network, table };
}

function stressSummary(r: StressRunResults, params: StressParams, networkLabel: string): string {
  const unit = r.unit;
  return (
    `Under ${r.scenarios.toLocaleString('en-US')} ${SHOCK_MODEL_NAMES[params.shockModel.kind]} shock scenarios (seed ${params.seed}) on ${networkLabel}, the expected system loss is ` +
    `${formatNumber(r.expectedLoss, 1)} ${unit} (± ${formatNumber(r.expectedLossStandardError, 1)}), ${numberOrNote(r.lossRatio, r.lossRatioNote, (v) => `${formatNumber(v, 4)} times the loss without interbank contagion`)}; ` +
    `the network vulnerability index ${numberOrNote(r.glassermanYoungBound, r.nviNote && `bound on this ratio is ${r.nviNote}`, (v) => `bounds this ratio by ${formatNumber(v, 4)}`)}. ` +
    (r.lossQuantiles['0.99'] !== undefined
      ? `The 99% value at risk is ${formatNumber(r.lossQuantiles['0.99'], 1)} ${unit}. `
      : '') +
    `On average ${formatNumber(r.expectedDefaults, 3)} banks default, ${formatNumber(r.expectedContagionDefaults, 3)} of them by contagion.`
  );
}

function stressMethod(r: StressRunResults, params: StressParams): string[] {
  return [
    `Clearing (Eisenberg & Noe 2001; Glasserman & Young 2015 §2): payments p = min(p̄, max(0, Aᵀp + c − x)), the greatest clearing vector, found by the fictitious default algorithm; banks with p_i < p̄_i are in default.${params.recovery ? ' With bankruptcy costs (Rogers & Veraart 2013) a defaulted bank passes on only α of its outside and β of its interbank assets.' : ''}`,
    "Loss decomposition (Glasserman & Young 2015 §3): L(x) = Σ_i min(x_i, w_i) + Σ_i s_i with shortfall s = p̄ − p, against the loss without contagion L⁰(x) = Σ_i x_i; a bank's contribution is its expected min(x_i, w_i) + s_i.",
    'Network vulnerability index (Glasserman & Young 2015 §4): NVI = (1/(1 − β⁺)) · Σ_i δ_i c_i / Σ_i c_i with δ_i = P(x_i ≥ w_i) and β⁺ = max_i (p̄_i − b_i)/p̄_i; 1 + NVI bounds E[L]/E[L⁰] when shocks are independent.',
    `Monte Carlo: scenario k uses random stream k of the seeded generator, so any split across worker threads gives the same result; standard errors by the delta method; quantiles from a log-binned sketch with relative accuracy ${r.quantileRelativeAccuracy}.`,
  ];
}

/** Parts listed one by one in the provenance; the rest are counted (all are in the run's parameters). */
const LISTED_PARTS = 16;

/**
 * A run merged from cluster shards (`cwb merge --save`): where it was computed and from which files (`input`: what
 * the shards read, a network or, for an intervention study, an economy).
 */
export function clusterProvenance(
  cluster: StressClusterProvenance | undefined,
  input = 'Network',
): Array<{ label: string; value: string }> {
  if (!cluster) return [];
  const more = cluster.parts.length - LISTED_PARTS;
  return [
    {
      label: 'Computed on a cluster',
      value: `${cluster.shards} shards, merged on ${cluster.host} at ${cluster.mergedAt}`,
    },
    { label: `${input} file the shards read`, value: `${cluster.network.name}, SHA-256 ${cluster.network.sha256}` },
    ...cluster.parts
      .slice(0, LISTED_PARTS)
      .map((part, i) => ({ label: `Shard part ${i + 1}`, value: `${part.file}, SHA-256 ${part.sha256}` })),
    ...(more > 0 ? [{ label: 'Further shard parts', value: `${more} (named with their SHA-256 in the run)` }] : []),
  ];
}

export const stressSection: SectionProvider = {
  kind: 'stress',
  async describe(context, progress) {
    const run = runOfKind(context.run, 'stress');
    const { results: r, params } = run;
    const document = networkOf(context);
    // A name that only repeats the id is left out (withoutEmptyColumns drops the column).
    const nameOf = new Map(document?.nodes.map((n) => [n.id, n.name && n.name !== n.id ? n.name : '']) ?? []);
    const groupOf = new Map(document?.nodes.map((n) => [n.id, n.group ?? '']) ?? []);
    const networkLabel = context.network
      ? `${context.network.name} v${context.network.version}`
      : `network version ${run.networkVersionId}`;
    const contributors = contributorsOf(r);
    progress?.('tables');
    const tables = [tailTable(r), contributorsTable(r, contributors, nameOf, groupOf)];
    progress?.('charts');
    const charts = await stressCharts(r, contributors);
    const scenario = scenarioLines(r, params, networkLabel, document);
    let network;
    if (document && r.largestLossScenario) {
      progress?.('the network in the largest-loss scenario');
      const largest = largestLossScenario(r, params, networkLabel, document, nameOf);
      scenario.push(largest.line);
      network = largest.network;
      if (largest.table) tables.push(largest.table);
    }
    const clearing = clearingText(params);
    return {
      heading: `Stress test — run #${run.id}, ${networkLabel}`,
      summary: stressSummary(r, params, networkLabel),
      keyFigures: stressKeyFigures(r),
      scenario,
      ...(network ? { network } : {}),
      charts,
      tables: tables.map(withoutEmptyColumns),
      method: stressMethod(r, params),
      provenance: [
        { label: 'Scenarios', value: r.scenarios.toLocaleString('en-US') },
        { label: 'Shock model', value: describeShockModel(params.shockModel) },
        { label: 'Clearing', value: clearing },
        ...clusterProvenance(params.cluster),
      ],
    };
  },
};
