/**
 * The intervention study's linear algebra at scale: LU of I − C for an n-firm economy (C ≥ 0, random, column sums
 * 0.6) blocked (`luFactor`, panels of LU_BLOCK, the trailing update in the WebAssembly kernel) against column by
 * column in JavaScript (`luFactor(…, block = n)`), and all n columns of (I − C)⁻¹ solved as the intervention study
 * solves them (InverseColumns: the factors kept in a kernel workspace, columnBlock(n) right-hand sides per pass). Best of two alternating runs in this process (2 shared cores:
 * other sessions' load moves single runs). Beside it, LAPACK through scipy (bench/scale_lu_peer.py: getrf, then
 * getrs on the identity) on the same matrix, on every core and on one, when python3 has scipy. Quick: n = 1000;
 * `--full`: n = 2000 as in the issue.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blasThreads, lastJsonLine } from './child-json';
import { columnBlock, InverseColumns, LU_BLOCK, luFactor } from '../src-main/engines/linalg';
import { Rng } from '../src-main/engines/random';

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

function timeAllColumns(lu: Float64Array, pivots: Int32Array, n: number): number {
  const started = performance.now();
  new InverseColumns(lu, n, pivots).prefetch(Array.from({ length: n }, (_, j) => j));
  return performance.now() - started;
}

export function run(): Record<string, unknown> {
  const n = full ? 2000 : 1000;
  const matrix = economyMatrix(n);
  const best = { blocked: Infinity, unblocked: Infinity, columns: Infinity };
  let maxFactorGap = 0;
  for (let repeat = 0; repeat < 2; repeat++) {
    const blocked = timeFactor(matrix, n, LU_BLOCK);
    const unblocked = timeFactor(matrix, n, n);
    best.blocked = Math.min(best.blocked, blocked.ms);
    best.unblocked = Math.min(best.unblocked, unblocked.ms);
    for (let k = 0; k < n * n; k++) maxFactorGap = Math.max(maxFactorGap, Math.abs(blocked.lu[k]! - unblocked.lu[k]!));
    best.columns = Math.min(best.columns, timeAllColumns(blocked.lu, blocked.pivots, n));
  }
  const round = (value: number) => Math.round(value);
  const peer = lapack(matrix, n);
  const peerOneThread = lapack(matrix, n, 1);
  const ready = best.blocked + best.columns;
  return {
    firms: n,
    luBlock: LU_BLOCK,
    columnBlock: columnBlock(n),
    factorMs: {
      blocked: round(best.blocked),
      columnByColumn: round(best.unblocked),
      speedup: Number((best.unblocked / best.blocked).toFixed(2)),
    },
    allColumnsMs: round(best.columns),
    readyToRunMs: round(ready),
    ...(peer && peerOneThread
      ? {
          lapackMs: {
            factor: round(peer.factorMs),
            allColumns: round(peer.allColumnsMs),
            factorOneThread: round(peerOneThread.factorMs),
            allColumnsOneThread: round(peerOneThread.allColumnsMs),
          },
          readyToRunOverLapack: Number((ready / (peer.factorMs + peer.allColumnsMs)).toFixed(2)),
          readyToRunOverLapackOneThread: Number(
            (ready / (peerOneThread.factorMs + peerOneThread.allColumnsMs)).toFixed(2),
          ),
        }
      : {}),
    maxFactorDifference: maxFactorGap,
  };
}
