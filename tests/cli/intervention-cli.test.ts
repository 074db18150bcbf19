import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EconomyInterventionResults, InterbankBailoutResults } from '../../src-shared/results/intervention';
import { call } from '../../src-main/api/router';
import { UsageError, type CommandIo } from '../../src-main/cli/command';
import { briefCommand } from '../../src-main/cli/commands/brief';
import { bailoutCommand, interventionStudyCommand } from '../../src-main/cli/commands/intervention-study';
import { bailout } from '../../src-main/engines/bailout';
import { economyDocumentOf, generateEconomy } from '../../src-main/engines/economy-generator';
import { toClearingSystem } from '../../src-main/engines/network-arrays';
import { freshApp } from '../support/app';
import { ringNetwork, tempDir } from '../support/fixtures';

const dirs: Array<{ path: string; remove(): void }> = [];
const apps: Array<ReturnType<typeof freshApp>> = [];
afterEach(async () => {
  dirs.splice(0).forEach((d) => d.remove());
  await Promise.all(apps.splice(0).map((app) => app.dispose()));
});

function capture(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}
function file(name: string, content: unknown): string {
  const dir = tempDir();
  dirs.push(dir);
  const path = join(dir.path, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}
function app() {
  const created = freshApp();
  apps.push(created);
  return created;
}

describe('cwb intervention-study / cwb bailout', () => {
  it('intervention-study --json: budget curve, Table 1 and tail, saved as a run; the same seed gives the same numbers', async () => {
    const path = file('economy.json', economyDocumentOf(generateEconomy({ firms: 30, seed: 2 }), 'g30'));
    const store = app();
    const flags = {
      json: true as const,
      scenarios: '120',
      seed: '9',
      budgets: '4',
      'tail-threshold': '0.8',
      'tail-samples': '300',
    };
    const run = async (runFlags: Record<string, string | true>, positionals = [path]) => {
      const io = capture();
      expect(await interventionStudyCommand.run({ positionals, flags: runFlags }, io, () => store)).toBe(0);
      return {
        ...(JSON.parse(io.stdout.join('')) as EconomyInterventionResults & { runId: number }),
        stderr: io.stderr.join('\n'),
      };
    };
    const { runId, stderr, ...first } = await run(flags);
    expect(stderr).toMatch(/^intervention-study: imported economy\.json as dataset 1, network version 1$/m);
    expect(stderr).toMatch(new RegExp(`^intervention-study: saved as run ${runId} `, 'm'));
    expect(first.study.scenarios).toBe(120);
    expect(first.study.budgets).toHaveLength(4);
    expect(first.study.tvarReduction.map((r) => r.q)).toEqual([0, 0.5, 0.9, 0.99]);
    expect(first.tail!.threshold).toBe(24);
    const saved = await call(store.router, 'runs:get', { id: runId });
    expect(saved).toMatchObject({
      kind: 'intervention',
      networkVersionId: 1,
      seed: 9,
      params: { target: 'economy', scenarios: 120 },
    });
    expect(saved.results).toEqual(first);
    // The same file again: found in the store, not imported twice; --version names the same economy.
    const { runId: again, stderr: stderrAgain, ...second } = await run(flags);
    expect(stderrAgain).toMatch(/economy\.json is dataset 1 in the store; running on its network version 1/);
    expect(second).toEqual(first);
    const { runId: byVersion, stderr: stderrByVersion, ...third } = await run({ ...flags, version: '1' }, []);
    expect(stderrByVersion).not.toMatch(/imported/);
    expect(third).toEqual(first);
    expect([runId, again, byVersion]).toEqual([1, 2, 3]);
    expect(await call(store.router, 'datasets:list', {})).toHaveLength(1);
    // The text output names the stored economy and the curve.
    const text = capture();
    expect(
      await interventionStudyCommand.run(
        { positionals: [], flags: { version: '1', scenarios: '50', budgets: '3' } },
        text,
        () => store,
      ),
    ).toBe(0);
    expect(text.stdout.join('\n')).toMatch(/^g30 v1: DiscountFrac adapted to costs with budget/);
    expect(text.stdout.join('\n')).toContain('TVaR of the cascade size');
  });

  it('bailout --json matches the engine and is saved as a run; bad flags are refused naming them, with nothing stored', async () => {
    const path = file('ring.json', ringNetwork());
    const store = app();
    const io = capture();
    const flags = { json: true as const, budget: '30', 'shock-fraction': '0.9', method: 'greedy' };
    expect(await bailoutCommand.run({ positionals: [path], flags }, io, () => store)).toBe(0);
    const json = JSON.parse(io.stdout.join('')) as {
      runId: number;
      spent: number;
      defaultsBefore: string[];
      defaultsAfter: string[];
      curve: unknown[];
    };
    const system = toClearingSystem(ringNetwork());
    const direct = bailout(
      system,
      Float64Array.from(system.outsideAssets, (c) => 0.9 * c),
      30,
      { method: 'greedy' },
    );
    expect(json.spent).toBe(direct.spent);
    expect(json.defaultsBefore).toEqual(direct.defaultsBefore.map((i) => system.ids[i]));
    expect(json.defaultsAfter).toEqual(direct.defaultsAfter.map((i) => system.ids[i]));
    expect(json.curve).toHaveLength(11);
    const saved = await call(store.router, 'runs:get', { id: json.runId });
    expect(saved).toMatchObject({
      kind: 'intervention',
      params: { target: 'interbank', budget: 30, shockFraction: 0.9 },
    });
    expect((saved.results as InterbankBailoutResults).curve).toEqual(json.curve);
    expect(io.stderr.join('\n')).toMatch(new RegExp(`^bailout: saved as run ${json.runId} `, 'm'));
    // A bailout that pays nobody (the budget is too small) is saved and reported by cwb brief too.
    const none = capture();
    expect(
      await bailoutCommand.run(
        { positionals: [path], flags: { json: true, budget: '5', 'shock-fraction': '0.5' } },
        none,
        () => store,
      ),
    ).toBe(0);
    const nobody = JSON.parse(none.stdout.join('')) as { runId: number; spent: number };
    expect(nobody.spent).toBe(0);
    const folder = tempDir();
    dirs.push(folder);
    const out = join(folder.path, 'brief.pdf');
    expect(
      await briefCommand.run(
        { positionals: [], flags: { runs: `${json.runId},${nobody.runId}`, out } },
        capture(),
        () => store,
      ),
    ).toBe(0);
    expect(readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');

    const empty = app();
    const refused = (command: typeof bailoutCommand, runFlags: Record<string, string | true>) =>
      command.run({ positionals: [path], flags: runFlags }, capture(), () => empty);
    await expect(refused(bailoutCommand, { budget: '1' })).rejects.toThrow(UsageError);
    await expect(refused(bailoutCommand, { ...flags, method: 'magic' })).rejects.toThrow(/--method must be one of/);
    await expect(refused(bailoutCommand, { ...flags, budgets: '500' })).rejects.toThrow(/--budgets must be/);
    await expect(refused(interventionStudyCommand, { quantiles: '0,1.5' })).rejects.toThrow(/quantiles/i);
    await expect(refused(interventionStudyCommand, { scenarios: '2000000' })).rejects.toThrow(/--scenarios must be/);
    expect(await call(empty.router, 'datasets:list', {})).toEqual([]);
    // A network is not an economy: the job refuses it, saying so; an economy's --version is checked before running.
    await expect(
      interventionStudyCommand.run({ positionals: [path], flags: { scenarios: '10' } }, capture(), () => empty),
    ).rejects.toThrow(/not a cross-holdings economy/);
    await expect(
      interventionStudyCommand.run({ positionals: [], flags: { version: '1' } }, capture(), () => empty),
    ).rejects.toThrow(/not a cross-holdings economy/);
    expect(await call(empty.router, 'runs:list', {})).toEqual([]);
  });
});
