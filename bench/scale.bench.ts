/**
 * Contagion at scale: ms per scenario of the stress engine (`runStressBatch`, what `cwb stress` runs) beside a
 * batched numpy Picard peer (bench/scale_peer.py: up to 10,000 scenarios at once, OpenBLAS matrix products,
 * stopping at 1e-9 · max p̄) on networks the product-form path cannot use — random balance sheets, "dense" = each
 * bank owes every other bank, "sparse" = 10 creditors per bank (bench/scale-network.ts) — and on the EBA 2011
 * network (maximum entropy, product form); uniform shocks up to F × outside assets, F = 0.1 and 1 (and 0.3 on
 * dense 1,000, where most banks default but not nearly all). The project runs
 * on one thread and, for the dense networks, on every core twice: one worker thread per core, merged (as the
 * desktop's stress job splits a run of 20,000 scenarios or more), and one thread with a helper thread per further
 * core for its dense kernels (as a stress job of one shard runs); the peer runs with OpenBLAS's threads (every core) and with one thread
 * (OPENBLAS_NUM_THREADS=1), so the table has an all-cores ratio and a per-core ratio. Also the engine before
 * batching (the per-scenario path) on fewer scenarios, and each process's peak RSS (every case runs in its own
 * process). `npm run bench -- scale` runs quick sizes (2 shared cores: a few minutes);
 * `npm run bench -- scale --full` runs 10,000 peer scenarios and more project scenarios.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blasThreads, hasNumpy, lastJsonLine } from './child-json';
import { javascriptThroughput, kernelThroughput, openBlasThroughput } from './scale-roofline';

const here = fileURLToPath(new URL('.', import.meta.url));
const full = process.argv.includes('--full');

interface Case {
  kind: 'dense' | 'sparse' | 'eba';
  n: number;
  fraction: number;
  scenarios: number;
  before: number;
}

const CASES: Case[] = [
  { kind: 'dense', n: 1000, fraction: 0.1, scenarios: full ? 10_000 : 4096, before: full ? 500 : 64 },
  { kind: 'dense', n: 1000, fraction: 1, scenarios: full ? 10_000 : 512, before: full ? 200 : 32 },
  // between the two: about 70% of the banks default, where Gauss–Seidel rounds and the survivors' rounds meet
  { kind: 'dense', n: 1000, fraction: 0.3, scenarios: full ? 4000 : 512, before: full ? 100 : 16 },
  { kind: 'dense', n: 3000, fraction: 0.1, scenarios: full ? 10_000 : 688, before: full ? 40 : 4 },
  // at least one scenario per 100 banks, so that large default sets go through the survivors as in a real run; the
  // full size clears the peer's 10,000 scenarios too: the LU of I − βAᵀ (1.4–1.9 s at 3,000 banks) is a cost of the
  // run, which the quick size spreads over 200 scenarios and a supervisor's run over many thousands
  { kind: 'dense', n: 3000, fraction: 1, scenarios: full ? 10_000 : 200, before: full ? 20 : 4 },
  { kind: 'sparse', n: 3000, fraction: 0.1, scenarios: full ? 10_000 : 2000, before: 0 },
  { kind: 'sparse', n: 3000, fraction: 1, scenarios: full ? 10_000 : 1000, before: 0 },
  { kind: 'eba', n: 87, fraction: 0.1, scenarios: full ? 200_000 : 20_000, before: 0 },
  { kind: 'eba', n: 87, fraction: 1, scenarios: full ? 100_000 : 20_000, before: 0 },
];

const json = (command: string, args: string[], env?: NodeJS.ProcessEnv) =>
  lastJsonLine<Record<string, number | boolean | string>>(command, args, env);

const project = (c: Case, scenarios: number, path: string, peerDir?: string) =>
  json(process.execPath, [
    '--import',
    'tsx',
    join(here, 'scale-case.ts'),
    c.kind,
    String(c.n),
    String(c.fraction),
    String(scenarios),
    path,
    ...(peerDir ? [peerDir] : []),
  ]);

const round = (value: number, digits = 3) => Number(value.toPrecision(digits));

export function run(): Record<string, unknown> {
  const numpy = hasNumpy();
  const rows: Record<string, unknown>[] = [];
  for (const c of CASES) {
    const dir = mkdtempSync(join(tmpdir(), 'cwb-scale-'));
    try {
      process.stderr.write(`  scale: ${c.kind} ${c.n}, F = ${c.fraction}\n`);
      const now = project(c, c.scenarios, 'batched', dir);
      const allCores = c.kind === 'dense' ? project(c, c.scenarios, 'all-cores') : undefined;
      const oneWorker = c.kind === 'dense' ? project(c, c.scenarios, 'one-worker') : undefined;
      const before = c.before > 0 ? project(c, c.before, 'per-scenario') : undefined;
      const peerScenarios = Math.min(c.scenarios, full ? 10_000 : 2000);
      const runPeer = (threads?: number) =>
        json(
          'python3',
          [join(here, 'scale_peer.py'), dir, String(now.banks), String(c.fraction), String(peerScenarios)],
          blasThreads(threads),
        );
      const peer = numpy ? runPeer() : undefined;
      const peerOneThread = numpy ? runPeer(1) : undefined;
      const ms = now.msPerScenario as number;
      const allCoresMs = allCores ? (allCores.msPerScenario as number) : ms;
      rows.push({
        network: `${c.kind} ${now.banks}`,
        links: now.links,
        F: c.fraction,
        path: now.batched ? 'batched' : 'per-scenario',
        scenarios: c.scenarios,
        projectMsPerScenario: round(ms),
        ...(allCores ? { projectThreads: allCores.threads, projectAllCoresMsPerScenario: round(allCoresMs) } : {}),
        ...(oneWorker
          ? {
              projectOneWorkerMsPerScenario: round(oneWorker.msPerScenario as number),
              projectOneWorkerPeakRssMiB: Math.round(oneWorker.peakRssMiB as number),
            }
          : {}),
        maxFixedPointResidual: now.maxFixedPointResidual,
        ...(before
          ? {
              beforeMsPerScenario: round(before.msPerScenario as number),
              speedupOverBefore: round((before.msPerScenario as number) / ms),
            }
          : {}),
        ...(peer && peerOneThread
          ? {
              peerScenarios,
              peerMsPerScenario: round(peer.msPerScenario as number),
              peerOneThreadMsPerScenario: round(peerOneThread.msPerScenario as number),
              peerSteps: peer.steps,
              speedupOverPeer: round((peer.msPerScenario as number) / allCoresMs),
              speedupOverPeerOneThread: round((peerOneThread.msPerScenario as number) / ms),
              ...(oneWorker
                ? {
                    speedupOverPeerOneWorker: round(
                      (peer.msPerScenario as number) / (oneWorker.msPerScenario as number),
                    ),
                  }
                : {}),
            }
          : {}),
        meanDefaults: round(now.meanDefaults as number),
        projectPeakRssMiB: Math.round(now.peakRssMiB as number),
        ...(peer ? { peerPeakRssMiB: Math.round(peer.peakRssMiB as number) } : {}),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const roofline = numpy
    ? [1000, 3000].map((n) => {
        const javascript = javascriptThroughput(n);
        const webAssembly = kernelThroughput(n);
        const openBlas = openBlasThroughput(n);
        const openBlasOneThread = openBlasThroughput(n, 1);
        return {
          n,
          javascriptGflops: round(javascript),
          webAssemblyGflops: round(webAssembly),
          openBlasGflops: round(openBlas),
          openBlasOneThreadGflops: round(openBlasOneThread),
          perCoreRatio: round(openBlasOneThread / javascript),
          perCoreRatioWebAssembly: round(openBlasOneThread / webAssembly),
        };
      })
    : undefined;
  return {
    size: full ? 'full' : 'quick',
    peer: numpy
      ? 'numpy batched Picard (bench/scale_peer.py), same network, its own uniform draws'
      : 'python3-numpy not installed: no peer',
    note:
      'speedupOverPeer: project on every core (dense) or one thread ÷ peer with every core; speedupOverPeerOneThread: ' +
      'both on one thread; > 1: the project is faster. ms per scenario include sampling and the stress summary sums',
    rows,
    ...(roofline
      ? {
          roofline,
          rooflineNote:
            'double-precision matrix product, GFLOP/s: JavaScript register-blocked and the WebAssembly kernel on one thread ' +
            '(bench/scale-roofline.ts) against OpenBLAS; perCoreRatio(WebAssembly) = how many times fewer operations per ' +
            'scenario a method in JavaScript (WebAssembly) must do to keep pace',
        }
      : {}),
  };
}
