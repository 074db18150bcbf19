/**
 * The Slurm job `cwb cluster slurm` writes, run for real: a one-node Slurm cluster on localhost (tests/support/slurm.ts)
 * runs a stress test as 4 array tasks and the merge as a job after them (afterok), which saves the merged run in the
 * store; it must equal the run cleared in one process. Skipped only where Slurm cannot be installed (not root and
 * no slurm-wlm/munge); `.ci/run` installs them.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src-main/app';
import { call } from '../../src-main/api/router';
import { main } from '../../src-main/cli/main';
import { randomSparseNetwork } from '../../src-main/engines/synthetic';
import { serialiseJson } from '../../src-main/io/network-json';
import { runOfKind } from '../../src-shared/domain';
import { tempDir } from '../support/fixtures';
import { slurmMissing, startLocalSlurm, type LocalSlurm } from '../support/slurm';
import { testStoreKey } from '../support/store-key';
import { expectSameStressResults } from '../support/stress-runs';

const missing = slurmMissing();
const root = process.getuid?.() === 0;
const skip = missing !== undefined && !root;
if (skip) console.warn(`tests/cluster/slurm.test.ts skipped: ${missing}, and not root to install them`);

async function cwb(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(skip)('a stress test on a one-node Slurm cluster', () => {
  let slurm: LocalSlurm;
  const dir = tempDir('cwb-slurm-test-');
  beforeAll(async () => {
    if (missing) throw new Error(`Slurm is needed for this test (root here, so .ci/run installs it): ${missing}`);
    slurm = await startLocalSlurm();
  }, 60_000);
  afterAll(async () => {
    await slurm?.stop();
    dir.remove();
  }, 30_000);

  it('cwb cluster slurm: 4 array tasks and the dependent merge save the run a single process saves', async () => {
    const started = performance.now();
    const network = join(dir.path, 'net.json');
    writeFileSync(network, serialiseJson(randomSparseNetwork(60, 59, 31)));
    const dataDir = join(dir.path, 'data');
    const stress = ['--shock-model', 'uniform', '--max-fraction', '0.4', '--samples', '400', '--seed', '9'];
    const single = await cwb(['stress', network, ...stress, '--data-dir', dataDir, '--json']);
    expect(single.code, single.err).toBe(0);

    const parts = join(dir.path, 'parts');
    const job = await cwb([
      'cluster',
      'slurm',
      network,
      '--shards',
      '4',
      ...stress,
      '--parts-dir',
      parts,
      '--save',
      '--data-dir',
      dataDir,
    ]);
    expect(job.code, job.err).toBe(0);
    expect(job.out).toMatch(/--array=0-3 /);
    expect(job.out).toMatch(/--dependency=afterok:\$shards /);
    writeFileSync(join(dir.path, 'job.sbatch'), job.out);

    const submitted = spawnSync('bash', ['job.sbatch'], { cwd: dir.path, env: slurm.env, encoding: 'utf8' });
    expect(submitted.status, submitted.stderr).toBe(0);
    const ids = /shards job (\d+) .*merge job (\d+)/.exec(submitted.stdout);
    expect(ids, submitted.stdout).not.toBeNull();
    const [, shardsJob, mergeJob] = ids!;
    const deadline = Date.now() + 150_000;
    while (slurm.run('squeue', ['-h', '-j', `${shardsJob},${mergeJob}`, '-o', '%i %T']).trim() !== '') {
      if (Date.now() > deadline) throw new Error(`the Slurm jobs did not finish in 150 s\n${slurm.logs()}`);
      await sleep(500);
    }
    const states = (id: string) =>
      slurm
        .run('scontrol', ['show', 'job', id, '-o'])
        .trim()
        .split('\n')
        .map((line) => /JobState=(\w+)/.exec(line)?.[1]);
    const log = (name: string) => readFileSync(join(parts, name), 'utf8');
    expect(states(shardsJob!), log('shard-0.log')).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(states(mergeJob!), log('merge.log')).toEqual(['COMPLETED']);
    expect(log('shard-2.log')).toMatch(/shard 3\/4 \(scenarios 200 to 299\) written to .*part-3\.json/);
    expect(log('merge.log')).toMatch(/saved as run 2, merged from 4 shards, on network version 1/);

    const summary = JSON.parse(readFileSync(join(parts, 'summary.json'), 'utf8')) as { runId: number };
    const store = createApp({ dataDir, transport: 'cli', key: testStoreKey() });
    try {
      const a = runOfKind(
        await call(store.router, 'runs:get', { id: (JSON.parse(single.out) as { runId: number }).runId }),
        'stress',
      );
      const b = runOfKind(await call(store.router, 'runs:get', { id: summary.runId }), 'stress');
      expect(b.networkVersionId).toBe(a.networkVersionId);
      const { cluster, ...params } = b.params;
      expect(params).toEqual(a.params);
      expect(cluster?.shards).toBe(4);
      expect(cluster?.parts.map((part) => part.file)).toEqual([
        'part-1.json',
        'part-2.json',
        'part-3.json',
        'part-4.json',
      ]);
      expectSameStressResults(b.results, a.results);
    } finally {
      await store.close();
    }
    console.info(`Slurm stress test (4 shards and the merge): ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }, 180_000);
});
