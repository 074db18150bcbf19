/** Every job's last step: its run, succeeded, recorded with its timing and the software version that made it, and in the audit trail. */
import { softwareVersion } from '../version';
import type { Db } from '../store/db';
import { runs } from '../store/repositories';
import { recordRunSaved } from '../store/audit';

type RunRecord = Parameters<typeof runs.insertFinished>[1];

export function saveSucceededRun(
  db: Db,
  timing: { startedAt: string; durationMs: number },
  record: Omit<RunRecord, 'status' | 'startedAt' | 'durationMs' | 'softwareVersion' | 'error'>,
): number {
  return db.transaction(() => {
    const id = runs.insertFinished(db, { ...record, status: 'succeeded', startedAt: timing.startedAt, durationMs: timing.durationMs, softwareVersion });
    recordRunSaved(db, { id, ...record });
    return id;
  })();
}
