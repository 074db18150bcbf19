/**
 * The intervention section (run kind `intervention`, target economy): whom to support and how much, on the
 * Elliott–Golub–Jackson cross-holdings economy, after "Optimal intervention in economic networks using influence
 * maximization methods" (§2 model, §4.1 shocks, §4.2 DiscountFrac, §4.3 Table 1, §3.3 tail sampling). Each firm's
 * "failures averted" is its payment's marginal effect on the displayed cascade: the failures with that one payment
 * withdrawn against those with every payment made. Both are read off the transformed problem of §2.2 on the firms
 * failing without support (intervention.ts `rescueProblem`, `savedByPayments`: the same best-case equilibrium as the
 * cascade with thresholds θ − Ĉx, without solving I − C again for each payment), which the baselines share. The
 * target `interbank` (bailouts) has its own section (bailout.ts).
 */
import type { BriefChart, BriefTable } from '../../../../src-shared/briefs';
import type { EconomyDocument } from '../../../../src-shared/formats/crossholdings';
import type {
  EconomyInterventionParams,
  EconomyInterventionResults,
  MeanInterval,
  SingleInterventionParams,
  SingleInterventionResults,
} from '../../../../src-shared/results/intervention';
import { toEconomySystem, type EconomySystem } from '../../../engines/cascade';
import {
  firstLayer,
  largestFirst,
  rescueProblem,
  savedByPayments,
  type RescueProblem,
} from '../../../engines/intervention';
import { displaySystem } from '../../../engines/intervention-report';
import { formatNumber, formatPercent, keyFigure, withoutEmptyColumns } from '../../../../src-shared/brief-format';
import type { StressClusterProvenance } from '../../../../src-shared/results/stress';
import { intervalChart } from '../charts';
import { clusterProvenance } from './stress';
import type { RunContext } from '../context';
import { drawNetwork } from '../network-svg';
import { bailoutSection } from './bailout';
import type { SectionContent, SectionProgress, SectionProvider } from './provider';
import { runOfKind } from '../../../../src-shared/domain';

const TOP = 20;
/** What the displayed cascade's tables need: a study's results or a single intervention's. */
type DisplayedResults = EconomyInterventionResults | SingleInterventionResults;
const interval = (m: MeanInterval, digits: number) =>
  `${formatNumber(m.mean, digits)} ± ${formatNumber(m.halfWidth, digits)}`;

/** Firms paid on the displayed cascade, largest payment first, with the failures each payment averts. */
function supportTable(r: DisplayedResults, problem: RescueProblem | undefined, progress?: SectionProgress): BriefTable {
  const paid = r.display.nodes
    .map((node, i) => ({ node, i }))
    .filter(({ node }) => node.payment > 0)
    .sort((a, b) => b.node.payment - a.node.payment || a.node.id.localeCompare(b.node.id));
  const averted = new Map<string, number | null>();
  if (problem) {
    // Support only lowers thresholds, so only the firms failing without it (F) can fail with part of it.
    const slot = new Map(Array.from(problem.failing, (i, a) => [i, a]));
    const payments = Float64Array.from(problem.failing, (i) => r.display.nodes[i]!.payment);
    const failing = (x: Float64Array) =>
      problem.failing.length - savedByPayments(problem, x).reduce((n, saved) => n + saved, 0);
    const failedWithAll = failing(payments);
    for (const [k, { node, i }] of paid.entries()) {
      progress?.(`failures averted by each payment (${k + 1} of ${paid.length})`);
      const a = slot.get(i);
      if (a === undefined) {
        averted.set(node.id, 0);
        continue;
      }
      const without = Float64Array.from(payments);
      without[a] = 0;
      averted.set(node.id, failing(without) - failedWithAll);
    }
  }
  const rows = paid.map(({ node }) => [
    node.id,
    node.name && node.name !== node.id ? node.name : '',
    node.payment,
    r.display.spent > 0 ? (100 * node.payment) / r.display.spent : 0,
    averted.get(node.id) ?? null,
    node.roundBefore || null,
  ]);
  return {
    title: 'Whom to support and how much',
    columns: [
      { label: 'Firm', numeric: false },
      { label: 'Name', numeric: false },
      { label: 'Payment', unit: r.unit, numeric: true, digits: 2 },
      { label: 'Share of the amount spent', unit: '%', numeric: true, digits: 1 },
      { label: 'Failures averted by this payment', numeric: true, digits: 0 },
      { label: 'Round of failure without support', numeric: true, digits: 0 },
    ],
    rows: rows.slice(0, TOP),
    annexRows: rows,
    note: `${r.display.method}, on ${r.display.scenario}. Failures averted by a payment: failures with that payment withdrawn and the others kept, less failures with all of them; the payments act together, so these need not add up to the ${r.display.failedBefore - r.display.failedAfter} averted in all.${rows.length > TOP ? ` ${rows.length - TOP} more firms in the annex.` : ''}`,
  };
}

