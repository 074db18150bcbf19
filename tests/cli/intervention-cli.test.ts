import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EconomyInterventionResults } from '../../src-shared/results/intervention';
import { UsageError, type CommandIo } from '../../src-main/cli/command';
import { bailoutCommand, interventionStudyCommand } from '../../src-main/cli/commands/intervention-study';
import { bailout } from '../../src-main/engines/bailout';
import { economyDocumentOf, generateEconomy } from '../../src-main/engines/economy-generator';
import { toClearingSystem } from '../../src-main/engines/network-arrays';
import { ringNetwork, tempDir } from '../support/fixtures';

const dirs: Array<{ path: string; remove(): void }> = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

function capture(): CommandIo & { stdout: string[] } {
  const stdout: string[] = [];
  return { stdout, out: (t) => stdout.push(t), err: () => undefined };
}
const noContext = () => {
  throw new Error('no app context needed');
};
function file(name: string, content: unknown): string {
  const dir = tempDir();
  dirs.push(dir);
  const path = join(dir.path, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('cwb intervention-study / cwb bailout', () => {
  it('intervention-study --json: budget curve, Table 1 and tail; the same seed gives the same numbers', async () => {
    const path = file('economy.json', economyDocumentOf(generateEconomy({ firms: 30, seed: 2 }), 'g30'));
    const flags = { json: true as const, scenarios: '120', seed: '9', budgets: '4', 'tail-threshold': '0.8', 'tail-samples': '300' };
    const run = async () => {
      const io = capture();
      expect(await interventionStudyCommand.run({ positionals: [path], flags }, io, noContext)).toBe(0);
      return JSON.parse(io.stdout.join('')) as EconomyInterventionResults;
    };
    const first = await run();
    expect(first.study.scenarios).toBe(120);
    expect(first.study.budgets).toHaveLength(4);
    expect(first.study.tvarReduction.map((r) => r.q)).toEqual([0, 0.5, 0.9, 0.99]);
    expect(first.tail!.threshold).toBe(24);
    expect(await run()).toEqual(first);
  });

  it('bailout --json matches the engine; bad flags are refused with a UsageError naming them', async () => {
    const path = file('ring.json', ringNetwork());
    const io = capture();
    const flags = { json: true as const, budget: '30', 'shock-fraction': '0.9', method: 'greedy' };
    expect(await bailoutCommand.run({ positionals: [path], flags }, io, noContext)).toBe(0);
    const json = JSON.parse(io.stdout.join('')) as { spent: number; defaultsBefore: string[]; defaultsAfter: string[]; curve: unknown[] };
    const system = toClearingSystem(ringNetwork());
    const direct = bailout(system, Float64Array.from(system.outsideAssets, (c) => 0.9 * c), 30, { method: 'greedy' });
    expect(json.spent).toBeCloseTo(direct.spent, 9);
    expect(json.defaultsAfter).toEqual(direct.defaultsAfter.map((i) => system.ids[i]));
    expect(json.curve).toHaveLength(11);
    await expect(bailoutCommand.run({ positionals: [path], flags: { budget: '1' } }, capture(), noContext)).rejects.toThrow(UsageError);
    await expect(bailoutCommand.run({ positionals: [path], flags: { ...flags, method: 'magic' } }, capture(), noContext)).rejects.toThrow(/--method must be one of/);
    await expect(interventionStudyCommand.run({ positionals: [path], flags: { quantiles: '0,1.5' } }, capture(), noContext)).rejects.toThrow(/quantiles/);
  });
});
