import { afterEach, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../src-shared/jobs';
import type { DisaggregationRunResults, ReconstructionRunResults } from '../../src-shared/results/reconstruction';
import { JobManager } from '../../src-main/jobs/manager';
import { toClearingSystem } from '../../src-main/engines/network-arrays';
import { randomSparseNetwork } from '../../src-main/engines/synthetic';
import { networks, runs } from '../../src-main/store/repositories';
import { freshApp } from '../support/app';
import { stringMatching } from '../support/matchers';

let app: ReturnType<typeof freshApp>;
afterEach(async () => app?.dispose());

async function createNetwork(): Promise<number> {
  const result = await app.router.handle('networks:create', { document: randomSparseNetwork(10, 3, 21) });
  if (!result.ok) throw new Error(result.error.message);
  return (result.value as { versionId: number }).versionId;
}

const params = (versionId: number) => ({
  versionId,
  objectives: ['best', 'maxent', 'worst'],
  shockModel: { kind: 'uniform' },
  samples: 40,
  evaluationSamples: 300,
  seed: 5,
  starts: 1,
  hops: 1,
});

describe('reconstruct job and IPC', () => {
  it('solves best, maximum entropy and worst in a worker with progress (objective, gap, violation) and saves one run', async () => {
    app = freshApp();
    const versionId = await createNetwork();
    const events: JobEvent[] = [];
    const manager = new JobManager(app.db, (event) => events.push(event), 2);
    const final = await manager.start('reconstruct', params(versionId)).done;
    expect(final.status, final.error).toBe('succeeded');
    const withFigures = events.filter((e) => e.figures?.gap !== undefined);
    expect(withFigures.length).toBeGreaterThan(0);
    expect(Object.keys(withFigures[0]!.figures!)).toEqual(
      expect.arrayContaining(['objective', 'gap', 'violation', 'iteration']),
    );
    const run = runs.get(app.db, final.runId!);
    expect(run.kind).toBe('reconstruct');
    const results = run.results as ReconstructionRunResults;
    expect(results.outcomes.map((o) => o.objective)).toEqual(['best', 'maxent', 'worst']);
    const [best, maxent, worst] = results.outcomes;
    expect(worst!.inSample.expectedLoss).toBeGreaterThanOrEqual(maxent!.inSample.expectedLoss);
    expect(maxent!.inSample.expectedLoss).toBeGreaterThanOrEqual(best!.inSample.expectedLoss);
    for (const outcome of results.outcomes) {
      expect(outcome.residual.relative).toBeLessThan(1e-6);
      expect(outcome.trace.length + (outcome.objective === 'maxent' ? 1 : 0)).toBeGreaterThan(0);
      expect(() => toClearingSystem(outcome.document)).not.toThrow();
    }

    // save the worst network as a version with its provenance
    const saved = await app.router.handle('reconstruction:saveVersion', {
      runId: final.runId!,
      objective: 'worst',
      note: 'stress scenario',
    });
    expect(saved.ok).toBe(true);
    const { versionId: savedId } = (saved as { value: { versionId: number } }).value;
    const summary = networks.list(app.db)[0]!.versions.find((v) => v.id === savedId)!;
    expect(summary.note).toMatch(
      /^stress scenario — Reconstruction run #\d+ \(worst\) from version 1: expected loss on 40 uniform shocks, seed 5/,
    );
    expect(networks.getVersion(app.db, savedId).document.liabilities).toEqual(worst!.document.liabilities);
    const missing = await app.router.handle('reconstruction:saveVersion', {
      runId: final.runId!,
      objective: 'mindensity',
    });
    expect(missing).toMatchObject({ ok: false, error: { message: stringMatching(/has no mindensity network/) } });
  });

  it('refuses bad parameters before any work and unknown nodes by name', async () => {
    app = freshApp();
    const versionId = await createNetwork();
    expect(() => app.jobs.start('reconstruct', { ...params(versionId), objectives: [] })).toThrow(
      /^Objectives must not be empty/,
    );
    expect(() => app.jobs.start('reconstruct', { ...params(versionId), unknown: { NOPE: ['outsideAssets'] } })).toThrow(
      /no node "NOPE"/,
    );
    expect(runs.list(app.db)).toHaveLength(0);
  });

  it('cancelling a reconstruction saves nothing', async () => {
    app = freshApp();
    const versionId = await createNetwork();
    const { jobId, done } = app.jobs.start('reconstruct', {
      ...params(versionId),
      samples: 50_000,
      objectives: ['best'],
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await app.jobs.cancel(jobId)).toEqual({ cancelled: true });
    expect((await done).status).toBe('cancelled');
    expect(runs.list(app.db)).toHaveLength(0);
  });

  it('splits a node as a job: progress in words, the next version and a run saved together; cancelling saves nothing', async () => {
    app = freshApp();
    const versionId = await createNetwork();
    const id = randomSparseNetwork(10, 3, 21).nodes[5]!.id;
    const split = {
      versionId,
      nodeId: id,
      parts: [{ id: 'W1' }, { id: 'W2' }],
      objective: 'worst',
      samples: 20,
      seed: 4,
    };
    const events: JobEvent[] = [];
    const manager = new JobManager(app.db, (event) => events.push(event), 2);
    const final = await manager.start('disaggregate', split).done;
    expect(final.status, final.error).toBe('succeeded');
    const stages = events.filter((e) => e.status === 'running').map((e) => e.stage);
    expect(stages).toContain('searching the worst case over 20 shocks: starting');
    expect(stages.some((stage) => /^Worst case: start 1 of 1, .*; objective /.test(stage))).toBe(true);
    const run = runs.get(app.db, final.runId!);
    expect(run.kind).toBe('disaggregate');
    const results = run.results as DisaggregationRunResults;
    const latest = networks.list(app.db)[0]!.versions.at(-1)!;
    expect(results.versionId).toBe(latest.id);
    expect(latest.note).toMatch(/worst case of expected loss \(20 uniform shocks, seed 4; in sample E\[L\]/);
    expect(results.parts.map((p) => p.id)).toEqual(['W1', 'W2']);
    expect(() => manager.start('disaggregate', { ...split, nodeId: 'NOPE' })).toThrow(/No bank "NOPE" in version 1/);

    const before = { runs: runs.list(app.db).length, versions: networks.list(app.db)[0]!.versions.length };
    const { jobId, done } = app.jobs.start('disaggregate', { ...split, samples: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await app.jobs.cancel(jobId)).toEqual({ cancelled: true });
    expect((await done).status).toBe('cancelled');
    expect({ runs: runs.list(app.db).length, versions: networks.list(app.db)[0]!.versions.length }).toEqual(before);
  });

  it('disaggregates a node into a new version whose note explains the new nodes, and refuses bad splits in words', async () => {
    app = freshApp();
    const versionId = await createNetwork();
    const id = randomSparseNetwork(10, 3, 21).nodes[5]!.id;
    const final = await app.jobs.start('disaggregate', {
      versionId,
      nodeId: id,
      parts: [
        { id: 'LIFE', name: 'Life insurers', share: 2 },
        { id: 'PC', name: 'P&C insurers' },
      ],
    }).done;
    expect(final.status, final.error).toBe('succeeded');
    const results = runs.get(app.db, final.runId!).results as DisaggregationRunResults;
    const document = networks.getVersion(app.db, results.versionId).document;
    expect(document.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(['LIFE', 'PC']));
    expect(document.nodes.some((n) => n.id === id)).toBe(false);
    const note = networks.list(app.db)[0]!.versions.at(-1)!.note;
    expect(note).toMatch(/LIFE "Life insurers": share 66\.7%/);
    expect(() => app.jobs.start('disaggregate', { versionId, nodeId: id, parts: [{ id: 'ONLY' }] })).toThrow(/^Parts/);
    expect(() =>
      app.jobs.start('disaggregate', {
        versionId,
        nodeId: id,
        parts: [{ id: 'X1' }, { id: 'X2' }],
        objective: 'entropy',
      }),
    ).toThrow(/^Objective/);
  });
});