function roundsTable(r: DisplayedResults): BriefTable {
  const rounds = Math.max(0, ...r.display.nodes.map((n) => Math.max(n.roundBefore, n.roundAfter)));
  const count = (round: number, which: 'roundBefore' | 'roundAfter') =>
    r.display.nodes.filter((n) => n[which] === round).length;
  return {
    title: 'Failures by round of the cascade, before and after support',
    columns: [
      { label: 'Round', numeric: true },
      { label: 'Firms failing, no support', numeric: true },
      { label: 'Firms failing, with support', numeric: true },
    ],
    rows: [
      ...Array.from({ length: rounds }, (_, k) => [k + 1, count(k + 1, 'roundBefore'), count(k + 1, 'roundAfter')]),
      ['All rounds', r.display.failedBefore, r.display.failedAfter],
    ],
  };
}

function studyTables(r: EconomyInterventionResults, params: EconomyInterventionParams): BriefTable[] {
  const { study } = r;
  const tables: BriefTable[] = [
    {
      title: 'Budget curve over the scenarios (± 95% interval half-width)',
      columns: [
        { label: 'Budget', unit: r.unit, numeric: true, digits: 2 },
        { label: 'Budget, share of Σ(Dp)', unit: '%', numeric: true, digits: 2 },
        { label: 'Expected failures after', numeric: false },
        { label: 'Firms saved', unit: '%', numeric: false },
        { label: 'Value saved', unit: r.unit, numeric: false },
      ],
      rows: study.budgets.map((b) => [
        b.budget,
        100 * b.budgetFraction,
        interval(b.failedAfter, 2),
        interval({ mean: 100 * b.firmsSavedFraction.mean, halfWidth: 100 * b.firmsSavedFraction.halfWidth }, 1),
        interval(b.valueSaved, 2),
      ]),
      note: `${study.scenarios.toLocaleString('en-US')} correlated scenarios (seed ${study.seed}); expected failures without support ${interval(study.failedBefore, 2)}.`,
    },
    {
      title: 'Tail value at risk of the failures at the chosen budget (Table 1)',
      columns: [
        { label: 'Level q', numeric: false },
        { label: 'TVaR, no support', unit: 'firms', numeric: true, digits: 2 },
        { label: 'TVaR, with support', unit: 'firms', numeric: true, digits: 2 },
        { label: 'Reduction', unit: '%', numeric: true, digits: 1 },
      ],
      rows: study.tvarReduction.map((t) => [formatNumber(t.q, 2), t.before, t.after, t.reductionPercent]),
      note: `TVaR at q: the mean number of failures over the worst (1 − q) share of the scenarios; budget ${formatPercent(params.budgetFraction, 2)} of Σ(Dp).`,
    },
  ];
  if (r.tail) {
    const t = r.tail;
    const row = (label: string, e: typeof t.plain) => [
      label,
      e.samples,
      `${e.exceedance.toExponential(3)} ± ${e.exceedanceError.toExponential(2)}`,
      e.valueAtRisk,
      e.tvar,
    ];
    tables.push({
      title: `Tail sampling: probability that at least ${t.threshold} firms fail`,
      columns: [
        { label: 'Estimator', numeric: false },
        { label: 'Samples', numeric: true },
        { label: 'Probability ± standard error', numeric: false },
        { label: 'Value at risk', unit: 'firms', numeric: true, digits: 2 },
        { label: 'TVaR', unit: 'firms', numeric: true, digits: 2 },
      ],
      rows: [row('Plain Monte Carlo', t.plain), row('Importance sampling', t.importance)],
      note: `Aggregate shock ${formatNumber(t.aggregateShock, 2)} ${r.unit}. ${t.sampleSaving !== undefined ? `Importance sampling needs ${formatNumber(t.sampleSaving, 1)} times fewer samples for the same precision.` : `Saving in samples: ${t.sampleSavingNote ?? 'not available'}.`}`,
    });
  }
  return tables;
}

