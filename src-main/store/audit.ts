/**
 * The audit trail: an append-only, hash-chained log of imports, exports, briefs, deletions and saved runs
 * (table `audit_log`, migration 2; SQLite triggers refuse UPDATE and DELETE). Each entry's hash is
 * SHA-256(previous hash + canonical JSON of its fields), the first chained from GENESIS_HASH, so a changed or
 * removed entry breaks the chain at that entry. `recordAudit` writes inside the caller's transaction (a
 * savepoint when one is open), so an action that rolls back leaves no entry. See docs/data-protection/audit.md.
 */
import { createHash } from 'node:crypto';
import { userInfo } from 'node:os';
import { auditActionLabel, type AuditAction, type AuditEntry, type AuditRefs, type AuditVerification } from '../../src-shared/audit';
import { humanise } from '../../src-shared/brief-format';
import type { Db } from './db';

/** The chain's anchor: the previous hash of entry 1. */
export const GENESIS_HASH = '0'.repeat(64);

/** Run kinds (job kinds and the policy lab) in words. */
const RUN_KIND_WORDS: Record<string, string> = {
  stress: 'stress test',
  'idf-train': 'dual-network training',
  'idf-reproduce': 'dual-network reproduction',
  reconstruct: 'network reconstruction',
  gtTrain: 'graph-transformer training',
  capital: 'capital allocation',
  intervention: 'intervention study',
  policy: 'policy lab',
};
export const runKindWords = (kind: string): string => RUN_KIND_WORDS[kind] ?? humanise(kind).toLowerCase();

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
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
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

type HashedFields = Pick<AuditRow, 'id' | 'at' | 'os_user' | 'action' | 'subject' | 'file_name' | 'sha256'> & { details: unknown };

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
      const last = db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string } | undefined;
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
      ).run(fields.id, fields.at, fields.os_user, fields.action, fields.subject, fields.file_name, fields.sha256, canonicalJson(fields.details), prevHash, entryHash(prevHash, fields));
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
export function listAudit(db: Db, options: { limit?: number; before?: number } = {}): { entries: AuditEntry[]; total: number } {
  const limit = options.limit ?? 50;
  const rows = db
    .prepare('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?')
    .all(options.before ?? Number.MAX_SAFE_INTEGER, limit) as AuditRow[];
  const total = (db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
  return { entries: rows.map(toEntry), total };
}

/** Recomputes the chain from the first entry; names the first entry that is changed, missing or relinked. */
export function verifyAudit(db: Db): AuditVerification {
  let previous: { id: number; hash: string } | null = null;
  let count = 0;
  const broken = (id: number, problem: NonNullable<AuditVerification['broken']>['problem'], message: string): AuditVerification => ({
    intact: false,
    entries: count,
    head: previous,
    broken: { id, problem, message },
    message: `audit trail broken: ${message}`,
  });
  for (const row of db.prepare('SELECT * FROM audit_log ORDER BY id').iterate() as IterableIterator<AuditRow>) {
    count++;
    const expectedId = (previous?.id ?? 0) + 1;
    if (row.id !== expectedId) {
      return broken(expectedId, 'missing', row.id - expectedId === 1 ? `entry ${expectedId} is missing (entry ${row.id} follows entry ${expectedId - 1})` : `entries ${expectedId} to ${row.id - 1} are missing (entry ${row.id} follows entry ${expectedId - 1})`);
    }
    if (row.prev_hash !== (previous?.hash ?? GENESIS_HASH)) {
      return broken(row.id, 'relinked', `entry ${row.id} does not follow from ${previous ? `entry ${previous.id}` : 'the start of the trail'} (an earlier entry was rewritten or removed)`);
    }
    let details: unknown;
    try {
      details = JSON.parse(row.details) as unknown;
    } catch {
      return broken(row.id, 'changed', `entry ${row.id} was changed after it was written (its details are not readable)`);
    }
    if (entryHash(row.prev_hash, { ...row, details }) !== row.hash) {
      return broken(row.id, 'changed', `entry ${row.id} was changed after it was written`);
    }
    previous = { id: row.id, hash: row.hash };
  }
  return {
    intact: true,
    entries: count,
    head: previous,
    message: `audit trail intact: ${count} ${count === 1 ? 'entry' : 'entries'}${previous ? `, last entry ${previous.id} with hash ${previous.hash.slice(0, 12)}` : ''}`,
  };
}

/** The entries that concern some runs, datasets and network versions (a brief's provenance), oldest first. */
export function auditEntriesConcerning(db: Db, refs: { runIds: number[]; datasetIds: number[]; versionIds: number[] }): AuditEntry[] {
  const runs = new Set(refs.runIds);
  const datasetSet = new Set(refs.datasetIds);
  const versions = new Set(refs.versionIds);
  const concerns = (entry: AuditEntry) => {
    const d = entry.details;
    return (
      (d.runId !== undefined && runs.has(d.runId)) ||
      (Array.isArray(d.runIds) && d.runIds.some((id) => runs.has(id))) ||
      (d.datasetId !== undefined && datasetSet.has(d.datasetId)) ||
      (d.versionId !== undefined && versions.has(d.versionId))
    );
  };
  return (db.prepare('SELECT * FROM audit_log ORDER BY id').all() as AuditRow[]).map(toEntry).filter(concerns);
}
