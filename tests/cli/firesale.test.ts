import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { documentOfSpec } from '../../src-main/engines/fire-sale-document';
import { caseStudy1 } from '../../src-main/engines/fire-sales';
import { repoRoot, tempDir } from '../support/fixtures';

const dirs: Array<{ path: string; remove(): void }> = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

function cwb(args: string[], dataDir: string) {
  const result = spawnSync(process.execPath, [join(repoRoot, 'bin/cwb.mjs'), ...args, '--data-dir', dataDir], {
    encoding: 'utf8',
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('cwb firesale and cwb idf', () => {
  it('simulates a system file and refuses a bad one with a one-line reason', () => {
    const data = tempDir();
    dirs.push(data);
    const system = documentOfSpec(caseStudy1('linear'), 'case study 1');
    const file = join(data.path, 'system.json');
    // Equal liabilities 0.62: the greater root of p² − (0.7 + 0.3λ)p + 0.3λL = 0 with λ = 2.5.
    writeFileSync(file, JSON.stringify({ ...system, scenario: { liabilities: { 'bank 1': 0.62, 'bank 2': 0.62 } } }));
    const run = cwb(['firesale', file, '--json'], data.path);
    expect(run.code, run.err).toBe(0);
    const result = JSON.parse(run.out) as {
      runId: number;
      prices: Record<string, number>;
      totalLoss: number;
      converged: boolean;
      iterations: number;
    };
    const b = 0.7 + 0.75;
    expect(result.prices['asset 1']).toBeCloseTo((b + Math.sqrt(b * b - 4 * 0.75 * 0.62)) / 2, 9);
    expect(result.converged).toBe(true);
    // saved as a run of its own kind, with the outcome printed
    expect(result.runId).toBeGreaterThan(0);
    expect(run.err).toContain(`saved as run ${result.runId}`);
    const outside = tempDir();
    dirs.push(outside);
    const brief = cwb(
      ['brief', '--runs', String(result.runId), '--out', join(outside.path, 'brief.csv'), '--json'],
      data.path,
    );
    expect(brief.code, brief.err).toBe(0);
    expect(JSON.parse(brief.out)).toMatchObject({ runIds: [result.runId] });
    expect(readFileSync(join(outside.path, 'brief.csv'), 'utf8')).toContain('Fire-sale equilibrium');
    const text = cwb(['firesale', file], data.path);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toMatch(/converged after \d+ steps/);
    expect(text.err).toContain(`saved as run ${result.runId + 1}`);

    writeFileSync(file, JSON.stringify({ ...system, holdings: [{ bank: 'bank 9', asset: 'asset 1', units: 1 }] }));
    const bad = cwb(['firesale', file], data.path);
    expect(bad.code).toBe(2);
    expect(bad.err.trim().split('\n')).toHaveLength(1);
    expect(bad.err).toMatch(/holdings\.0\.bank|bank 9/);
  });

  it('idf reproduce writes the Tables 2–3 rows next to the published numbers and saves the run', () => {
    const data = tempDir();
    dirs.push(data);
    const run = cwb(
      ['idf', 'reproduce', '--only', 'case1', '--samples', '200', '--epochs', '10', '--backend', 'cpu', '--json'],
      data.path,
    );
    expect(run.code, run.err).toBe(0);
    const report = JSON.parse(run.out) as {
      runId: number;
      rows: Array<{ table: string; model: string; published: number; measured: number }>;
      backend: string;
    };
    expect(report.backend).toMatch(/^cpu/);
    expect(report.rows.filter((r) => r.table === '2')).toHaveLength(9);
    expect(report.rows.find((r) => r.table === '2' && r.model === 'Linear Price Model')!.published).toBe(5.2e-7);
    expect(report.rows.every((r) => r.measured === null || Number.isFinite(r.measured))).toBe(true);
    expect(report.runId).toBeGreaterThan(0);
    expect(run.err).toMatch(/^idf reproduce: 100% {2}done$/m);
  });

  it('idf train runs as the app’s job and saves the run with its model; a setting the job refuses is refused in one line', () => {
    const data = tempDir();
    dirs.push(data);
    const run = cwb(
      ['idf', 'train', '--example', 'case1-linear', '--samples', '100', '--epochs', '5', '--backend', 'cpu', '--json'],
      data.path,
    );
    expect(run.code, run.err).toBe(0);
    const summary = JSON.parse(run.out) as { runId: number; epochs: number; backend: string; testRows: number };
    expect(summary).toMatchObject({ runId: 1, epochs: 5, backend: 'cpu', testRows: 20 });
    expect(run.err).toMatch(/^idf train: 100% {2}done$/m);
    const out = tempDir();
    dirs.push(out);
    const brief = cwb(['brief', '--runs', '1', '--out', join(out.path, 'idf.csv')], data.path);
    expect(brief.code, brief.err).toBe(0);
    const few = cwb(['idf', 'train', '--example', 'case1-linear', '--samples', '20', '--backend', 'cpu'], data.path);
    expect(few.code).toBe(2);
    expect(few.err.trim().split('\n')).toHaveLength(1);
    expect(few.err).toMatch(/samples/i);
  });
});
