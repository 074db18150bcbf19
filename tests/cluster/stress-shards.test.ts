import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StressRunResults, StressSummary } from '../../src-shared/results/stress';
import { randomSparseNetwork } from '../../src-main/engines/synthetic';
import { serialiseJson } from '../../src-main/io/network-json';
import { tempDir } from '../support/fixtures';
import { createApp } from '../../src-main/app';
import { composeBrief } from '../../src-main/io/briefs/compose';
import { call } from '../../src-main/api/router';
import { runOfKind } from '../../src-shared/domain';
import { testStoreKey } from '../support/store-key';
import { expectSameStressResults } from '../support/stress-runs';
import { cwbInProcess, expectedClusterProvenance, provenanceOf } from '../support/cluster';

const dirs: Array<{ path: string; remove(): void }> = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

/** A dense 220-bank network (batched clearing) and the common stress flags. */
function setup() {
  const dir = tempDir();
  dirs.push(dir);
  const network = join(dir.path, 'dense.json');
  writeFileSync(network, serialiseJson(randomSparseNetwork(220, 219, 31)));
  const common = [
    network,
    '--shock-model',
    'uniform',
    '--max-fraction',
    '0.4',
    '--samples',
    '120',
    '--seed',
    '9',
    '--data-dir',
    join(dir.path, 'data'),
  ];
  return { dir: dir.path, common };
}

