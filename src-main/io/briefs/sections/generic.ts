/**
 * The section of a run kind that has no provider of its own: it reads the run's JSON results generically, so
 * every saved run makes a sensible brief. Numbers become key figures, maps of numbers by id become ranked tables
 * and charts, arrays of records become tables, arrays of ids named like failures or defaults are highlighted on
 * the network picture, and the parameters go to the provenance.
 */
import {
  runKindLabel,
  type BriefChart,
  type BriefTable,
  type KeyFigure,
  type TableCell,
} from '../../../../src-shared/briefs';
import { rankingChart } from '../charts';
import type { RunContext } from '../context';
import { formatNumber, humanise, inWords, keyFigure } from '../../../../src-shared/brief-format';
import { methodLabel } from '../../../../src-shared/results/intervention';
import { drawNetwork, type PictureEdge, type PictureNode } from '../network-svg';
import type { SectionProvider } from './provider';

const MAX_FIGURES = 12;
const PRINTED_ROWS = 25;
const MAX_DEPTH = 3;
/** Settings stored beside the results (seeds, shock laws, inputs): the provenance has them, not the figures or charts. */
const SETTING_NAME = /^(seed|seeds|shocks|inputs|params|parameters|settings|config|options|backend|backendDetail)$/i;
const HIGHLIGHT_NAME = /fail|default|support|rescu|bail/i;
/** Fields whose numbers are amounts, in the run's unit; other numbers are shown without one. */
const AMOUNT_NAME =
  /loss|amount|payment|spent|budget|cost|capital|liquidat|exposure|shortfall|equity|asset|liabilit|total|value/i;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isRecord = (value: Json): value is { [key: string]: Json } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isScalar = (value: Json): value is string | number | boolean | null =>
  value === null || typeof value !== 'object';
const label = (path: string[]) => path.map(humanise).join(' — ');

interface Harvest {
  figures: KeyFigure[];
  lines: string[];
  tables: BriefTable[];
  rankings: Array<{ path: string[]; data: Array<{ label: string; value: number }> }>;
  highlighted: Array<{ path: string[]; ids: string[] }>;
}

/** A record whose fields are all scalars (a residual, an interval): printed as columns "Field — sub-field". */
const isFlatRecord = (value: Json | undefined): value is { [key: string]: Json } =>
  value !== undefined && isRecord(value) && Object.values(value).every(isScalar);

function recordTable(path: string[], rows: Array<{ [key: string]: Json }>): BriefTable {
  const keys = [
    ...new Set(
      rows.slice(0, 50).flatMap((row) =>
        Object.keys(row)
          .flatMap((k) =>
            isScalar(row[k]!)
              ? [[k]]
              : isFlatRecord(row[k])
                ? Object.keys(row[k] as object).map((sub) => [k, sub])
                : [],
          )
          .map((key) => key.join('\u0000')),
      ),
    ),
  ].map((key) => key.split('\u0000'));
  const cells = rows.map((row) =>
    keys.map((key): TableCell => {
      const value = key.length === 1 ? row[key[0]!] : (row[key[0]!] as { [key: string]: Json } | undefined)?.[key[1]!];
      return value === undefined || value === null
        ? null
        : typeof value === 'boolean'
          ? String(value)
          : isScalar(value)
            ? value
            : JSON.stringify(value);
    }),
  );
  return {
    title: label(path),
    columns: keys.map((key, c) => ({
      label: key.map(humanise).join(' — '),
      numeric: cells.every((row) => row[c] === null || typeof row[c] === 'number'),
    })),
    rows: cells.slice(0, PRINTED_ROWS),
    annexRows: cells,
    ...(cells.length > PRINTED_ROWS ? { note: `${cells.length - PRINTED_ROWS} more rows in the annex` } : {}),
  };
}

