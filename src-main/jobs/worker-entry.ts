/** Entry of every job worker thread: runs one task on its input and posts progress and the result. */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerMessage, WorkerRequest } from './protocol';
import { workerTasks } from './worker-tasks';

const port = parentPort;
if (!port) throw new Error('worker-entry must run in a worker thread');

const request = (workerData as { request: WorkerRequest }).request;
const post = (message: WorkerMessage) => port.postMessage(message);

let lastProgressAt = 0;
try {
  const task = workerTasks[request.kind as keyof typeof workerTasks];
  if (!task) throw new Error(`unknown job kind "${request.kind}"`);
  const value = await (task as (input: unknown, reporter: unknown) => unknown)(request.input, {
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