/** The chosen method against both DiscountFrac variants and the two baselines, at the same budget on the displayed cascade. */
function methodsTable(r: DisplayedResults, problem: RescueProblem | undefined): BriefTable {
  const rows: Array<Array<string | number>> = (r.display.discountFracVariants ?? []).map((v) => [
    v.label,
    v.spent,
    v.paid,
    v.failedAfter,
    v.objectiveValue,
  ]);
  if (problem) {
    for (const [baseline, label] of [
      [largestFirst, 'Baseline: largest first'],
      [firstLayer, 'Baseline: first layer of defaults'],
    ] as const) {
      const result = baseline(problem, r.display.budget);
      rows.push([
        label,
        result.spent,
        result.payments.reduce((n, x) => n + (x > 0 ? 1 : 0), 0),
        result.failedAfter.length,
        result.objective,
      ]);
    }
  }
  if (!rows.some((row) => row[0] === r.display.method))
    rows.unshift([
      r.display.method,
      r.display.spent,
      r.display.nodes.filter((n) => n.payment > 0).length,
      r.display.failedAfter,
      r.display.objectiveValue,
    ]);
  return {
    title: 'The method against the baselines at the same budget',
    columns: [
      { label: 'Method', numeric: false },
      { label: 'Spent', unit: r.unit, numeric: true, digits: 2 },
      { label: 'Firms paid', numeric: true },
      { label: 'Failures after', numeric: true },
      {
        label: r.display.objective === 'failures averted' ? 'Failures averted' : `Value saved (${r.unit})`,
        numeric: true,
        digits: 2,
      },
    ],
    rows,
    note: `Budget ${formatNumber(r.display.budget, 2)} ${r.unit}, on ${r.display.scenario}; ${r.display.failedBefore} firms fail without support.`,
  };
}

/** The tables of the displayed cascade: whom to support (with the failures each payment averts), rounds, baselines. */
function displayedTables(
  r: DisplayedResults,
  shown: EconomySystem | undefined,
  params: Pick<EconomyInterventionParams, 'objective'>,
  progress?: SectionProgress,
): BriefTable[] {
  progress?.('the firms failing without support');
  const problem = shown ? rescueProblem(shown, params.objective) : undefined;
  const support = supportTable(r, problem, progress);
  progress?.('the method against the baselines');
  return [support, roundsTable(r), methodsTable(r, problem)];
}

function cascadePicture(r: DisplayedResults, document: EconomyDocument | undefined): BriefChart | undefined {
  if (!document) return undefined;
  const state = new Map(
    r.display.nodes.map((n) => [
      n.id,
      n.payment > 0
        ? 'paid'
        : n.roundBefore > 0 && n.roundAfter === 0
          ? 'saved'
          : n.roundAfter > 0
            ? 'failed'
            : undefined,
    ]),
  );
  return drawNetwork({
    title: 'The cascade before and after support',
    caption: `Firms failing without support: saved by the cascade of support (green), paid directly (blue), still failing (red); lines are the largest cross-holdings. ${r.display.failedBefore} fail before, ${r.display.failedAfter} after.`,
    nodes: document.firms.map((f) => ({ id: f.id, weight: f.threshold, highlight: state.get(f.id) })),
    edges: document.crossHoldings.map((c) => ({ from: c.holder, to: c.issuer, amount: c.share })),
    highlights: [
      { key: 'paid', label: 'supported', color: '#1f5f99' },
      { key: 'saved', label: 'saved by the cascade', color: '#15803d' },
      { key: 'failed', label: 'still failing', color: '#b42318' },
    ],
    unit: '(share)',
  });
}

