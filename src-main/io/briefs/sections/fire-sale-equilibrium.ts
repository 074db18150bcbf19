/**
 * The fire-sale equilibrium section (run kind `firesale`): the greatest-price fixed point p = Φ(Bℓ(p)) of the
 * fire-sale model of Cao, Chen, Mishra, Amini & Feinstein, "Modeling inverse demand function with explainable dual
 * neural networks" (2023, §3; docs/engines/fire-sales.md) — banks sell their illiquid assets pro rata, to a
 * leverage target or to pay their liabilities, and prices follow the inverse demand function. The summary states
 * the total loss, the banks in default, the largest price fall and the rounds to converge; tables of prices
 * (before → after, % fall), liquidations per bank (and asset, where few), losses per bank and the convergence; a
 * chart of the price falls by asset and one of the prices over the rounds of the fixed point.
 */
import { createHash } from 'node:crypto';
import type { BriefChart, BriefTable, KeyFigure, TableCell } from '../../../../src-shared/briefs';
import { formatNumber, formatPercent, keyFigure } from '../../../../src-shared/brief-format';
import { decimalsFor, scientific } from '../../../../src-shared/format/numbers';
import { convergenceWarning, type FireSaleRunResults } from '../../../../src-shared/results/fire-sales';
import { rankingChart, renderChart } from '../charts';
import type { SectionProvider } from './provider';
import { runOfKind } from '../../../../src-shared/domain';

/** Rows of a printed table of banks or assets (the annex has them all). */
const TOP = 25;
/** Assets up to which liquidations are printed per bank and asset; beyond, per bank with its largest sale. */
const MATRIX_ASSETS = 6;
/** Assets drawn in the price path. */
const PATH_ASSETS = 6;
const PRICE_DIGITS = 4;

const FORM_WORDS: Record<FireSaleRunResults['form'], string> = {
  linear: 'linear, p = max(0, 1 − Bℓ)',
  exponential: 'exponential, p = exp(−Bℓ)',
  arctangent: 'arctangent, p = (atan(−Bℓ) + 2π)/2π',
};
const STRATEGY_WORDS: Record<FireSaleRunResults['strategy'], string> = {
  'leverage-target':
    'each bank sells, pro rata across its assets, what brings its leverage back to its maximum (an insolvent bank sells everything)',
  proportional: 'each bank sells, pro rata across its assets, what pays its liabilities beyond its cash',
};

/** Decimals for amounts of this size: about four significant digits of the largest (whole units from 1,000 up). */
const digitsFor = (values: number[]) => decimalsFor(Math.max(0, ...values.map(Math.abs)), 4);
/** max|Φ(p) − p| and the tolerance: "3.41 × 10⁻¹³", "1 × 10⁻¹²", or "0". */
const small = (value: number, significant = 3) => (value === 0 ? '0' : scientific(value, significant));
/** An amount as a table cell: a number, or "9.69 × 10⁻⁶" where the column's decimals would print it as 0. */
const amountCell = (value: number, digits: number): TableCell =>
  value !== 0 && Math.abs(value) < 0.5 * 10 ** -digits ? scientific(value, 3) : value;
/** The system's name for headings: up to its first parenthesis when long. */
function shortName(name: string): string {
  if (name.length <= 48) return name;
  const cut = name.indexOf(' (');
  return cut >= 12 && cut <= 48 ? name.slice(0, cut) : `${name.slice(0, 47)}…`;
}
/** The screen's default unit without its explanation (the scenario paragraph gives it). */
const unitOf = (r: FireSaleRunResults) => r.unit.replace(/ \(price 1 before the shock\)$/, '');
const fall = (r: FireSaleRunResults, m: number) => (r.initialPrices[m]! - r.prices[m]!) / r.initialPrices[m]!;
const rowsNote = (shown: number, all: number, what: string) =>
  all > shown ? `The ${shown} ${what} shown; the annex (XLSX/CSV) lists all ${all}.` : undefined;

type Column = BriefTable['columns'][number];
const BANK_COLUMN: Column = { label: 'Bank', numeric: false, share: 0.12 };
const amountColumn = (label: string, unit: string, digits: number): Column => ({ label, unit, numeric: true, digits });
const percentColumn = (label: string): Column => ({ label, unit: '%', numeric: true, digits: 2 });

