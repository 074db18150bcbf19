/**
 * The stress test as users run it: a `stress` job over the bundled EBA 2011 network (maximum-entropy liabilities)
 * through the job manager — scenarios split across worker threads, merged and saved — for 1,000,000 uniform
 * scenarios at each shock size; against the same job forced onto one worker in the same process. Then a dense
 * network of 1,000 banks (2,000 with `--full`) through a two-worker job in its own process
 * (bench/stress-job-dense-case.ts): the job's seconds and how much it adds to the process's peak memory (the
 * shards share one clearing system in shared memory).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lastJsonLine } from './child-json';
import { JobManager } from '../src-main/jobs/manager';
import { seedSamples } from '../src-main/api/samples';
import { openDatabase } from '../src-main/store/db';
import { runs } from '../src-main/store/repositories';

const SCENARIOS = 1_000_000;
const here = fileURLToPath(new URL('.', import.meta.url));
const denseBanks = process.argv.includes('--full') ? 2000 : 1000;
const round = (x: number, digits = 3) => Number(x.toFixed(digits));

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'cwb-bench-'));
  const db = openDatabase(dir, { key: randomBytes(32) });
  try {
    const [versionId] = seedSamples(db);
    const timeJob = async (manager: JobManager, maxFraction: number, samples: number) => {
      const started = performance.now();
      const final = await manager.start('stress', {
        versionId,
        shockModel: { kind: 'uniform', maxFraction },
        samples,
        seed: 1,
      }).done;
      const seconds = (performance.now() - started) / 1000;
      if (final.status !== 'succeeded') throw new Error(`stress job ${final.status}: ${final.error}`);
      const results = runs.get(db, final.runId!).results as { lossRatio: number; expectedDefaults: number };
      return {
        seconds: round(seconds),
        scenariosPerSecond: Math.round(samples / seconds),
        lossRatio: round(results.lossRatio, 5),
        expectedDefaults: round(results.expectedDefaults),
      };
    };
    const threads = availableParallelism();
    const parallel = new JobManager(db, () => {}, threads);
    const single = new JobManager(db, () => {}, 1);
    const bySize: Record<string, unknown> = {};
    for (const maxFraction of [0.05, 0.1, 0.3, 1]) {
      const all = await timeJob(parallel, maxFraction, SCENARIOS);
      const one = await timeJob(single, maxFraction, SCENARIOS / 4);
      bySize[`${maxFraction * 100}%`] = {
        workers: threads,
        ...all,
        oneWorker: one,
        speedupOverOneWorker: round(all.scenariosPerSecond / one.scenariosPerSecond, 2),
      };
    }
    return {
      network: 'EBA 2011, 87 banks, maximum-entropy liabilities',
      scenarios: SCENARIOS,
      shockModel: 'uniform on [0, f·c]',
      bySize,
      denseNetworkJob: lastJsonLine<Record<string, number>>(process.execPath, [
        '--import',
        'tsx',
        join(here, 'stress-job-dense-case.ts'),
        String(denseBanks),
        '20000',
      ]),
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
