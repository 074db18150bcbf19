/**
 * The audit trail: an append-only, hash-chained log of imports, exports, briefs, deletions and saved runs
 * (table `audit_log`, migration 2; SQLite triggers refuse UPDATE and DELETE). Each entry's hash is
 * SHA-256(previous hash + canonical JSON of its fields), the first chained from GENESIS_HASH, so a changed or
 * removed entry breaks the chain at that entry. `recordAudit` writes inside the caller's transaction (a
 * savepoint when one is open), so an action that rolls back leaves no entry. See docs/data-protection/audit.md.
 */
import { createHash } from 'node:crypto';
import { userInfo } from 'node:os';
import {
  auditActionLabel,
  type AuditAction,
  type AuditEntry,
  type AuditRefs,
  type AuditVerification,
} from '../../src-shared/audit';
import { runKindWords } from '../../src-shared/format/labels';
import type { Db } from './db';

export { runKindWords };

/** The chain's anchor: the previous hash of entry 1. */
export const GENESIS_HASH = '0'.repeat(64);

/** The operating-system user; never throws (a user without a passwd entry falls back to USER/USERNAME). */
export function osUser(): string {
  try {
    const name = userInfo().username;
    if (name) return name;
  } catch {
    // no passwd entry (containers) or no user database: the environment is all there is
  }
  return process.env.USER || process.env.USERNAME || 'unknown';
}

/** JSON with object keys sorted at every depth and no whitespace: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value))
    return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export const sha256Of = (bytes: string | Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** SHA-256 of an exported file as the API hands it over (text as UTF-8, binary as base64). */
export const exportedSha256 = (file: { content: string; encoding: 'utf8' | 'base64' }): string =>
  sha256Of(file.encoding === 'base64' ? Buffer.from(file.content, 'base64') : Buffer.from(file.content, 'utf8'));

