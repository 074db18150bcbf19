import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot, ringNetwork, bundledSample, tempDir } from '../support/fixtures';
import { objectContaining } from '../support/matchers';

const dirs: Array<{ path: string; remove(): void }> = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

function cwb(args: string[], dataDir?: string) {
  const result = spawnSync(process.execPath, [join(repoRoot, 'bin/cwb.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, CWB_DATA_DIR: dataDir ?? join(repoRoot, '.no-such-dir') },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('cwb', () => {
  it('help lists the commands and documents each flag', () => {
    const help = cwb(['help']);
    expect(help.code).toBe(0);
    for (const name of ['import', 'list', 'export', 'clear', 'stress'])
      expect(help.out).toMatch(new RegExp(`^  ${name} `, 'm'));
    const exportHelp = cwb(['help', 'export']);
    expect(exportHelp.out).toMatch(/--out FILE/);
    expect(exportHelp.out).toMatch(/--data-dir DIR/);
  });

  it('imports, lists and exports through the same store the app uses', () => {
    const data = tempDir();
    dirs.push(data);
    const file = join(data.path, 'ring.json');
    writeFileSync(file, JSON.stringify(ringNetwork()));
    const imported = cwb(['import', file, '--json', '--data-dir', data.path]);
    expect(imported.code, imported.err).toBe(0);
    const { versionId } = JSON.parse(imported.out) as { versionId: number };

    const eba = cwb(['import', bundledSample('eba-2011-disclosure.csv')], data.path);
    expect(eba.code, eba.err).toBe(0);
    expect(eba.out).toMatch(/87 kept/);
    expect(eba.out).toMatch(/left out DE029: negative external assets/);

    const listed = JSON.parse(cwb(['list', '--json'], data.path).out) as { datasets: unknown[]; networks: unknown[] };
    expect(listed.datasets).toHaveLength(2);

    const files = tempDir(); // exports never go into the data folder
    dirs.push(files);
    const out = join(files.path, 'out.json');
    const exported = cwb(['export', String(versionId), '--out', out], data.path);
    expect(exported.code, exported.err).toBe(0);
    // The export carries the classification marking as `metadata` (docs/formats.md); the network is unchanged.
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({
      ...ringNetwork(),
      metadata: objectContaining({ marking: 'CONFIDENTIAL — supervisory use' }),
    });

    // CSV export writes two files that import back as the same network.
    const csvOut = join(files.path, 'ring.csv');
    expect(cwb(['export', String(versionId), '--out', csvOut], data.path).code).toBe(0);
    const again = cwb(
      ['import', join(files.path, 'ring-nodes.csv'), join(files.path, 'ring-liabilities.csv'), '--json'],
      data.path,
    );
    expect(again.code, again.err).toBe(0);
    const reimported = JSON.parse(again.out) as { versionId: number };
    const back = join(files.path, 'back.json');
    expect(cwb(['export', String(reimported.versionId), '--out', back], data.path).code).toBe(0);
    const roundTripped = JSON.parse(readFileSync(back, 'utf8')) as ReturnType<typeof ringNetwork>;
    expect(roundTripped.nodes).toEqual(ringNetwork().nodes);
    expect(roundTripped.liabilities).toEqual(ringNetwork().liabilities);
  });

  it('exits 2 with a one-line reason on bad arguments', () => {
    const cases: Array<[string[], RegExp]> = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['export', 'abc', '--out', 'x.json'], /VERSION_ID must be a positive whole number/],
      [['export', '3'], /--out FILE is required/],
      [['import'], /takes 1 to 2 argument/],
      [['list', '--colour'], /unknown option --colour/],
      [['import', '/no/such/file.json'], /cannot read \/no\/such\/file\.json: ENOENT/],
    ];
    const data = tempDir();
    dirs.push(data);
    for (const [args, reason] of cases) {
      const result = cwb(args, data.path);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.err).toMatch(reason);
      expect(result.err.trim().split('\n')).toHaveLength(1);
    }
  });

  it('clear writes the docs/formats.md JSON and agrees with the engine scenario by scenario', () => {
    const data = tempDir();
    dirs.push(data);
    const network = join(data.path, 'ring.json');
    const shocks = join(data.path, 'shocks.csv');
    writeFileSync(network, JSON.stringify(ringNetwork()));
    writeFileSync(shocks, 'scenario,A,B,C\ncalm,1,1,1\nA fails,20,0,0\n');
    const result = cwb(['clear', network, '--shocks', shocks, '--json']);
    expect(result.code, result.err).toBe(0);
    const json = JSON.parse(result.out) as {
      netWorth: Record<string, number>;
      scenarios: Array<{
        payments: Record<string, number>;
        defaults: string[];
        shortfall: Record<string, number>;
        depth: Record<string, number>;
        loss: number;
        shortfallTotal: number;
        shockTotal: number;
      }>;
    };
    // w_i = c_i + Σ_j p̄_ji − p̄_i = 20 + 10 − (15 + 10) = 5 for every bank of the ring.
    expect(json.netWorth).toEqual({ A: 5, B: 5, C: 5 });
    expect(json.scenarios).toHaveLength(2);
    expect(json.scenarios[0]).toMatchObject({ defaults: [], loss: 3, shortfallTotal: 0, shockTotal: 3 });
    const hit = json.scenarios[1]!;
    expect(hit.defaults).toContain('A');
    // L = Σ min(x, w) + Σ s
    const shortfall = Object.values(hit.shortfall).reduce((a, b) => a + b, 0);
    expect(hit.loss).toBeCloseTo(5 + shortfall, 9);
    expect(hit.shortfallTotal).toBeCloseTo(shortfall, 9);
    // p + s = p̄ = b + Σ_j p̄_ij = 15 + 10 for every bank
    for (const id of ['A', 'B', 'C']) expect(hit.payments[id]! + hit.shortfall[id]!).toBeCloseTo(25, 9);
  });

  it('stress runs as the app does: the file imported once, the summary with the keys of docs/formats.md saved as a run, reproducibly for a seed', () => {
    const data = tempDir();
    dirs.push(data);
    const network = join(data.path, 'ring.json');
    writeFileSync(network, JSON.stringify(ringNetwork()));
    const args = ['stress', network, '--shock-model', 'uniform', '--samples', '5000', '--seed', '3', '--json'];
    const first = cwb(args, data.path);
    expect(first.code, first.err).toBe(0);
    expect(first.err).toMatch(/^stress: imported ring\.json as dataset 1, network version 1$/m);
    const { runId, ...summary } = JSON.parse(first.out) as Record<string, unknown>;
    for (const key of [
      'expectedLoss',
      'expectedUnconnectedLoss',
      'lossRatio',
      'nvi',
      'defaultProbability',
      'lossQuantiles',
      'expectedShortfall',
    ]) {
      expect(summary).toHaveProperty(key);
    }
    expect(summary.expectedLoss as number).toBeGreaterThanOrEqual(summary.expectedUnconnectedLoss as number);
    const second = cwb(args, data.path);
    expect(second.err).toMatch(/^stress: ring\.json is dataset 1 in the store; running on its network version 1$/m);
    const { runId: secondRunId, ...again } = JSON.parse(second.out) as Record<string, unknown>;
    expect(again).toEqual(summary);
    expect([runId, secondRunId]).toEqual([1, 2]);
    const runs = JSON.parse(cwb(['list', '--json'], data.path).out) as { datasets: unknown[] };
    expect(runs.datasets).toHaveLength(1);
    const byVersion = cwb(
      ['stress', '--version', '1', '--shock-model', 'uniform', '--samples', '5000', '--seed', '3', '--json'],
      data.path,
    );
    expect(JSON.parse(byVersion.out)).toMatchObject({ runId: 3, expectedLoss: summary.expectedLoss });
    const tooMany = cwb(['stress', '--version', '1', '--shock-model', 'uniform', '--samples', '20000000'], data.path);
    expect(tooMany.code).toBe(2);
    expect(tooMany.err).toMatch(/^cwb: --samples must be a whole number, 1 ≤ N ≤ 10,000,000/);
    const bad = cwb(['stress', network, '--shock-model', 'pareto', '--samples', '10', '--seed', '1']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/pareto/);
  });

  it('stress streams a network file larger than the store keeps (over 256 MiB) and says the run is not saved', () => {
    const data = tempDir();
    dirs.push(data);
    const network = join(data.path, 'padded.json');
    // A small network followed by 257 MiB of JSON whitespace: over the limit, yet quick to read.
    writeFileSync(network, JSON.stringify(ringNetwork()));
    appendFileSync(network, Buffer.alloc(257 * 2 ** 20, 0x20));
    const run = cwb(
      ['stress', network, '--shock-model', 'uniform', '--samples', '500', '--seed', '3', '--json'],
      data.path,
    );
    rmSync(network);
    expect(run.code, run.err).toBe(0);
    expect(run.err).toMatch(
      /^stress: padded\.json is over 256 MiB, more than the store keeps; it is read as a stream and the run is not saved$/m,
    );
    const summary = JSON.parse(run.out) as Record<string, unknown>;
    expect(summary).not.toHaveProperty('runId');
    expect(summary.scenarios).toBe(500);
    const saved = cwb(
      ['stress', '--version', '1', '--shock-model', 'uniform', '--samples', '500', '--seed', '3'],
      data.path,
    );
    expect(saved.code, 'nothing was imported').toBe(2);
  });

  it('streams a holdings file with --holdings and refuses a bad row naming it', () => {
    const data = tempDir();
    dirs.push(data);
    const good = join(data.path, 'holdings.csv');
    writeFileSync(good, 'investor,asset,date,amount\nF1,B1,2024-03-31,10\nF2,B1,2024-03-31,4\nF2,B2,2024-06-30,1\n');
    const imported = cwb(['import', good, '--holdings', '--name', 'Funds', '--json'], data.path);
    expect(imported.code, imported.err).toBe(0);
    expect(JSON.parse(imported.out)).toMatchObject({ investors: 2, assets: 2, positions: 3 });
    const listed = JSON.parse(cwb(['list', '--json'], data.path).out) as {
      datasets: Array<{ name: string; kind: string }>;
    };
    expect(listed.datasets).toEqual([expect.objectContaining({ name: 'Funds', kind: 'holdings' })]);
    const bad = join(data.path, 'bad.csv');
    writeFileSync(bad, 'investor,asset,date,amount\nF1,B1,2024-03-31,ten\n');
    const refused = cwb(['import', bad, '--holdings'], data.path);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/row 2/);
  });
});
