import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EconomyInterventionResults } from '../../src-shared/results/intervention';
import { runOfKind } from '../../src-shared/domain';
import { economyInterventionSchema } from '../../src-shared/results/intervention';
import { createApp } from '../../src-main/app';
import { call } from '../../src-main/api/router';
import { parseStudyPartial } from '../../src-main/cli/commands/intervention-partial-file';
import { toEconomySystem } from '../../src-main/engines/cascade';
import { mergeStudyPartials, runStudyRange } from '../../src-main/engines/intervention-study';
import { studyOptions } from '../../src-main/engines/intervention-report';
import { randomSparseNetwork } from '../../src-main/engines/synthetic';
import { composeBrief } from '../../src-main/io/briefs/compose';
import { parseEconomyJson, serialiseJson } from '../../src-main/io/network-json';
import { tempDir } from '../support/fixtures';
import { testStoreKey } from '../support/store-key';
import { cwbInProcess, expectedClusterProvenance, provenanceOf } from '../support/cluster';

const dirs: Array<{ path: string; remove(): void }> = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

const sample = join(__dirname, '../../resources/samples/crossholdings-40-firms.json');
const STUDY = [
  '--scenarios',
  '45',
  '--seed',
  '7',
  '--budgets',
  '5',
  '--tail-threshold',
  '0.2',
  '--tail-samples',
  '200',
];

/** The 40-firm sample economy, a small study on it (with tail sampling, on the lead shard) and its store. */
function setup() {
  const dir = tempDir();
  dirs.push(dir);
  const economy = join(dir.path, 'economy.json');
  copyFileSync(sample, economy);
  const data = join(dir.path, 'data');
  return { dir: dir.path, economy, data, common: [economy, ...STUDY] };
}

async function shards(dir: string, common: string[], order: number[], count = 3): Promise<string[]> {
  const parts: string[] = [];
  for (const k of order) {
    const part = join(dir, `part-${k}.json`);
    const run = await cwbInProcess(['intervention-study', ...common, '--shard', `${k}/${count}`, '--out', part]);
    expect(run.code, run.err).toBe(0);
    parts.push(part);
  }
  return parts;
}

/** Only the support's mean payments are sums whose order depends on the split; the rest must be identical. */
function expectSameStudy(merged: EconomyInterventionResults, single: EconomyInterventionResults) {
  const { support: a, ...restA } = merged.study;
  const { support: b, ...restB } = single.study;
  expect(restA).toEqual(restB);
  expect(a.map(({ meanPayment: _, ...s }) => s)).toEqual(b.map(({ meanPayment: _, ...s }) => s));
  a.forEach((s, i) => expect(Math.abs(s.meanPayment - b[i]!.meanPayment)).toBeLessThanOrEqual(1e-12 * s.meanPayment));
  expect({ ...merged, study: null }).toEqual({ ...single, study: null });
}

const refusalLines = (err: string) =>
  err
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('cwb:'));