/** Keeps the first `TOP` rows for the printed table, every row for the annex; `totals` close both. */
function capped(
  table: Omit<BriefTable, 'rows' | 'annexRows'>,
  rows: TableCell[][],
  what: string,
  totals: TableCell[][] = [],
): BriefTable {
  const note = [table.note, rowsNote(Math.min(TOP, rows.length), rows.length, what)].filter(Boolean).join(' ');
  return {
    ...table,
    rows: [...rows.slice(0, TOP), ...totals],
    ...(rows.length > TOP ? { annexRows: [...rows, ...totals] } : {}),
    ...(note ? { note } : {}),
  };
}

/** A table with a row per bank, largest `by` first: the bank's id, then `cells(n)`. */
function bankTable(
  r: FireSaleRunResults,
  by: number[],
  table: { title: string; columns: Column[]; note?: string; what: string; totals?: TableCell[][] },
  cells: (n: number) => TableCell[],
): BriefTable {
  const order = r.bankIds.map((_, n) => n).sort((a, b) => by[b]! - by[a]!);
  const { what, totals, ...rest } = table;
  return capped(
    { ...rest, columns: [BANK_COLUMN, ...table.columns] },
    order.map((n) => [r.bankIds[n]!, ...cells(n)]),
    what,
    totals,
  );
}

function pricesTable(r: FireSaleRunResults, amountDigits: number): BriefTable {
  const order = r.assetIds.map((_, m) => m).sort((a, b) => fall(r, b) - fall(r, a));
  return capped(
    {
      title: 'Prices before and after the fire sale, by asset (largest fall first)',
      columns: [
        { label: 'Asset', numeric: false, share: 0.1 },
        { label: 'Price before', unit: '1 = pre-shock', numeric: true, digits: PRICE_DIGITS },
        { label: 'Equilibrium price', unit: '1 = pre-shock', numeric: true, digits: PRICE_DIGITS },
        percentColumn('Price fall'),
        amountColumn('Units sold', r.unit, amountDigits),
        amountColumn('Loss on holdings', r.unit, amountDigits),
      ],
      note: 'Loss on holdings: the units every bank holds of the asset times its price fall.',
    },
    order.map((m) => [
      r.assetIds[m]!,
      r.initialPrices[m]!,
      r.prices[m]!,
      100 * fall(r, m),
      amountCell(r.assetLiquidations[m]!, amountDigits),
      amountCell(r.assetLosses[m]!, amountDigits),
    ]),
    'assets with the largest price falls are',
  );
}

function liquidationsTable(r: FireSaleRunResults, amountDigits: number): BriefTable {
  const sold = r.bankLiquidations.map((row) => row.reduce((a, b) => a + b, 0));
  const amount = (v: number) => amountCell(v, amountDigits);
  const what = 'banks that sold most are';
  const share = percentColumn('Share of its holdings sold');
  if (r.assetIds.length <= MATRIX_ASSETS) {
    return bankTable(
      r,
      sold,
      {
        title: 'Units sold by each bank, per asset (largest seller first)',
        columns: [
          ...r.assetIds.map((id) => amountColumn(id, r.unit, amountDigits)),
          amountColumn('Total', r.unit, amountDigits),
          share,
        ],
        what,
        totals: [['All banks', ...r.assetLiquidations.map(amount), amount(sold.reduce((a, b) => a + b, 0)), null]],
      },
      (n) => [...r.bankLiquidations[n]!.map(amount), amount(sold[n]!), 100 * r.fractions[n]!],
    );
  }
  return bankTable(
    r,
    sold,
    {
      title: 'Units sold by each bank (largest seller first)',
      columns: [
        amountColumn('Units sold', r.unit, amountDigits),
        share,
        { label: 'Largest sale', numeric: false, share: 0.4 },
      ],
      note: `Each bank sells the same share of every asset it holds; the units sold of each of the ${r.assetIds.length} assets are in the table of prices.`,
      what,
    },
    (n) => {
      const row = r.bankLiquidations[n]!;
      const largest = row.reduce((best, v, m) => (v > row[best]! ? m : best), 0);
      return [
        amount(sold[n]!),
        100 * r.fractions[n]!,
        row[largest]! > 0 ? `${r.assetIds[largest]}: ${formatNumber(row[largest]!, amountDigits)} ${r.unit}` : 'none',
      ];
    },
  );
}

