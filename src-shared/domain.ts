/** Domain records as the API returns them (JSON-safe: no Date, Map or typed arrays). */
import type { EconomyDocument } from './formats/crossholdings';
import type { NetworkDocument } from './formats/network';

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

export interface RunDetail extends RunSummary {
  params: unknown;
  results: unknown;
  error: string | null;
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
