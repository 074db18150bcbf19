import { afterEach, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../src-shared/jobs';
import { JobManager } from '../../src-main/jobs/manager';
import { splitRange } from '../../src-main/jobs/task-definition';
import { taskDefinitions } from '../../src-main/jobs/tasks';
import { clearScenario } from '../../src-main/engines/clearing';
import { prefersBatchedClearing } from '../../src-main/engines/batched-clearing';
import { toClearingSystem } from '../../src-main/engines/network-arrays';
import { runStressBatch } from '../../src-main/engines/stress';
import { randomSparseNetwork } from '../../src-main/engines/synthetic';
import { networks, runs } from '../../src-main/store/repositories';
import { freshApp } from '../support/app';
import { ringNetwork, picked } from '../support/fixtures';

let app: ReturnType<typeof freshApp>;
afterEach(async () => app?.dispose());

async function importRing(document = ringNetwork()): Promise<number> {
  const result = await app.router.handle(
    'datasets:import',
    picked(app, `${document.name}.json`, JSON.stringify(document)),
  );
  if (!result.ok) throw new Error(result.error.message);
  return (result.value as { versionId: number }).versionId;
}

const stressParams = (versionId: number, samples: number) => ({
  versionId,
  shockModel: { kind: 'uniform' as const, maxFraction: 1 },
  samples,
  seed: 7,
});

describe('jobs', () => {
  it('splits work into contiguous shards that cover every item once', () => {
    for (const [total, parts] of [
      [10, 3],
      [3, 8],
      [100_000, 2],
      [1, 1],
    ] as const) {
      const ranges = splitRange(total, parts);
      expect(ranges[0]!.first).toBe(0);
      ranges.forEach((range, i) => i > 0 && expect(range.first).toBe(ranges[i - 1]!.first + ranges[i - 1]!.count));
      expect(ranges.reduce((sum, r) => sum + r.count, 0)).toBe(total);
      expect(Math.max(...ranges.map((r) => r.count)) - Math.min(...ranges.map((r) => r.count))).toBeLessThanOrEqual(1);
    }
  });

  it('runs a stress test in worker threads, streams progress and saves one run', async () => {
    app = freshApp();
    const versionId = await importRing();
    const events: JobEvent[] = [];
    const manager = new JobManager(app.db, (event) => events.push(event), 2);
    const { jobId, done } = manager.start('stress', stressParams(versionId, 40_000));
    expect(jobId).toMatch(/[0-9a-f-]{36}/);
    const final = await done;
    const fractions = events.map((e) => e.fraction);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!)).toBe(true);
    const lastProgress = events.filter((e) => e.stage === 'clearing scenarios').at(-1)!;
    expect(lastProgress.figures?.scenarios).toBe(40_000);
    expect(events.at(-1)).toMatchObject({ status: 'succeeded', fraction: 1, runId: final.runId });
    expect(final.status, final.error).toBe('succeeded');
    expect(final.runId).toBeGreaterThan(0);
    const run = runs.get(app.db, final.runId!);
    expect(run.kind).toBe('stress');
    expect(run.seed).toBe(7);
    expect((run.results as { scenarios: number }).scenarios).toBe(40_000);
  });

  it('gives the same results for the same seed whatever the number of worker threads', async () => {
    app = freshApp();
    const versionId = await importRing();
    const oneWorker = new JobManager(app.db, () => {}, 1);
    const a = await oneWorker.start('stress', stressParams(versionId, 30_000)).done;
    const threeWorkers = new JobManager(app.db, () => {}, 3);
    const b = await threeWorkers.start('stress', stressParams(versionId, 30_000)).done;
    const ra = runs.get(app.db, a.runId!).results as {
      expectedLoss: number;
      defaultProbability: unknown;
      lossQuantiles: unknown;
    };
    const rb = runs.get(app.db, b.runId!).results as {
      expectedLoss: number;
      defaultProbability: unknown;
      lossQuantiles: unknown;
    };
    expect(rb.expectedLoss).toBeCloseTo(ra.expectedLoss, 9);
    expect(rb.defaultProbability).toEqual(ra.defaultProbability);
    expect(rb.lossQuantiles).toEqual(ra.lossQuantiles);
  });

  it('runs at most maxRunning jobs; the others wait in order, and a waiting job cancelled never starts', async () => {
    app = freshApp();
    const versionId = await importRing();
    const events: JobEvent[] = [];
    const manager = new JobManager(app.db, (event) => events.push(event), 1, { maxRunning: 1 });
    const params = [
      stressParams(versionId, 30_000),
      { ...stressParams(versionId, 20_000), seed: 8 },
      stressParams(versionId, 10_000),
    ];
    const started = params.map((p) => manager.start('stress', p));
    expect(manager.list().map((e) => [e.status, e.stage, e.ahead])).toEqual([
      ['running', 'starting', undefined],
      ['queued', 'Waiting — 1 job ahead', 1],
      ['queued', 'Waiting — 2 jobs ahead', 2],
    ]);
    expect(await manager.cancel(started[2]!.jobId)).toEqual({ cancelled: true });
    expect(await manager.cancel(started[2]!.jobId)).toEqual({ cancelled: false });
    const [first, second, third] = await Promise.all(started.map((job) => job.done));
    expect([first!.status, second!.status, third!.status]).toEqual(['succeeded', 'succeeded', 'cancelled']);
    const of = (job: { jobId: string }) => events.filter((e) => e.jobId === job.jobId);
    expect(of(started[2]!).map((e) => e.status)).toEqual(['queued', 'cancelled']);
    expect(third!.runId).toBeUndefined();
    // FIFO: the second started only once the first was over.
    const order = events.map((e) => `${e.jobId}:${e.status}`);
    expect(order.indexOf(`${started[1]!.jobId}:running`)).toBeGreaterThan(
      order.indexOf(`${started[0]!.jobId}:succeeded`),
    );
    expect(runs.list(app.db)).toHaveLength(2);

    // The same results as each job run alone.
    const alone = new JobManager(app.db, () => {}, 1);
    for (const [index, queued] of [first!, second!].entries()) {
      const single = await alone.start('stress', params[index]).done;
      expect(runs.get(app.db, queued.runId!).results).toEqual(runs.get(app.db, single.runId!).results);
    }
  });

  it('caps the worker threads of all running jobs together and refuses a job beyond the waiting limit', async () => {
    app = freshApp();
    const versionId = await importRing();
    const manager = new JobManager(app.db, () => {}, 2, { maxRunning: 4, maxThreads: 3, maxQueued: 2 });
    const big = [
      manager.start('stress', stressParams(versionId, 40_000)),
      manager.start('stress', stressParams(versionId, 40_000)),
    ];
    const small = manager.start('stress', stressParams(versionId, 1_000));
    // Two shards each: the second big job would make 4 threads, so it waits, and the small one waits behind it.
    expect(manager.list().map((e) => e.status)).toEqual(['running', 'queued', 'queued']);
    expect(() => manager.start('stress', stressParams(versionId, 1_000))).toThrow(
      /^2 jobs are already waiting; cancel one or let them finish first$/,
    );
    const finals = await Promise.all([...big, small].map((job) => job.done));
    expect(finals.map((f) => f.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });

  it('cancelAll empties the queue without starting what waits', async () => {
    app = freshApp();
    const versionId = await importRing();
    const events: JobEvent[] = [];
    const manager = new JobManager(app.db, (event) => events.push(event), 1, { maxRunning: 1 });
    const jobs = [
      manager.start('stress', stressParams(versionId, 10_000_000)),
      manager.start('stress', stressParams(versionId, 1_000)),
    ];
    await new Promise((resolve) => setTimeout(resolve, 200));
    await manager.cancelAll();
    expect((await Promise.all(jobs.map((job) => job.done))).map((f) => f.status)).toEqual(['cancelled', 'cancelled']);
    expect(events.filter((e) => e.jobId === jobs[1]!.jobId && e.status === 'running')).toEqual([]);
    expect(runs.list(app.db)).toEqual([]);
  });

  it('cancelling leaves the store as it was and marks the job cancelled', async () => {
    app = freshApp();
    const versionId = await importRing();
    const { jobId, done } = app.jobs.start('stress', stressParams(versionId, 10_000_000));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await app.jobs.cancel(jobId)).toEqual({ cancelled: true });
    const final = await done;
    expect(final.status).toBe('cancelled');
    expect(final.runId).toBeUndefined();
    expect(runs.list(app.db)).toEqual([]);
    expect(await app.jobs.cancel(jobId)).toEqual({ cancelled: false });
  });

  it('shows nothing but "cancelled" once a job is cancelled, whatever its workers had still on the way', async () => {
    app = freshApp();
    const versionId = await importRing();
    const events: JobEvent[] = [];
    const manager = new JobManager(app.db, (event) => events.push(event), 2);
    for (let attempt = 0; attempt < 3; attempt++) {
      const { jobId, done } = manager.start('stress', stressParams(versionId, 10_000_000));
      const of = () => events.filter((e) => e.jobId === jobId);
      while (!of().some((e) => e.stage === 'clearing scenarios'))
        await new Promise((resolve) => setTimeout(resolve, 5));
      // hold this thread while the workers go on reporting, so that their progress waits in line behind the cancel
      const until = Date.now() + 400;
      while (Date.now() < until);
      expect(await manager.cancel(jobId)).toEqual({ cancelled: true });
      await done;
      await new Promise((resolve) => setTimeout(resolve, 100));
      const afterCancel = of().slice(of().findIndex((e) => e.status === 'cancelled'));
      expect(afterCancel.map((e) => [e.status, e.stage])).toEqual([['cancelled', 'cancelled']]);
    }
  });

  // (a worker that fails: tests/jobs/gt-job.test.ts, a dataset deleted while the model trains)
  it('refuses a network the clearing cannot use when the job starts, in one line, and writes nothing', async () => {
    app = freshApp();
    const broken = ringNetwork('No outside assets');
    delete (broken.nodes[1] as { outsideAssets?: number }).outsideAssets;
    const versionId = await importRing(broken);
    const result = await app.router.handle('jobs:start', { kind: 'stress', params: stressParams(versionId, 1_000) });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_input');
    expect(result.error.message).toBe('node "B": outside assets are required for clearing');
    expect(runs.list(app.db)).toEqual([]);
  });

  it('splits a stress run among workers from 20,000 scenarios, or sooner on a larger network', async () => {
    app = freshApp();
    const shardsOf = (versionId: number, samples: number) =>
      taskDefinitions.stress.plan(app.db, stressParams(versionId, samples), 2).shards.length;
    const ring = await importRing(); // 3 banks: 60,000 bank-scenarios at 20,000 scenarios
    expect([shardsOf(ring, 19_999), shardsOf(ring, 20_000)]).toEqual([1, 2]);
    const larger = await importRing(randomSparseNetwork(300, 10, 6)); // 1.74 million bank-scenarios at 5,800
    expect([shardsOf(larger, 5_799), shardsOf(larger, 5_800)]).toEqual([1, 2]);
  });

  it("shares one copy of the network's clearing system between the shards of a stress job", async () => {
    app = freshApp();
    const plan = taskDefinitions.stress.plan(app.db, stressParams(await importRing(), 40_000), 2);
    expect(plan.shards).toHaveLength(2);
    const [first, second] = plan.shards;
    expect(first!.system).toBe(second!.system);
    // every array is built in shared memory (none copied there afterwards)
    const { csr, ...rest } = first!.system;
    const values = (object: object): unknown[] => Object.values(object);
    const arrays = [...values(rest), ...values(csr)].filter((value) => ArrayBuffer.isView(value));
    expect(arrays).toHaveLength(13);
    for (const array of arrays) expect(array.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(plan.inputs.document.nodes.map((node) => node.id)).toEqual(first!.system.ids);
  });

  // under severe shocks the shards also share one LU of I − βAᵀ and the columns of its inverse (complementShare)
  for (const maxFraction of [0.1, 1]) {
    it(`clears a dense network's shards in workers that read its A in place, as one thread clears it (F = ${maxFraction})`, async () => {
      app = freshApp();
      const document = randomSparseNetwork(210, 209, 5);
      const params = {
        ...stressParams(await importRing(document), 20_000),
        shockModel: { kind: 'uniform' as const, maxFraction },
      };
      const plan = taskDefinitions.stress.plan(app.db, params, 2);
      expect(plan.shards).toHaveLength(2);
      const shared = plan.shards[0]!.system;
      expect(prefersBatchedClearing(shared)).toBe(true);
      expect(shared.relativeMemory?.buffer).toBe(shared.relative.buffer); // A lives in the memory the kernels read
      expect(plan.shards.map((shard) => shard.shared?.shard)).toEqual([0, 1]);
      expect(plan.shards[1]!.shared!.share).toBe(plan.shards[0]!.shared!.share);
      const final = await new JobManager(app.db, () => {}, 2).start('stress', params).done;
      expect(final.status, final.error).toBe('succeeded');
      const results = runs.get(app.db, final.runId!).results as {
        expectedLoss: number;
        defaultProbability: Record<string, number>;
      };
      const system = toClearingSystem(document);
      const alone = runStressBatch(system, params.shockModel, 7, 0, 20_000, undefined, { runScenarios: 20_000 });
      expect(alone.contagionDefaults).toBeGreaterThan(0);
      expect(results.expectedLoss).toBeCloseTo(alone.sumLoss / 20_000, 6);
      // every bank defaults in the same scenarios
      system.ids.forEach((id, i) =>
        expect(Math.round(results.defaultProbability[id]! * 20_000)).toBe(alone.defaultCounts[i]),
      );
    });
  }

  it("runs the user's own scenarios: E[L] is the mean of the scenarios' losses cleared one by one", async () => {
    app = freshApp();
    const versionId = await importRing();
    const csv = 'scenario,A,B,C\nmild,1,0,0\nhard,20,0,0\nall,20,20,20\n';
    const read = await app.router.handle('networks:readScenarios', { versionId, ...picked(app, 's.csv', csv) });
    if (!read.ok) throw new Error(read.error.message);
    const { rows } = read.value as { rows: number[][] };
    expect(rows).toEqual([
      [1, 0, 0],
      [20, 0, 0],
      [20, 20, 20],
    ]);
    const final = await app.jobs.start('stress', {
      versionId,
      shockModel: { kind: 'scenarios', fileName: 's.csv', rows },
      samples: 3,
      seed: 0,
    }).done;
    expect(final.status, final.error).toBe('succeeded');
    const results = runs.get(app.db, final.runId!).results as { expectedLoss: number; scenarios: number };
    const system = toClearingSystem(ringNetwork());
    const losses = rows.map((row) => clearScenario(system, row).loss);
    expect(results.scenarios).toBe(3);
    expect(results.expectedLoss).toBeCloseTo((losses[0]! + losses[1]! + losses[2]!) / 3, 9);
  });

  it('refuses a scenario file naming the row and bank, and a scenario above outside assets at start', async () => {
    app = freshApp();
    const versionId = await importRing();
    const bad = await app.router.handle('networks:readScenarios', {
      versionId,
      ...picked(app, 'bad.csv', 'scenario,A,Z\n1,1,1\n'),
    });
    expect(bad.ok === false && bad.error.message).toMatch(/row 1, column 3: not a node of the network — "Z"/);
    const above = await app.router.handle('networks:readScenarios', {
      versionId,
      ...picked(app, 'big.csv', 'scenario,A\n1,2\n2,25\n'),
    });
    expect(above.ok === false && above.error.message).toMatch(
      /row 3, column "A": shock 25 exceeds outside assets c = 20/,
    );
    const started = await app.router.handle('jobs:start', {
      kind: 'stress',
      params: { versionId, shockModel: { kind: 'scenarios', fileName: 'x', rows: [[0, 0, 99]] }, samples: 1, seed: 0 },
    });
    expect(started.ok === false && started.error.message).toMatch(/C/);
    expect(runs.list(app.db)).toEqual([]);
  });

  it('refuses bad parameters before starting, naming the field', async () => {
    app = freshApp();
    const result = await app.router.handle('jobs:start', {
      kind: 'stress',
      params: { versionId: 1, shockModel: { kind: 'uniform' }, samples: 0, seed: 1 },
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'params.samples' } });
    const missing = await app.router.handle('jobs:start', { kind: 'stress', params: stressParams(42, 1000) });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(networks.list(app.db)).toEqual([]);
  });
});
