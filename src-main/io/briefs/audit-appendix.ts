/**
 * The audit trail in a brief's provenance appendix (request option `includeAuditTrail`): the entries that concern
 * the brief's runs, their network versions and datasets — the imports of the data, the runs' saves, earlier
 * exports of the versions and of briefs of these runs — with the state of the whole trail's hash chain.
 */
import type { BriefTable } from '../../../src-shared/briefs';
import { auditEntriesConcerning, verifyAudit, type AuditSubjectRef } from '../../store/audit';
import type { Db } from '../../store/db';
import type { RunContext } from './context';

const HASH_DIGITS = 12;

export function auditTrailTable(db: Db, contexts: RunContext[]): BriefTable {
  const refs = { runs: [] as AuditSubjectRef[], datasets: [] as AuditSubjectRef[], versions: [] as AuditSubjectRef[] };
  for (const { run, network, dataset } of contexts) {
    refs.runs.push({ id: run.id, since: run.startedAt });
    if (network) refs.versions.push({ id: network.versionId, since: network.createdAt });
    if (dataset) refs.datasets.push({ id: dataset.id, since: dataset.importedAt });
  }
  const entries = auditEntriesConcerning(db, refs);
  const check = verifyAudit(db);
  const state = check.intact
    ? `The whole trail was intact when the brief was composed: ${check.entries} ${check.entries === 1 ? 'entry' : 'entries'}${check.head ? `, the last entry ${check.head.id} with hash ${check.head.hash}` : ''}.`
    : `The trail's hash chain was broken when the brief was composed: ${check.broken?.message ?? check.message}.`;
  return {
    title: 'Entries concerning these runs and their data',
    columns: [
      { label: 'No.', numeric: true, share: 0.07 },
      { label: 'Time (UTC)', numeric: false, share: 0.13 },
      { label: 'User', numeric: false, share: 0.08 },
      { label: 'Action', numeric: false, share: 0.1 },
      { label: 'Subject', numeric: false, share: 0.28 },
      { label: 'File', numeric: false, share: 0.2 },
      { label: `SHA-256 (first ${HASH_DIGITS} hex)`, numeric: false, share: 0.14 },
    ],
    rows: entries.map((e) => [
      e.id,
      e.at.slice(0, 19).replace('T', ' '),
      e.osUser,
      e.actionLabel,
      e.subject,
      e.fileName,
      e.sha256 ? e.sha256.slice(0, HASH_DIGITS) : null,
    ]),
    note: `${entries.length === 0 ? 'No entry of the audit trail concerns these runs or their data (they predate the trail).' : `${entries.length} ${entries.length === 1 ? 'entry' : 'entries'} of the audit trail concern these runs, their network versions and datasets.`} For a saved run the SHA-256 is the digest of its parameters; for an import, of the file read; for an export, of the bytes produced. ${state}`,
  };
}
