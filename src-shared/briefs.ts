/**
 * Briefs: the document a supervisor hands to a committee, composed from saved runs. The composed model is
 * JSON-safe (it travels to the renderer for the preview); the PDF, DOCX and XLSX/CSV exports are rendered from
 * it in the main process, so every format shows the same numbers.
 */
import { z } from 'zod';
import { runKindWords } from './format/labels';

export const DEFAULT_MARKING = 'CONFIDENTIAL — supervisory use';
export const BRIEF_FORMATS = ['pdf', 'docx', 'xlsx', 'csv'] as const;
export type BriefFormat = (typeof BRIEF_FORMATS)[number];

/** A brief's file name: its title in lower-case words, its runs and, for the CSV/XLSX annex, "-annex". */
export function briefFileName(title: string, runIds: number[], format: BriefFormat): string {
  const stem =
    title
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .toLowerCase()
      .slice(0, 60) || 'brief';
  return `${stem}-runs-${runIds.join('-')}${format === 'xlsx' || format === 'csv' ? '-annex' : ''}.${format}`;
}

/** The run kind in words, capitalised ("Stress test"): the one list of run-kind names is RUN_KIND_WORDS (format/labels.ts). */
export function runKindLabel(kind: string): string {
  const words = runKindWords(kind);
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const markingField = z.string().trim().min(1, 'a brief needs a classification marking').max(120);
const organisationField = z.string().trim().max(120);

/** The store's setting (key BRIEF_SETTINGS_KEY) every brief and export is marked with unless a request says otherwise. */
export const BRIEF_SETTINGS_KEY = 'briefs.marking';
export const briefMarkingSchema = z
  .object({ organisation: organisationField.default(''), marking: markingField.default(DEFAULT_MARKING) })
  .strict();
export type BriefMarking = z.output<typeof briefMarkingSchema>;

export const briefRequestSchema = z
  .object({
    runIds: z
      .array(z.number().int().positive())
      .min(1, 'pick at least one run')
      .max(20, 'at most 20 runs in one brief'),
    title: z.string().trim().min(1, 'must not be empty').max(200),
    /** Absent: the marking of the settings (DEFAULT_MARKING until one is saved). */
    marking: markingField.optional(),
    /** Absent: the organisation of the settings (none until one is saved). */
    organisation: organisationField.optional(),
    /** Add the audit-trail entries of these runs and their data to the provenance appendix. */
    includeAuditTrail: z.boolean().optional(),
  })
  .strict();
export type BriefRequest = z.output<typeof briefRequestSchema>;

/** A headline number with its unit; `text` is the formatted value every format prints. */
export interface KeyFigure {
  label: string;
  value: number;
  text: string;
  unit: string;
  /** e.g. "± 12.3 (standard error)" or "99% level". */
  note?: string;
}

export type TableCell = string | number | null;

export interface BriefTable {
  title: string;
  /**
   * `digits`: decimals of the printed numbers (default: 0 for whole numbers, else 2). `share`: the column's share of
   * the printed table's width (PDF), where its longest cell would otherwise squeeze the others.
   */
  columns: Array<{ label: string; unit?: string; numeric: boolean; digits?: number; share?: number }>;
  rows: TableCell[][];
  /** Rows left out of the printed table (the annex has them all). */
  note?: string;
  /** Every row, for the CSV/XLSX annex; the printed table shows `rows`. */
  annexRows?: TableCell[][];
}

export interface BriefChart {
  title: string;
  caption: string;
  /** Vector drawing (rendered in the main process from a Vega-Lite specification). */
  svg: string;
  width: number;
  height: number;
  /** The data of a bar chart, so the DOCX can carry it as a native, editable Word chart. */
  data?: ChartData;
}

export interface ChartData {
  /** column: vertical bars over ordered categories; bar: horizontal bars, largest first. */
  type: 'column' | 'bar';
  categories: string[];
  values: number[];
  categoryTitle: string;
  valueTitle: string;
  percent?: boolean;
}

export interface BriefSection {
  runId: number;
  kind: string;
  heading: string;
  /** One or two sentences for the executive summary. */
  summary: string;
  keyFigures: KeyFigure[];
  /** Scenario and data description, one paragraph per entry. */
  scenario: string[];
  network?: BriefChart;
  charts: BriefChart[];
  tables: BriefTable[];
  /** Method text, one paragraph per entry. */
  method: string[];
  /** Label and value pairs: parameters, seed, network version, dataset hashes, software. */
  provenance: Array<{ label: string; value: string }>;
}

export interface ComposedBrief {
  title: string;
  marking: string;
  /** The organisation the brief is from, printed under the title and in the footer (absent when none is set). */
  organisation?: string;
  /** ISO time of the newest run: a brief regenerated from the same runs carries the same date. */
  asOf: string;
  runIds: number[];
  sections: BriefSection[];
  /** Software that composed the brief and the TensorFlow.js backend of this machine. */
  software: { version: string; learningBackend: string };
  /** The audit-trail entries of the runs and their data, when the request asked for them. */
  auditTrail?: BriefTable;
}

export interface BriefSummary {
  id: number;
  title: string;
  createdAt: string;
  runIds: number[];
  format: BriefFormat;
  bytes: number;
}