function harvest(value: Json, path: string[], unit: string, into: Harvest): void {
  const name = path.at(-1) ?? '';
  if (isRecord(value) && typeof value.mean === 'number' && typeof value.halfWidth === 'number') {
    // a mean with its 95% interval (intervention studies): one figure, "± half-width" beside it
    if (into.figures.length < MAX_FIGURES)
      into.figures.push(
        keyFigure(label(path), value.mean, '', 4, `± ${formatNumber(value.halfWidth, 4)} (95% interval)`),
      );
    return;
  }
  if (SETTING_NAME.test(name)) return;
  if (typeof value === 'number') {
    if (into.figures.length < MAX_FIGURES)
      into.figures.push(
        keyFigure(
          label(path),
          value,
          AMOUNT_NAME.test(name) && !/ratio|probabilit|share|fraction/i.test(name) ? unit : '',
          Number.isInteger(value) ? 0 : 4,
        ),
      );
    return;
  }
  if (typeof value === 'string' || typeof value === 'boolean') {
    if (String(value).length <= 200) into.lines.push(`${label(path)}: ${String(value)}.`);
    return;
  }
  if (value === null || path.length > MAX_DEPTH) return;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      into.lines.push(`${label(path)}: none.`);
    } else if (value.every((v) => typeof v === 'string')) {
      into.lines.push(
        `${label(path)} (${value.length}): ${value.slice(0, 40).join(', ')}${value.length > 40 ? ', …' : ''}.`,
      );
      if (HIGHLIGHT_NAME.test(name)) into.highlighted.push({ path, ids: value });
    } else if (value.every((v) => typeof v === 'number')) {
      into.lines.push(
        `${label(path)}: ${value.length} values from ${formatNumber(Math.min(...value), 4)} to ${formatNumber(Math.max(...value), 4)}.`,
      );
    } else if (value.every(isRecord)) {
      const table = recordTable(path, value);
      // Records that hold only lists (per-row samples) have no column to print.
      if (table.columns.length > 0) into.tables.push(table);
      else into.lines.push(`${label(path)}: ${value.length} records of lists, in the run's data.`);
    }
    return;
  }
  const entries = Object.entries(value);
  if (entries.length >= 2 && entries.every(([, v]) => typeof v === 'number')) {
    const ranked = (entries as Array<[string, number]>).sort(
      (a, b) => Math.abs(b[1]) - Math.abs(a[1]) || a[0].localeCompare(b[0]),
    );
    const rows = ranked.map(([id, v]) => [id, v]);
    into.tables.push({
      title: label(path),
      columns: [
        { label: 'Id', numeric: false },
        { label: humanise(name), ...(unit && AMOUNT_NAME.test(name) ? { unit } : {}), numeric: true },
      ],
      rows: rows.slice(0, PRINTED_ROWS),
      annexRows: rows,
      ...(rows.length > PRINTED_ROWS ? { note: `${rows.length - PRINTED_ROWS} more in the annex` } : {}),
    });
    if (ranked.length >= 3)
      into.rankings.push({ path, data: ranked.slice(0, 20).map(([id, v]) => ({ label: id, value: v })) });
    return;
  }
  for (const [key, child] of entries) harvest(child, [...path, key], unit, into);
}

/** An intervention's method names as a person reads them ("DiscountFrac (published)"), not as the code spells them. */
function paramsInWords(kind: string, params: unknown): unknown {
  if (kind !== 'intervention' || typeof params !== 'object' || params === null) return params;
  const p = params as { target?: string; method?: unknown; curveMethod?: unknown };
  const target = p.target === 'interbank' ? 'interbank' : 'economy';
  return {
    ...p,
    ...(typeof p.method === 'string' ? { method: methodLabel(target, p.method) } : {}),
    ...(typeof p.curveMethod === 'string' ? { curveMethod: methodLabel('economy', p.curveMethod) } : {}),
  };
}

/** A setting as text: records, lists and null as JSON, anything else as String() writes it. */
const settingText = (value: unknown): string =>
  typeof value === 'string' ||
  typeof value === 'number' ||
  typeof value === 'boolean' ||
  typeof value === 'bigint' ||
  value === undefined
    ? String(value)
    : JSON.stringify(value);

function flattenParams(value: unknown, path: string[], out: Array<{ label: string; value: string }>): void {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && path.length <= MAX_DEPTH) {
    for (const [key, child] of Object.entries(value)) flattenParams(child, [...path, key], out);
    return;
  }
  const text = Array.isArray(value) ? value.map(settingText).join(', ') : settingText(value);
  const words = path.length > 0 ? label(path) : 'Parameters';
  out.push({
    label: `Setting: ${words.charAt(0).toUpperCase()}${words.slice(1).toLowerCase()}`,
    value: text.length > 240 ? `${text.slice(0, 240)}… (${text.length} characters)` : text,
  });
}

