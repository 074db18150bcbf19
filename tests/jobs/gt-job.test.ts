import { afterEach, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../src-shared/jobs';
import { JobManager } from '../../src-main/jobs/manager';
import { parseEbaSovereignHoldings } from '../../src-main/io/eba-sovereign-holdings';
import { generateHoldings } from '../../src-main/engines/holdings-generator';
import {
  gtModels,
  holdingsDatasetReader,
  loadHoldingsPanel,
  saveHoldingsPanel,
} from '../../src-main/store/holdings-panel';
import { datasets, runs } from '../../src-main/store/repositories';
import { gtTrainTask } from '../../src-main/jobs/gt-tasks';
import { gtTrainParamsSchema } from '../../src-shared/graph-transformer';
import { freshApp } from '../support/app';
import { bundledSample } from '../support/fixtures';
import { readFileSync } from 'node:fs';

let app: ReturnType<typeof freshApp>;
afterEach(async () => app?.dispose());

async function generate(input: Record<string, unknown>): Promise<number> {
  const result = await app.router.handle('holdings:generate', input);
  if (!result.ok) throw new Error(result.error.message);
  return (result.value as { datasetId: number }).datasetId;
}

/** 30 investors × 60 assets over 4 report dates. */
const SMALL_PANEL = { kind: 'synthetic', investors: 30, assets: 60, dates: 4, positionsPerInvestor: 5, seed: 2 };

const params = (datasetId: number, maxEpochs: number) => ({
  datasetId,
  backend: 'cpu',
  config: { hidden: 8, embedding: 4, layers: 1, heads: 1, keyDim: 4, categoryDim: 2 },
  training: { maxEpochs, patience: 50, validationDates: 1, seed: 3 },
  stressIndex: [
    { date: '2015-06-30', value: 2.2 },
    { date: '2015-03-31', value: 0.1 },
  ],
});

describe('holdings panels in the store', () => {
  it('round-trips a generated panel and reads the EBA 2011 sovereign holdings', () => {
    app = freshApp();
    const panel = generateHoldings({ investors: 20, assets: 30, dates: 3, positionsPerInvestor: 4, seed: 9 });
    const { datasetId, created } = saveHoldingsPanel(app.db, panel, {
      name: 'g',
      sourceFile: 'generator',
      importer: 'test',
      notes: [],
    });
    expect(created).toBe(true);
    expect(
      saveHoldingsPanel(app.db, panel, { name: 'g', sourceFile: 'generator', importer: 'test', notes: [] }),
    ).toEqual({ datasetId, created: false });
    const loaded = loadHoldingsPanel(app.db, datasetId).panel;
    expect(loaded.snapshots.map((s) => s.date)).toEqual(panel.snapshots.map((s) => s.date));
    expect(Array.from(loaded.snapshots[2]!.amount)).toEqual(Array.from(panel.snapshots[2]!.amount));
    expect(loaded.investors[3]).toMatchObject({
      code: panel.investors[3]!.code,
      type: panel.investors[3]!.type,
      style: panel.investors[3]!.style,
    });

    const eba = parseEbaSovereignHoldings(readFileSync(bundledSample('eba-2011-sovereign-holdings.csv'), 'utf8'));
    expect(eba.investors.length).toBe(90);
    expect(eba.assets.map((a) => a.code)).toContain('DE');
    expect(eba.assets.map((a) => a.code)).not.toContain('TO');
    expect(eba.assets.some((a) => /\d/.test(a.code))).toBe(false);
    const de = eba.assets.findIndex((a) => a.code === 'DE');
    const de017 = eba.investors.findIndex((i) => i.code === 'DE017');
    const snapshot = eba.snapshots[0]!;
    const k = Array.from(snapshot.investor).findIndex((i, j) => i === de017 && snapshot.asset[j] === de);
    expect(snapshot.date).toBe('2011-12-31');
    expect(snapshot.amount[k]).toBeCloseTo(26860.7233142403, 6);
    expect(eba.assets[de]!.currency).toBe('EUR');
  });

  it('reads a date in slices of 65,536 positions by key, equal to the panel saved', async () => {
    app = freshApp();
    const panel = generateHoldings({ investors: 800, assets: 3000, dates: 2, positionsPerInvestor: 100, seed: 4 });
    const { datasetId } = saveHoldingsPanel(app.db, panel, {
      name: 'large',
      sourceFile: 'generator',
      importer: 'test',
      notes: [],
    });
    const reader = holdingsDatasetReader(app.db, datasetId);
    expect(reader.positions[1]).toBeGreaterThan(65_536);
    const sliced = await reader.snapshotInSlices(1);
    expect(sliced).toEqual(panel.snapshots[1]);
    expect(reader.snapshot(1)).toEqual(sliced);
  });
});

describe('graph-transformer job', () => {
  it('trains in a worker with live losses, then saves the run and the model with its metrics', async () => {
    app = freshApp();
    const datasetId = await generate(SMALL_PANEL);
    const events: JobEvent[] = [];
    const manager = new JobManager(app.db, (event) => events.push(event), 2);
    const final = await manager.start('gt-train', params(datasetId, 3)).done;
    expect(final.status, final.error).toBe('succeeded');
    const epochs = events.filter((e) => e.figures?.epoch !== undefined);
    expect(epochs.at(-1)!.figures).toMatchObject({ epoch: 3 });
    expect(Number.isFinite(epochs.at(-1)!.figures!.validationLoss)).toBe(true);
    const [model] = gtModels.list(app.db);
    expect(model).toMatchObject({ runId: final.runId, datasetId });
    const metrics = gtModels.metrics(app.db, model!.id);
    expect(metrics.history.length).toBe(3);
    expect(metrics.byDate.map((d) => [d.date, d.stressed])).toEqual([
      ['2015-03-31', false],
      ['2015-06-30', true],
      ['2015-09-30', null],
    ]);
    expect(runs.get(app.db, final.runId!).kind).toBe('gt-train');
    const listed = await app.router.handle('models:list', {});
    expect(listed.ok && (listed.value as unknown[]).length).toBe(1);
  });

  it('hands the worker no positions: it asks for them a date at a time; a dataset deleted meanwhile fails the job', async () => {
    app = freshApp();
    const datasetId = await generate(SMALL_PANEL);
    const { panel } = loadHoldingsPanel(app.db, datasetId);
    const plan = gtTrainTask.plan(app.db, gtTrainParamsSchema.parse(params(datasetId, 3)), 1);
    const { holdings } = plan.shards[0]!;
    expect(Object.keys(holdings).sort()).toEqual(['assets', 'dates', 'investors', 'positions']);
    expect(holdings.positions).toEqual(panel.snapshots.map((s) => s.amount.length));
    expect(await gtTrainTask.answer!(app.db, plan, { date: 2 })).toEqual(panel.snapshots[2]);

    const manager = new JobManager(app.db, () => undefined, 2);
    const { done } = manager.start('gt-train', params(datasetId, 3));
    datasets.delete(app.db, datasetId); // before the worker's first question
    const final = await done;
    expect(final.status).toBe('failed');
    expect(final.error).toMatch(/^holdings dataset \d+ \(.+\) was changed or deleted while it was being read$/);
    expect(gtModels.list(app.db)).toEqual([]);
    expect(runs.list(app.db, 'gt-train')).toEqual([]);
  });

  it('saves nothing when cancelled, and refuses bad parameters before starting', async () => {
    app = freshApp();
    const datasetId = await generate(SMALL_PANEL);
    const manager = new JobManager(app.db, () => undefined, 2);
    const { jobId, done } = manager.start('gt-train', params(datasetId, 5000));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await manager.cancel(jobId)).toEqual({ cancelled: true });
    expect((await done).status).toBe('cancelled');
    expect(gtModels.list(app.db)).toEqual([]);
    expect(runs.list(app.db, 'gt-train')).toEqual([]);
    expect(() => manager.start('gt-train', { ...params(datasetId, 3), config: { hidden: 0 } })).toThrow(
      /^Hidden units must be at least 2/,
    );
    expect(() => manager.start('gt-train', { ...params(datasetId, 3), training: { validationDates: 3 } })).toThrow(
      /at most 2 validation dates for 4 report dates/,
    );
  });
});
