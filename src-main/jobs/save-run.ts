/** Every job's last step: its run, succeeded, recorded with its timing and the software version that made it, and in the audit trail. */
import { softwareVersion } from '../version';
import type { RunKind, RunParams, RunResults } from '../../src-shared/run-kinds';
import type { Db } from '../store/db';
import { runs } from '../store/repositories';
import { recordRunSaved } from '../store/audit';

type RunRecord = Parameters<typeof runs.insertFinished>[1];

/** A run of kind K as a job or service saves it: the parameters and results are those of its kind (run-kinds.ts). */
export type SavedRun<K extends RunKind> = Omit<
  RunRecord,
  'status' | 'startedAt' | 'durationMs' | 'softwareVersion' | 'error' | 'kind' | 'params' | 'results'
> & {
  kind: K;
  params: RunParams<K>;
  results: RunResults<K>;
};

export function saveSucceededRun<K extends RunKind>(
  db: Db,
  timing: { startedAt: string; durationMs: number },
  record: SavedRun<K>,
): number {
  return db.transaction(() => {
    const id = runs.insertFinished(db, {
      ...record,
      status: 'succeeded',
      startedAt: timing.startedAt,
      durationMs: timing.durationMs,
      softwareVersion,
    });
    recordRunSaved(db, { id, ...record });
    return id;
  })();
}