function lossesTable(r: FireSaleRunResults, amountDigits: number): BriefTable {
  const amount = (v: number) => amountCell(v, amountDigits);
  return bankTable(
    r,
    r.losses,
    {
      title: 'Losses by bank (largest first)',
      columns: [
        amountColumn('Loss', r.unit, amountDigits),
        percentColumn('Share of the total loss'),
        amountColumn('Equity after', r.unit, amountDigits),
        { label: 'In default (equity ≤ 0)', numeric: false },
      ],
      note: `Loss: the fall in the market value of the bank's holdings${r.interbankLiabilities ? ', plus the write-down of its interbank claims at the Eisenberg–Noe clearing payments' : ''}.`,
      what: 'banks with the largest losses are',
    },
    (n) => [
      amount(r.losses[n]!),
      r.totalLoss > 0 ? (100 * r.losses[n]!) / r.totalLoss : 0,
      amount(r.equity[n]!),
      r.defaulted[n] ? 'yes' : 'no',
    ],
  );
}

function convergenceTable(r: FireSaleRunResults): BriefTable {
  return {
    title: 'Convergence of the fixed point',
    columns: [
      { label: 'Quantity', numeric: false },
      { label: 'Value', numeric: false },
    ],
    rows: [
      ['Rounds of the price iteration', `${r.iterations.toLocaleString('en-US')} steps`],
      ['Of which accelerated (certified Newton steps)', `${r.acceleratedSteps.toLocaleString('en-US')} steps`],
      ['Largest price change in the last round, max|Φ(p) − p|', `${small(r.lastChange)} (price, 1 = pre-shock)`],
      ['Remaining error at the prices reported', `${small(r.residual)} (price, 1 = pre-shock)`],
      ['Tolerance', `${small(r.tolerance, 1)} (price, 1 = pre-shock)`],
      ['Step limit', `${r.maxIterations.toLocaleString('en-US')} steps`],
      ['Converged', r.converged ? 'yes' : 'no'],
    ],
  };
}

async function charts(r: FireSaleRunResults): Promise<BriefChart[]> {
  const byFall = r.assetIds.map((_, m) => m).sort((a, b) => fall(r, b) - fall(r, a));
  const out: BriefChart[] = [];
  if (r.assetIds.length > 1) {
    const shown = byFall.slice(0, 20);
    out.push(
      await rankingChart(
        'Price fall by asset',
        `Fall of each asset's price from 1 before the shock to the equilibrium, in percent${r.assetIds.length > shown.length ? `; the ${shown.length} largest of ${r.assetIds.length} assets` : ''}.`,
        shown.map((m) => ({ label: r.assetIds[m]!, value: 100 * fall(r, m) })),
        { x: 'price fall (%)', y: 'asset' },
      ),
    );
  }
  if (r.pricePath.length > 0) {
    const drawn = byFall.slice(0, PATH_ASSETS);
    const points = drawn.flatMap((m) =>
      [r.initialPrices[m]!, ...r.pricePath.map((row) => row[m]!)].map((price, round) => ({
        round,
        price,
        asset: r.assetIds[m]!,
      })),
    );
    out.push(
      await renderChart(
        'Prices over the rounds of the fixed point',
        `Each round sets the prices to Φ(Bℓ) at the banks' sales at the previous prices, from 1 before the shock (round 0) down to the greatest equilibrium${r.assetIds.length > drawn.length ? `; the ${drawn.length} assets with the largest falls of ${r.assetIds.length}` : ''}.`,
        {
          width: 420,
          height: 200,
          data: { values: points },
          mark: { type: 'line', point: true },
          encoding: {
            x: {
              field: 'round',
              type: 'quantitative',
              title: 'round of the price iteration',
              axis: { tickMinStep: 1, format: 'd' },
            },
            y: { field: 'price', type: 'quantitative', title: 'price (1 = pre-shock)', scale: { domain: [0, 1] } },
            ...(drawn.length > 1
              ? {
                  color: {
                    field: 'asset',
                    type: 'nominal',
                    title: null,
                    sort: drawn.map((m) => r.assetIds[m]!),
                    legend: { orient: 'bottom', columns: 3 },
                  },
                }
              : { color: { value: '#1f5f99' } }),
          },
        },
      ),
    );
  }
  return out;
}

