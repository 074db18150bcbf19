import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { installKernelHelpers, kernelHelpers, partsOf, type KernelTask } from '../../src-main/engines/kernels/helpers';
import { isTeamOpen, leadTeam, teamControl } from '../../src-main/engines/kernels/team';
import { KernelWorkspace } from '../../src-main/engines/kernels/workspace';
import { InverseColumns, luFactor, luSolve, runKernelParts, runKernelShare } from '../../src-main/engines/linalg';
import { Rng } from '../../src-main/engines/random';
import { KernelThreads, startKernelThreads } from '../../src-main/jobs/kernel-threads';

function randomMatrix(m: number, seed: number): Float64Array {
  const rng = new Rng(seed, 0);
  return Float64Array.from({ length: m * m }, () => rng.uniform() - 0.5);
}

/** Factors and every column of the inverse, with the helpers installed or not. */
function factorAndInvert(a: Float64Array, m: number, helpers: KernelThreads | undefined) {
  installKernelHelpers(helpers);
  try {
    const lu = a.slice();
    const pivots = new Int32Array(m);
    luFactor(lu, m, pivots);
    const inverse = new InverseColumns(lu, m, pivots, { lasting: true });
    inverse.prefetch(Array.from({ length: m }, (_, j) => m - 1 - j));
    const columns = Array.from({ length: m }, (_, j) => Array.from(inverse.column(j)));
    return { lu, pivots, columns, solves: inverse.solves };
  } finally {
    installKernelHelpers(undefined);
  }
}

/** C (rows × cols), A (rows × depth) and B (depth × cols) in one workspace, random, and C as it starts. */
function randomProduct(rows: number, cols: number, depth: number, seed: number) {
  const workspace = new KernelWorkspace(rows * cols + rows * depth + depth * cols);
  const rng = new Rng(seed, 0);
  const c = workspace.take(rows * cols);
  const a = workspace.take(rows * depth);
  const b = workspace.take(depth * cols);
  for (const array of [c, a, b]) for (let k = 0; k < array.length; k++) array[k] = rng.uniform() - 0.5;
  return { workspace, c, a, b, start: c.slice() };
}

const pools: KernelThreads[] = [];
afterAll(async () => {
  installKernelHelpers(undefined);
  await Promise.all(pools.map((pool) => pool.close()));
});