describe('stress test in shards', () => {
  it('four shards merged give the single run: counts and quantiles exactly, sums to rounding', async () => {
    const { dir, common } = setup();
    const single = await cwbInProcess(['stress', ...common, '--json']);
    expect(single.code, single.err).toBe(0);
    const parts: string[] = [];
    for (const k of [3, 1, 4, 2]) {
      const part = join(dir, `part-${k}.json`);
      const run = await cwbInProcess(['stress', ...common, '--shard', `${k}/4`, '--out', part]);
      expect(run.code, run.err).toBe(0);
      expect(run.err).toContain(`shard ${k}/4 (scenarios ${(k - 1) * 30} to ${k * 30 - 1})`);
      parts.push(part);
    }
    const merged = await cwbInProcess(['stress-merge', ...parts, '--json']);
    expect(merged.code, merged.err).toBe(0);
    const a = JSON.parse(single.out) as StressSummary;
    const b = JSON.parse(merged.out) as StressSummary;
    expect(b.scenarios).toBe(120);
    expect(b.defaultProbability).toEqual(a.defaultProbability);
    expect(b.defaultsDistribution).toEqual(a.defaultsDistribution);
    expect(b.lossQuantiles).toEqual(a.lossQuantiles);
    expect(b.expectedDefaults).toBe(a.expectedDefaults);
    // The saved run adds the largest-loss scenario's cleared outcome (its screen draws it); the scenario itself is the same.
    const { outcome, ...largest } = (a as StressRunResults).largestLossScenario!;
    expect(outcome?.loss).toBeCloseTo(largest.loss, 6);
    expect(b.largestLossScenario).toEqual(largest);
    expect(a.expectedDefaults).toBeGreaterThan(0);
    expect(Math.abs(b.expectedLoss - a.expectedLoss)).toBeLessThanOrEqual(1e-13 * a.expectedLoss);
    expect(Math.abs(b.expectedShortfall['0.99'] - a.expectedShortfall['0.99'])).toBeLessThanOrEqual(
      1e-13 * a.expectedShortfall['0.99'],
    );
    expect(single.err).toMatch(
      /clearing: 120 scenarios cleared in batches, each verified as a fixed point to 1e-12 × the largest obligation \(largest residual \d\.\de-\d+\)/,
    );
    expect(merged.err).toMatch(/clearing: 120 scenarios cleared in batches/);
    const text = await cwbInProcess(['stress-merge', ...parts]);
    expect(text.out).toMatch(/220 banks, 120 uniform scenarios, seed 9/);
  });

  it('four shards merged with --save are stored as the single run is, with their provenance', async () => {
    const { dir, common } = setup();
    const network = common[0]!;
    const single = await cwbInProcess(['stress', ...common, '--json']);
    expect(single.code, single.err).toBe(0);
    const parts = [1, 2, 3, 4].map((k) => join(dir, `part-${k}.json`));
    for (const [i, part] of parts.entries())
      expect((await cwbInProcess(['stress', ...common, '--shard', `${i + 1}/4`, '--out', part])).code).toBe(0);

    // A store without the network: refused in one line naming it, and nothing saved.
    const empty = join(dir, 'empty');
    const missing = await cwbInProcess(['stress-merge', ...parts, '--save', '--data-dir', empty]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(
      /^cwb: the store holds no network imported from the file the shards read \(.+, SHA-256 [0-9a-f]{12}…\): import it with cwb import, or give --network NETWORK\.json$/m,
    );
    expect(
      missing.err
        .trim()
        .split('\n')
        .filter((line) => line.startsWith('cwb:')),
    ).toHaveLength(1);
    writeFileSync(join(dir, 'other.json'), serialiseJson(randomSparseNetwork(220, 219, 32)));
    const wrong = await cwbInProcess([
      'merge',
      ...parts,
      '--save',
      '--network',
      join(dir, 'other.json'),
      '--data-dir',
      empty,
    ]);
    expect(wrong.err).toMatch(/other\.json is not the network file the shards read/);
    const app = createApp({ dataDir: empty, transport: 'cli', key: testStoreKey() });
    try {
      expect(await call(app.router, 'runs:list', {})).toEqual([]);
      expect(await call(app.router, 'datasets:list', {})).toEqual([]);
    } finally {
      await app.close();
    }
    // With --network the store imports the file the shards read (the Slurm merge job does this).
    const imported = await cwbInProcess(['merge', ...parts, '--save', '--network', network, '--data-dir', empty]);
    expect(imported.code, imported.err).toBe(0);
    expect(imported.err).toMatch(/imported dense\.json as dataset 1, network version 1/);

    const merged = await cwbInProcess(['stress-merge', ...parts, '--save', '--json', '--data-dir', join(dir, 'data')]);
    expect(merged.code, merged.err).toBe(0);
    expect(merged.err).toMatch(/saved as run 2, merged from 4 shards, on network version 1/);
    const ids = [JSON.parse(single.out) as { runId: number }, JSON.parse(merged.out) as { runId: number }];
    const store = createApp({ dataDir: join(dir, 'data'), transport: 'cli', key: testStoreKey() });
    try {
      const [a, b] = await Promise.all(
        ids.map(async ({ runId }) => runOfKind(await call(store.router, 'runs:get', { id: runId }), 'stress')),
      );
      expect(b!.networkVersionId).toBe(a!.networkVersionId);
      expect(b!.seed).toBe(9);
      expect(b!.method).toBe(`${a!.method}, merged from 4 cluster shards`);
      const { cluster, ...params } = b!.params;
      expect(params).toEqual(a!.params);
      expect(cluster).toEqual(expectedClusterProvenance(parts, { path: network }));
      // Same result shape; counts and quantiles exactly, sums to rounding.
      expectSameStressResults(b!.results, a!.results);
      // The brief of the merged run is a stress brief, and its provenance says where the run was computed.
      const brief = await composeBrief(store.db, { runIds: [b!.id], title: 'Cluster run', marking: 'TEST' });
      expect(brief.sections[0]!.kind).toBe('stress');
      const provenance = provenanceOf(brief.sections[0]!);
      expect(provenance['Computed on a cluster']).toMatch(new RegExp(`^4 shards, merged on ${hostname()} at `));
      expect(provenance['Shard part 3']).toBe(`part-3.json, SHA-256 ${cluster!.parts[2]!.sha256}`);
    } finally {
      await store.close();
    }
  });

  it('refuses missing, repeated and foreign shards, a bad --shard and an existing --out, each in one line', async () => {
    const { dir, common } = setup();
    const part = (k: number, extra: string[] = []) =>
      cwbInProcess([
        'stress',
        ...common,
        ...extra,
        '--shard',
        `${k}/3`,
        '--out',
        join(dir, `p${k}${extra.length ? 'x' : ''}.json`),
      ]);
    for (const k of [1, 2, 3]) expect((await part(k)).code).toBe(0);
    expect((await part(2, ['--seed', '10'])).code).toBe(0);
    const missing = await cwbInProcess(['stress-merge', join(dir, 'p1.json'), join(dir, 'p3.json')]);
    expect(missing.code).not.toBe(0);
    expect(missing.err).toMatch(/scenarios 40 to 79 are missing/);
    const twice = await cwbInProcess([
      'stress-merge',
      join(dir, 'p1.json'),
      join(dir, 'p1.json'),
      join(dir, 'p2.json'),
      join(dir, 'p3.json'),
    ]);
    expect(twice.err).toMatch(/repeats scenarios from 0 on/);
    const foreign = await cwbInProcess([
      'stress-merge',
      join(dir, 'p1.json'),
      join(dir, 'p2x.json'),
      join(dir, 'p3.json'),
    ]);
    expect(foreign.err).toMatch(/p2x\.json comes from a different stress test than p1\.json/);
    const bad = await cwbInProcess(['stress', ...common, '--shard', '5/4', '--out', join(dir, 'p5.json')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--shard must be K\/N with 1 ≤ K ≤ N/);
    const again = await part(1);
    expect(again.code).not.toBe(0);
    expect(again.err.trim().split('\n')).toHaveLength(1);
    expect(again.err).toMatch(/--force/);
    writeFileSync(join(dir, 'broken.json'), '{"format": "contagion-workbench/stress-partial@1"}');
    const broken = await cwbInProcess(['stress-merge', join(dir, 'broken.json')]);
    expect(broken.err).toMatch(/broken\.json: /);
  });
});
