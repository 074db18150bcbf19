/**
 * Side-by-side peers and cases of the benchmarks run as child processes that print one JSON line last: the child
 * run and that line read, the OpenBLAS thread count given to a Python peer, and whether numpy is there at all.
 */
import { execFileSync } from 'node:child_process';

/** Runs `command args` (its stderr passed through) and returns its last line of standard output, parsed. */
export function lastJsonLine<T>(command: string, args: string[], env?: NodeJS.ProcessEnv): T {
  const out = execFileSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

/** The environment that holds OpenBLAS (numpy, scipy) to `threads` threads; none when undefined (every core). */
export const blasThreads = (threads?: number): NodeJS.ProcessEnv | undefined =>
  threads ? { OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) } : undefined;

export function hasNumpy(): boolean {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
