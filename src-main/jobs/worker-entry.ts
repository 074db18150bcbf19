/**
 * Entry of every job worker thread: runs one task on its input and posts progress and the result; a task may ask
 * the main thread questions (its kind's `answer`, e.g. one date of holdings read from the store) and await them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { JobAnswer, JobQuestion, JobShard, WorkerRequest } from './job-types';
import type { JobKind } from '../../src-shared/jobs';
import type { ManagerMessage, TaskReporter, WorkerMessage } from './protocol';
import { startKernelThreads } from './kernel-threads';
import { workerTasks } from './worker-tasks';

const port = parentPort;
if (!port) throw new Error('worker-entry must run in a worker thread');

// workerData is what the manager passed (structured-cloned): the request of one shard, and the threads its dense
// kernels may use (this one and helpers).
const { request, kernelThreads } = workerData as { request: WorkerRequest; kernelThreads?: number };
startKernelThreads(kernelThreads ?? 1);
const post = (message: WorkerMessage) => port.postMessage(message);

const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
const onAnswer = (message: ManagerMessage) => {
  const question = pending.get(message.id);
  pending.delete(message.id);
  if ('error' in message) question?.reject(new Error(message.error));
  else question?.resolve(message.value);
};
port.on('message', onAnswer);
let questions = 0;
const ask = (question: unknown) =>
  new Promise<unknown>((resolve, reject) => {
    const id = questions++;
    pending.set(id, { resolve, reject });
    post({ type: 'ask', id, question });
  });

/** The worker function of the request's kind on its shard input (typed by the kind: no cast). */
function runTask<K extends JobKind>({ kind, input }: { kind: K; input: JobShard<K> }, reporter: TaskReporter) {
  const task = workerTasks[kind];
  if (!task) throw new Error(`unknown job kind "${kind}"`);
  // The answer arrives by postMessage as `unknown`: the main thread answered with the kind's own `answer`.
  return task(input, reporter, ask as (question: JobQuestion<K>) => Promise<JobAnswer<K>>);
}

// Progress goes out at most every PROGRESS_INTERVAL_MS. The latest report held back goes out before the result, so
// the last stage a task reached is always seen, even when the task ends within the interval.
const PROGRESS_INTERVAL_MS = 100;
let lastProgressAt = 0;
let heldBack: WorkerMessage | undefined;
try {
  const value = await runTask(request, {
    progress(fraction: number, stage: string, figures?: Record<string, number>) {
      const message: WorkerMessage = { type: 'progress', fraction, stage, figures };
      const now = Date.now();
      if (now - lastProgressAt < PROGRESS_INTERVAL_MS && fraction < 1) {
        heldBack = message;
        return;
      }
      lastProgressAt = now;
      heldBack = undefined;
      post(message);
    },
  });
  if (heldBack) post(heldBack);
  post({ type: 'result', value });
} catch (error) {
  post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
} finally {
  // nothing left to wait for: the thread may end
  port.off('message', onAnswer);
}
