/** Entry of every job worker thread: runs one task on its input and posts progress and the result. */
import { parentPort, workerData } from 'node:worker_threads';
import type { JobShard, WorkerRequest } from './job-types';
import type { JobKind } from '../../src-shared/jobs';
import type { TaskReporter, WorkerMessage } from './protocol';
import { workerTasks } from './worker-tasks';

const port = parentPort;
if (!port) throw new Error('worker-entry must run in a worker thread');

// workerData is what the manager passed (structured-cloned): the request of one shard.
const request = (workerData as { request: WorkerRequest }).request;
const post = (message: WorkerMessage) => port.postMessage(message);

/** The worker function of the request's kind on its shard input (typed by the kind: no cast). */
function runTask<K extends JobKind>({ kind, input }: { kind: K; input: JobShard<K> }, reporter: TaskReporter) {
  const task = workerTasks[kind];
  if (!task) throw new Error(`unknown job kind "${kind}"`);
  return task(input, reporter);
}

let lastProgressAt = 0;
try {
  const value = await runTask(request, {
    progress(fraction: number, stage: string, figures?: Record<string, number>) {
      const now = Date.now();
      if (now - lastProgressAt < 100 && fraction < 1) return;
      lastProgressAt = now;
      post({ type: 'progress', fraction, stage, figures });
    },
  });
  post({ type: 'result', value });
} catch (error) {
  post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}
