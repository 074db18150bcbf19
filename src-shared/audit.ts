/**
 * The audit trail (src-main/store/audit.ts): who imported, exported, composed, deleted or saved what, and when.
 * Entries are append-only and hash-chained; these are the types and words the app, `cwb` and briefs share.
 */

export const AUDIT_ACTIONS = ['import', 'export', 'brief-composed', 'delete', 'run-saved', 'rename'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The action as a user reads it. */
export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = {
  import: 'Imported',
  export: 'Exported',
  'brief-composed': 'Brief composed',
  delete: 'Deleted',
  'run-saved': 'Run saved',
  rename: 'Renamed',
};

export const auditActionLabel = (action: string): string => AUDIT_ACTION_LABELS[action as AuditAction] ?? action;

/** What an entry concerns, for finding the entries of a brief's runs and data (never shown as such). */
export interface AuditRefs {
  datasetId?: number;
  versionId?: number;
  runId?: number;
  runIds?: number[];
  modelId?: number;
  briefId?: number;
}

export interface AuditEntry {
  id: number;
  /** ISO time the entry was written. */
  at: string;
  osUser: string;
  action: AuditAction;
  /** The action in words ("Imported", "Run saved", …). */
  actionLabel: string;
  /** What was acted on, in words: "dataset #3 EBA 2011", "run #12 (stress test)". */
  subject: string;
  fileName: string | null;
  /** SHA-256 of the file read or of the bytes produced. */
  sha256: string | null;
  details: AuditRefs & Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditVerification {
  intact: boolean;
  /** Entries read. */
  entries: number;
  /** The last entry's id and hash: note them to detect later truncation of the tail. */
  head: { id: number; hash: string } | null;
  /** The first entry that breaks the chain, when it is broken. */
  broken?: { id: number; problem: 'changed' | 'missing' | 'relinked' | 'truncated'; message: string };
  /** One line in words. */
  message: string;
}
