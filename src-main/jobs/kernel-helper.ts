/**
 * Entry of one dense-kernel helper thread (./kernel-threads.ts): counts itself started, then sleeps on the
 * generation word; each time it moves, takes the task from its port (its memories by number: kept from the first
 * time each came, until the caller lets it go), runs the parts of it it claims first, posts an error back if one
 * threw, and counts itself done.
 */
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { waitWhile, type KernelTask } from '../engines/kernels/helpers';
import { runKernelParts } from '../engines/linalg';
import { CONTROL, type KernelShareFailure, type KernelShareRequest } from './kernel-threads';

const { control, port } = workerData as { control: Int32Array; port: MessagePort };

const memories = new Map<number, WebAssembly.Memory>();

/** The request's task with its memories put back. */
function withMemories({ task, memories: named, forget }: KernelShareRequest): KernelTask {
  for (const id of forget) memories.delete(id);
  const whole = { ...task } as Record<string, unknown>;
  for (const { field, id, memory } of named) {
    if (memory) memories.set(id, memory);
    whole[field] = memories.get(id);
  }
  return whole as unknown as KernelTask;
}

Atomics.add(control, CONTROL.started, 1);
let seen = Atomics.load(control, CONTROL.generation);
for (;;) {
  waitWhile(control, CONTROL.generation, seen);
  seen = Atomics.load(control, CONTROL.generation);
  const request = receiveMessageOnPort(port)?.message as KernelShareRequest | undefined;
  try {
    if (request) runKernelParts(withMemories(request), request.parts, control, CONTROL.claimed);
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? error.message : String(error) } satisfies KernelShareFailure);
  }
  Atomics.add(control, CONTROL.done, 1);
  Atomics.notify(control, CONTROL.done);
}
