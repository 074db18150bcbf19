/**
 * useJobRun with a fake transport: a job that is queued at once (its first event sent before the answer to
 * jobs:start, so no listener sees it) is shown as waiting, then follows its events to the end.
 */
import { effectScope } from 'vue';
import { describe, expect, it, vi } from 'vitest';
import { waitingStage, type JobEvent } from '../../src-shared/jobs';

const listeners = new Set<(event: JobEvent) => void>();
const emit = (event: JobEvent) => listeners.forEach((listener) => listener(event));
const queued: JobEvent = {
  jobId: 'j2',
  kind: 'stress',
  status: 'queued',
  fraction: 0,
  stage: waitingStage(1),
  ahead: 1,
};

vi.mock('../../src-renderer/src/api/client', () => ({
  onJobEvent: (listener: (event: JobEvent) => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  call: (channel: string) => {
    if (channel === 'jobs:start') {
      emit(queued); // before the answer, as the host does
      return Promise.resolve({ jobId: 'j2' });
    }
    if (channel === 'jobs:list') return Promise.resolve([queued]);
    return Promise.resolve({ cancelled: true });
  },
}));

const { useJobRun } = await import('../../src-renderer/src/api/job-run');

describe('useJobRun', () => {
  it('shows a job queued at once as waiting, and is busy until it is over', async () => {
    const succeeded: number[] = [];
    const scope = effectScope();
    const run = scope.run(() =>
      useJobRun('stress', (runId) => {
        succeeded.push(runId);
        return Promise.resolve();
      }),
    )!;
    expect(run.busy.value).toBe(false);
    await run.start({ versionId: 1, shockModel: { kind: 'uniform' }, samples: 10, seed: 1 });
    expect(run.job.value).toMatchObject({ jobId: 'j2', status: 'queued', stage: 'Waiting — 1 job ahead' });
    expect(run.busy.value).toBe(true);
    emit({ ...queued, status: 'running', stage: 'starting', ahead: undefined });
    expect(run.job.value?.status).toBe('running');
    emit({ jobId: 'other', kind: 'stress', status: 'succeeded', fraction: 1, stage: 'done', runId: 9 });
    emit({ ...queued, status: 'succeeded', fraction: 1, stage: 'done', runId: 4, ahead: undefined });
    await Promise.resolve();
    expect(succeeded).toEqual([4]);
    expect(run.busy.value).toBe(false);
    scope.stop();
  });
});
