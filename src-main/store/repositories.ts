/**
 * Repositories: the only code that writes SQL for the app's records. Each function takes the database and
 * returns domain types of src-shared/domain; a caller that does several writes wraps them in `db.transaction`.
 */
import type {
  DatasetDetail,
  DatasetKind,
  DatasetSummary,
  ImportReport,
  NetworkKind,
  NetworkSummary,
  NetworkVersionSummary,
  RunDetail,
  RunStatus,
  RunSummary,
  StoredDocument,
} from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import { runKindWords } from '../../src-shared/format/labels';
import { CROSSHOLDINGS_FORMAT, type EconomyDocument } from '../../src-shared/formats/crossholdings';
import type { NetworkDocument } from '../../src-shared/formats/network';
import type { Db } from './db';
import { checkStoredDocument } from '../io/network-json';
import { holdingsSummary } from './holdings';

interface DatasetRow {
  id: number;
  name: string;
  kind: DatasetKind;
  source_file: string;
  sha256: string;
  imported_at: string;
  report: string;
}

const toDataset = (row: DatasetRow): DatasetSummary => ({
  id: row.id,
  name: row.name,
  kind: row.kind,
  sourceFile: row.source_file,
  sha256: row.sha256,
  importedAt: row.imported_at,
  report: JSON.parse(row.report) as ImportReport,
});

export const datasets = {
  list(db: Db): DatasetSummary[] {
    return (db.prepare('SELECT * FROM datasets ORDER BY id').all() as DatasetRow[]).map(toDataset);
  },
  find(db: Db, id: number): DatasetSummary | undefined {
    const row = db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined;
    return row && toDataset(row);
  },
  get(db: Db, id: number): DatasetSummary {
    const found = datasets.find(db, id);
    if (!found) throw new AppError('not_found', `no dataset with id ${id}`, 'id');
    return found;
  },
  findBySha256(db: Db, sha256: string): DatasetSummary | undefined {
    const row = db.prepare('SELECT * FROM datasets WHERE sha256 = ?').get(sha256) as DatasetRow | undefined;
    return row && toDataset(row);
  },
  insert(
    db: Db,
    record: { name: string; kind: DatasetKind; sourceFile: string; sha256: string; report: ImportReport },
  ): DatasetSummary {
    const info = db
      .prepare('INSERT INTO datasets (name, kind, source_file, sha256, imported_at, report) VALUES (?, ?, ?, ?, ?, ?)')
      .run(
        record.name,
        record.kind,
        record.sourceFile,
        record.sha256,
        new Date().toISOString(),
        JSON.stringify(record.report),
      );
    return datasets.get(db, Number(info.lastInsertRowid));
  },
  detail(db: Db, id: number): DatasetDetail {
    const dataset = datasets.get(db, id);
    const owned = networks.list(db).filter((network) => network.datasetId === id);
    const versionIds = owned.flatMap((network) => network.versions.map((v) => v.id));
    return {
      ...dataset,
      networks: owned,
      runs: runs.listForVersions(db, versionIds),
      ...(dataset.kind === 'holdings' ? { holdings: holdingsSummary(db, id) } : {}),
    };
  },
  /** Deletes a dataset with its networks; refuses while a saved run uses one of its versions. */
  delete(db: Db, id: number): void {
    datasets.get(db, id);
    const used = db
      .prepare(
        `SELECT COUNT(*) AS n FROM runs r JOIN network_versions v ON r.network_version_id = v.id
         JOIN networks n ON v.network_id = n.id WHERE n.dataset_id = ?`,
      )
      .get(id) as { n: number };
    if (used.n > 0) {
      throw new AppError('conflict', `dataset ${id} is used by ${used.n} saved run(s); delete those runs first`, 'id');
    }
    db.prepare('DELETE FROM datasets WHERE id = ?').run(id);
  },
  rename(db: Db, id: number, name: string): DatasetSummary {
    datasets.get(db, id);
    db.prepare('UPDATE datasets SET name = ? WHERE id = ?').run(name, id);
    return datasets.get(db, id);
  },
};

/** The saved runs that use a version, in words ("run #12 (stress test)"), for refusals and confirmations. */
export function runsInWords(list: RunSummary[]): string {
  const words = list.slice(0, 6).map((run) => `#${run.id} (${run.name ?? runKindWords(run.kind)})`);
  if (list.length > 6) words.push(`and ${list.length - 6} more`);
  return words.join(', ');
}

