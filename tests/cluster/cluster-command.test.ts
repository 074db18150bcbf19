/** `cwb cluster slurm`: the job script it writes (run for real in slurm.test.ts) and its one-line refusals. */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli/main';
import { repoRoot, ringNetwork, tempDir } from '../support/fixtures';
import { serialiseJson } from '../../src-main/io/network-json';

const dir = tempDir('cwb cluster ');
afterAll(() => dir.remove());
const network = join(dir.path, "bank's network.json");
writeFileSync(network, serialiseJson(ringNetwork()));

async function cwb(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const slurm = (...flags: string[]) => cwb(['cluster', 'slurm', network, '--shards', '8', ...flags]);

describe('cwb cluster slurm', () => {
  it('writes bash that submits the array of shards and the merge after it, every path absolute and quoted', async () => {
    const job = await slurm(
      '--shock-model',
      'copula',
      '--rho',
      '0.5',
      '--marginal',
      'uniform',
      '--max-fraction',
      '0.3',
      '--samples',
      '1000',
      '--alpha',
      '0.5',
      '--parts-dir',
      join(dir.path, 'parts'),
      '--partition',
      'batch',
      '--mem-per-shard',
      '2G',
    );
    expect(job.code, job.err).toBe(0);
    const script = job.out;
    writeFileSync(join(dir.path, 'job.sbatch'), script);
    expect(spawnSync('bash', ['-n', join(dir.path, 'job.sbatch')]).status).toBe(0);
    expect(script).toMatch(/^#!\/bin\/bash\n/);
    expect(script).toMatch(
      /sbatch --parsable --job-name=cwb-stress --array=0-7 --ntasks=1 --cpus-per-task=1 --partition=batch --mem=2G --output=/,
    );
    expect(script).toContain('k=$((SLURM_ARRAY_TASK_ID + 1))');
    // Every shard gets the stress flags as given, the defaults written out (seed 1), and its --shard k/8.
    expect(script).toMatch(
      /stress '[^']*\/bank'\\''s network\.json' --shock-model copula --max-fraction 0\.3 --rho 0\.5 --marginal uniform --samples 1000 --seed 1 --alpha 0\.5 --shard "\$k\/8" --out '[^']*parts'\/part-\$k\.json/,
    );
    expect(script).toMatch(/--dependency=afterok:\$shards --kill-on-invalid-dep=yes .*--partition=batch/);
    expect(script).toMatch(/stress-merge '[^']*parts'\/part-\{1\.\.8\}\.json --json > '[^']*parts'\/summary\.json/);
    expect(script).not.toContain('--save');
    expect(script).toContain(`${process.execPath} `);
    expect(script).toMatch(/\/bin\/cwb\.mjs stress /);

    const saving = await slurm('--shock-model', 'beta', '--save', '--data-dir', join(dir.path, 'data'), '--cwb', 'cwb');
    expect(saving.out).toMatch(
      /^cwb stress-merge .*part-\{1\.\.8\}\.json --save --network '.*s network\.json' --data-dir '[^']*data' --key-file \S+ --json > /m,
    );
  });

  it('deploy/slurm/stress-job.sbatch is what the command writes (its folder written as /srv/cwb)', async () => {
    const example = tempDir('cwb-slurm-example-');
    try {
      writeFileSync(join(example.path, 'eba.json'), serialiseJson(ringNetwork()));
      const at = (name: string) => join(example.path, name);
      const job = await cwb([
        'cluster',
        'slurm',
        at('eba.json'),
        ...['--shards', '64', '--shock-model', 'uniform', '--max-fraction', '0.4', '--samples', '100000000'],
        ...['--seed', '7', '--parts-dir', at('run-1'), '--mem-per-shard', '2G', '--save', '--cwb', 'cwb'],
        ...['--data-dir', at('store'), '--key-file', at('store.key')],
      ]);
      expect(job.code, job.err).toBe(0);
      const script = job.out.split(example.path).join('/srv/cwb');
      const file = join(repoRoot, 'deploy/slurm/stress-job.sbatch');
      // UPDATE_SLURM_EXAMPLE=1 npx vitest run tests/cluster/cluster-command.test.ts rewrites the example.
      if (process.env.UPDATE_SLURM_EXAMPLE === '1') writeFileSync(file, script);
      expect(readFileSync(file, 'utf8')).toBe(script);
    } finally {
      example.remove();
    }
  });

  it('refuses bad stress flags as cwb stress does, more shards than scenarios and another scheduler, in one line', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['--shock-model', 'uniform', '--max-fraction', '2'],
        /^cwb: --max-fraction must be a number, 0 < F ≤ 1, got "2"$/,
      ],
      [['--shock-model', 'gamma'], /^cwb: --shock-model must be one of uniform\|beta\|copula, got "gamma"$/],
      [['--shock-model', 'beta', '--samples', '5'], /^cwb: --shards 8 is more than the 5 scenarios \(--samples\)$/],
      [['--shock-model', 'beta', '--shard', '1/2'], /^cwb: unknown option --shard for "cwb cluster"/],
    ];
    for (const [flags, message] of cases) {
      const result = await slurm(...flags);
      expect(result.code).toBe(2);
      expect(result.err).toMatch(message);
    }
    const pbs = await cwb(['cluster', 'pbs', network, '--shards', '2', '--shock-model', 'beta']);
    expect(pbs.err).toMatch(/^cwb: cwb cluster writes jobs for slurm \(cwb cluster slurm …\), not "pbs"$/);
  });
});
