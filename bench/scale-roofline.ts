/**
 * Roofline of `npm run bench -- scale`: the double-precision throughput this engine reaches on the product the
 * numpy peer repeats (rows of scenarios' payments times A, register-blocked four scenarios by four columns, the best
 * of three), in JavaScript and in the WebAssembly kernel (kernels/product.wat, which the LU and its many-column
 * solves use), against OpenBLAS's (bench/scale_gemm_peer.py, every core and one). The ratio bounds what a clearing
 * method can gain over the peer: it must do that many times fewer floating-point operations per scenario just to
 * keep pace.
 */
import { blasThreads, lastJsonLine } from './child-json';
import { KernelWorkspace } from '../src-main/engines/kernels/workspace';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

/** out[s, i] = Σ_j p[s, j] · at[i, j] for `count` scenarios (a multiple of 4) and n columns (a multiple of 4). */
function blockedProduct(at: Float64Array, p: Float64Array, out: Float64Array, n: number, count: number): void {
  for (let i = 0; i < n; i += 4) {
    const c0 = i * n,
      c1 = c0 + n,
      c2 = c1 + n,
      c3 = c2 + n;
    for (let s = 0; s < count; s += 4) {
      const b0 = s * n,
        b1 = b0 + n,
        b2 = b1 + n,
        b3 = b2 + n;
      let t00 = 0,
        t01 = 0,
        t02 = 0,
        t03 = 0,
        t10 = 0,
        t11 = 0,
        t12 = 0,
        t13 = 0;
      let t20 = 0,
        t21 = 0,
        t22 = 0,
        t23 = 0,
        t30 = 0,
        t31 = 0,
        t32 = 0,
        t33 = 0;
      for (let j = 0; j < n; j++) {
        const a0 = at[c0 + j]!,
          a1 = at[c1 + j]!,
          a2 = at[c2 + j]!,
          a3 = at[c3 + j]!;
        const q0 = p[b0 + j]!,
          q1 = p[b1 + j]!,
          q2 = p[b2 + j]!,
          q3 = p[b3 + j]!;
        t00 += a0 * q0;
        t01 += a1 * q0;
        t02 += a2 * q0;
        t03 += a3 * q0;
        t10 += a0 * q1;
        t11 += a1 * q1;
        t12 += a2 * q1;
        t13 += a3 * q1;
        t20 += a0 * q2;
        t21 += a1 * q2;
        t22 += a2 * q2;
        t23 += a3 * q2;
        t30 += a0 * q3;
        t31 += a1 * q3;
        t32 += a2 * q3;
        t33 += a3 * q3;
      }
      out.set([t00, t01, t02, t03], b0 + i);
      out.set([t10, t11, t12, t13], b1 + i);
      out.set([t20, t21, t22, t23], b2 + i);
      out.set([t30, t31, t32, t33], b3 + i);
    }
  }
}

/** GFLOP/s of `blockedProduct` on 64 scenarios, checked against a plain product. */
export function javascriptThroughput(n: number): number {
  const count = 64;
  const at = Float64Array.from({ length: n * n }, (_, k) => ((k * 7919) % 1000) / 1000);
  const p = Float64Array.from({ length: count * n }, (_, k) => ((k * 104729) % 997) / 997);
  const out = new Float64Array(count * n);
  blockedProduct(at, p, out, n, count);
  let plain = 0;
  for (let j = 0; j < n; j++) plain += p[n + j]! * at[3 * n + j]!;
  if (Math.abs(plain - out[n + 3]!) > 1e-9 * Math.abs(plain)) throw new Error('roofline kernel disagrees');
  let best = Infinity;
  for (let repeat = 0; repeat < 3; repeat++) {
    const started = performance.now();
    blockedProduct(at, p, out, n, count);
    best = Math.min(best, performance.now() - started);
  }
  return (2 * count * n * n) / best / 1e6;
}

/**
 * GFLOP/s of the WebAssembly kernel on the same product (out −= p · A, 64 scenarios, A in cache-sized tiles),
 * checked against a plain one.
 */
export function kernelThroughput(n: number): number {
  const count = 64;
  const workspace = new KernelWorkspace(n * n + 2 * count * n);
  const a = workspace.take(n * n);
  const p = workspace.take(count * n);
  const out = workspace.take(count * n);
  for (let k = 0; k < n * n; k++) a[k] = ((k * 7919) % 1000) / 1000;
  for (let k = 0; k < count * n; k++) p[k] = ((k * 104729) % 997) / 997;
  let best = Infinity;
  for (let repeat = 0; repeat < 4; repeat++) {
    out.fill(0);
    const started = performance.now();
    // tiles of 256 rows by 64 columns of A (128 KiB) stay in cache while the 64 scenarios pass over them
    for (let k0 = 0; k0 < n; k0 += 256)
      for (let j0 = 0; j0 < n; j0 += 64) {
        const columns = Math.min(64, n - j0);
        workspace.subtractProduct(out, j0, n, p, k0, n, a, k0 * n + j0, n, count, columns, Math.min(256, n - k0));
      }
    if (repeat > 0) best = Math.min(best, performance.now() - started);
  }
  let plain = 0;
  for (let j = 0; j < n; j++) plain += p[n + j]! * a[j * n + 3]!;
  if (Math.abs(plain + out[n + 3]!) > 1e-9 * Math.abs(plain)) throw new Error('kernel roofline disagrees');
  return (2 * count * n * n) / best / 1e6;
}

export function openBlasThroughput(n: number, threads?: number): number {
  return lastJsonLine<{ gflops: number }>(
    'python3',
    [join(here, 'scale_gemm_peer.py'), String(n)],
    blasThreads(threads),
  ).gflops;
}