describe('intervention study in shards', () => {
  it('three shards merged give the single run: scenario outcomes exactly, summary exactly but for summed payments', async () => {
    const { dir, economy, data, common } = setup();
    const single = await cwbInProcess(['intervention-study', ...common, '--json', '--data-dir', data]);
    expect(single.code, single.err).toBe(0);
    const parts = await shards(dir, common, [2, 3, 1]);

    // Scenario outcomes, put back in order by the job's merge, equal one pass over all scenarios bit for bit.
    const document = parseEconomyJson(readFileSync(economy));
    const system = toEconomySystem(document);
    const params = economyInterventionSchema.parse({
      target: 'economy',
      versionId: 1,
      method: 'discountfrac',
      budgetFraction: 0.01,
      maxBudgetFraction: 0.02,
      budgetCount: 5,
      shocks: { rho: 0.5, sigma: 0.15, drift: -0.2 },
      scenarios: 45,
      seed: 7,
    });
    const whole = runStudyRange(system, studyOptions(system, params), 0, 45);
    const merged = mergeStudyPartials(parts.map((part) => parseStudyPartial(readFileSync(part), part).part.partial));
    for (const key of ['failedBefore', 'valueLostBefore', 'failedAfter', 'valueSaved', 'supportCount'] as const)
      expect(Array.from(merged[key]), key).toEqual(Array.from(whole[key]));
    expect(whole.failedBefore.some((k) => k > 0)).toBe(true);

    const text = await cwbInProcess(['merge', ...parts]);
    expect(text.code, text.err).toBe(0);
    expect(text.err).toMatch(/merge: 3 shards, 45 scenarios of an intervention study on Sample economy/);
    expect(text.out).toMatch(/TVaR of the cascade size/);
    const json = await cwbInProcess(['merge', ...parts, '--json']);
    // toEqual takes a property set to undefined as absent: the single run's JSON without its runId.
    const singleResults = { ...(JSON.parse(single.out) as EconomyInterventionResults), runId: undefined };
    expectSameStudy(JSON.parse(json.out) as EconomyInterventionResults, singleResults);
    expect(singleResults.tail).toBeDefined();
  });

  it('merged with --save: one intervention run as the single run is, with its provenance, and its brief', async () => {
    const { dir, economy, data, common } = setup();
    const single = await cwbInProcess(['intervention-study', ...common, '--json', '--data-dir', data]);
    expect(single.code, single.err).toBe(0);
    const parts = await shards(dir, common, [1, 2, 3]);

    // A store without the economy: one line naming it, nothing stored; --network imports the file the shards read.
    const empty = join(dir, 'empty');
    const missing = await cwbInProcess(['merge', ...parts, '--save', '--data-dir', empty]);
    expect(missing.code).toBe(2);
    expect(refusalLines(missing.err)).toEqual([
      expect.stringMatching(
        /^cwb: the store holds no economy imported from the file the shards read \(Sample economy.+, SHA-256 [0-9a-f]{12}…\): import it with cwb import, or give --network ECONOMY\.json$/,
      ),
    ]);
    const imported = await cwbInProcess(['merge', ...parts, '--save', '--network', economy, '--data-dir', empty]);
    expect(imported.code, imported.err).toBe(0);
    expect(imported.err).toMatch(/imported economy\.json as dataset 1/);

    const merged = await cwbInProcess(['merge', ...parts, '--save', '--json', '--data-dir', data]);
    expect(merged.code, merged.err).toBe(0);
    expect(merged.err).toMatch(/saved as run 2, merged from 3 shards, on economy version 1/);
    const ids = [JSON.parse(single.out) as { runId: number }, JSON.parse(merged.out) as { runId: number }];
    const store = createApp({ dataDir: data, transport: 'cli', key: testStoreKey() });
    try {
      expect(await call(store.router, 'runs:list', {})).toHaveLength(2);
      const [a, b] = await Promise.all(
        ids.map(async ({ runId }) => runOfKind(await call(store.router, 'runs:get', { id: runId }), 'intervention')),
      );
      expect(b!.networkVersionId).toBe(a!.networkVersionId);
      expect(b!.seed).toBe(7);
      expect(b!.method).toBe(`${a!.method}, merged from 3 cluster shards`);
      const { cluster, ...params } = b!.params;
      expect(params).toEqual(a!.params);
      expect(cluster).toEqual(
        expectedClusterProvenance(parts, { path: economy, name: 'Sample economy: 40 firms in 4 clusters (synthetic)' }),
      );
      expect(b!.results.target).toBe('economy');
      expectSameStudy(b!.results as EconomyInterventionResults, a!.results as EconomyInterventionResults);
      const brief = await composeBrief(store.db, { runIds: [b!.id], title: 'Cluster study', marking: 'TEST' });
      expect(brief.sections[0]!.kind).toBe('intervention');
      const provenance = provenanceOf(brief.sections[0]!);
      expect(provenance['Computed on a cluster']).toMatch(new RegExp(`^3 shards, merged on ${hostname()} at `));
      expect(provenance['Economy file the shards read']).toBe(
        `Sample economy: 40 firms in 4 clusters (synthetic), SHA-256 ${cluster!.network.sha256}`,
      );
      expect(provenance['Shard part 2']).toBe(`part-2.json, SHA-256 ${cluster!.parts[1]!.sha256}`);
    } finally {
      await store.close();
    }
  });

  it('refuses missing, repeated and foreign shards, mixed kinds and an existing --out, each in one line, storing nothing', async () => {
    const { dir, data, common } = setup();
    const [p1, p2, p3] = await shards(dir, common, [1, 2, 3]);
    const foreign = join(dir, 'seed-8.json');
    expect(
      (await cwbInProcess(['intervention-study', ...common, '--seed', '8', '--shard', '2/3', '--out', foreign])).code,
    ).toBe(0);
    const network = join(dir, 'network.json');
    writeFileSync(network, serialiseJson(randomSparseNetwork(12, 4, 3)));
    const stressPart = join(dir, 'stress-1.json');
    const stress = ['stress', network, '--shock-model', 'uniform', '--max-fraction', '0.3', '--samples', '6'];
    expect((await cwbInProcess([...stress, '--shard', '1/2', '--out', stressPart])).code).toBe(0);

    const refusals: Array<[string[], RegExp]> = [
      [[p1!, p3!], /^cwb: shard 2\/3 \(scenarios 1, 4, 7, …\) is missing \(a shard not given\?\)$/],
      [[p1!, p2!, p2!, p3!], /^cwb: part-2\.json repeats shard 2\/3 .+ \(a shard given twice\?\)$/],
      [[p1!, foreign, p3!], /^cwb: seed-8\.json comes from a different intervention study than part-1\.json/],
      [
        [p1!, stressPart, p2!, p3!],
        /^cwb: part-1\.json is a part of an intervention study and stress-1\.json of a stress test/,
      ],
    ];
    for (const [files, message] of refusals) {
      const refused = await cwbInProcess(['merge', ...files, '--save', '--data-dir', data]);
      expect(refused.code, files.join(' ')).not.toBe(0);
      expect(refusalLines(refused.err)).toEqual([expect.stringMatching(message)]);
    }
    const again = await cwbInProcess(['intervention-study', ...common, '--shard', '1/3', '--out', p1!]);
    expect(again.code).not.toBe(0);
    expect(again.err.trim().split('\n')).toHaveLength(1);
    expect(again.err).toMatch(/--force/);
    const bad = await cwbInProcess(['intervention-study', ...common, '--shard', '4/3', '--out', join(dir, 'p4.json')]);
    expect(bad.err).toMatch(/--shard must be K\/N with 1 ≤ K ≤ N ≤ the number of scenarios \(45\)/);
    const store = createApp({ dataDir: data, transport: 'cli', key: testStoreKey() });
    try {
      expect(await call(store.router, 'runs:list', {})).toEqual([]);
      expect(await call(store.router, 'datasets:list', {})).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
