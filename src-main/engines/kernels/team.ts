/**
 * Threads that are already running — the shards of one run — factorising one matrix together. The thread that builds
 * the factor installs the team's leader as its kernel helpers (kernels/helpers.ts) for the factorisation; the others,
 * instead of sleeping until the factor is ready, `join` and take chunks of each trailing update in turn. A task is
 * numbers only (the factor's memory is known to all), published through one shared word that carries the task's
 * generation and its next chunk, so a thread that joins late, or reads a task that has just been replaced, can only
 * take chunks of the task in hand (compare-and-swap on that word). Every row's update is the kernel's, as on one
 * thread: the same digits.
 */
import { installKernelHelpers, kernelHelpers, waitWhile, type KernelHelpers, type KernelTask } from './helpers';
import { runKernelShare } from '../linalg';

/** The words of a team's control block (`teamControl`). */
const WORD = 0; // generation << 16 | next chunk
const DONE = 1;
const CHUNKS = 2;
const K0 = 3;
const K1 = 4;
const M = 5;
const AT = 6;
const OPEN = 7;

/** Chunks a trailing update is cut into: enough that a thread joining late or running slower takes fewer. */
const CHUNKS_PER_UPDATE = 8;

/** A control block for a team. */
export function teamControl(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(8 * 4));
}

/**
 * Runs `factorise` with the team open: this thread's trailing updates (luFactor's `trailing-update` tasks on
 * `memory`) are cut into chunks that the members who `join` share; any other task runs here whole.
 */
export function leadTeam<T>(control: Int32Array, memory: WebAssembly.Memory, factorise: () => T): T {
  const previous = kernelHelpers();
  let generation = Atomics.load(control, WORD) >>> 16;
  const leader: KernelHelpers = {
    count: 1,
    run(task: KernelTask) {
      if (task.kind !== 'trailing-update' || task.memory !== memory) {
        runKernelShare(task, 0, 1);
        return;
      }
      const chunks = CHUNKS_PER_UPDATE;
      Atomics.store(control, CHUNKS, chunks);
      Atomics.store(control, K0, task.k0);
      Atomics.store(control, K1, task.k1);
      Atomics.store(control, M, task.m);
      Atomics.store(control, AT, task.at);
      Atomics.store(control, DONE, 0);
      generation = (generation + 1) & 0x7fff;
      Atomics.store(control, WORD, generation << 16);
      Atomics.notify(control, WORD);
      takeChunks(control, memory, generation);
      for (let done = Atomics.load(control, DONE); done < chunks; done = Atomics.load(control, DONE))
        waitWhile(control, DONE, done);
    },
  };
  Atomics.store(control, OPEN, 1);
  installKernelHelpers(leader);
  try {
    return factorise();
  } finally {
    installKernelHelpers(previous);
    Atomics.store(control, OPEN, 0);
    Atomics.add(control, WORD, 1); // wakes the members to find the team closed
    Atomics.notify(control, WORD);
  }
}

/** Whether a leader is factorising with the team now. */
export function isTeamOpen(control: Int32Array): boolean {
  return Atomics.load(control, OPEN) === 1;
}

/**
 * Takes chunks of the leader's trailing updates until the team closes (at once if it is not open); returns how many
 * this thread ran.
 */
export function joinTeam(control: Int32Array, memory: WebAssembly.Memory): number {
  let worked = -1;
  let chunks = 0;
  while (isTeamOpen(control)) {
    const word = Atomics.load(control, WORD);
    const generation = word >>> 16;
    if (generation !== worked) {
      worked = generation;
      chunks += takeChunks(control, memory, generation);
    } else Atomics.wait(control, WORD, word, 1);
  }
  return chunks;
}

/** Claims and runs chunks of the task of `generation` until none is left or a newer task has replaced it. */
function takeChunks(control: Int32Array, memory: WebAssembly.Memory, generation: number): number {
  let taken = 0;
  for (;;) {
    const word = Atomics.load(control, WORD);
    const chunk = word & 0xffff;
    if (word >>> 16 !== generation || chunk >= Atomics.load(control, CHUNKS)) return taken;
    if (Atomics.compareExchange(control, WORD, word, word + 1) !== word) continue;
    // the task cannot change while one of its chunks is claimed and not done
    const task: KernelTask = {
      kind: 'trailing-update',
      memory,
      at: Atomics.load(control, AT),
      m: Atomics.load(control, M),
      k0: Atomics.load(control, K0),
      k1: Atomics.load(control, K1),
    };
    try {
      runKernelShare(task, chunk, Atomics.load(control, CHUNKS));
    } finally {
      Atomics.add(control, DONE, 1);
      Atomics.notify(control, DONE);
    }
    taken++;
  }
}
