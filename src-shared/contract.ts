/**
 * The one API of Contagion Workbench: channel names ('<domain>:<verb>'), input schemas and result types.
 * Electron IPC, the loopback host and the `cwb` command line all serve exactly this contract through
 * the router in src-main/api.
 */
import { z } from 'zod';
import { channels, isChannel, type Channel } from './channels';
import type {
  AppInfo,
  DatasetDetail,
  DatasetSummary,
  HoldingsGraph,
  NetworkSummary,
  RunDetail,
  RunSummary,
} from './domain';
import type { NetworkDocument } from './formats/network';
import type { ScenarioOutcome } from './results/stress';
import { networkDocumentSchema } from './formats/network';
import { economyDocumentSchema, type EconomyDocument } from './formats/crossholdings';
import { EDGE_FIELDS, NODE_FIELDS, type TablePreview } from './formats/columns';
import { jobKinds, recoveryRatesSchema, type JobEvent } from './jobs';
import { FIRESALE_EXAMPLES, fireSaleDocumentSchema, type FireSaleDocument } from './formats/firesale';
import type { FireSaleOutcome } from './results/fire-sales';
import { RECONSTRUCTION_OBJECTIVE_NAMES } from './results/reconstruction';
import { HOLDINGS_FIELDS, holdingsGenerateSchema } from './graph-transformer';
import type { GtEmbeddingMap, GtMetrics, GtModelSummary } from './results/graph-transformer';
import { CAPITAL_BASES, type CapitalTierResult } from './results/capital';
import { POLICY_EXAMPLE_NAMES } from './formats/policy';
import {
  BRIEF_FORMATS,
  briefMarkingSchema,
  briefRequestSchema,
  type BriefMarking,
  type BriefSummary,
  type ComposedBrief,
} from './briefs';
import { wiodOptionsSchema } from './formats/wiod';
import type { AuditEntry, AuditVerification } from './audit';

/** Phantom marker carrying an output type. */
const returns = <T>() => undefined as unknown as T;

const id = z.number().int().positive();
/** A brief composition's id, chosen by the screen that starts it (letters, digits and dashes). */
const compositionId = z.string().regex(/^[A-Za-z0-9-]{8,64}$/, 'must be 8 to 64 letters, digits or dashes');
const displayName = z.string().trim().min(1, 'must not be empty').max(200, 'longer than 200 characters');

const tableCell = z.union([z.string().max(10_000), z.number(), z.null()]);
/** One table of a screen, as shown (columns with units, rows of cells), to be saved as CSV or XLSX. */
export const tableExportSchema = z
  .object({
    title: z.string().trim().min(1, 'must not be empty').max(200),
    columns: z
      .array(z.object({ label: z.string().max(200), unit: z.string().max(60).optional() }).strict())
      .min(1)
      .max(200),
    rows: z.array(z.array(tableCell).max(200)).max(200_000),
    format: z.enum(['csv', 'xlsx']),
  })
  .strict();
export type TableExportRequest = z.output<typeof tableExportSchema>;

/** The bundled samples a screen's empty state offers (src-main/io/samples.ts). */
export const SAMPLE_NAMES = ['crossholdings-economy'] as const;
export type SampleName = (typeof SAMPLE_NAMES)[number];
const columnMapping = z
  .object({
    nodes: z.partialRecord(z.enum(NODE_FIELDS), z.string()),
    liabilities: z.partialRecord(z.enum(EDGE_FIELDS), z.string()).optional(),
  })
  .strict();

