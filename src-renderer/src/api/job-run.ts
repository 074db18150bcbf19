/**
 * A screen's long job: start it, follow its events, cancel it; `onSucceeded(runId)` is called when it saved a run,
 * `onEvent` (optional) with every event of the job, e.g. to plot figures live. Errors at start (invalid parameters)
 * land in `error`. The listener is removed when the screen unmounts. Generic over the job kind: `start` takes that
 * kind's parameters (z.input of its schema in src-shared/jobs.ts; defaults may be left out).
 */
import { computed, onBeforeUnmount, ref, toRaw } from 'vue';
import type { JobEvent, JobKind } from '../../../src-shared/jobs';
import type { JobInput } from '../../../src-shared/run-kinds';
import { call, onJobEvent } from './client';

export function useJobRun<K extends JobKind>(
  kind: K,
  onSucceeded: (runId: number) => Promise<void>,
  onEvent?: (event: JobEvent) => void,
) {
  const job = ref<JobEvent>();
  const error = ref('');
  async function start(params: JobInput<K>) {
    error.value = '';
    try {
      const { jobId } = await call('jobs:start', { kind, params });
      // Events sent before the answer (a job that waits is queued at once) went past the listener: ask for the state.
      const placeholder: JobEvent = { jobId, kind, status: 'running', fraction: 0, stage: 'starting' };
      job.value = placeholder;
      const current = (await call('jobs:list', {})).find((event) => event.jobId === jobId);
      if (current && toRaw(job.value) === placeholder) {
        job.value = current;
        onEvent?.(current);
        if (current.status === 'succeeded' && current.runId) await onSucceeded(current.runId);
      }
    } catch (e) {
      error.value = (e as Error).message;
    }
  }
  async function cancel() {
    if (job.value) await call('jobs:cancel', { jobId: job.value.jobId });
  }
  const stop = onJobEvent((event) => {
    if (event.jobId !== job.value?.jobId) return;
    job.value = event;
    onEvent?.(event);
    if (event.status === 'succeeded' && event.runId) void onSucceeded(event.runId);
  });
  onBeforeUnmount(stop);
  /** True while the job runs or waits for its turn: the screen's run button is off meanwhile. */
  const busy = computed(() => job.value?.status === 'running' || job.value?.status === 'queued');
  return { job, error, start, cancel, busy };
}
