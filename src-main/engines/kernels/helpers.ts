/**
 * Helper threads for the dense kernels. Engines do no I/O, so threads are a capability handed to them from outside:
 * the jobs layer starts them (jobs/kernel-threads.ts) and installs them here, as a stress run's shards install the
 * team that builds their shared factor (./team.ts); without either, or before the helpers have started, every share
 * of a task runs on the calling thread. A task is cut into parts (`partsOf`) that the caller and the helpers claim in
 * turn and run in shared WebAssembly memories (kernels/workspace.ts), and the call returns when every part is done
 * (`linalg.runKernelShare` runs one). Each entry is computed by the same kernel calls, its sums in the same order,
 * whatever the number of threads, so the results are identical to the digit (tests/jobs/kernel-threads.test.ts).
 */
export type KernelTask =
  | {
      /** KernelWorkspace.subtractProduct's C −= A · B, its rows split among the shares (four at a time). */
      kind: 'product';
      /** The workspace memory that holds C, A and B, given by the index of their first element. */
      memory: WebAssembly.Memory;
      c: number;
      ldc: number;
      a: number;
      lda: number;
      b: number;
      ldb: number;
      rows: number;
      cols: number;
      depth: number;
    }
  | {
      /** luFactor's trailing update A₂₂ −= L₂₁ U₁₂ after the panel of columns k0 … k1−1, its rows split among the shares. */
      kind: 'trailing-update';
      /** The workspace memory that holds the m × m factor, from double `at` on. */
      memory: WebAssembly.Memory;
      at: number;
      m: number;
      k0: number;
      k1: number;
    }
  | {
      /** InverseColumns.solve's block of right-hand sides, its columns split among the shares (four at a time). */
      kind: 'solve-block';
      /** The workspace memory that holds the m × m factors from double `factorsAt` on, and R (m × stride) from `rhsAt`. */
      memory: WebAssembly.Memory;
      factorsAt: number;
      m: number;
      pivots: Int32Array;
      rhsAt: number;
      stride: number;
    }
  | {
      /**
       * InverseColumns' missing columns of M⁻¹: blocks of `width` columns claimed in turn through `next`, each share
       * solving in its own slot of right-hand sides and writing column j as row j of the store.
       */
      kind: 'inverse-columns';
      /** The workspace memory that holds the m × m factors from double `factorsAt` on, then the slots. */
      memory: WebAssembly.Memory;
      factorsAt: number;
      m: number;
      pivots: Int32Array;
      /** The columns to solve, ascending. */
      columns: Int32Array;
      width: number;
      /** Share s's slot of m · width doubles starts at slotsAt + s · m · width; shares from `slots` on take none. */
      slotsAt: number;
      slots: number;
      /** Blocks claimed so far: one entry over a SharedArrayBuffer. */
      next: Int32Array;
      /** The m × m store of columns (a sharedMatrixMemory). */
      store: WebAssembly.Memory;
    };

export interface KernelHelpers {
  /** Helper threads beside the caller. */
  readonly count: number;
  /**
   * Runs the parts of `task` on this thread and the helpers (all of them here while the helpers are still starting);
   * returns when every part is done and throws the first error of any.
   */
  run(task: KernelTask): void;
}

let installed: KernelHelpers | undefined;

/** Makes `helpers` (or none) the threads every engine of this thread hands its shares to. */
export function installKernelHelpers(helpers: KernelHelpers | undefined): void {
  installed = helpers;
}

/** The helper threads installed in this thread, if any. */
export function kernelHelpers(): KernelHelpers | undefined {
  return installed;
}

/** Threads a task is split among here: the caller and its helpers. */
export function kernelShares(): number {
  return 1 + (installed?.count ?? 0);
}

/**
 * Parts rows of a product or of a trailing update are cut into per thread: claimed in turn, so that a thread that
 * runs slower (its core taken by another process, or a late start) takes fewer.
 */
const PARTS_PER_THREAD = 4;

/**
 * How many parts `task` is cut into among `threads` threads (each part a `share` of runKernelShare): products and
 * trailing updates PARTS_PER_THREAD each; a block of right-hand sides one each (every part reads all the factors),
 * and the inverse's columns one each (the part is the thread's slot; its blocks are claimed in turn within it).
 */
export function partsOf(task: KernelTask, threads: number): number {
  return task.kind === 'product' || task.kind === 'trailing-update' ? threads * PARTS_PER_THREAD : threads;
}

/**
 * Share `share` of `shares` of the range first … last−1 (rows or columns), [start, end): equal parts, each a multiple
 * of four long (the product kernel's 4 × 4 blocks fall as in one call), the last what is left; empty past the end.
 */
export function shareOf(first: number, last: number, share: number, shares: number): [number, number] {
  const size = 4 * Math.ceil((last - first) / (4 * shares));
  const start = Math.min(last, first + share * size);
  return [start, Math.min(last, start + size)];
}

/**
 * Checks of a shared word before sleeping on it, some 0.1–0.2 ms: a thread asleep on this machine's VM takes
 * 10–25 µs to wake, and the next task of a caller (the next product of a block) comes within microseconds. Round
 * trip of an empty task: 25–60 µs asleep, 6 µs checking first.
 */
const SPIN_CHECKS = 100_000;

/** Returns once control[index] is no longer `value`: checking it in a loop first, then asleep on it. */
export function waitWhile(control: Int32Array, index: number, value: number): void {
  for (let check = 0; check < SPIN_CHECKS; check++) if (Atomics.load(control, index) !== value) return;
  while (Atomics.load(control, index) === value) Atomics.wait(control, index, value);
}