export const fireSaleEquilibriumSection: SectionProvider = {
  kind: 'firesale',
  async describe(context) {
    const run = runOfKind(context.run, 'firesale');
    const saved = run.results;
    const r: FireSaleRunResults = { ...saved, unit: unitOf(saved) };
    const amountsIn = r.unit === saved.unit ? r.unit : `units of the assets (each worth 1 before the shock)`;
    const { system } = run.params;
    const nBanks = r.bankIds.length;
    const nAssets = r.assetIds.length;
    const amountDigits = digitsFor([r.totalLoss, ...r.losses, ...r.equity, ...r.assetLiquidations]);
    const unitsSold = r.assetLiquidations.reduce((a, b) => a + b, 0);
    const worst = r.assetIds.reduce((best, _, m) => (fall(r, m) > fall(r, best) ? m : best), 0);
    const defaults = r.defaulted.filter(Boolean).length;
    const warning = convergenceWarning(r);
    const keyFigures: KeyFigure[] = [
      keyFigure('Total loss from the fire sale', r.totalLoss, r.unit, amountDigits),
      keyFigure('Banks in default (equity ≤ 0)', defaults, 'banks', 0, `of ${nBanks}`),
      keyFigure('Largest price fall', fall(r, worst), '%', 2, r.assetIds[worst]),
      keyFigure('Units sold in all', unitsSold, r.unit, amountDigits, `of ${nAssets} asset${nAssets === 1 ? '' : 's'}`),
      keyFigure(
        'Rounds to converge',
        r.iterations,
        'steps',
        0,
        r.converged ? `tolerance ${small(r.tolerance, 1)}` : 'not converged',
      ),
    ];
    const converged = r.converged
      ? `The price iteration converged in ${r.iterations.toLocaleString('en-US')} rounds (largest change in the last round ${small(r.lastChange)}, tolerance ${small(r.tolerance, 1)}).`
      : (warning ?? '');
    return {
      heading: `Fire-sale equilibrium — run #${run.id}, ${shortName(r.system)}`,
      summary:
        `${shortName(r.system)}: in this scenario the fire sale costs the ${nBanks} banks ${formatNumber(r.totalLoss, amountDigits)} ${r.unit} in all and leaves ${defaults} of them with equity at or below zero: ` +
        `they sell ${formatNumber(unitsSold, amountDigits)} ${r.unit} of ${nAssets} illiquid asset${nAssets === 1 ? '' : 's'}, and the largest price fall is ${formatPercent(fall(r, worst), 2)} (${r.assetIds[worst]}). ` +
        `${converged} One deterministic scenario: no sampling error.`,
      keyFigures,
      scenario: [
        `${r.system}: ${nBanks} banks, ${nAssets} illiquid assets; amounts in ${amountsIn}, prices relative to 1 before the shock. ${r.scenario}`,
        `Inverse demand ${FORM_WORDS[r.form]}${system.inverseDemand.crossImpact.length ? `, with ${system.inverseDemand.crossImpact.length} cross-impacts between assets` : ''}; ${STRATEGY_WORDS[r.strategy]}${r.interbankLiabilities ? `; ${r.interbankLiabilities} interbank liabilities cleared by Eisenberg–Noe at every round` : ''}.`,
        ...(warning ? [`Warning: ${warning}`] : []),
      ],
      charts: await charts(r),
      tables: [
        pricesTable(r, amountDigits),
        liquidationsTable(r, amountDigits),
        lossesTable(r, amountDigits),
        convergenceTable(r),
      ],
      method: [
        'The fire-sale model of Cao, Chen, Mishra, Amini & Feinstein (2023, §3): bank n holds a_nm units of illiquid asset m, worth 1 each before the shock; at prices p it sells the share f_n(p) of every asset it holds, and the units sold ℓ = Σ_n f_n a_n move prices to Φ(Bℓ), with B the price impact per unit sold (diagonal: own impact, off-diagonal: cross-impact).',
        `The equilibrium reported is the greatest fixed point p = Φ(Bℓ(p)): the iteration starts at the prices before the shock and falls monotonically to it; steps are accelerated by certified Newton steps from above, and it stops when max|Φ(p) − p| is at most ${small(r.tolerance, 1)} (docs/engines/fire-sales.md).`,
      ],
      provenance: [
        {
          label: 'System',
          value: `${r.system} (${nBanks} banks, ${nAssets} assets, ${system.holdings.length} holdings)`,
        },
        { label: 'System document SHA-256', value: createHash('sha256').update(JSON.stringify(system)).digest('hex') },
        { label: 'Inverse demand', value: FORM_WORDS[r.form] },
        {
          label: 'Tolerance and step limit',
          value: `${small(r.tolerance, 1)}; ${r.maxIterations.toLocaleString('en-US')} steps`,
        },
      ],
    };
  },
};
