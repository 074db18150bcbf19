/**
 * Contagion engine benchmark: single-thread scenarios per second of the stress engine (sampling + exact
 * fictitious-default clearing + summary accumulation) on the EBA 2011 87-bank network (the EBA importer on
 * resources/samples/eba-2011-disclosure.csv, liabilities by maximum entropy) with uniform shocks up to 5%, 10%,
 * 30% and 100% of outside assets, and on a random 1,000-bank sparse network (~10 links per bank); a plain Picard
 * iteration on the same shocks for comparison; on EBA also the pre-Schur solver (`exactPath: 'lu-full'`, LU refactored
 * every round) and the general solver without the product-form path (`exactPath: 'general'`, what a dense network
 * that is not maximum-entropy gets); and heap used after 10k vs 200k scenarios (flat memory). The exact solver is 'auto': per round the
 * cheaper of the incremental LU on D and the Schur path through (I − Aᵀ)⁻¹ (docs/engines/contagion.md).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearPicard, type ExactPath } from '../src-main/engines/clearing';
import { maxentFromDocument, withLiabilities } from '../src-main/engines/maxent';
import { toClearingSystem, type ClearingSystem } from '../src-main/engines/network-arrays';
import { createShockSampler } from '../src-main/engines/shocks';
import { runStressBatch } from '../src-main/engines/stress';
import { randomSparseNetwork } from '../src-main/engines/synthetic';
import { decodeLatin1, parseEbaDisclosure } from '../src-main/io/eba-disclosure';

const here = fileURLToPath(new URL('.', import.meta.url));

function ebaSystem(): ClearingSystem {
  const bytes = readFileSync(resolve(here, '../resources/samples/eba-2011-disclosure.csv'));
  const { document } = parseEbaDisclosure(decodeLatin1(bytes), 'eba-2011-disclosure.csv');
  return toClearingSystem(withLiabilities(document, maxentFromDocument(document).matrix));
}

function stressRate(system: ClearingSystem, maxFraction: number, count: number, exactPath: ExactPath = 'auto') {
  runStressBatch(system, { kind: 'uniform', maxFraction }, 99, 0, Math.min(count, 2000), undefined, { exactPath }); // warm-up
  const started = performance.now();
  const partial = runStressBatch(system, { kind: 'uniform', maxFraction }, 1, 0, count, undefined, { exactPath });
  const seconds = (performance.now() - started) / 1000;
  let defaults = 0;
  partial.defaultsHistogram.forEach((c, k) => (defaults += c * k));
  return {
    scenarios: count,
    seconds: round(seconds),
    scenariosPerSecond: Math.round(count / seconds),
    meanDefaults: round(defaults / count),
  };
}

function picardRate(system: ClearingSystem, maxFraction: number, count: number) {
  const sampler = createShockSampler(system, { kind: 'uniform', maxFraction });
  const shock = new Float64Array(system.nBanks);
  const started = performance.now();
  for (let k = 0; k < count; k++) {
    sampler.sample(1, k, shock, 0);
    clearPicard(system, shock, { tolerance: 1e-12 });
  }
  return Math.round(count / ((performance.now() - started) / 1000));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function heapAfter(system: ClearingSystem, count: number): number {
  globalThis.gc?.();
  const partial = runStressBatch(system, { kind: 'uniform', maxFraction: 0.05 }, 3, 0, count);
  globalThis.gc?.();
  const used = process.memoryUsage().heapUsed;
  return partial.scenarios > 0 ? Math.round(used / 2 ** 20) : 0;
}

export function run(): Record<string, unknown> {
  const eba = ebaSystem();
  const sparse = toClearingSystem(randomSparseNetwork(1000, 10, 2024));
  const ebaResults: Record<string, unknown> = {};
  for (const [fraction, count] of [
    [0.05, 200_000],
    [0.1, 50_000],
    [0.3, 100_000],
    [1, 100_000],
  ] as const) {
    const exact = stressRate(eba, fraction, count);
    const picard = picardRate(eba, fraction, Math.min(count, 5000));
    // the pre-Schur solver (LU refactored every round) on the same scenarios, for comparison
    const refactor = stressRate(eba, fraction, Math.min(count, 10_000), 'lu-full');
    // the same without the product-form solve: what a dense network that is not maximum-entropy gets
    const general = stressRate(eba, fraction, Math.min(count, 20_000), 'general');
    ebaResults[`uniform ${fraction * 100}%`] = {
      ...exact,
      picardScenariosPerSecond: picard,
      speedupOverPicard: round(exact.scenariosPerSecond / picard),
      refactorLuScenariosPerSecond: refactor.scenariosPerSecond,
      speedupOverRefactorLu: round(exact.scenariosPerSecond / refactor.scenariosPerSecond),
      generalScenariosPerSecond: general.scenariosPerSecond,
    };
  }
  const sparseResults: Record<string, unknown> = {};
  for (const [fraction, count] of [
    [0.05, 2_000],
    [0.3, 500],
    [1, 200],
  ] as const) {
    const exact = stressRate(sparse, fraction, count);
    const picard = picardRate(sparse, fraction, Math.min(count, 200));
    sparseResults[`uniform ${fraction * 100}%`] = {
      ...exact,
      picardScenariosPerSecond: picard,
      speedupOverPicard: round(exact.scenariosPerSecond / picard),
    };
  }
  return {
    network: 'EBA 2011 87 banks from the EBA importer, maxent liabilities; sparse: randomSparseNetwork(1000, 10, 2024)',
    ebaBanks: eba.nBanks,
    eba: ebaResults,
    sparseBanks: sparse.nBanks,
    sparseLinks: sparse.nLinks,
    sparse: sparseResults,
    heapMiB: {
      after10k: heapAfter(eba, 10_000),
      after200k: heapAfter(eba, 200_000),
      gcExposed: typeof globalThis.gc === 'function',
    },
  };
}
