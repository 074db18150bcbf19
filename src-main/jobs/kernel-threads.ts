/**
 * The dense kernels' helper threads (engines/kernels/helpers.ts): worker threads that sleep on a shared word and
 * work with the caller on the tasks luFactor and InverseColumns hand them, synchronously for the engine that asks.
 * A task goes to each helper as a message on its own port (the memories in it are shared, not copied); a helper
 * takes it with `receiveMessageOnPort` when the generation word moves (`waitWhile`: checked in a loop, then asleep).
 * The task is cut into parts (helpers.ts `partsOf`), which the caller and the helpers claim in turn through a shared
 * word and run (linalg.runKernelParts), so a thread that runs slower takes fewer; a helper posts an error back if a
 * part threw, and counts itself done. The caller then sleeps on the done word. The helpers start at the first task
 * (some 30 ms for the bundle, 150 ms under tsx); until then the caller runs every part itself: same digits, no
 * wait. Helpers are unreferenced, so they never keep a process alive.
 */
import { receiveMessageOnPort, MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import {
  installKernelHelpers,
  partsOf,
  waitWhile,
  type KernelHelpers,
  type KernelTask,
} from '../engines/kernels/helpers';
import { runKernelParts, runKernelShare } from '../engines/linalg';
import { workerScript } from '../io/worker-script';

/** The words of the control block every helper shares. */
export const CONTROL = { generation: 0, done: 1, started: 2, claimed: 3 } as const;

/**
 * What a helper takes from its port: the task and how many parts it is cut into, each memory of the task named
 * by a number (`memoryFields`) and sent whole only the first time (a memory received anew is a new object, and the
 * helper's kernels are bound to the object: one instance per memory, not per task), and the numbers of the
 * memories the caller has let go since (`forget`), so that the helper lets them go too.
 */
export interface KernelShareRequest {
  task: KernelTask;
  parts: number;
  memories: Array<{ field: string; id: number; memory?: WebAssembly.Memory }>;
  forget: number[];
}

/** The fields of a task that hold a WebAssembly memory. */
function memoryFields(task: KernelTask): string[] {
  return Object.entries(task)
    .filter(([, value]) => value instanceof WebAssembly.Memory)
    .map(([field]) => field);
}

/** What a helper posts back on its port when a part it ran threw. */
export interface KernelShareFailure {
  error: string;
}

export class KernelThreads implements KernelHelpers {
  private readonly control = new Int32Array(new SharedArrayBuffer(4 * 4));
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private broken: string | undefined;
  /** Whether a task is out with the helpers now. */
  private running = false;
  /** Tasks the helpers worked on (not those the caller ran alone while they started). */
  shared = 0;
  /** The number each memory sent to the helpers goes by, and those let go since the last task. */
  private readonly memoryIds = new WeakMap<WebAssembly.Memory, number>();
  private nextMemoryId = 0;
  private forgotten: number[] = [];
  private readonly released = new FinalizationRegistry<number>((id) => this.forgotten.push(id));

  /**
   * `count` helper threads, started at the first task handed to them (or `whenStarted`), so that a job whose engines
   * never factorise a large matrix starts none.
   */
  constructor(readonly count: number) {}

  private spawn(): void {
    if (this.workers.length > 0 || this.broken !== undefined) return;
    const script = workerScript('kernel-helper', 'kernel-helper');
    for (let helper = 0; helper < this.count; helper++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(script.file, {
        workerData: { ...script.workerData, control: this.control, port: port2 },
        transferList: [port2],
      });
      worker.on('error', (error: Error) => (this.broken ??= error.message));
      worker.on('exit', () => (this.broken ??= 'a kernel helper thread stopped'));
      worker.unref();
      port1.unref();
      this.workers.push(worker);
      this.ports.push(port1);
    }
  }

  /** Whether every helper has started and none has failed. */
  get started(): boolean {
    return this.broken === undefined && Atomics.load(this.control, CONTROL.started) === this.count;
  }

  /** Resolves once every helper has started (for a benchmark that times the kernels, not the threads' start). */
  async whenStarted(limitMs = 30_000): Promise<void> {
    this.spawn();
    const until = Date.now() + limitMs;
    while (!this.started) {
      if (this.broken !== undefined) throw new Error(this.broken);
      if (Date.now() > until) throw new Error(`kernel helper threads did not start within ${limitMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  run(task: KernelTask): void {
    const parts = partsOf(task, this.count + 1);
    // a task asked for within the caller's own part (a product inside a step of the LU) runs here whole
    if (!this.started || this.running) {
      this.spawn();
      for (let part = 0; part < parts; part++) runKernelShare(task, part, parts);
      return;
    }
    this.running = true;
    try {
      this.runShared(task, parts);
    } finally {
      this.running = false;
    }
  }

  private runShared(task: KernelTask, parts: number): void {
    this.shared++;
    const memories = memoryFields(task).map((field) => {
      const memory = (task as unknown as Record<string, WebAssembly.Memory>)[field]!;
      const known = this.memoryIds.get(memory);
      if (known !== undefined) return { field, id: known };
      const id = this.nextMemoryId++;
      this.memoryIds.set(memory, id);
      this.released.register(memory, id);
      return { field, id, memory };
    });
    // the task without its memories (structured clone would make new memory objects of them)
    const bare = { ...task } as Record<string, unknown>;
    for (const { field } of memories) delete bare[field];
    const request = { task: bare as unknown as KernelTask, parts, memories, forget: this.forgotten };
    this.forgotten = [];
    for (const port of this.ports) port.postMessage(request satisfies KernelShareRequest);
    Atomics.store(this.control, CONTROL.done, 0);
    Atomics.store(this.control, CONTROL.claimed, 0);
    Atomics.add(this.control, CONTROL.generation, 1);
    Atomics.notify(this.control, CONTROL.generation);
    let failure: Error | undefined;
    try {
      runKernelParts(task, parts, this.control, CONTROL.claimed);
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
    }
    let done = Atomics.load(this.control, CONTROL.done);
    while (done < this.count) {
      waitWhile(this.control, CONTROL.done, done);
      done = Atomics.load(this.control, CONTROL.done);
    }
    for (const port of this.ports) {
      const reply = receiveMessageOnPort(port)?.message as KernelShareFailure | undefined;
      failure ??= reply && new Error(reply.error);
    }
    if (failure) throw failure;
  }

  /** Ends the helpers. */
  async close(): Promise<void> {
    this.broken ??= 'kernel helper threads closed';
    await Promise.all(this.workers.map((worker) => worker.terminate()));
    for (const port of this.ports) port.close();
  }
}

/**
 * Installs `threads − 1` helper threads for this thread's engines (none for one thread or fewer) and returns them,
 * or undefined. They start at the first task handed to them.
 */
export function startKernelThreads(threads: number): KernelThreads | undefined {
  const helpers = Math.floor(threads) - 1;
  if (!(helpers >= 1)) {
    installKernelHelpers(undefined);
    return undefined;
  }
  const pool = new KernelThreads(helpers);
  installKernelHelpers(pool);
  return pool;
}
