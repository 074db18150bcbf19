/**
 * One case of `npm run bench -- scale`, run in its own process so that its peak RSS is its own:
 *   scale-case.ts KIND N F SCENARIOS PATH [PEER_DIR]
 * KIND dense | sparse | eba; PATH batched (the stress engine's own choice, one thread), all-cores (the same split
 * over one worker thread per core, which read one copy of the network in shared memory and share one survivors'
 * solver, and merged, as the desktop's stress job splits a run), one-worker (one thread whose dense kernels take a helper thread per further
 * core, jobs/kernel-threads.ts, as a stress job of one shard runs) or per-scenario (the
 * engine before batching: `exactPath: 'general'`, or 'auto' where the choice is unchanged). Writes the network for
 * the numpy peer into PEER_DIR when given. Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { complementShare, prefersBatchedClearing } from '../src-main/engines/batched-clearing';
import { maxentFromDocument, withLiabilities } from '../src-main/engines/maxent';
import {
  ordinaryArrays,
  sharedArrays,
  toClearingSystem,
  type ArrayAllocator,
  type ClearingSystem,
} from '../src-main/engines/network-arrays';
import {
  mergeStressPartials,
  runStressBatch,
  type StressBatchOptions,
  type StressPartial,
} from '../src-main/engines/stress';
import { decodeLatin1, parseEbaDisclosure } from '../src-main/io/eba-disclosure';
import { startKernelThreads } from '../src-main/jobs/kernel-threads';
import { randomBalanceSheetSystem, writePeerFiles } from './scale-network';

const [kind, nText, fractionText, scenariosText, path, peerDir] = process.argv.slice(2);

function network(arrays: ArrayAllocator): ClearingSystem {
  if (kind === 'eba') {
    const here = fileURLToPath(new URL('.', import.meta.url));
    const bytes = readFileSync(resolve(here, '../resources/samples/eba-2011-disclosure.csv'));
    const { document } = parseEbaDisclosure(decodeLatin1(bytes), 'eba-2011-disclosure.csv');
    return toClearingSystem(withLiabilities(document, maxentFromDocument(document).matrix), arrays);
  }
  return randomBalanceSheetSystem(Number(nText), kind === 'dense' ? 'dense' : 10, 2026, arrays);
}

// an all-cores run's workers are handed the main thread's system (shared memory)
const system = isMainThread
  ? network(path === 'all-cores' ? sharedArrays : ordinaryArrays)
  : (workerData as { system: ClearingSystem }).system;
const model = { kind: 'uniform' as const, maxFraction: Number(fractionText) };

if (!isMainThread) {
  // one share of an all-cores run: scenarios first … first + count − 1
  // told the run's size, as the stress job tells its shards (the engine's choice of solver depends on it)
  const { first, count, runScenarios, shared } = workerData as {
    first: number;
    count: number;
    runScenarios: number;
    shared: StressBatchOptions['shared'];
  };
  runStressBatch(system, model, 99, 0, Math.min(count, 32)); // warm-up
  parentPort!.postMessage('ready');
  parentPort!.once('message', () =>
    parentPort!.postMessage(runStressBatch(system, model, 1, first, count, undefined, { runScenarios, shared })),
  );
} else {
  if (peerDir) writePeerFiles(system, peerDir);
  const scenarios = Number(scenariosText);
  const exactPath = path === 'per-scenario' && prefersBatchedClearing(system) ? 'general' : 'auto';
  const threads = path === 'all-cores' || path === 'one-worker' ? availableParallelism() : 1;
  if (path === 'one-worker') await startKernelThreads(threads)?.whenStarted();
  const clear = path === 'all-cores' ? await allCores(scenarios, threads) : oneThread(scenarios, exactPath);
  const started = performance.now();
  const partial = await clear();
  const seconds = (performance.now() - started) / 1000;
  let defaults = 0;
  partial.defaultsHistogram.forEach((count, k) => (defaults += count * k));
  process.stdout.write(
    `${JSON.stringify({
      banks: system.nBanks,
      links: system.nLinks,
      batched: exactPath === 'auto' && prefersBatchedClearing(system),
      threads,
      scenarios,
      msPerScenario: (1000 * seconds) / scenarios,
      meanDefaults: defaults / scenarios,
      maxFixedPointResidual: partial.maxFixedPointResidual,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    })}\n`,
  );
}

function oneThread(scenarios: number, exactPath: 'general' | 'auto'): () => Promise<StressPartial> {
  runStressBatch(system, model, 99, 0, Math.min(scenarios, 64), undefined, { exactPath }); // warm-up
  return () => Promise.resolve(runStressBatch(system, model, 1, 0, scenarios, undefined, { exactPath }));
}

/** Workers started and warmed up; the returned function starts the clearing and resolves to the merged result. */
async function allCores(scenarios: number, threads: number): Promise<() => Promise<StressPartial>> {
  // as the stress job's shards: one LU of I − βAᵀ and one store of its columns for all of them
  const share = complementShare(system, threads);
  const workers = Array.from({ length: threads }, (_, k) => {
    const first = Math.floor((k * scenarios) / threads);
    const count = Math.floor(((k + 1) * scenarios) / threads) - first;
    return new Worker(new URL(import.meta.url), {
      argv: process.argv.slice(2),
      workerData: { first, count, runScenarios: scenarios, system, shared: share && { share, shard: k } },
    });
  });
  await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('message', resolve))));
  return async () => {
    const parts = await Promise.all(
      workers.map(
        (worker) =>
          new Promise<StressPartial>((resolve, reject) => {
            worker.once('message', (part: StressPartial) => resolve(part));
            worker.once('error', reject);
            worker.postMessage('start');
          }),
      ),
    );
    await Promise.all(workers.map((worker) => worker.terminate()));
    return mergeStressPartials(parts);
  };
}
