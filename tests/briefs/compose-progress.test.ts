/**
 * The Briefs screen's preview: composed in a worker thread (jobs/brief-composer.ts) with its progress in words as job
 * events of kind 'brief', the main thread answering other requests meanwhile; Cancel terminates the worker, answers
 * no brief and records nothing. And the intervention section's "failures averted by each payment", now read off the
 * transformed problem, equals the cascade re-solved with each payment withdrawn.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ComposedBrief } from '../../src-shared/briefs';
import type { JobEvent } from '../../src-shared/jobs';
import type { EconomyInterventionResults } from '../../src-shared/results/intervention';
import { cascade, failedIndices, toEconomySystem } from '../../src-main/engines/cascade';
import { economyDocumentOf, generateEconomy } from '../../src-main/engines/economy-generator';
import { displaySystem } from '../../src-main/engines/intervention-report';
import { composeBrief } from '../../src-main/io/briefs/compose';
import { CANCELLED_MESSAGE } from '../../src-main/jobs/brief-composer';
import { runs } from '../../src-main/store/repositories';
import { freshApp } from '../support/app';
import { importNetwork, savedStressRun, sixBanks } from './support';

let app: ReturnType<typeof freshApp>;
afterEach(async () => {
  await app?.dispose();
});

async function stressRun() {
  app = freshApp();
  const runId = await savedStressRun(app, await importNetwork(app, sixBanks()));
  const events: JobEvent[] = [];
  app.watchJobs((event) => event.kind === 'brief' && events.push(event));
  return { runId, events };
}

const compose = (runId: number, compositionId: string) =>
  app.router.handle('briefs:compose', { runIds: [runId], title: 'Six banks', compositionId });
const briefEntries = async () =>
  (
    (await app.router.handle('audit:list', { limit: 1000 })) as {
      ok: true;
      value: { entries: Array<{ action: string }> };
    }
  ).value.entries.filter((e) => e.action === 'brief-composed');

describe('composing a brief preview in a worker thread', () => {
  it('says which section and step it is on, answers other requests meanwhile, and gives the brief composed in the main thread', async () => {
    const { runId, events } = await stressRun();
    const order: string[] = [];
    const composing = compose(runId, 'preview-0001').then((result) => (order.push('brief'), result));
    const list = await app.router.handle('briefs:list', {});
    order.push('list');
    const result = await composing;
    expect(list.ok).toBe(true);
    // The worker takes its time to start; the main thread answered the list first.
    expect(order).toEqual(['list', 'brief']);
    expect(result.ok).toBe(true);
    const brief = (result as { value: ComposedBrief }).value;
    const inThread = await composeBrief(app.db, { runIds: [runId], title: 'Six banks' });
    expect(JSON.stringify(brief.sections)).toBe(JSON.stringify(inThread.sections));

    expect(events.every((e) => e.jobId === 'preview-0001')).toBe(true);
    expect(events[0]).toMatchObject({
      status: 'running',
      stage: 'Starting the composer (charts and engines load once)',
    });
    const stages = events.map((e) => e.stage);
    expect(stages).toContain(`Section 1 of 1: stress test, run #${runId}`);
    expect(stages).toContain(`Section 1 of 1: stress test, run #${runId} — charts`);
    expect(stages).toContain(`Section 1 of 1: stress test, run #${runId} — the network in the largest-loss scenario`);
    expect(events.at(-1)).toMatchObject({ status: 'succeeded', fraction: 1 });
    expect(await briefEntries()).toHaveLength(1);
    // The worker stays warm: the next preview does not start one.
    expect(app.briefComposer.state()).toEqual({ composing: 0, warm: true });
    events.length = 0;
    expect((await compose(runId, 'preview-0002')).ok).toBe(true);
    expect(events.map((e) => e.stage)).not.toContain('Starting the composer (charts and engines load once)');
  });

  it('Cancel terminates the worker: no brief is answered, nothing recorded, and the next preview works', async () => {
    const { runId, events } = await stressRun();
    let cancelled: Promise<unknown> | undefined;
    const stop = app.watchJobs((event) => {
      if (event.jobId === 'preview-0003' && !cancelled)
        cancelled = app.router.handle('briefs:cancel', { compositionId: 'preview-0003' });
    });
    const result = await compose(runId, 'preview-0003');
    stop();
    expect(result).toEqual({ ok: false, error: { code: 'conflict', message: CANCELLED_MESSAGE } });
    expect(await cancelled).toEqual({ ok: true, value: { cancelled: true } });
    expect(events.at(-1)).toMatchObject({ jobId: 'preview-0003', status: 'cancelled' });
    expect(app.briefComposer.state()).toEqual({ composing: 0, warm: false });
    expect(await briefEntries()).toHaveLength(0);
    // Cancelling what is no longer composing changes nothing.
    expect(await app.router.handle('briefs:cancel', { compositionId: 'preview-0003' })).toEqual({
      ok: true,
      value: { cancelled: false },
    });

    const again = await compose(runId, 'preview-0004');
    expect(again.ok).toBe(true);
    expect(await briefEntries()).toHaveLength(1);
  });

  it('refuses a composition whose Cancel came first (its request was still on its way), without starting a worker', async () => {
    const { runId, events } = await stressRun();
    expect(await app.router.handle('briefs:cancel', { compositionId: 'preview-0005' })).toEqual({
      ok: true,
      value: { cancelled: false },
    });
    expect(await compose(runId, 'preview-0005')).toEqual({
      ok: false,
      error: { code: 'conflict', message: CANCELLED_MESSAGE },
    });
    expect(events).toEqual([]);
    expect(app.briefComposer.state()).toEqual({ composing: 0, warm: false });
  });

  it('refuses runs that did not succeed in the main thread, naming the field, before any worker starts', async () => {
    app = freshApp();
    const runId = runs.insertFinished(app.db, {
      kind: 'stress',
      method: 'x',
      networkVersionId: null,
      params: {},
      seed: 1,
      status: 'failed',
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 1,
      softwareVersion: '0.1.0',
      results: null,
      error: 'boom',
    });
    expect(await compose(runId, 'preview-0006')).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', field: 'runIds' },
    });
    expect(app.briefComposer.state()).toEqual({ composing: 0, warm: false });
  });
});

describe('failures averted by each payment (intervention section)', () => {
  it('equal the cascade re-solved with that payment withdrawn, against every payment made', async () => {
    app = freshApp();
    const document = economyDocumentOf(generateEconomy({ firms: 80, seed: 5 }), 'Generated economy');
    const versionId = await importNetwork(app, document as never);
    const final = await app.jobs.start('intervention', {
      target: 'economy',
      versionId,
      method: 'discountfrac',
      budgetFraction: 0.02,
      shocks: { rho: 0.5, sigma: 0.15, drift: -0.2 },
      scenarios: 60,
      seed: 2,
      maxBudgetFraction: 0.02,
      budgetCount: 3,
      quantiles: [0.5],
    }).done;
    expect(final.status).toBe('succeeded');
    const run = runs.get(app.db, final.runId!);
    const r = run.results as EconomyInterventionResults;
    const shown = displaySystem(toEconomySystem(document), run.params as never).system;
    const payments = Float64Array.from(r.display.nodes, (n) => n.payment);
    const failing = (x: Float64Array) => failedIndices(cascade(shown, { thresholdShift: x })).length;
    const expected = r.display.nodes
      .map((node, i) => ({ node, i }))
      .filter(({ node }) => node.payment > 0)
      .sort((a, b) => b.node.payment - a.node.payment || a.node.id.localeCompare(b.node.id))
      .map(({ node, i }) => {
        const without = Float64Array.from(payments);
        without[i] = 0;
        return [node.id, failing(without) - failing(payments)];
      });
    expect(expected.length).toBeGreaterThan(3);
    expect(expected.some(([, averted]) => (averted as number) > 0)).toBe(true);
    const brief = await composeBrief(app.db, { runIds: [run.id], title: 'Economy' });
    const table = brief.sections[0]!.tables.find((t) => t.title === 'Whom to support and how much')!;
    const column = table.columns.findIndex((c) => c.label === 'Failures averted by this payment');
    expect(table.annexRows!.map((row) => [row[0], row[column]])).toEqual(expected);
  });
});
