/** Domain records as the API returns them (JSON-safe: no Date, Map or typed arrays). */
import type { EconomyDocument } from './formats/crossholdings';
import type { NetworkDocument } from './formats/network';
import { runKindWords } from './format/labels';
import type { RunKind, RunParams, RunResults } from './run-kinds';

/** What a network version stores: an interbank network or a cross-holdings economy. */
export type StoredDocument =
  | { kind: 'interbank'; document: NetworkDocument }
  | { kind: 'crossholdings'; document: EconomyDocument };

export type DatasetKind = 'banks' | 'network' | 'economy' | 'holdings';
export type NetworkKind = 'interbank' | 'crossholdings';

export interface DatasetSummary {
  id: number;
  name: string;
  kind: DatasetKind;
  sourceFile: string;
  sha256: string;
  importedAt: string;
  /** Importer's report: rows read, entities kept, entities left out and why. */
  report: ImportReport;
}

export interface ImportReport {
  importer: string;
  kept: number;
  skipped: Array<{ id: string; reason: string }>;
  notes: string[];
}

export interface NetworkVersionSummary {
  id: number;
  networkId: number;
  version: number;
  note: string;
  createdAt: string;
  nodeCount: number;
  edgeCount: number;
}

export interface NetworkSummary {
  id: number;
  datasetId: number;
  name: string;
  kind: NetworkKind;
  versions: NetworkVersionSummary[];
}

/** Investors, assets and positions of a holdings dataset, by report date. */
export interface HoldingsSummary {
  datasetId: number;
  investors: number;
  assets: number;
  positions: number;
  /** Report dates, oldest first (ISO YYYY-MM-DD). */
  dates: string[];
  /** Positions and their total amount per report date. */
  perDate: Array<{ date: string; positions: number; totalAmount: number }>;
}

export interface DatasetDetail extends DatasetSummary {
  networks: NetworkSummary[];
  runs: RunSummary[];
  /** For a holdings dataset. */
  holdings?: HoldingsSummary;
}

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface RunSummary {
  id: number;
  kind: string;
  /** The name the user gave the run (renaming), or null. */
  name?: string | null;
  method: string;
  networkVersionId: number | null;
  seed: number | null;
  status: RunStatus;
  startedAt: string;
  durationMs: number | null;
  softwareVersion: string;
}

/**
 * A saved run of kind K: its parameters and results typed by the kind (run-kinds.ts). The app saves only runs that
 * succeeded (a job that fails or is cancelled writes nothing), so `results` is the kind's results.
 */
export interface KnownRunDetail<K extends RunKind> extends Omit<RunSummary, 'kind'> {
  kind: K;
  params: RunParams<K>;
  results: RunResults<K>;
  error: string | null;
}

/**
 * A stored run of a kind this version does not know (made by a later version, or by a test): it still loads, lists
 * and makes a brief with the generic section, its parameters and results as stored. Its kind is never a RunKind
 * (runs.get returns a known kind's run as KnownRunDetail).
 */
export interface OtherRunDetail extends RunSummary {
  params: unknown;
  results: unknown;
  error: string | null;
}

/**
 * What `runs:get` returns: a union keyed by `kind`, with the fallback for kinds this version does not know. Narrow it
 * with `isRunOf(run, 'stress')` (or `runOfKind`, or the renderer's `getRun`): a plain `run.kind === 'stress'` keeps
 * the fallback (its kind is any string) and so leaves `results` unknown.
 */
export type RunDetail = { [K in RunKind]: KnownRunDetail<K> }[RunKind] | OtherRunDetail;

/** The run of kind K (a member of RunDetail; the fallback's kind, a string, is not K). */
export type RunDetailOf<K extends RunKind> = Extract<RunDetail, { kind: K }>;

/** True when the run is of kind `kind`, with its parameters and results typed by that kind. */
export function isRunOf<K extends RunKind>(run: RunDetail, kind: K): run is RunDetailOf<K> {
  return run.kind === kind;
}

/** The run if it is of kind `kind`; otherwise an error that names both kinds in words (a run id of another screen). */
export function runOfKind<K extends RunKind>(run: RunDetail, kind: K): RunDetailOf<K> {
  if (isRunOf(run, kind)) return run;
  throw new Error(`run #${run.id} is a ${runKindWords(run.kind)} run, not a ${runKindWords(kind)} run`);
}

export interface AppInfo {
  name: string;
  version: string;
  dataDir: string;
  databaseFile: string;
  schemaVersion: number;
  transport: 'electron' | 'browser' | 'cli';
  versions: Record<string, string>;
  learningBackend: { name: string; adapter: string; detail: string };
}

/** A holdings graph cut down for display: the largest investors and assets at one report date. */
export interface HoldingsGraph {
  datasetId: number;
  date: string;
  dates: string[];
  investors: Array<{ code: string; name: string | null; type: string | null; style: string | null; total: number }>;
  assets: Array<{ code: string; name: string | null; class: string | null; total: number }>;
  positions: Array<{ investor: string; asset: string; amount: number }>;
  /** What the cut left out at that date. */
  hidden: { investors: number; assets: number; positions: number; amount: number };
}
