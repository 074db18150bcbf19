/**
 * Renaming and deleting what the user keeps: datasets, networks, versions and runs. Each change and its audit
 * entry are written in one transaction; a deletion that something still needs is refused with what needs it.
 */
import type { Db } from '../store/db';
import { datasets, networks, runs } from '../store/repositories';
import { recordAudit, runKindWords } from '../store/audit';

export function renameDataset(db: Db, id: number, name: string) {
  return db.transaction(() => {
    const before = datasets.get(db, id);
    const after = datasets.rename(db, id, name);
    recordAudit(db, {
      action: 'rename',
      subject: `dataset #${id} "${before.name}" → "${name}"`,
      details: { datasetId: id },
    });
    return after;
  })();
}

export function renameNetwork(db: Db, networkId: number, name: string) {
  return db.transaction(() => {
    const before = networks.get(db, networkId);
    const after = networks.rename(db, networkId, name);
    recordAudit(db, {
      action: 'rename',
      subject: `network "${before.name}" → "${name}"`,
      details: { datasetId: before.datasetId },
    });
    return after;
  })();
}

export function deleteVersion(db: Db, versionId: number) {
  return db.transaction(() => {
    const { network, version } = networks.getStoredVersion(db, versionId);
    const { networkDeleted } = networks.deleteVersion(db, versionId);
    recordAudit(db, {
      action: 'delete',
      subject: `${network.name} v${version} (network version #${versionId})${networkDeleted ? ', its last version' : ''}`,
      details: { versionId, datasetId: network.datasetId },
    });
    return { deleted: versionId, networkDeleted };
  })();
}

export function renameRun(db: Db, id: number, name: string) {
  return db.transaction(() => {
    const run = runs.get(db, id);
    const after = runs.rename(db, id, name || null);
    recordAudit(db, {
      action: 'rename',
      subject: `run #${id} (${runKindWords(run.kind)}) → "${name || run.method}"`,
      details: { runId: id },
    });
    return after;
  })();
}

export function deleteRun(db: Db, id: number) {
  return db.transaction(() => {
    const run = runs.get(db, id);
    runs.delete(db, id);
    recordAudit(db, {
      action: 'delete',
      subject: `run #${id} (${runKindWords(run.kind)}): ${run.name ?? run.method}`,
      details: { runId: id, ...(run.networkVersionId === null ? {} : { versionId: run.networkVersionId }) },
    });
    return { deleted: id };
  })();
}
