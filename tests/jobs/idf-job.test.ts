import { afterEach, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../src-shared/jobs';
import type { DualNetworkRunResults } from '../../src-shared/results/fire-sales';
import { documentOfSpec } from '../../src-main/engines/fire-sale-document';
import { caseStudy1 } from '../../src-main/engines/fire-sales';
import { predictRows, type SerializedDualNetwork } from '../../src-main/learning/dual-network';
import { JobManager } from '../../src-main/jobs/manager';
import { models, runs } from '../../src-main/store/repositories';
import { freshApp } from '../support/app';

let app: ReturnType<typeof freshApp>;
afterEach(async () => app?.dispose());

const params = (extra: Record<string, unknown> = {}) => ({
  system: documentOfSpec(caseStudy1('linear'), 'case study 1'),
  samples: 200,
  seed: 3,
  maxEpochs: 60,
  hidden: 8,
  backend: 'cpu',
  ...extra,
});

describe('idf-train job', () => {
  it('trains in a worker with a live loss curve and saves the run and the model together, with the backend', async () => {
    app = freshApp();
    const events: JobEvent[] = [];
    const manager = new JobManager(app.db, (event) => events.push(event), 2);
    const final = await manager.start('idf-train', params()).done;
    expect(final.status, final.error).toBe('succeeded');
    expect(events.some((e) => e.figures?.validationLoss !== undefined && e.figures.epoch! > 0)).toBe(true);
    const run = runs.get(app.db, final.runId!);
    const results = run.results as DualNetworkRunResults;
    expect(run.kind).toBe('idf-train');
    expect(results.backend).toBe('cpu');
    expect(results.curve.length).toBeGreaterThan(0);
    const [model] = models.list(app.db, 'dual-network');
    expect(model!.runId).toBe(final.runId);
    expect(results.modelId).toBe(model!.id);
    expect((model!.metrics as { backend: string }).backend).toBe('cpu');
    // The stored weights load as a network: a larger shock gives a lower price.
    const stored = JSON.parse(
      models.get(app.db, model!.id, 'dual-network').weights.toString('utf8'),
    ) as SerializedDualNetwork;
    expect(stored.format).toBe('contagion-workbench/dual-network@1');
    const rows = predictRows(stored, Float64Array.from([0.6, 0.6, 0.85, 0.85]), [0, 1]).prices;
    expect(rows[0]!).toBeGreaterThan(rows[1]!);
  });

  it('refuses a system without a shock range before starting, and a cancelled job saves nothing', async () => {
    app = freshApp();
    const manager = new JobManager(app.db, () => undefined, 2);
    const withoutShocks = { ...params().system, shocks: undefined };
    expect(() => manager.start('idf-train', params({ system: withoutShocks }))).toThrow(/shocks/);
    const { jobId, done } = manager.start('idf-train', params({ maxEpochs: 100_000, samples: 2000 }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await manager.cancel(jobId);
    expect((await done).status).toBe('cancelled');
    expect(runs.list(app.db, 'idf-train')).toHaveLength(0);
    expect(models.list(app.db, 'dual-network')).toHaveLength(0);
  });
});
