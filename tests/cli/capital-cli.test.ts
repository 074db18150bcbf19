import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CapitalRunResults } from '../../src-shared/results/capital';
import { repoRoot, ringNetwork, tempDir } from '../support/fixtures';

const dirs: Array<{ path: string; remove(): void }> = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

function cwb(args: string[], dataDir: string) {
  const result = spawnSync(process.execPath, [join(repoRoot, 'bin/cwb.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, CWB_DATA_DIR: dataDir },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('cwb capital', () => {
  it('runs the capital job on the file imported once, saved as a run, and reports tiers, samples, models and costs', () => {
    const dir = tempDir();
    dirs.push(dir);
    const data = join(dir.path, 'data');
    const network = join(dir.path, 'ring.json');
    writeFileSync(network, JSON.stringify(ringNetwork()));
    const args = [
      'capital',
      network,
      '--tiers',
      '2',
      '--sampler',
      'uniform',
      '--model',
      'logistic,monotone-network',
      '--samples',
      '40',
      '--scenarios',
      '60',
      '--seed',
      '3',
      '--max-fraction',
      '1',
      '--k-max',
      '0.5',
      '--epochs',
      '40',
      '--backend',
      'cpu',
      '--json',
    ];
    const first = cwb(args, data);
    expect(first.code, first.err).toBe(0);
    expect(first.err).toMatch(/^capital: imported ring\.json as dataset 1, network version 1$/m);
    expect(first.err).toMatch(/^capital: saved as run 1 \(\d+\.\d\d s\)$/m);
    const { runId, ...results } = JSON.parse(first.out) as CapitalRunResults & { runId: number };
    expect(runId).toBe(1);
    expect(results.tiers.map((tier) => tier.banks.length)).toEqual([1, 2]);
    expect(results.criterion).toEqual({ measure: 'expected-shortfall', tail: 0.05, level: 0.98 });
    expect(results.samplers[0]!.k).toHaveLength(40);
    expect(results.samplers[0]!.clearingRuns).toBe(40 * 60);
    expect(results.models.map((m) => m.model)).toEqual(['logistic', 'monotone-network']);
    expect(results.models[0]!.boundary).toBeDefined();

    // the same seed gives the same samples and fits; the table states the tiers and each model
    const text = cwb(
      args.filter((a) => a !== '--json'),
      data,
    );
    expect(text.code, text.err).toBe(0);
    expect(text.err).toMatch(/^capital: ring\.json is dataset 1 in the store; running on its network version 1$/m);
    expect(text.err).toMatch(/^capital: saved as run 2 /m);
    expect(text.out).toMatch(/tier {2}banks/);
    expect(text.out).toMatch(/monotone-network/);
    const efficient = results.models[0]!.efficient;
    if (efficient) expect(text.out).toContain(`(${efficient.k.map((v) => v.toFixed(4)).join(', ')})`);

    // the best allocation is pinned along its direction: acceptable, and 2% less is not (or the distance is stated)
    const boundary = results.boundary;
    if (!results.best) {
      expect(boundary).toBeNull();
      return;
    }
    expect(boundary!.stages[0]!.scenarios).toBe(60);
    // the saved run is the app's: a brief reports it
    const brief = join(dir.path, 'capital.pdf');
    const report = cwb(['brief', '--runs', String(runId), '--out', brief], data);
    expect(report.code, report.err).toBe(0);
    expect(readFileSync(brief).subarray(0, 5).toString()).toBe('%PDF-');
    expect(boundary!.check.margin).toBeGreaterThanOrEqual(0);
    if (boundary!.pinned) {
      expect(boundary!.cheaper.check.margin).toBeLessThan(0);
      expect(text.out).toMatch(/Pinned to the boundary: k = \(/);
    } else {
      expect(boundary!.maxExcess).toBeGreaterThan(0.02);
      expect(text.out).toMatch(/Not pinned within the scenario budget/);
    }
  });

  it('exits 2 with a one-line reason on bad flags, a missing file or too many tiers, and saves nothing', () => {
    const dir = tempDir();
    dirs.push(dir);
    const data = join(dir.path, 'data');
    const bad = cwb(['capital', 'missing.json', '--sampler', 'metropolis'], data);
    expect(bad.code).toBe(2);
    expect(bad.err.trim().split('\n')).toHaveLength(1);
    expect(bad.err).toMatch(/--sampler/);
    const missing = cwb(['capital', join(repoRoot, 'no-such.json')], data);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/cannot read/);
    // refused by the job's plan, as the screen is: 4 tiers for 3 banks
    const network = join(dir.path, 'ring.json');
    writeFileSync(network, JSON.stringify(ringNetwork()));
    const tiers = cwb(['capital', network, '--tiers', '4', '--backend', 'cpu'], data);
    expect(tiers.code).toBe(2);
    expect(tiers.err.trim().split('\n').at(-1)).toBe('cwb: 4 tiers asked for a network of 3 banks');
    const byVersion = cwb(['capital', '--version', '1', '--tiers', '4', '--backend', 'cpu'], data);
    expect(byVersion.code).toBe(2);
    expect(byVersion.err.trim().split('\n').at(-1)).toBe('cwb: 4 tiers asked for a network of 3 banks');
    const noRun = cwb(['brief', '--runs', '1', '--out', join(dir.path, 'none.pdf')], data);
    expect(noRun.code, 'no run was saved').toBe(2);
  });
});
