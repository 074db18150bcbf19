/**
 * Networks for `npm run bench -- scale`: random balance sheets that the product-form path cannot use, built as
 * arrays (a dense 3,000-bank network as network@1 objects would cost gigabytes before clearing starts). Each debtor
 * owes every other bank ("dense") or `links` random creditors ("sparse"), with log-normal sizes, connectivity
 * β_i ∈ [0.05, 0.4] and equity 4–8% — the proportions of `randomSparseNetwork` (src-main/engines/synthetic.ts).
 * `writePeerFiles` stores p̄ (n × n), c and b as little-endian float64 for the numpy peer (bench/scale_peer.py).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  fromDenseLiabilities,
  ordinaryArrays,
  type ArrayAllocator,
  type ClearingSystem,
} from '../src-main/engines/network-arrays';
import { Rng } from '../src-main/engines/random';

/** `arrays`: where the system's arrays live (`sharedArrays`: one copy read by worker threads, as a stress job's). */
export function randomBalanceSheetSystem(
  n: number,
  links: number | 'dense',
  seed: number,
  arrays: ArrayAllocator = ordinaryArrays,
): ClearingSystem {
  const rng = new Rng(seed, 1);
  const size = Float64Array.from({ length: n }, () => Math.exp(8 + 1.5 * rng.normal()));
  const pbar = arrays.float64(n * n);
  const claims = new Float64Array(n);
  const weight = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    weight.fill(0);
    if (links === 'dense') {
      for (let j = 0; j < n; j++) if (j !== i) weight[j] = rng.uniform() * Math.sqrt(size[j]!);
    } else {
      for (let chosen = 0; chosen < Math.min(links, n - 1); ) {
        const j = Math.floor(rng.uniform() * n);
        if (j === i || weight[j]! > 0) continue;
        weight[j] = (rng.uniform() + 1e-9) * Math.sqrt(size[j]!);
        chosen++;
      }
    }
    let total = 0;
    for (let j = 0; j < n; j++) total += weight[j]!;
    const interbank = size[i]! * (0.05 + 0.35 * rng.uniform());
    for (let j = 0; j < n; j++) {
      if (weight[j] === 0) continue;
      pbar[i * n + j] = (interbank * weight[j]!) / total;
      claims[j]! += pbar[i * n + j]!;
    }
  }
  const outsideAssets = arrays.float64(n);
  const outsideLiabilities = arrays.float64(n);
  for (let i = 0; i < n; i++) {
    let owed = 0;
    for (let j = 0; j < n; j++) owed += pbar[i * n + j]!;
    outsideLiabilities[i] = size[i]! - owed;
    const equityRatio = 0.04 + 0.04 * rng.uniform();
    const netWorth = (equityRatio * size[i]!) / (1 - equityRatio);
    outsideAssets[i] = Math.max(0.2 * size[i]!, size[i]! + netWorth - claims[i]!);
  }
  const ids = Array.from({ length: n }, (_, i) => `B${i + 1}`);
  return fromDenseLiabilities(ids, pbar, outsideAssets, outsideLiabilities, undefined, arrays);
}

/** Writes pbar.f64, c.f64 and b.f64 into `dir` for the peer. */
export function writePeerFiles(system: ClearingSystem, dir: string): void {
  const bytes = (values: Float64Array) => Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  writeFileSync(join(dir, 'pbar.f64'), bytes(system.pbarMatrix));
  writeFileSync(join(dir, 'c.f64'), bytes(system.outsideAssets));
  writeFileSync(join(dir, 'b.f64'), bytes(system.outsideLiabilities));
}