interface AuditRow {
  id: number;
  at: string;
  os_user: string;
  action: string;
  subject: string;
  file_name: string | null;
  sha256: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

type HashedFields = Pick<AuditRow, 'id' | 'at' | 'os_user' | 'action' | 'subject' | 'file_name' | 'sha256'> & {
  details: unknown;
};

/** hash = SHA-256(prev_hash + canonical JSON of the entry's fields, details parsed). */
export function entryHash(prevHash: string, fields: HashedFields): string {
  const { id, at, os_user, action, subject, file_name, sha256, details } = fields;
  return sha256Of(prevHash + canonicalJson({ id, at, os_user, action, subject, file_name, sha256, details }));
}

export interface AuditRecord {
  action: AuditAction;
  subject: string;
  fileName?: string | null;
  sha256?: string | null;
  details?: AuditRefs & Record<string, unknown>;
}

/** Appends one entry, in the caller's transaction when one is open (else in one of its own). */
export function recordAudit(db: Db, record: AuditRecord): number {
  return db
    .transaction(() => {
      const last = db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as
        | { id: number; hash: string }
        | undefined;
      const fields: HashedFields = {
        id: (last?.id ?? 0) + 1,
        at: new Date().toISOString(),
        os_user: osUser(),
        action: record.action,
        subject: record.subject,
        file_name: record.fileName ?? null,
        sha256: record.sha256 ?? null,
        details: JSON.parse(canonicalJson(record.details ?? {})) as unknown,
      };
      const prevHash = last?.hash ?? GENESIS_HASH;
      db.prepare(
        `INSERT INTO audit_log (id, at, os_user, action, subject, file_name, sha256, details, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        fields.id,
        fields.at,
        fields.os_user,
        fields.action,
        fields.subject,
        fields.file_name,
        fields.sha256,
        canonicalJson(fields.details),
        prevHash,
        entryHash(prevHash, fields),
      );
      return fields.id;
    })
    .immediate();
}

const toEntry = (row: AuditRow): AuditEntry => ({
  id: row.id,
  at: row.at,
  osUser: row.os_user,
  action: row.action as AuditAction,
  actionLabel: auditActionLabel(row.action),
  subject: row.subject,
  fileName: row.file_name,
  sha256: row.sha256,
  details: JSON.parse(row.details) as AuditEntry['details'],
  prevHash: row.prev_hash,
  hash: row.hash,
});

/** Entries, newest first; `before` pages back from an id. */
export function listAudit(
  db: Db,
  options: { limit?: number; before?: number } = {},
): { entries: AuditEntry[]; total: number } {
  const limit = options.limit ?? 50;
  const rows = db
    .prepare('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?')
    .all(options.before ?? Number.MAX_SAFE_INTEGER, limit) as AuditRow[];
  const total = (db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
  return { entries: rows.map(toEntry), total };
}

/**
 * Recomputes the chain from the first entry; names the first entry that is changed, missing or relinked. Entries
 * removed from the end leave a shorter chain that is consistent in itself: `noted`, the hash (or its first 12 or
 * more hex digits) of an entry seen earlier, is checked to still be there with its id, which detects that.
 */
export function verifyAudit(db: Db, noted?: { id: number; hash: string }): AuditVerification {
  let previous: { id: number; hash: string } | null = null;
  let count = 0;
  const broken = (
    id: number,
    problem: NonNullable<AuditVerification['broken']>['problem'],
    message: string,
  ): AuditVerification => ({
    intact: false,
    entries: count,
    head: previous,
    broken: { id, problem, message },
    message: `audit trail broken: ${message}`,
  });
  for (const row of db.prepare('SELECT * FROM audit_log ORDER BY id').iterate() as IterableIterator<AuditRow>) {
    count++;
    const expectedId: number = (previous?.id ?? 0) + 1;
    if (row.id !== expectedId) {
      return broken(
        expectedId,
        'missing',
        row.id - expectedId === 1
          ? `entry ${expectedId} is missing (entry ${row.id} follows entry ${expectedId - 1})`
          : `entries ${expectedId} to ${row.id - 1} are missing (entry ${row.id} follows entry ${expectedId - 1})`,
      );
    }
    if (row.prev_hash !== (previous?.hash ?? GENESIS_HASH)) {
      return broken(
        row.id,
        'relinked',
        `entry ${row.id} does not follow from ${previous ? `entry ${previous.id}` : 'the start of the trail'} (an earlier entry was rewritten or removed)`,
      );
    }
    let details: unknown;
    try {
      details = JSON.parse(row.details) as unknown;
    } catch {
      return broken(
        row.id,
        'changed',
        `entry ${row.id} was changed after it was written (its details are not readable)`,
      );
    }
    if (entryHash(row.prev_hash, { ...row, details }) !== row.hash) {
      return broken(row.id, 'changed', `entry ${row.id} was changed after it was written`);
    }
    previous = { id: row.id, hash: row.hash };
    if (noted && row.id === noted.id && !row.hash.startsWith(noted.hash.toLowerCase())) {
      return broken(
        row.id,
        'changed',
        `entry ${row.id} is not the entry noted earlier (its hash begins ${row.hash.slice(0, 12)}, not ${noted.hash.slice(0, 12)})`,
      );
    }
  }
  const end = previous?.id ?? 0;
  if (noted && end < noted.id) {
    const removed =
      end + 1 === noted.id
        ? `entry ${noted.id} (and any after it) was removed`
        : `entries ${end + 1} to ${noted.id} (and any after them) were removed`;
    return broken(
      end + 1,
      'truncated',
      `the trail ends at entry ${end} but entry ${noted.id} was noted earlier: ${removed}`,
    );
  }
  return {
    intact: true,
    entries: count,
    head: previous,
    message: `audit trail intact: ${count} ${count === 1 ? 'entry' : 'entries'}${previous ? `, last entry ${previous.id} with hash ${previous.hash.slice(0, 12)}` : ''}`,
  };
}

/** A record (run, dataset, network version) by id, with the time it was made: entries older than it concern an earlier record that had the same id. */
export interface AuditSubjectRef {
  id: number;
  since: string;
}

/** The entries that concern some runs, datasets and network versions (a brief's provenance), oldest first. */
export function auditEntriesConcerning(
  db: Db,
  refs: { runs: AuditSubjectRef[]; datasets: AuditSubjectRef[]; versions: AuditSubjectRef[] },
): AuditEntry[] {
  const since = (list: AuditSubjectRef[]) => new Map(list.map((ref) => [ref.id, ref.since]));
  const [runs, datasetSet, versions] = [since(refs.runs), since(refs.datasets), since(refs.versions)];
  const concerns = (entry: AuditEntry) => {
    const d = entry.details;
    const hit = (map: Map<number, string>, id: unknown) =>
      typeof id === 'number' && map.has(id) && entry.at >= map.get(id)!;
    return (
      hit(runs, d.runId) ||
      (Array.isArray(d.runIds) && d.runIds.some((id) => hit(runs, id))) ||
      hit(datasetSet, d.datasetId) ||
      hit(versions, d.versionId)
    );
  };
  return (db.prepare('SELECT * FROM audit_log ORDER BY id').all() as AuditRow[]).map(toEntry).filter(concerns);
}

const DATASET_KIND_WORDS: Record<string, string> = {
  banks: 'balance sheets',
  network: 'network',
  economy: 'cross-holdings economy',
  holdings: 'holdings',
};

/** File formats in words (network exports and briefs). */
export const FORMAT_WORDS: Record<string, string> = {
  'network@1': 'network@1 JSON',
  csv: 'CSV',
  graphml: 'GraphML',
  xlsx: 'XLSX',
  pdf: 'PDF',
  docx: 'DOCX',
  json: 'JSON',
};

/** Generated holdings and editor networks name no file: their source is a description ("generator:…", "(created in the editor)"). */
const namesAFile = (source: string) => !/^(generator:|\()/.test(source);

/** The import of a dataset just written in this transaction: its row holds the file name and the file's SHA-256. */
export function recordImport(db: Db, datasetId: number, refs: AuditRefs = {}): number {
  const row = db.prepare('SELECT name, kind, source_file, sha256 FROM datasets WHERE id = ?').get(datasetId) as
    | { name: string; kind: string; source_file: string; sha256: string }
    | undefined;
  if (!row) throw new Error(`audit: no dataset ${datasetId} to record`);
  const fromFile = namesAFile(row.source_file);
  return recordAudit(db, {
    action: 'import',
    subject: `dataset #${datasetId} ${row.name} (${DATASET_KIND_WORDS[row.kind] ?? row.kind}${fromFile ? '' : ', generated'})`,
    fileName: fromFile ? row.source_file : null,
    sha256: row.sha256,
    details: { datasetId, ...refs },
  });
}

/** A dataset deleted in this transaction (recorded with what it was). */
export function recordDatasetDeletion(
  db: Db,
  dataset: { id: number; name: string; kind: string; sourceFile: string; sha256: string },
): number {
  return recordAudit(db, {
    action: 'delete',
    subject: `dataset #${dataset.id} ${dataset.name} (${DATASET_KIND_WORDS[dataset.kind] ?? dataset.kind}) with its network versions`,
    fileName: namesAFile(dataset.sourceFile) ? dataset.sourceFile : null,
    sha256: dataset.sha256,
    details: { datasetId: dataset.id },
  });
}

/** A run saved in this transaction; its SHA-256 is the digest of its parameters (canonical JSON). */
export function recordRunSaved(
  db: Db,
  run: { id: number; kind: string; method: string; networkVersionId: number | null; params: unknown },
): number {
  return recordAudit(db, {
    action: 'run-saved',
    subject: `run #${run.id} (${runKindWords(run.kind)}): ${run.method}`,
    sha256: sha256Of(canonicalJson(run.params)),
    details: {
      runId: run.id,
      ...(run.networkVersionId === null ? {} : { versionId: run.networkVersionId }),
      digest: 'parameters',
    },
  });
}

/**
 * Files produced for the user (one entry each): what was exported, the format, the file name and its bytes' SHA-256,
 * and the classification marking (and organisation) the files carry, when they carry one.
 */
export function recordExports(
  db: Db,
  what: { subject: string; format: string; refs: AuditRefs; marking?: { marking: string; organisation?: string } },
  files: Array<{ fileName: string; content: string; encoding: 'utf8' | 'base64' }>,
): void {
  const marking = what.marking
    ? {
        marking: what.marking.marking,
        ...(what.marking.organisation ? { organisation: what.marking.organisation } : {}),
      }
    : {};
  db.transaction(() => {
    for (const file of files) {
      recordAudit(db, {
        action: 'export',
        subject: `${what.subject} as ${FORMAT_WORDS[what.format] ?? what.format}`,
        fileName: file.fileName,
        sha256: exportedSha256(file),
        details: { ...what.refs, format: what.format, ...marking },
      });
    }
  })();
}

/** The files of a network version's export (one entry each), named by network, version and dataset. */
export function recordVersionExport(
  db: Db,
  versionId: number,
  format: string,
  files: Parameters<typeof recordExports>[2],
  marking?: Parameters<typeof recordExports>[1]['marking'],
): void {
  const row = db
    .prepare(
      'SELECT n.name, n.dataset_id, v.version FROM network_versions v JOIN networks n ON v.network_id = n.id WHERE v.id = ?',
    )
    .get(versionId) as { name: string; dataset_id: number; version: number } | undefined;
  if (!row) throw new Error(`audit: no network version ${versionId} to record`);
  recordExports(
    db,
    {
      subject: `network ${row.name} v${row.version} (version #${versionId})`,
      format,
      refs: { versionId, datasetId: row.dataset_id },
      marking,
    },
    files,
  );
}

/** An embeddings CSV handed over for saving; it concerns the model's training run and the dataset embedded. */
export function recordEmbeddingsExport(
  db: Db,
  modelId: number,
  datasetId: number | null,
  file: { fileName: string; csv: string; date: string },
): void {
  const runId =
    (db.prepare('SELECT run_id FROM models WHERE id = ?').get(modelId) as { run_id: number | null } | undefined)
      ?.run_id ?? null;
  recordExports(
    db,
    {
      subject: `embeddings of model #${modelId}${datasetId === null ? '' : ` on dataset #${datasetId}`} at ${file.date}`,
      format: 'csv',
      refs: { modelId, ...(datasetId === null ? {} : { datasetId }), ...(runId === null ? {} : { runId }) },
    },
    [{ fileName: file.fileName, content: file.csv, encoding: 'utf8' }],
  );
}