async function economySection(
  context: RunContext,
  r: EconomyInterventionResults,
  params: EconomyInterventionParams & { cluster?: StressClusterProvenance },
  progress?: SectionProgress,
): Promise<SectionContent> {
  const { run } = context;
  const document = context.network?.kind === 'crossholdings' ? context.network.document : undefined;
  const { display, study } = r;
  const where = context.network ? `${context.network.name} v${context.network.version}` : 'the economy';
  const paid = display.nodes.filter((n) => n.payment > 0).length;
  const budgets = study.budgets;
  progress?.('charts');
  const charts = [
    await intervalChart(
      'Expected failures against the budget',
      `Mean number of firms failing over ${study.scenarios.toLocaleString('en-US')} scenarios, with its 95% interval (shaded), by budget in ${r.unit}.`,
      budgets.map((b) => ({
        x: b.budget,
        mean: b.failedAfter.mean,
        low: b.failedAfter.mean - b.failedAfter.halfWidth,
        high: b.failedAfter.mean + b.failedAfter.halfWidth,
      })),
      { x: `budget (${r.unit})`, y: 'expected failures (firms)' },
    ),
    await intervalChart(
      'Firms saved and value saved against the budget',
      'Share of the failing firms saved and share of the value lost that is saved, with 95% intervals (shaded).',
      budgets.flatMap((b) => [
        {
          x: b.budget,
          mean: b.firmsSavedFraction.mean,
          low: b.firmsSavedFraction.mean - b.firmsSavedFraction.halfWidth,
          high: b.firmsSavedFraction.mean + b.firmsSavedFraction.halfWidth,
          series: 'firms saved',
        },
        {
          x: b.budget,
          mean: b.valueSavedFraction.mean,
          low: b.valueSavedFraction.mean - b.valueSavedFraction.halfWidth,
          high: b.valueSavedFraction.mean + b.valueSavedFraction.halfWidth,
          series: 'value saved',
        },
      ]),
      { x: `budget (${r.unit})`, y: 'share saved', percentY: true },
    ),
  ];
  progress?.('the cascade picture');
  const network = cascadePicture(r, document);
  const shown = document ? displaySystem(toEconomySystem(document), params).system : undefined;
  const tables = displayedTables(r, shown, params, progress);
  return {
    heading: `Intervention — whom to support, run #${run.id}, ${where}`,
    summary:
      `Supporting ${paid} firm${paid === 1 ? '' : 's'} with ${formatNumber(display.spent, 2)} ${r.unit} (budget ${formatNumber(display.budget, 2)} ${r.unit}, ${display.method}) ` +
      `cuts the failures from ${display.failedBefore} to ${display.failedAfter} in the displayed cascade (${display.scenario}). Over ${study.scenarios.toLocaleString('en-US')} correlated shock scenarios ` +
      `the expected number of failures falls from ${interval(study.failedBefore, 2)} to ${interval(study.chosen.failedAfter, 2)} (95% intervals).`,
    keyFigures: [
      keyFigure('Budget', display.budget, r.unit, 2, `${formatPercent(params.budgetFraction, 2)} of Σ(Dp)`),
      keyFigure('Spent', display.spent, r.unit, 2, `${paid} firm${paid === 1 ? '' : 's'} paid`),
      keyFigure(
        'Failures without support',
        display.failedBefore,
        'firms',
        0,
        display.failedWorstCase !== undefined ? `${display.failedWorstCase} in the worst-case equilibrium` : undefined,
      ),
      keyFigure('Failures with support', display.failedAfter, 'firms', 0),
      keyFigure(
        'Expected failures without support',
        study.failedBefore.mean,
        'firms',
        2,
        `± ${formatNumber(study.failedBefore.halfWidth, 2)} (95% interval)`,
      ),
      keyFigure(
        'Expected failures with support',
        study.chosen.failedAfter.mean,
        'firms',
        2,
        `± ${formatNumber(study.chosen.failedAfter.halfWidth, 2)} (95% interval)`,
      ),
      keyFigure(
        'Expected value saved',
        study.chosen.valueSaved.mean,
        r.unit,
        2,
        `± ${formatNumber(study.chosen.valueSaved.halfWidth, 2)} (95% interval)`,
      ),
    ],
    scenario: [
      `Economy: ${where}, ${r.firms} firms, total outside asset value Σ(Dp) = ${formatNumber(r.totalAssetValue, 2)} ${r.unit}.`,
      `Displayed cascade: ${display.scenario}.`,
      `Scenarios: ${study.scenarios.toLocaleString('en-US')} correlated shocks to outside asset values with correlation ρ = ${study.shocks.rho}, volatility σ = ${study.shocks.sigma} and drift μ = ${study.shocks.drift}; ${study.scenariosWithFailures.toLocaleString('en-US')} of them have failures.`,
    ],
    ...(network ? { network } : {}),
    charts,
    tables: [...tables, ...studyTables(r, params)].map(withoutEmptyColumns),
    method: [
      'Model (Elliott, Golub & Jackson; "Optimal intervention in economic networks using influence maximization methods" §2): firm values V = (I − C)⁻¹(Dp − β∘y), market values v = ĈV; a firm fails when v_i < θ_i and loses β_i. Support x lowers thresholds to θ − Ĉx.',
      `Method (§4.2): ${display.method}; the budget curve uses the same order over every scenario. Shocks (§4.1): (Dp)'_i = (Dp)_i(1 + s_i), s_i = max(−1, μ + σ(√ρ G + √(1 − ρ) E_i)).`,
      `Assumptions: thresholds are known exactly for DiscountFrac; the greedy methods draw them uniformly within ± ${formatPercent(params.uncertainty, 0)}. Intervals are 95% normal intervals over the scenarios.`,
    ],
    provenance: [
      { label: 'Method', value: display.method },
      { label: 'Objective', value: display.objective },
      {
        label: 'Budget curve',
        value: `${budgets.length} budgets up to ${formatPercent(params.maxBudgetFraction, 2)} of Σ(Dp)`,
      },
      ...clusterProvenance(params.cluster, 'Economy'),
    ],
  };
}

