/** Number formatting shared by every brief format: fixed locale, so the same run prints the same text anywhere. */
import type { BriefChart, BriefSection, BriefTable, ComposedBrief, KeyFigure, TableCell } from './briefs';

export function formatNumber(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** As formatNumber, but in exponent form (3 significant digits) where `digits` decimals would print a non-zero value as zero. */
export function formatReadable(value: number, digits: number): string {
  return value !== 0 && Math.abs(value) < 0.5 * 10 ** -digits ? value.toExponential(2) : formatNumber(value, digits);
}

/** `significant` significant digits without exponent between 1e-4 and 1e6 (correlations: 0.9957, not 1.00). */
export function formatSignificant(value: number, significant = 4): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  if (magnitude < -4 || magnitude >= 6) return value.toExponential(significant - 1);
  return formatNumber(value, Math.max(0, significant - 1 - magnitude));
}

export const formatPercent = (value: number, digits = 2): string => `${formatNumber(value * 100, digits)}%`;

export function keyFigure(label: string, value: number, unit: string, digits = 1, note?: string): KeyFigure {
  return {
    label,
    value,
    text: unit === '%' ? formatPercent(value, digits) : formatReadable(value, digits),
    unit,
    ...(note ? { note } : {}),
  };
}

/** The text of a table cell as printed (numbers with grouping and `digits` decimals). */
export function cellText(cell: TableCell, digits?: number): string {
  if (cell === null) return '—';
  return typeof cell === 'number' ? formatReadable(cell, digits ?? (Number.isInteger(cell) ? 0 : 2)) : cell;
}

/** "expectedLossStandardError" → "Expected loss standard error". */
export function humanise(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Internal names that saved run descriptions may carry, as a reader says them. */
const INTERNAL_WORDS: Array<[RegExp, string]> = [
  [/\bmaxent\b/g, 'maximum entropy'],
  [/\bmindensity\b/g, 'minimum density'],
  [/\bd_h=/g, 'width '],
  [/\bL=/g, 'layers '],
  [/\bS=/g, 'heads '],
  [/\bgraph transformer\b/g, 'Graph transformer'],
];

/** A saved run's description (runs.method) with internal names in words. */
export function inWords(text: string): string {
  return INTERNAL_WORDS.reduce((out, [pattern, words]) => out.replace(pattern, words), text);
}

/** The key figures as a table: `text` for the printed formats, the raw `value` for the annex. */
export function keyFigureTable(title: string, figures: KeyFigure[], values: 'text' | 'value'): BriefTable {
  return {
    title,
    columns: [
      { label: 'Figure', numeric: false },
      { label: 'Value', numeric: true },
      { label: 'Unit', numeric: false },
      { label: 'Note', numeric: false },
    ],
    rows: figures.map((f) => [f.label, values === 'text' ? f.text : f.value, f.unit, f.note ?? '']),
  };
}

export function provenanceTable(entries: Array<{ label: string; value: string }>): BriefTable {
  return {
    title: 'Provenance',
    columns: [
      { label: 'Item', numeric: false },
      { label: 'Value', numeric: false },
    ],
    rows: entries.map((p) => [p.label, p.value]),
  };
}

/** The table without the columns that are empty in every row (e.g. names where the data has only ids). */
export function withoutEmptyColumns(table: BriefTable): BriefTable {
  const all = table.annexRows ?? table.rows;
  // No rows (nobody paid, say): every column would go; the table keeps its header instead.
  if (all.length === 0) return table;
  const keep = table.columns.map((_, j) => all.some((row) => row[j] !== '' && row[j] !== null && row[j] !== undefined));
  if (keep.every(Boolean)) return table;
  const pick = (rows: TableCell[][]) => rows.map((row) => row.filter((_, j) => keep[j]));
  return {
    ...table,
    columns: table.columns.filter((_, j) => keep[j]),
    rows: pick(table.rows),
    ...(table.annexRows ? { annexRows: pick(table.annexRows) } : {}),
  };
}

/**
 * The brief as printed: sections numbered "1.", "2.", …; the network picture and charts numbered "Figure n." and
 * the tables "Table n." through the whole brief, in reading order (every printed format numbers the same way).
 */
export function numberedBrief(brief: ComposedBrief): ComposedBrief {
  let figure = 0;
  let table = 0;
  const figureTitle = (chart: BriefChart): BriefChart => ({ ...chart, title: `Figure ${++figure}. ${chart.title}` });
  return {
    ...brief,
    sections: brief.sections.map((section, i) => ({
      ...section,
      heading: `${i + 1}. ${section.heading}`,
      ...(section.network ? { network: figureTitle(section.network) } : {}),
      charts: section.charts.map(figureTitle),
      tables: section.tables.map((t) => ({ ...t, title: `Table ${++table}. ${t.title}` })),
    })),
  };
}

/** One block of the executive summary: the summaries of runs of one kind and one table of their key figures. */
export interface SummaryBlock {
  paragraphs: string[];
  table: BriefTable;
}

/**
 * The executive summary: each run's summary with its key figures, except that runs of the same kind with the same
 * key figures are compared side by side in one table (one column per run).
 */
export function summaryBlocks(brief: ComposedBrief): SummaryBlock[] {
  const groups = new Map<string, BriefSection[]>();
  for (const section of brief.sections) {
    const key = `${section.kind}\u0000${section.keyFigures.map((f) => f.label).join('\u0000')}`;
    groups.set(key, [...(groups.get(key) ?? []), section]);
  }
  return [...groups.values()].map((sections) => {
    if (sections.length === 1)
      return {
        paragraphs: [sections[0]!.summary],
        table: keyFigureTable(sections[0]!.heading, sections[0]!.keyFigures, 'text'),
      };
    const first = sections[0]!;
    return {
      paragraphs: sections.map((s) => s.summary),
      table: {
        title: `${sections.length} runs side by side: ${first.heading.replace(/ — run #.*$/, '')}`,
        columns: [
          { label: 'Figure', numeric: false },
          { label: 'Unit', numeric: false },
          ...sections.map((s) => ({ label: `Run #${s.runId}`, numeric: true })),
        ],
        rows: first.keyFigures.map((f, i) => [
          f.label,
          f.unit,
          ...sections.map(
            (s) => `${s.keyFigures[i]!.text}${s.keyFigures[i]!.note ? ` (${s.keyFigures[i]!.note})` : ''}`,
          ),
        ]),
      },
    };
  });
}
