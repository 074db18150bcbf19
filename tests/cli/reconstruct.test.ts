import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toClearingSystem } from '../../src-main/engines/network-arrays';
import { randomSparseNetwork } from '../../src-main/engines/synthetic';
import { networkDocumentSchema } from '../../src-shared/formats/network';
import { repoRoot, tempDir } from '../support/fixtures';

const dir = tempDir();
afterAll(() => dir.remove());
const source = randomSparseNetwork(10, 3, 21);
const file = join(dir.path, 'net.json');
writeFileSync(file, JSON.stringify(source));

function cwb(args: string[]) {
  const result = spawnSync(process.execPath, [join(repoRoot, 'bin/cwb.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, CWB_DATA_DIR: join(dir.path, 'data') },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('cwb reconstruct and cwb disaggregate', () => {
  it('runs the reconstruct job on the file imported once, saved as a run: a complete network@1 document plus runId, expectedLoss and lossRatio (docs/formats.md)', () => {
    const run = cwb([
      'reconstruct',
      file,
      '--objective',
      'worst',
      '--samples',
      '60',
      '--evaluation-samples',
      '500',
      '--seed',
      '4',
      '--json',
    ]);
    expect(run.code, run.err).toBe(0);
    expect(run.err).toMatch(/^reconstruct: imported net\.json as dataset 1, network version 1$/m);
    const output = JSON.parse(run.out) as Record<string, unknown> & {
      runId: number;
      expectedLoss: number;
      lossRatio: number;
      reconstruction: { residual: { relative: number } };
    };
    expect(output.runId).toBe(1);
    expect(run.err).toMatch(/^reconstruct: saved as run 1 \(\d+\.\d\d s\); largest constraint residual /m);
    const document = networkDocumentSchema.parse(output);
    expect(output.expectedLoss).toBeGreaterThan(0);
    expect(output.lossRatio).toBeGreaterThanOrEqual(1);
    expect(output.reconstruction.residual.relative).toBeLessThan(1e-6);
    // every node keeps its total liabilities and net worth; the result clears
    const before = toClearingSystem(source);
    const after = toClearingSystem(document);
    for (let i = 0; i < before.nBanks; i++) {
      expect(after.totalObligations[i]).toBeCloseTo(before.totalObligations[i]!, 6);
      expect(after.netWorth[i]).toBeCloseTo(before.netWorth[i]!, 6);
    }
    expect(run.err).toMatch(/gap .* violation/);
    // the saved run is the app's: a brief reports it
    const brief = join(dir.path, 'reconstruction.pdf');
    const report = cwb(['brief', '--runs', String(output.runId), '--out', brief]);
    expect(report.code, report.err).toBe(0);
    expect(readFileSync(brief).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it("runs on a version of the store (--version), with the job schema's limits", () => {
    const byVersion = cwb([
      'reconstruct',
      '--version',
      '1',
      '--objective',
      'maxent',
      '--samples',
      '20',
      '--evaluation-samples',
      '200',
      '--seed',
      '4',
      '--json',
    ]);
    expect(byVersion.code, byVersion.err).toBe(0);
    const output = JSON.parse(byVersion.out) as {
      runId: number;
      reconstruction: { objective: string; samples: number };
    };
    expect(output.runId).toBeGreaterThan(1);
    expect(output.reconstruction).toMatchObject({ objective: 'maxent', samples: 20 });
    expect(byVersion.err).toMatch(new RegExp(`^reconstruct: saved as run ${output.runId} `, 'm'));
    const tooMany = cwb(['reconstruct', '--version', '1', '--objective', 'maxent', '--samples', '200000']);
    expect(tooMany.code).toBe(2);
    expect(tooMany.err.trim()).toBe('cwb: --samples must be a whole number, 10 ≤ K ≤ 100,000, got "200000"');
    const both = cwb(['reconstruct', file, '--version', '1', '--objective', 'maxent']);
    expect(both.code).toBe(2);
    expect(both.err.trim()).toBe('cwb: give a network file or --version ID, not both');
  });

  it('states the Frank–Wolfe gap of the worst and best networks (absolute and relative to F) and why maximum entropy has none', () => {
    for (const objective of ['worst', 'best']) {
      const run = cwb([
        'reconstruct',
        file,
        '--objective',
        objective,
        '--samples',
        '60',
        '--evaluation-samples',
        '200',
        '--seed',
        '4',
        '--json',
      ]);
      expect(run.code, run.err).toBe(0);
      const { reconstruction } = JSON.parse(run.out) as {
        reconstruction: { frankWolfeGap: number; relativeGap: number; inSample: { value: number } };
      };
      expect(reconstruction.frankWolfeGap, objective).toBeGreaterThanOrEqual(0);
      expect(reconstruction.relativeGap).toBeCloseTo(
        reconstruction.frankWolfeGap / Math.abs(reconstruction.inSample.value),
        12,
      );
      // a stationary point to the solver's tolerance, or close: far below the objective itself
      expect(reconstruction.relativeGap, objective).toBeLessThan(0.05);
    }
    const maxent = cwb([
      'reconstruct',
      file,
      '--objective',
      'maxent',
      '--samples',
      '60',
      '--evaluation-samples',
      '200',
      '--seed',
      '4',
    ]);
    expect(maxent.code, maxent.err).toBe(0);
    expect(maxent.out).toContain('Frank–Wolfe gap not applicable (this network does not optimise the loss)');
    const worst = cwb([
      'reconstruct',
      file,
      '--objective',
      'worst',
      '--samples',
      '60',
      '--evaluation-samples',
      '200',
      '--seed',
      '4',
    ]);
    expect(worst.out).toMatch(/Frank–Wolfe gap \d\.\d\de[-+]\d+ \(\d\.\d\de[-+]\d+ relative to the objective\)/);
  });

  it('refuses a bad objective or field with a one-line reason and exit code 2', () => {
    const bad = cwb(['reconstruct', file, '--objective', 'median']);
    expect(bad.code).toBe(2);
    expect(bad.err.trim()).toBe('cwb: --objective must be one of worst|best|maxent|mindensity, got "median"');
    const field = cwb(['reconstruct', file, '--objective', 'maxent', '--unknown', 'colour']);
    expect(field.code).toBe(2);
    expect(field.err).toMatch(/"colour" is not one of/);
  });

  it('splits a node into named parts that keep its totals', () => {
    const id = source.nodes[5]!.id;
    const run = cwb([
      'disaggregate',
      file,
      '--node',
      id,
      '--parts',
      '2',
      '--names',
      'Life,Non-life',
      '--shares',
      '3,1',
      '--json',
    ]);
    expect(run.code, run.err).toBe(0);
    const output = JSON.parse(run.out) as { versionId: number; explanation: string[] };
    const document = networkDocumentSchema.parse(output);
    const { versionId } = output;
    // saved as the network's next version, as the Reconstruction screen saves a split
    expect(versionId).toBeGreaterThan(1);
    expect(run.err).toMatch(
      new RegExp(`^disaggregate: saved as network version ${versionId} \\(version \\d+ of "`, 'm'),
    );
    const exported = join(dir.path, `split-${versionId}.json`);
    const exportRun = cwb(['export', String(versionId), '--out', exported]);
    expect(exportRun.code, exportRun.err).toBe(0);
    expect(existsSync(exported)).toBe(true);
    const stored = networkDocumentSchema.parse(JSON.parse(readFileSync(exported, 'utf8')));
    expect(stored.nodes).toEqual(document.nodes);
    expect(stored.liabilities).toEqual(document.liabilities);
    const parts = document.nodes.filter((node) => node.id.startsWith(`${id}-`));
    expect(parts.map((node) => node.name)).toEqual(['Life', 'Non-life']);
    const aggregate = source.nodes[5]!;
    expect(parts[0]!.outsideAssets! + parts[1]!.outsideAssets!).toBeCloseTo(aggregate.outsideAssets!, 6);
    expect(parts[0]!.outsideAssets! / aggregate.outsideAssets!).toBeCloseTo(0.75, 12);
    expect(output.explanation[0]).toMatch(/into 2 nodes/);
  });

  it('splits a node as the worst case, b and c of the parts free within the aggregate totals', () => {
    const id = source.nodes[5]!.id;
    const run = cwb([
      'disaggregate',
      file,
      '--node',
      id,
      '--parts',
      '2',
      '--objective',
      'worst',
      '--samples',
      '30',
      '--json',
    ]);
    expect(run.code, run.err).toBe(0);
    const output = JSON.parse(run.out) as { versionId: number; explanation: string[] };
    expect(output.versionId).toBeGreaterThan(1);
    const parts = networkDocumentSchema.parse(output).nodes.filter((node) => node.id.startsWith(`${id}-`));
    const aggregate = source.nodes[5]!;
    const outside = parts[0]!.outsideAssets! + parts[1]!.outsideAssets!;
    expect(Math.abs(outside - aggregate.outsideAssets!)).toBeLessThanOrEqual(1e-9 * aggregate.outsideAssets!);
    for (const part of parts) expect(part.equity!).toBeLessThan(part.outsideAssets!);
    expect(output.explanation[0]).toMatch(/worst case of expected loss \(30 uniform shocks, seed 1/);
    const bad = cwb(['disaggregate', file, '--node', id, '--objective', 'entropy']);
    expect(bad.code).toBe(2);
    expect(bad.err.trim()).toBe('cwb: --objective must be one of maxent|worst|best, got "entropy"');
    // the job's limits: at most 5,000 shocks for a split on the main process
    const tooMany = cwb(['disaggregate', file, '--node', id, '--objective', 'worst', '--samples', '6000']);
    expect(tooMany.code).toBe(2);
    expect(tooMany.err.trim()).toBe('cwb: --samples must be a whole number, 10 ≤ K ≤ 5,000, got "6000"');
    // the split's optimiser is the screen's (one start, no hops, uniform shocks): no flags for the rest
    const starts = cwb(['disaggregate', file, '--node', id, '--objective', 'worst', '--starts', '3']);
    expect(starts.code).toBe(2);
    expect(starts.err.trim()).toBe('cwb: unknown option --starts for "cwb disaggregate" (see: cwb help disaggregate)');
  });
});
