/**
 * The bailout section (run kind `intervention`, target interbank): payments per bank on an Eisenberg–Noe network
 * (Eisenberg & Noe 2001, "Systemic risk in financial systems", §2) under a shock of a fixed share of outside
 * assets, defaults before and after, and the defaults-against-budget curve (src-main/engines/bailout.ts).
 */
import type { BriefTable } from '../../../../src-shared/briefs';
import type { InterbankBailoutParams, InterbankBailoutResults } from '../../../../src-shared/results/intervention';
import { formatNumber, formatPercent, keyFigure, withoutEmptyColumns } from '../../../../src-shared/brief-format';
import { intervalChart } from '../charts';
import type { RunContext } from '../context';
import { drawNetwork } from '../network-svg';
import type { SectionContent } from './provider';

export async function bailoutSection(
  context: RunContext,
  r: InterbankBailoutResults,
  params: InterbankBailoutParams,
): Promise<SectionContent> {
  const { run } = context;
  const { display } = r;
  const where = context.network ? `${context.network.name} v${context.network.version}` : 'the network';
  const paid = display.nodes
    .filter((n) => n.payment > 0)
    .sort((a, b) => b.payment - a.payment || a.id.localeCompare(b.id));
  const payments: BriefTable = {
    title: 'Payments per bank',
    columns: [
      { label: 'Bank', numeric: false },
      { label: 'Name', numeric: false },
      { label: 'Payment', unit: r.unit, numeric: true, digits: 2 },
      { label: 'Share of the amount spent', unit: '%', numeric: true, digits: 1 },
      { label: 'Defaults without bailout', numeric: false },
      { label: 'Defaults with bailout', numeric: false },
    ],
    rows: paid.map((n) => [
      n.id,
      n.name && n.name !== n.id ? n.name : '',
      n.payment,
      display.spent > 0 ? (100 * n.payment) / display.spent : 0,
      n.roundBefore > 0 ? `yes, round ${n.roundBefore}` : 'no',
      n.roundAfter > 0 ? `yes, round ${n.roundAfter}` : 'no',
    ]),
    note: paid.length === 0 ? 'No bank is paid: the budget saves none of the banks in default.' : undefined,
  };
  const curve: BriefTable = {
    title: 'Defaults and shortfall against the budget',
    columns: [
      { label: 'Budget', unit: r.unit, numeric: true, digits: 2 },
      { label: 'Spent', unit: r.unit, numeric: true, digits: 2 },
      { label: 'Banks in default', numeric: true },
      { label: 'Shortfall of payments', unit: r.unit, numeric: true, digits: 2 },
    ],
    rows: r.curve.map((p) => [p.budget, p.spent, p.defaultsAfter, p.shortfallAfter]),
  };
  const stored = context.network?.kind === 'interbank' ? context.network.document : undefined;
  const state = new Map(
    display.nodes.map((n) => [
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
  const network = stored
    ? drawNetwork({
        title: 'Defaults before and after the bailout',
        caption: `Banks in default without a bailout: paid (blue), saved by the payments to others (green), still in default (red); lines are the largest interbank liabilities.`,
        nodes: stored.nodes.map((n) => ({
          id: n.id,
          group: n.group,
          weight: n.totalAssets ?? n.outsideAssets ?? 0,
          highlight: state.get(n.id),
        })),
        edges: stored.liabilities.map((l) => ({ from: l.debtor, to: l.creditor, amount: l.amount })),
        highlights: [
          { key: 'paid', label: 'paid', color: '#1f5f99' },
          { key: 'saved', label: 'saved', color: '#15803d' },
          { key: 'failed', label: 'still in default', color: '#b42318' },
        ],
        unit: r.unit,
      })
    : undefined;
  const chart = await intervalChart(
    'Banks in default against the budget',
    `Banks in default after the best bailout the method finds at each budget (${r.unit}); one deterministic shock, so no interval.`,
    r.curve.map((p) => ({ x: p.budget, mean: p.defaultsAfter, low: p.defaultsAfter, high: p.defaultsAfter })),
    { x: `budget (${r.unit})`, y: 'banks in default' },
  );
  return {
    heading: `Interbank bailout — run #${run.id}, ${where}`,
    summary:
      `With every bank losing ${formatPercent(params.shockFraction, 0)} of its outside assets, ${display.failedBefore} bank${display.failedBefore === 1 ? '' : 's'} default; paying ${formatNumber(display.spent, 2)} ${r.unit} ` +
      `of a budget of ${formatNumber(display.budget, 2)} ${r.unit} to ${paid.length} bank${paid.length === 1 ? '' : 's'} (${display.method}) leaves ${display.failedAfter} in default. ` +
      'The shock is one deterministic scenario, so these counts carry no sampling error.',
    keyFigures: [
      keyFigure('Budget', display.budget, r.unit, 2),
      keyFigure('Spent', display.spent, r.unit, 2, `${paid.length} bank${paid.length === 1 ? '' : 's'} paid`),
      keyFigure('Defaults without bailout', display.failedBefore, 'banks', 0),
      keyFigure('Defaults with bailout', display.failedAfter, 'banks', 0),
    ],
    scenario: [`Network: ${where}; amounts in ${r.unit}.`, `Shock: ${display.scenario}.`],
    ...(network ? { network } : {}),
    charts: [chart],
    tables: [payments, curve].map(withoutEmptyColumns),
    method: [
      `Clearing (Eisenberg & Noe 2001): payments p = min(p̄, max(0, Aᵀp + c − x)); a bank defaults when p_i < p̄_i. Bailout: ${display.method}, objective ${display.objective}.`,
    ],
    provenance: [
      { label: 'Method', value: display.method },
      { label: 'Shock', value: `${formatPercent(params.shockFraction, 0)} of outside assets` },
      { label: 'Budget curve', value: `${params.budgetCount} budgets` },
    ],
  };
}