describe('dense kernels on helper threads', () => {
  it('give the factors and the inverse of one thread to the digit, sharing the work', async () => {
    const m = 430;
    const a = randomMatrix(m, 21);
    const alone = factorAndInvert(a, m, undefined);
    const pool = startKernelThreads(3)!;
    pools.push(pool);
    expect(kernelHelpers()).toBe(pool);
    expect(pool.count).toBe(2);
    await pool.whenStarted();
    const shared = factorAndInvert(a, m, pool);
    // trailing updates with at least 192 rows below the panel (430 − 48k ≥ 192: 4 of them) and one inverse
    expect(pool.shared).toBe(5);
    expect(Array.from(shared.pivots)).toEqual(Array.from(alone.pivots));
    expect(shared.lu.every((value, k) => Object.is(value, alone.lu[k]))).toBe(true);
    expect(shared.columns).toEqual(alone.columns);
    expect(shared.solves).toBe(m);
    // and they are the inverse: A · (column j) = e_j
    const x = Float64Array.from({ length: m }, (_, i) => Math.cos(i));
    const b = new Float64Array(m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) b[i]! += a[i * m + j]! * x[j]!;
    const solved = b.slice();
    luSolve(shared.lu, m, shared.pivots, solved);
    for (let i = 0; i < m; i++) expect(Math.abs(solved[i]! - x[i]!)).toBeLessThan(1e-10);
    for (const j of [0, 211, m - 1]) {
      for (let i = 0; i < m; i += 37) {
        let sum = 0;
        for (let k = 0; k < m; k++) sum += a[i * m + k]! * shared.columns[j]![k]!;
        expect(Math.abs(sum - (i === j ? 1 : 0))).toBeLessThan(1e-10);
      }
    }
  });

  it('solve a block of right-hand sides split among the threads with the digits of one thread', async () => {
    const m = 300;
    const a = randomMatrix(m, 24);
    const lu = a.slice();
    const pivots = new Int32Array(m);
    luFactor(lu, m, pivots);
    const pool = new KernelThreads(2);
    pools.push(pool);
    await pool.whenStarted();
    const solveWith = (helpers: KernelThreads | undefined, count: number) => {
      installKernelHelpers(helpers);
      try {
        const inverse = new InverseColumns(lu, m, pivots);
        let solution: number[] = [];
        inverse.solve(
          count,
          (rhs, stride) => {
            for (let i = 0; i < m; i++) for (let t = 0; t < count; t++) rhs[i * stride + t] = Math.sin(i * 7 + t);
          },
          (rhs, stride) =>
            (solution = Array.from({ length: m * count }, (_, k) => rhs[(k % m) * stride + Math.floor(k / m)]!)),
        );
        return solution;
      } finally {
        installKernelHelpers(undefined);
      }
    };
    // 42 right-hand sides (a stride of 44: shares of 16, 16 and 12 columns) and 9 (a stride of 12: 4 each)
    for (const count of [42, 9]) {
      const before = pool.shared;
      const shared = solveWith(pool, count);
      expect(pool.shared).toBe(before + 1);
      expect(shared).toEqual(solveWith(undefined, count));
      // column t solves A x = (sin(7i + t))_i
      for (const t of [0, count - 1]) {
        const x = shared.slice(t * m, (t + 1) * m);
        for (let i = 0; i < m; i += 29) {
          let sum = 0;
          for (let k = 0; k < m; k++) sum += a[i * m + k]! * x[k]!;
          expect(Math.abs(sum - Math.sin(i * 7 + t))).toBeLessThan(1e-9);
        }
      }
    }
  });

  it('split a large product by rows with the digits of one thread', async () => {
    const [rows, cols, depth] = [203, 130, 90];
    const { workspace, c, a, b, start } = randomProduct(rows, cols, depth, 25);
    const pool = new KernelThreads(2);
    pools.push(pool);
    await pool.whenStarted();
    installKernelHelpers(pool);
    try {
      workspace.subtractProduct(c, 0, cols, a, 0, depth, b, 0, cols, rows, cols, depth);
    } finally {
      installKernelHelpers(undefined);
    }
    expect(pool.shared).toBe(1);
    const shared = c.slice();
    c.set(start);
    workspace.subtractProduct(c, 0, cols, a, 0, depth, b, 0, cols, rows, cols, depth);
    expect(Array.from(shared)).toEqual(Array.from(c));
    let sum = 0;
    for (let k = 0; k < depth; k++) sum += a[202 * depth + k]! * b[k * cols + 129]!;
    expect(Math.abs(shared[202 * cols + 129]! - (start[202 * cols + 129]! - sum))).toBeLessThan(1e-12);
  });

  it('cut a product into parts claimed in turn, each run once, together the whole product', () => {
    const [rows, cols, depth] = [203, 12, 30];
    const { workspace, c, a, b, start } = randomProduct(rows, cols, depth, 27);
    workspace.subtractProduct(c, 0, cols, a, 0, depth, b, 0, cols, rows, cols, depth);
    const whole = c.slice();
    c.set(start);
    const task = {
      kind: 'product',
      memory: workspace.memory,
      ...{ c: 0, ldc: cols, a: workspace.indexOf(a), lda: depth, b: workspace.indexOf(b), ldb: cols },
      ...{ rows, cols, depth },
    } as const;
    const parts = partsOf(task, 2);
    expect(parts).toBe(8);
    // another thread has claimed parts 0 … 4: this one runs parts 5 … 7, the last rows (parts of 28 rows)
    const claim = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(claim, 0, 5);
    runKernelParts(task, parts, claim, 0);
    expect(Atomics.load(claim, 0)).toBe(parts + 1);
    expect(Array.from(c.subarray(0, 5 * 28 * cols))).toEqual(Array.from(start.subarray(0, 5 * 28 * cols)));
    expect(Array.from(c.subarray(5 * 28 * cols))).toEqual(Array.from(whole.subarray(5 * 28 * cols)));
    for (let part = 0; part < 5; part++) runKernelShare(task, part, parts);
    expect(Array.from(c)).toEqual(Array.from(whole));
    // a block of right-hand sides and the inverse's columns go one part per thread
    expect(partsOf({ kind: 'solve-block' } as KernelTask, 3)).toBe(3);
  });

  it('factorise one matrix with a running thread that joins as a team, with the digits of one thread', async () => {
    const m = 1200;
    const a = randomMatrix(m, 26);
    const workspace = new KernelWorkspace(m * m);
    const lu = workspace.take(m * m);
    lu.set(a);
    const control = teamControl();
    const member = new Worker(fileURLToPath(new URL('../../src-main/jobs/worker-bootstrap.mjs', import.meta.url)), {
      workerData: {
        entryUrl: new URL('../support/team-member.ts', import.meta.url).href,
        control,
        memory: workspace.memory,
      },
    });
    try {
      const next = () =>
        new Promise((resolve, reject) => (member.once('message', resolve), member.once('error', reject)));
      expect(await next()).toBe('ready');
      const taken = next();
      const pivots = new Int32Array(m);
      leadTeam(control, workspace.memory, () => luFactor(lu, m, pivots));
      expect(isTeamOpen(control)).toBe(false);
      expect(await taken).toBeGreaterThan(0);
      const alone = a.slice();
      const alonePivots = new Int32Array(m);
      luFactor(alone, m, alonePivots);
      expect(Array.from(pivots)).toEqual(Array.from(alonePivots));
      expect(lu.every((value, k) => Object.is(value, alone[k]))).toBe(true);
    } finally {
      await member.terminate();
    }
  });

  it('run every share on the caller while the helpers start, with the same digits', () => {
    const m = 300;
    const a = randomMatrix(m, 22);
    const alone = factorAndInvert(a, m, undefined);
    const pool = new KernelThreads(1);
    pools.push(pool);
    const early = factorAndInvert(a, m, pool);
    expect(pool.shared).toBeLessThanOrEqual(4);
    expect(early.lu.every((value, k) => Object.is(value, alone.lu[k]))).toBe(true);
    expect(early.columns).toEqual(alone.columns);
  });

  it('throw a helper’s error on the calling thread and keep working after it', async () => {
    const pool = new KernelThreads(1);
    pools.push(pool);
    await pool.whenStarted();
    const workspace = new KernelWorkspace(8192);
    // no columns to solve, and a slot for part 1 beyond the end of the memory: whichever thread claims it throws
    const task = {
      kind: 'inverse-columns',
      memory: workspace.memory,
      factorsAt: 0,
      m: 10,
      pivots: new Int32Array(10),
      columns: new Int32Array(0),
      width: 8,
      slotsAt: 8192,
      slots: 2,
      next: new Int32Array(new SharedArrayBuffer(4)),
      store: workspace.memory,
    } as const;
    expect(() => pool.run({ ...task, slotsAt: 0 })).not.toThrow();
    expect(() => pool.run(task)).toThrow(/bounds|length/);
    expect(pool.shared).toBe(2);
    expect(pool.started).toBe(true);
    const m = 260;
    const a = randomMatrix(m, 23);
    const alone = factorAndInvert(a, m, undefined);
    const shared = factorAndInvert(a, m, pool);
    expect(pool.shared).toBeGreaterThan(1);
    expect(shared.columns).toEqual(alone.columns);
  });

  it('are none for one thread', () => {
    expect(startKernelThreads(1)).toBeUndefined();
    expect(kernelHelpers()).toBeUndefined();
  });
});