export const EXPORT_FORMATS = ['network@1', 'csv', 'graphml', 'xlsx', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export interface ExportedFile {
  fileName: string;
  content: string;
  encoding: 'utf8' | 'base64';
}

/** A file the user picked, by the handle its face registered (src-main/api/file-handles.ts); the main process reads it. */
const fileRef = z.object({
  fileName: z.string().min(1).max(255),
  handle: z.string().regex(/^[0-9a-f]{32}$/, 'is not a file handle'),
  size: z.number().int().nonnegative().optional(),
});

export const contract = {
  'app:info': { input: z.object({}).strict(), output: returns<AppInfo>() },

  'datasets:list': { input: z.object({}).strict(), output: returns<DatasetSummary[]>() },
  'datasets:get': { input: z.object({ id }).strict(), output: returns<DatasetDetail>() },
  'datasets:preview': {
    input: z.object({ files: z.array(fileRef.strict()).min(1).max(2) }).strict(),
    output: returns<{ files: Array<{ fileName: string; tables: TablePreview[] }> }>(),
  },
  'datasets:import': {
    input: fileRef.extend({ mapping: columnMapping.optional(), wiod: wiodOptionsSchema.optional() }).strict(),
    output: returns<{ dataset: DatasetSummary; networkId: number; versionId: number }>(),
  },
  /** A node table and a liability table (edge list or matrix) as two files. */
  'datasets:importTables': {
    input: z.object({ files: z.array(fileRef.strict()).length(2), mapping: columnMapping.optional() }).strict(),
    output: returns<{ dataset: DatasetSummary; networkId: number; versionId: number }>(),
  },
  'datasets:importHoldings': {
    input: fileRef
      .extend({
        name: z.string().min(1).max(200).optional(),
        /** Source column per holdings field (CSV, XLSX or Parquet); matched from the header when absent. */
        mapping: z.partialRecord(z.enum(HOLDINGS_FIELDS), z.string()).optional(),
      })
      .strict(),
    output: returns<{ datasetId: number; investors: number; assets: number; positions: number }>(),
  },
  'datasets:delete': {
    input: z.object({ id, confirm: z.literal(true, 'deleting needs confirm: true') }).strict(),
    output: returns<{ deleted: number }>(),
  },
  /** A screen's table as a CSV or XLSX file (saved by the caller; recorded in the audit trail). */
  'tables:export': { input: tableExportSchema, output: returns<ExportedFile>() },
  'datasets:rename': { input: z.object({ id, name: displayName }).strict(), output: returns<DatasetSummary>() },
  /** A bundled sample stored as a dataset (once: a second call opens the stored one). */
  'samples:add': {
    input: z.object({ name: z.enum(SAMPLE_NAMES) }).strict(),
    output: returns<{ datasetId: number; versionId: number; created: boolean }>(),
  },

  'networks:list': { input: z.object({}).strict(), output: returns<NetworkSummary[]>() },
  'networks:create': {
    input: z.object({ document: networkDocumentSchema }).strict(),
    output: returns<{ datasetId: number; networkId: number; versionId: number }>(),
  },
  'networks:get': {
    input: z.object({ versionId: id }).strict(),
    output: returns<{ network: NetworkSummary; version: number; document: NetworkDocument }>(),
  },
  'networks:saveVersion': {
    input: z.object({ networkId: id, note: z.string().max(2000), document: networkDocumentSchema }).strict(),
    output: returns<{ versionId: number; version: number }>(),
  },
  'networks:export': {
    /** `marking`, `organisation`: the classification the files carry instead of the saved settings' (`cwb export --marking`). */
    input: z
      .object({
        versionId: id,
        format: z.enum(EXPORT_FORMATS),
        marking: briefRequestSchema.shape.marking,
        organisation: briefRequestSchema.shape.organisation,
      })
      .strict(),
    output: returns<{ files: ExportedFile[] }>(),
  },
  'networks:maxEntropy': {
    input: z.object({ versionId: id }).strict(),
    /** `existing`: an identical maximum-entropy version was already stored; that one is returned, nothing saved. */
    output: returns<{
      versionId: number;
      version: number;
      iterations: number;
      maxResidual: number;
      existing: boolean;
    }>(),
  },
  /** Renames a network: all its versions (a version's note is never changed once saved). */
  'networks:rename': {
    input: z.object({ networkId: id, name: displayName }).strict(),
    output: returns<NetworkSummary>(),
  },
  'versions:delete': {
    input: z.object({ versionId: id, confirm: z.literal(true, 'deleting needs confirm: true') }).strict(),
    output: returns<{ deleted: number; networkDeleted: boolean }>(),
  },

  'networks:clearScenario': {
    input: z
      .object({
        versionId: id,
        shocks: z.record(z.string(), z.number().finite().nonnegative()),
        /** The run's Rogers–Veraart recovery rates; Eisenberg–Noe without. */
        recovery: recoveryRatesSchema.strict().optional(),
      })
      .strict(),
    output: returns<ScenarioOutcome>(),
  },

  /** A picked file's text (UTF-8, else Windows-1252, as the importers read it), for a screen that edits it: up to 16 MB. */
  'files:readText': { input: fileRef.strict(), output: returns<string>() },

  'networks:readScenarios': {
    input: fileRef.extend({ versionId: id }).strict(),
    output: returns<{ fileName: string; scenarioNames: string[]; rows: number[][] }>(),
  },

  'economies:get': {
    input: z.object({ versionId: id }).strict(),
    output: returns<{ network: NetworkSummary; version: number; document: EconomyDocument }>(),
  },
  'economies:saveVersion': {
    input: z.object({ networkId: id, note: z.string().max(2000), document: economyDocumentSchema }).strict(),
    output: returns<{ versionId: number; version: number }>(),
  },
  'holdings:graph': {
    input: z
      .object({
        datasetId: id,
        date: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
          .optional(),
        topInvestors: z.number().int().min(1).max(2000).default(40),
        topAssets: z.number().int().min(1).max(5000).default(80),
        investorType: z.string().min(1).optional(),
      })
      .strict(),
    output: returns<HoldingsGraph>(),
  },

  'jobs:start': {
    input: z.object({ kind: z.enum(jobKinds), params: z.unknown() }).strict(),
    output: returns<{ jobId: string }>(),
  },
  'jobs:cancel': { input: z.object({ jobId: z.string().min(1) }).strict(), output: returns<{ cancelled: boolean }>() },
  'jobs:list': { input: z.object({}).strict(), output: returns<JobEvent[]>() },

  'runs:list': {
    input: z.object({ kind: z.string().optional() }).strict(),
    output: returns<RunSummary[]>(),
  },
  'runs:get': { input: z.object({ id }).strict(), output: returns<RunDetail>() },
  /** An empty name goes back to the run's method. */
  'runs:rename': { input: z.object({ id, name: z.string().trim().max(200) }).strict(), output: returns<RunSummary>() },
  /** What a run's deletion leaves behind: models it trained and briefs that cite it (both kept). */
  'runs:dependents': { input: z.object({ id }).strict(), output: returns<{ models: string[]; briefs: string[] }>() },
  'runs:delete': {
    input: z.object({ id, confirm: z.literal(true, 'deleting needs confirm: true') }).strict(),
    output: returns<{ deleted: number }>(),
  },

  /** A bundled fire-sale system: the paper's case studies or the EBA 2011 sovereign instance. */
  'firesales:example': {
    input: z.object({ name: z.enum(FIRESALE_EXAMPLES) }).strict(),
    output: returns<FireSaleDocument>(),
  },
  /** The equilibrium, saved as a run of kind "firesale" (its id in `runId`); `save: false` only shows it (runId null). */
  'firesales:simulate': {
    input: z.object({ system: fireSaleDocumentSchema, save: z.boolean().default(true) }).strict(),
    output: returns<FireSaleOutcome & { runId: number | null }>(),
  },
  /** One network of a `reconstruct` run saved as the next version of its network, the provenance in the note. */
  'reconstruction:saveVersion': {
    input: z
      .object({ runId: id, objective: z.enum(RECONSTRUCTION_OBJECTIVE_NAMES), note: z.string().max(1000).optional() })
      .strict(),
    output: returns<{ versionId: number; version: number }>(),
  },
  /** Synthetic holdings from the generator, or the bundled EBA 2011 bank × sovereign holdings, as a dataset. */
  'holdings:generate': { input: holdingsGenerateSchema, output: returns<{ datasetId: number; created: boolean }>() },
  'models:list': { input: z.object({}).strict(), output: returns<GtModelSummary[]>() },
  'models:get': { input: z.object({ id }).strict(), output: returns<GtMetrics>() },
  'models:embeddings': {
    input: z
      .object({
        id,
        datasetId: id.optional(),
        date: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
          .optional(),
        /** The CSV is handed over to be saved as a file: recorded in the audit trail (showing the map is not). */
        export: z.boolean().optional(),
      })
      .strict(),
    output: returns<{ map: GtEmbeddingMap; csv: string; fileName: string }>(),
  },
  /** The tiers by total assets (capital-allocation Table 2) of a network version. */
  'capital:tiers': {
    input: z
      .object({
        versionId: id,
        tiers: z.number().int().min(1).max(200),
        base: z.enum(CAPITAL_BASES).default('obligations'),
      })
      .strict(),
    output: returns<{ nBanks: number; unit: string; tiers: CapitalTierResult[] }>(),
  },
  'policy:example': {
    input: z.object({ name: z.enum(POLICY_EXAMPLE_NAMES).optional() }).strict(),
    output: returns<{ fileName: string; document: unknown }>(),
  },
  /**
   * The brief's model with its charts as SVG, for the preview; writes nothing but its line in the audit trail. Composed
   * in a worker thread; with a `compositionId`, its progress comes as job events (kind 'brief', that jobId) and
   * `briefs:cancel` stops it (the answer is then an error, and nothing is recorded).
   */
  'briefs:compose': {
    input: briefRequestSchema.extend({ compositionId: compositionId.optional() }).strict(),
    output: returns<ComposedBrief>(),
  },
  /** Stops a composition: its worker is terminated; `cancelled: false` when it was not composing (finished, or not yet arrived). */
  'briefs:cancel': { input: z.object({ compositionId }).strict(), output: returns<{ cancelled: boolean }>() },
  /** Renders the brief (PDF, DOCX, or the XLSX/CSV annex of its tables) and saves it in the store. */
  'briefs:export': {
    input: briefRequestSchema.extend({ format: z.enum(BRIEF_FORMATS) }).strict(),
    output: returns<{ brief: BriefSummary; file: ExportedFile }>(),
  },
  /**
   * Desktop: the brief written by the main process where the user chose (`target`, from the shell's save dialog),
   * without coming to the page; stored and recorded as `briefs:export` does.
   */
  'briefs:exportTo': {
    input: briefRequestSchema.extend({ format: z.enum(BRIEF_FORMATS), target: fileRef.strict() }).strict(),
    output: returns<{ brief: BriefSummary; path: string }>(),
  },
  'briefs:list': { input: z.object({}).strict(), output: returns<BriefSummary[]>() },
  /** The organisation and classification marking every brief carries unless its request names others. */
  'briefs:settings': { input: z.object({}).strict(), output: returns<BriefMarking>() },
  'briefs:saveSettings': { input: briefMarkingSchema, output: returns<BriefMarking>() },
  'briefs:download': { input: z.object({ id }).strict(), output: returns<ExportedFile>() },
  /** Desktop: a saved brief written again where the user chose, by the main process. */
  'briefs:downloadTo': {
    input: z.object({ id, target: fileRef.strict() }).strict(),
    output: returns<{ path: string }>(),
  },
  /** The audit trail, newest first: `limit` entries before the entry `before` (all when absent). */
  'audit:list': {
    input: z.object({ limit: z.number().int().min(1).max(1000).default(50), before: id.optional() }).strict(),
    output: returns<{ entries: AuditEntry[]; total: number }>(),
  },
  /** Recomputes the hash chain: intact with its count and head, or the first changed or missing entry. */
  'audit:verify': {
    input: z
      .object({
        /** An entry noted earlier (id and its hash, or the hash's first 12 or more hex digits): detects entries removed from the end. */
        head: z
          .object({ id, hash: z.string().regex(/^[0-9a-fA-F]{12,64}$/, 'must be 12 to 64 hex digits of a hash') })
          .strict()
          .optional(),
      })
      .strict(),
    output: returns<AuditVerification>(),
  },
} as const satisfies Record<Channel, { input: z.ZodType; output: unknown }>;

export type Contract = typeof contract;
export type InputOf<C extends Channel> = z.input<Contract[C]['input']>;
export type ParsedInputOf<C extends Channel> = z.output<Contract[C]['input']>;
export type OutputOf<C extends Channel> = Contract[C]['output'];
export { channels, isChannel, type Channel };