interface VersionRow {
  id: number;
  network_id: number;
  version: number;
  note: string;
  created_at: string;
  node_count: number;
  edge_count: number;
}

const toVersion = (row: VersionRow): NetworkVersionSummary => ({
  id: row.id,
  networkId: row.network_id,
  version: row.version,
  note: row.note,
  createdAt: row.created_at,
  nodeCount: row.node_count,
  edgeCount: row.edge_count,
});

export const networks = {
  list(db: Db): NetworkSummary[] {
    const rows = db.prepare('SELECT id, dataset_id, name, kind FROM networks ORDER BY id').all() as Array<{
      id: number;
      dataset_id: number;
      name: string;
      kind: NetworkKind;
    }>;
    const versions = (
      db
        .prepare(
          'SELECT id, network_id, version, note, created_at, node_count, edge_count FROM network_versions ORDER BY version',
        )
        .all() as VersionRow[]
    ).map(toVersion);
    return rows.map((row) => ({
      id: row.id,
      datasetId: row.dataset_id,
      name: row.name,
      kind: row.kind,
      versions: versions.filter((v) => v.networkId === row.id),
    }));
  },
  get(db: Db, id: number): NetworkSummary {
    const found = networks.list(db).find((network) => network.id === id);
    if (!found) throw new AppError('not_found', `no network with id ${id}`, 'networkId');
    return found;
  },
  insert(db: Db, record: { datasetId: number; name: string; kind: NetworkKind }): number {
    const info = db
      .prepare('INSERT INTO networks (dataset_id, name, kind) VALUES (?, ?, ?)')
      .run(record.datasetId, record.name, record.kind);
    return Number(info.lastInsertRowid);
  },
  /** Appends version n+1; earlier versions stay as they were. The document must be of the network's kind. */
  addVersion(
    db: Db,
    networkId: number,
    document: NetworkDocument | EconomyDocument,
    note: string,
    options: { allowEmpty?: boolean } = {},
  ): { versionId: number; version: number } {
    // Every stored network passes the same validation as an imported network@1 file (io/network-json.ts).
    checkStoredDocument(document, options);
    const network = networks.get(db, networkId);
    const isEconomy = document.format === CROSSHOLDINGS_FORMAT;
    if (isEconomy !== (network.kind === 'crossholdings')) {
      throw new AppError(
        'invalid_input',
        `network ${networkId} is ${network.kind === 'crossholdings' ? 'a cross-holdings economy' : 'an interbank network'}; the document is not`,
        'document',
      );
    }
    const next =
      ((
        db.prepare('SELECT MAX(version) AS v FROM network_versions WHERE network_id = ?').get(networkId) as {
          v: number | null;
        }
      ).v ?? 0) + 1;
    const info = db
      .prepare(
        `INSERT INTO network_versions (network_id, version, note, created_at, node_count, edge_count, document)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        networkId,
        next,
        note,
        new Date().toISOString(),
        isEconomy ? document.firms.length : document.nodes.length,
        isEconomy ? document.crossHoldings.length : document.liabilities.length,
        JSON.stringify(document),
      );
    return { versionId: Number(info.lastInsertRowid), version: next };
  },
  rename(db: Db, networkId: number, name: string): NetworkSummary {
    networks.get(db, networkId);
    db.prepare('UPDATE networks SET name = ? WHERE id = ?').run(name, networkId);
    return networks.get(db, networkId);
  },
  /**
   * Deletes one version; refused, naming them, while saved runs or scenarios use it. A network left without
   * versions is deleted too (its dataset stays). Returns the network's id and whether it went.
   */
  deleteVersion(db: Db, versionId: number): { networkId: number; networkDeleted: boolean } {
    const { network, version } = storedVersion(db, versionId);
    const using = runs.listForVersions(db, [versionId]);
    if (using.length > 0) {
      throw new AppError(
        'conflict',
        `${network.name} v${version} is used by ${using.length} saved run${using.length > 1 ? 's' : ''} (${runsInWords(using)}); delete ${using.length > 1 ? 'those runs' : 'that run'} first`,
        'versionId',
      );
    }
    const scenarios = (
      db.prepare('SELECT COUNT(*) AS n FROM scenarios WHERE network_version_id = ?').get(versionId) as { n: number }
    ).n;
    if (scenarios > 0)
      throw new AppError(
        'conflict',
        `${network.name} v${version} is used by ${scenarios} saved scenario(s)`,
        'versionId',
      );
    db.prepare('DELETE FROM network_versions WHERE id = ?').run(versionId);
    const left = (
      db.prepare('SELECT COUNT(*) AS n FROM network_versions WHERE network_id = ?').get(network.id) as { n: number }
    ).n;
    if (left === 0) db.prepare('DELETE FROM networks WHERE id = ?').run(network.id);
    return { networkId: network.id, networkDeleted: left === 0 };
  },
  /** Any version, interbank or economy, with its kind. */
  getStoredVersion(db: Db, versionId: number): { network: NetworkSummary; version: number } & StoredDocument {
    const found = storedVersion(db, versionId);
    return { ...found, kind: found.network.kind } as { network: NetworkSummary; version: number } & StoredDocument;
  },
  /** An interbank network version; a cross-holdings economy's version is refused with a message saying so. */
  getVersion(db: Db, versionId: number): { network: NetworkSummary; version: number; document: NetworkDocument } {
    const found = storedVersion(db, versionId);
    if (found.network.kind !== 'interbank') {
      throw new AppError(
        'invalid_input',
        `version ${versionId} is a cross-holdings economy, not an interbank network`,
        'versionId',
      );
    }
    return found as { network: NetworkSummary; version: number; document: NetworkDocument };
  },
  getEconomyVersion(
    db: Db,
    versionId: number,
  ): { network: NetworkSummary; version: number; document: EconomyDocument } {
    const found = storedVersion(db, versionId);
    if (found.network.kind !== 'crossholdings') {
      throw new AppError(
        'invalid_input',
        `version ${versionId} is an interbank network, not a cross-holdings economy`,
        'versionId',
      );
    }
    return found as { network: NetworkSummary; version: number; document: EconomyDocument };
  },
};

function storedVersion(db: Db, versionId: number): { network: NetworkSummary; version: number; document: unknown } {
  const row = db.prepare('SELECT network_id, version, document FROM network_versions WHERE id = ?').get(versionId) as
    | { network_id: number; version: number; document: string }
    | undefined;
  if (!row) throw new AppError('not_found', `no network version with id ${versionId}`, 'versionId');
  return {
    network: networks.get(db, row.network_id),
    version: row.version,
    document: JSON.parse(row.document) as unknown,
  };
}

interface RunRow {
  id: number;
  kind: string;
  name: string | null;
  method: string;
  network_version_id: number | null;
  params: string;
  seed: number | null;
  status: RunStatus;
  started_at: string;
  duration_ms: number | null;
  software_version: string;
  results: string | null;
  error: string | null;
}

const toRunSummary = (row: RunRow): RunSummary => ({
  id: row.id,
  kind: row.kind,
  name: row.name ?? null,
  method: row.method,
  networkVersionId: row.network_version_id,
  seed: row.seed,
  status: row.status,
  startedAt: row.started_at,
  durationMs: row.duration_ms,
  softwareVersion: row.software_version,
});

export const runs = {
  list(db: Db, kind?: string): RunSummary[] {
    const rows = (
      kind
        ? db.prepare('SELECT * FROM runs WHERE kind = ? ORDER BY id DESC').all(kind)
        : db.prepare('SELECT * FROM runs ORDER BY id DESC').all()
    ) as RunRow[];
    return rows.map(toRunSummary);
  },
  listForVersions(db: Db, versionIds: number[]): RunSummary[] {
    if (versionIds.length === 0) return [];
    const marks = versionIds.map(() => '?').join(',');
    return (
      db
        .prepare(`SELECT * FROM runs WHERE network_version_id IN (${marks}) ORDER BY id DESC`)
        .all(...versionIds) as RunRow[]
    ).map(toRunSummary);
  },
  /**
   * One run, typed by its kind (RunDetail: narrow with isRunOf). The store's one trust point for runs: a row of a known
   * kind holds what saveSucceededRun<K> accepted for that kind (and what migrations since kept so); a row of a kind
   * this version does not know is an OtherRunDetail, its parameters and results as stored.
   */
  get(db: Db, id: number): RunDetail {
    const row = db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    if (!row) throw new AppError('not_found', `no run with id ${id}`, 'id');
    const stored = {
      ...toRunSummary(row),
      params: JSON.parse(row.params) as unknown,
      results: row.results === null ? null : (JSON.parse(row.results) as unknown),
      error: row.error,
    };
    return stored;
  },
  rename(db: Db, id: number, name: string | null): RunSummary {
    runs.get(db, id);
    db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(name, id);
    return runs.list(db).find((run) => run.id === id)!;
  },
  /** What keeps a run's traces: models trained by it (kept, unlinked) and briefs that cite it (kept as written). */
  dependents(db: Db, id: number): { models: string[]; briefs: string[] } {
    const modelRows = db.prepare('SELECT id, name FROM models WHERE run_id = ?').all(id) as Array<{
      id: number;
      name: string;
    }>;
    const briefRows = db.prepare('SELECT id, title, run_ids FROM briefs').all() as Array<{
      id: number;
      title: string;
      run_ids: string;
    }>;
    return {
      models: modelRows.map((m) => `model #${m.id} ${m.name}`),
      briefs: briefRows
        .filter((b) => (JSON.parse(b.run_ids) as number[]).includes(id))
        .map((b) => `brief #${b.id} ${b.title}`),
    };
  },
  /** Deletes a run; its models stay (without the link) and briefs that cite it stay as they were written. */
  delete(db: Db, id: number): void {
    runs.get(db, id);
    db.prepare('DELETE FROM runs WHERE id = ?').run(id);
  },
  /** Records a finished run in one statement: a run row exists only with its results. */
  insertFinished(
    db: Db,
    record: {
      kind: string;
      method: string;
      networkVersionId: number | null;
      params: unknown;
      seed: number | null;
      status: Exclude<RunStatus, 'running'>;
      startedAt: string;
      durationMs: number;
      softwareVersion: string;
      learningBackend?: string;
      results: unknown;
      error?: string;
    },
  ): number {
    const info = db
      .prepare(
        `INSERT INTO runs (kind, method, network_version_id, params, seed, status, started_at, duration_ms,
           software_version, learning_backend, results, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        record.kind,
        record.method,
        record.networkVersionId,
        JSON.stringify(record.params),
        record.seed,
        record.status,
        record.startedAt,
        record.durationMs,
        record.softwareVersion,
        record.learningBackend ?? null,
        record.results === undefined ? null : JSON.stringify(record.results),
        record.error ?? null,
      );
    return Number(info.lastInsertRowid);
  },
};

export const settings = {
  get<T>(db: Db, key: string): T | undefined {
    const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  },
  set(db: Db, key: string, value: unknown): void {
    db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    ).run(key, JSON.stringify(value));
  },
};

export interface ModelRecord {
  id: number;
  kind: string;
  name: string;
  runId: number | null;
  metrics: unknown;
  createdAt: string;
}

interface ModelRow {
  id: number;
  kind: string;
  name: string;
  run_id: number | null;
  metrics: string;
  created_at: string;
}

/** Trained models: weights as a BLOB (the caller's serialisation), metrics as JSON. */
export const models = {
  insert(
    db: Db,
    record: { kind: string; name: string; runId: number | null; weights: Uint8Array; metrics: unknown },
  ): number {
    const info = db
      .prepare('INSERT INTO models (kind, name, run_id, weights, metrics, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(
        record.kind,
        record.name,
        record.runId,
        Buffer.from(record.weights),
        JSON.stringify(record.metrics),
        new Date().toISOString(),
      );
    return Number(info.lastInsertRowid);
  },
  attachRun(db: Db, id: number, runId: number): void {
    db.prepare('UPDATE models SET run_id = ? WHERE id = ?').run(runId, id);
  },
  list(db: Db, kind?: string): ModelRecord[] {
    const rows = (
      kind
        ? db
            .prepare('SELECT id, kind, name, run_id, metrics, created_at FROM models WHERE kind = ? ORDER BY id DESC')
            .all(kind)
        : db.prepare('SELECT id, kind, name, run_id, metrics, created_at FROM models ORDER BY id DESC').all()
    ) as ModelRow[];
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      name: row.name,
      runId: row.run_id,
      metrics: JSON.parse(row.metrics) as unknown,
      createdAt: row.created_at,
    }));
  },
  /** One model of the given kind with its weights; a missing id, or a model of another kind, is not found. */
  get(db: Db, id: number, kind: string): ModelRecord & { weights: Buffer } {
    const row = db
      .prepare('SELECT id, kind, name, run_id, metrics, created_at, weights FROM models WHERE id = ? AND kind = ?')
      .get(id, kind) as (ModelRow & { weights: Buffer | null }) | undefined;
    if (!row) throw new AppError('not_found', `no ${kind} model with id ${id}`, 'modelId');
    return {
      id: row.id,
      kind: row.kind,
      name: row.name,
      runId: row.run_id,
      metrics: JSON.parse(row.metrics) as unknown,
      createdAt: row.created_at,
      weights: row.weights ?? Buffer.alloc(0),
    };
  },
};
