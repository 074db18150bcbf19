/**
 * Entry of one dense-kernel helper thread (./kernel-threads.ts): counts itself started, then sleeps on the
 * generation word; each time it moves, takes the task from its port, runs its share, posts an error back if the
 * share threw, and counts itself done.
 */
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { runKernelShare } from '../engines/linalg';
import { CONTROL, type KernelShareFailure, type KernelShareRequest } from './kernel-threads';

const { control, port, share } = workerData as { control: Int32Array; port: MessagePort; share: number };

Atomics.add(control, CONTROL.started, 1);
let seen = Atomics.load(control, CONTROL.generation);
for (;;) {
  Atomics.wait(control, CONTROL.generation, seen);
  seen = Atomics.load(control, CONTROL.generation);
  const request = receiveMessageOnPort(port)?.message as KernelShareRequest | undefined;
  try {
    if (request) runKernelShare(request.task, share, request.shares);
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? error.message : String(error) } satisfies KernelShareFailure);
  }
  Atomics.add(control, CONTROL.done, 1);
  Atomics.notify(control, CONTROL.done);
}
