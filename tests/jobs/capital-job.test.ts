import { afterEach, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../src-shared/jobs';
import type { CapitalRunResults } from '../../src-shared/results/capital';
import { JobManager } from '../../src-main/jobs/manager';
import { runs } from '../../src-main/store/repositories';
import { freshApp } from '../support/app';
import { ringNetwork, picked } from '../support/fixtures';

let app: ReturnType<typeof freshApp>;
afterEach(async () => app?.dispose());

async function importRing(): Promise<number> {
  const document = ringNetwork();
  const result = await app.router.handle('datasets:import', picked(app, 'ring.json', JSON.stringify(document)));
  if (!result.ok) throw new Error(result.error.message);
  return (result.value as { versionId: number }).versionId;
}

const params = (versionId: number, extra: Record<string, unknown> = {}) => ({
  versionId,
  tiers: 2,
  kMax: 0.5,
  shockModel: { kind: 'uniform', maxFraction: 1 },
  scenarios: 50,
  samples: 40,
  samplers: ['uniform', 'gibbs'],
  models: ['logistic', 'monotone-network'],
  gibbs: { chains: 2, gridPoints: 4 },
  training: { epochs: 30 },
  backend: 'cpu',
  seed: 4,
  ...extra,
});

describe('capital job', () => {
  it('shows the tiers of a version through the capital:tiers channel and refuses too many', async () => {
    app = freshApp();
    const versionId = await importRing();
    const result = await app.router.handle('capital:tiers', { versionId, tiers: 2 });
    if (!result.ok) throw new Error(result.error.message);
    const { tiers, nBanks, unit } = result.value as {
      tiers: Array<{ banks: string[]; share: number; baseTotal: number }>;
      nBanks: number;
      unit: string;
    };
    expect(nBanks).toBe(3);
    expect(unit).toBe('EUR million');
    // equal banks (total assets 30 each): the first third is tier 1, as the cut at 1/2 of the assets allows
    expect(tiers.map((tier) => tier.banks.length)).toEqual([1, 2]);
    expect(tiers[0]!.share).toBeCloseTo(1 / 3, 12);
    expect(tiers[1]!.baseTotal).toBeCloseTo(50, 12); // p̄ = 15 + 10 per bank
    const refused = await app.router.handle('capital:tiers', { versionId, tiers: 4 });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.message).toMatch(/from 1 to 3/);
  });

  it('runs in a worker, streams progress with the clearing count and saves one run', async () => {
    app = freshApp();
    const versionId = await importRing();
    const events: JobEvent[] = [];
    const manager = new JobManager(app.db, (event) => events.push(event), 2);
    const final = await manager.start('capital', params(versionId)).done;
    expect(final.status, final.error).toBe('succeeded');
    const stages = new Set(events.map((e) => e.stage));
    expect(stages.has('sampling (uniform)')).toBe(true);
    expect([...stages].some((stage) => stage.startsWith('training monotone-network'))).toBe(true);
    const fractions = events.map((e) => e.fraction);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!)).toBe(true);
    const run = runs.get(app.db, final.runId!);
    expect(run.kind).toBe('capital');
    const results = run.results as CapitalRunResults;
    expect(results.models).toHaveLength(4);
    expect(results.samplers.map((s) => s.sampler)).toEqual(['uniform', 'gibbs']);
    expect(results.backend.name).toBe('cpu');
    expect(results.models[0]!.trainLoss).toHaveLength(30);
    // progress reported the clearings done, which the run records
    const lastFigures = events.filter((e) => e.figures?.clearingRuns !== undefined).at(-1)!.figures!;
    expect(lastFigures.clearingRuns).toBeGreaterThan(0);
    expect(results.clearingRuns).toBeGreaterThanOrEqual(lastFigures.clearingRuns!);
  });

  it('refuses bad parameters before starting and leaves the store unchanged when cancelled', async () => {
    app = freshApp();
    const versionId = await importRing();
    expect(() => app.jobs.start('capital', params(versionId, { tiers: 4 }))).toThrow(
      /4 tiers asked for a network of 3 banks/,
    );
    expect(() => app.jobs.start('capital', params(versionId, { samplers: [] }))).toThrow(/^Samplers must not be empty/);
    const { jobId, done } = app.jobs.start('capital', params(versionId, { samples: 20_000, scenarios: 5000 }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await app.jobs.cancel(jobId)).toEqual({ cancelled: true });
    expect((await done).status).toBe('cancelled');
    expect(runs.list(app.db, 'capital')).toEqual([]);
  });
});