function networkPicture(
  context: RunContext,
  highlighted: Harvest['highlighted'],
  unit: string,
): BriefChart | undefined {
  const stored = context.network;
  if (!stored) return undefined;
  const source = highlighted[0];
  const marked = new Set(source?.ids ?? []);
  let nodes: PictureNode[];
  let edges: PictureEdge[];
  if (stored.kind === 'interbank') {
    nodes = stored.document.nodes.map((n) => ({
      id: n.id,
      group: n.group,
      weight: n.totalAssets ?? n.outsideAssets ?? 0,
    }));
    edges = stored.document.liabilities.map((l) => ({ from: l.debtor, to: l.creditor, amount: l.amount }));
  } else {
    nodes = stored.document.firms.map((f) => ({ id: f.id, weight: f.threshold }));
    edges = stored.document.crossHoldings.map((c) => ({ from: c.holder, to: c.issuer, amount: c.share }));
  }
  const key = source ? label(source.path) : '';
  return drawNetwork({
    title: `The network: ${stored.name} v${stored.version}`,
    caption: source
      ? `Institutions listed under "${key}" on the inner ring; the others on the outer ring; lines are the largest ${stored.kind === 'interbank' ? 'liabilities' : 'cross-holdings'}.`
      : `Institutions on a ring by group; lines are the largest ${stored.kind === 'interbank' ? 'liabilities' : 'cross-holdings'}.`,
    nodes: nodes.map((n) => (marked.has(n.id) ? { ...n, highlight: 'marked' } : n)),
    edges,
    highlights: source ? [{ key: 'marked', label: key.slice(0, 28), color: '#b42318' }] : [],
    unit: stored.kind === 'interbank' ? unit : '(share)',
  });
}

export const genericSection: SectionProvider = {
  kind: '*',
  async describe(context) {
    const { run } = context;
    const results = (run.results ?? {}) as Json;
    const unit = isRecord(results) && typeof results.unit === 'string' ? results.unit : '';
    const found: Harvest = { figures: [], lines: [], tables: [], rankings: [], highlighted: [] };
    if (isRecord(results)) {
      for (const [key, value] of Object.entries(results)) if (key !== 'unit') harvest(value, [key], unit, found);
    } else {
      harvest(results, ['result'], unit, found);
    }
    const charts: BriefChart[] = [];
    for (const ranking of found.rankings.slice(0, 3)) {
      charts.push(
        await rankingChart(
          label(ranking.path),
          `The ${ranking.data.length} largest entries by absolute value${unit && AMOUNT_NAME.test(ranking.path.at(-1)!) ? ` (${unit})` : ''}.`,
          ranking.data,
          { x: humanise(ranking.path.at(-1)!), y: 'id' },
        ),
      );
    }
    const network = networkPicture(context, found.highlighted, unit);
    const provenance: Array<{ label: string; value: string }> = [];
    flattenParams(paramsInWords(run.kind, run.params), [], provenance);
    const where = context.network ? `${context.network.name} v${context.network.version}` : 'no stored network';
    return {
      heading: `${runKindLabel(run.kind)} — run #${run.id}${context.network ? `, ${where}` : ''}`,
      summary: `${runKindLabel(run.kind)} run #${run.id} on ${where}${run.seed !== null ? `, seed ${run.seed}` : ''}: ${
        found.figures
          .slice(0, 3)
          .map((f) => `${f.label.toLowerCase()} ${f.text}${f.unit ? ` ${f.unit}` : ''}`)
          .join('; ') || 'see the tables below'
      }.`,
      keyFigures: found.figures,
      scenario: [`Method: ${inWords(run.method)}.`, ...(unit ? [`Amounts in ${unit}.`] : []), ...found.lines],
      ...(network ? { network } : {}),
      charts,
      tables: found.tables,
      method: [
        `This section shows the saved results of a ${runKindLabel(run.kind).toLowerCase()} run as stored, each number under the name of its field; the documentation of its engine gives the equations.`,
      ],
      provenance,
    };
  },
};