/** A single intervention (`cwb intervene`): the cascade as it is, before and after, without a scenario study. */
function singleSection(
  context: RunContext,
  r: SingleInterventionResults,
  params: SingleInterventionParams,
  progress?: SectionProgress,
): SectionContent {
  const { run } = context;
  const document = context.network?.kind === 'crossholdings' ? context.network.document : undefined;
  const { display } = r;
  const where = context.network ? `${context.network.name} v${context.network.version}` : 'the economy';
  const paid = display.nodes.filter((n) => n.payment > 0).length;
  const shown = document ? toEconomySystem(document) : undefined;
  const network = cascadePicture(r, document);
  return {
    heading: `Intervention — whom to support, run #${run.id}, ${where}`,
    summary:
      `Supporting ${paid} firm${paid === 1 ? '' : 's'} with ${formatNumber(display.spent, 2)} ${r.unit} (budget ${formatNumber(display.budget, 2)} ${r.unit}, ${display.method}) ` +
      `cuts the failures from ${display.failedBefore} to ${display.failedAfter} in the cascade at the economy's asset values; no shock scenarios were studied.`,
    keyFigures: [
      keyFigure(
        'Budget',
        display.budget,
        r.unit,
        2,
        `${formatPercent(r.totalAssetValue > 0 ? display.budget / r.totalAssetValue : 0, 2)} of Σ(Dp)`,
      ),
      keyFigure('Spent', display.spent, r.unit, 2, `${paid} firm${paid === 1 ? '' : 's'} paid`),
      keyFigure(
        'Failures without support',
        display.failedBefore,
        'firms',
        0,
        display.failedWorstCase !== undefined ? `${display.failedWorstCase} in the worst-case equilibrium` : undefined,
      ),
      keyFigure('Failures with support', display.failedAfter, 'firms', 0),
    ],
    scenario: [
      `Economy: ${where}, ${r.firms} firms, total outside asset value Σ(Dp) = ${formatNumber(r.totalAssetValue, 2)} ${r.unit}.`,
      `Cascade: ${display.scenario}.`,
    ],
    ...(network ? { network } : {}),
    charts: [],
    tables: displayedTables(r, shown, params, progress).map(withoutEmptyColumns),
    method: [
      'Model (Elliott, Golub & Jackson; "Optimal intervention in economic networks using influence maximization methods" §2): firm values V = (I − C)⁻¹(Dp − β∘y), market values v = ĈV; a firm fails when v_i < θ_i and loses β_i. Support x lowers thresholds to θ − Ĉx.',
      `Method (§4.2): ${display.method}.`,
      `Assumptions: thresholds are known exactly for DiscountFrac; the greedy methods draw them uniformly within ± ${formatPercent(params.uncertainty, 0)} (${params.greedySamples} draws, seed ${params.seed}).`,
    ],
    provenance: [
      { label: 'Method', value: display.method },
      { label: 'Objective', value: display.objective },
    ],
  };
}

export const interventionSection: SectionProvider = {
  kind: 'intervention',
  async describe(context, progress) {
    const { results: r, params } = runOfKind(context.run, 'intervention');
    // results and parameters share the target (the job saves both); each pair narrows together
    if (r.target === 'interbank' && params.target === 'interbank') return bailoutSection(context, r, params);
    if (r.target === 'economy-single' && params.target === 'economy-single')
      return singleSection(context, r, params, progress);
    if (r.target === 'economy' && params.target === 'economy') return economySection(context, r, params, progress);
    throw new Error(
      `run #${context.run.id}: its parameters (${params.target}) and results (${r.target}) are of different targets`,
    );
  },
};
