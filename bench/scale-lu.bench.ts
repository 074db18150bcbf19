/**
 * The intervention study's linear algebra at scale: LU of I − C for an n-firm economy (C ≥ 0, random, column sums
 * 0.6) blocked (`luFactor`, panels of LU_BLOCK, the trailing update in the WebAssembly kernel) against column by
 * column in JavaScript (`luFactor(…, block = n)`), and all n columns of (I − C)⁻¹ solved as the intervention study
 * solves them (InverseColumns: the factors kept in a kernel workspace, columnBlock(n) right-hand sides per pass), on
 * this thread alone and with a helper thread per further core (jobs/kernel-threads.ts, started before the timing:
 * their start is reported apart, as a desktop session pays it once). Best of two alternating runs in this process
 * (2 shared cores: other sessions' load moves single runs). Beside it, LAPACK through scipy (bench/scale_lu_peer.py:
 * getrf, then getrs on the identity) on the same matrix, on every core and on one, when python3 has scipy. Quick:
 * n = 1000; `--full`: n = 2000 as in the issue.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blasThreads, lastJsonLine } from './child-json';
import { installKernelHelpers } from '../src-main/engines/kernels/helpers';
import { columnBlock, InverseColumns, LU_BLOCK, luFactor } from '../src-main/engines/linalg';
import { Rng } from '../src-main/engines/random';
import { KernelThreads } from '../src-main/jobs/kernel-threads';

const full = process.argv.includes('--full');
const here = fileURLToPath(new URL('.', import.meta.url));

/** LAPACK's factor and all-columns times on the same matrix, or undefined when python3 lacks scipy. */
function lapack(matrix: Float64Array, n: number, threads?: number) {
  const dir = mkdtempSync(join(tmpdir(), 'cwb-lu-'));
  try {
    writeFileSync(join(dir, 'matrix.f64'), Buffer.from(matrix.buffer, matrix.byteOffset, matrix.byteLength));
    return lastJsonLine<{ factorMs: number; allColumnsMs: number }>(
      'python3',
      [join(here, 'scale_lu_peer.py'), dir, String(n)],
      blasThreads(threads),
    );
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function economyMatrix(n: number): Float64Array {
  const rng = new Rng(7, 0);
  const m = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let total = 0;
    for (let i = 0; i < n; i++) if (i !== j) total += m[i * n + j] = rng.uniform() ** 4;
    for (let i = 0; i < n; i++) m[i * n + j] = (i === j ? 1 : 0) - (0.6 * m[i * n + j]!) / total;
  }
  return m;
}

function timeFactor(matrix: Float64Array, n: number, block: number) {
  const lu = matrix.slice();
  const pivots = new Int32Array(n);
  const started = performance.now();
  luFactor(lu, n, pivots, block);
  return { ms: performance.now() - started, lu, pivots };
}

/** All n columns of the inverse as the intervention study keeps them (ColumnCache: a lasting solver). */
function timeAllColumns(lu: Float64Array, pivots: Int32Array, n: number): { ms: number; last: Float64Array } {
  const started = performance.now();
  const inverse = new InverseColumns(lu, n, pivots, { lasting: true });
  inverse.prefetch(Array.from({ length: n }, (_, j) => j));
  return { ms: performance.now() - started, last: inverse.column(n - 1) };
}

/** The blocked factor and all columns with the helpers installed, or on this thread alone. */
function timeReady(matrix: Float64Array, n: number, helpers: KernelThreads | undefined) {
  installKernelHelpers(helpers);
  try {
    const factor = timeFactor(matrix, n, LU_BLOCK);
    const columns = timeAllColumns(factor.lu, factor.pivots, n);
    return { factorMs: factor.ms, columnsMs: columns.ms, lu: factor.lu, last: columns.last };
  } finally {
    installKernelHelpers(undefined);
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const n = full ? 2000 : 1000;
  const matrix = economyMatrix(n);
  const threads = availableParallelism();
  const helperStart = performance.now();
  const helpers = threads > 1 ? new KernelThreads(threads - 1) : undefined;
  await helpers?.whenStarted();
  const helperStartMs = performance.now() - helperStart;
  const best = { unblocked: Infinity, factor: Infinity, columns: Infinity, factorAll: Infinity, columnsAll: Infinity };
  let maxFactorGap = 0;
  let threadsAgree = true;
  try {
    for (let repeat = 0; repeat < 2; repeat++) {
      const alone = timeReady(matrix, n, undefined);
      const together = timeReady(matrix, n, helpers);
      const unblocked = timeFactor(matrix, n, n);
      best.unblocked = Math.min(best.unblocked, unblocked.ms);
      best.factor = Math.min(best.factor, alone.factorMs);
      best.columns = Math.min(best.columns, alone.columnsMs);
      best.factorAll = Math.min(best.factorAll, together.factorMs);
      best.columnsAll = Math.min(best.columnsAll, together.columnsMs);
      for (let k = 0; k < n * n; k++) maxFactorGap = Math.max(maxFactorGap, Math.abs(alone.lu[k]! - unblocked.lu[k]!));
      threadsAgree &&=
        alone.lu.every((value, k) => Object.is(value, together.lu[k])) &&
        alone.last.every((value, i) => Object.is(value, together.last[i]));
    }
  } finally {
    await helpers?.close();
  }
  const round = (value: number) => Math.round(value);
  const peer = lapack(matrix, n);
  const peerOneThread = lapack(matrix, n, 1);
  const ready = best.factor + best.columns;
  const readyAll = best.factorAll + best.columnsAll;
  return {
    firms: n,
    threads,
    luBlock: LU_BLOCK,
    columnBlock: columnBlock(n),
    helperStartMs: round(helperStartMs),
    factorMs: {
      blocked: round(best.factor),
      columnByColumn: round(best.unblocked),
      speedup: Number((best.unblocked / best.factor).toFixed(2)),
      allThreads: round(best.factorAll),
    },
    allColumnsMs: { oneThread: round(best.columns), allThreads: round(best.columnsAll) },
    readyToRunMs: { oneThread: round(ready), allThreads: round(readyAll) },
    threadsGiveSameDigits: threadsAgree,
    ...(peer && peerOneThread
      ? {
          lapackMs: {
            factor: round(peer.factorMs),
            allColumns: round(peer.allColumnsMs),
            factorOneThread: round(peerOneThread.factorMs),
            allColumnsOneThread: round(peerOneThread.allColumnsMs),
          },
          readyToRunOverLapack: Number((readyAll / (peer.factorMs + peer.allColumnsMs)).toFixed(2)),
          readyToRunOverLapackOneThread: Number(
            (ready / (peerOneThread.factorMs + peerOneThread.allColumnsMs)).toFixed(2),
          ),
        }
      : {}),
    maxFactorDifference: maxFactorGap,
  };
}
