import { afterEach, describe, expect, it } from 'vitest';
import { jobParamSchemas, type JobEvent } from '../../src-shared/jobs';
import type { EconomyInterventionResults, InterbankBailoutResults } from '../../src-shared/results/intervention';
import { economyDocumentOf, generateEconomy } from '../../src-main/engines/economy-generator';
import { toEconomySystem } from '../../src-main/engines/cascade';
import { runStudyRange, summariseStudy } from '../../src-main/engines/intervention-study';
import { studyOptions } from '../../src-main/engines/intervention-report';
import { interventionTask } from '../../src-main/jobs/intervention-tasks';
import { JobManager } from '../../src-main/jobs/manager';
import { runs } from '../../src-main/store/repositories';
import { freshApp } from '../support/app';
import { ringNetwork, picked } from '../support/fixtures';

let app: ReturnType<typeof freshApp>;
afterEach(async () => app?.dispose());

async function importDocument(document: { name: string }): Promise<number> {
  const result = await app.router.handle(
    'datasets:import',
    picked(app, `${document.name}.json`, JSON.stringify(document)),
  );
  if (!result.ok) throw new Error(result.error.message);
  return (result.value as { versionId: number }).versionId;
}

const economyParams = (versionId: number, scenarios: number) => ({
  target: 'economy' as const,
  versionId,
  method: 'discountfrac' as const,
  budgetFraction: 0.01,
  shocks: { rho: 0.5, sigma: 0.15, drift: -0.2 },
  scenarios,
  seed: 11,
  maxBudgetFraction: 0.02,
  budgetCount: 5,
  quantiles: [0, 0.9],
  tail: { thresholdFraction: 0.75, aggregateShockFraction: 0.05, samples: 400 },
});

describe('intervention job', () => {
  it('runs the scenario study over workers, equal to the study run in one piece, and saves one run', async () => {
    app = freshApp();
    const document = economyDocumentOf(generateEconomy({ firms: 24, seed: 3 }), 'generated 24');
    const versionId = await importDocument(document);
    const events: JobEvent[] = [];
    const params = economyParams(versionId, 240);
    const two = await new JobManager(app.db, (event) => events.push(event), 2).start('intervention', params).done;
    expect(two.status, two.error).toBe('succeeded');
    expect(events.some((e) => e.stage === 'scenarios' && (e.figures?.scenarios ?? 0) > 0)).toBe(true);
    const one = await new JobManager(app.db, () => {}, 1).start('intervention', params).done;
    const a = runs.get(app.db, two.runId!).results as EconomyInterventionResults;
    const b = runs.get(app.db, one.runId!).results as EconomyInterventionResults;
    expect(a.study.budgets).toEqual(b.study.budgets);
    expect(a.study.support.map((s) => [s.firm, s.scenarios])).toEqual(
      b.study.support.map((s) => [s.firm, s.scenarios]),
    );
    a.study.support.forEach((s, i) => expect(s.meanPayment).toBeCloseTo(b.study.support[i]!.meanPayment, 9));
    // Independent: the study in one piece in this thread.
    const system = toEconomySystem(document);
    const full = {
      ...params,
      method: 'discountfrac-adapted' as const,
      curveMethod: 'discountfrac-adapted' as const,
      objective: 'failures' as const,
      display: 'mean-shock' as const,
      uncertainty: 0.05,
      greedySamples: 60,
    };
    const options = studyOptions(system, full);
    const direct = summariseStudy(
      runStudyRange(system, options, 0, 240),
      options.budgets,
      options.chosenBudget,
      [0, 0.9],
      system,
    );
    expect(a.study.chosen).toEqual(direct.chosen);
    expect(a.study.tvarReduction).toEqual(direct.tvarReduction);
    // The displayed intervention: within budget, failures before ≥ after, payments only to firms that failed.
    expect(a.display.spent).toBeLessThanOrEqual(a.display.budget);
    expect(a.display.failedAfter).toBeLessThanOrEqual(a.display.failedBefore);
    expect(a.display.failedWorstCase).toBeGreaterThanOrEqual(a.display.failedBefore);
    expect(a.display.nodes.filter((node) => node.payment > 0).every((node) => node.roundBefore > 0)).toBe(true);
    expect(a.tail!.importance.samples).toBe(400);
    const run = runs.get(app.db, two.runId!);
    expect(run.kind).toBe('intervention');
    expect(run.seed).toBe(11);
  });

  it('splits a study among workers from 200 scenarios, or sooner on a larger economy', async () => {
    app = freshApp();
    const workersOf = async (firms: number, scenarios: number[]) => {
      const document = economyDocumentOf(generateEconomy({ firms, seed: 3 }), `generated ${firms}`);
      const versionId = await importDocument(document);
      return scenarios.map(
        (count) =>
          interventionTask.plan(app.db, jobParamSchemas.intervention.parse(economyParams(versionId, count)), 2).shards
            .length,
      );
    };
    expect(await workersOf(24, [199, 200])).toEqual([1, 2]);
    // 60,000 firm-scenarios at 150 scenarios of 400 firms
    expect(await workersOf(400, [149, 150])).toEqual([1, 2]);
  });

  it('bails out an interbank network; the defaults-after curve never rises with the budget', async () => {
    app = freshApp();
    const versionId = await importDocument(ringNetwork());
    const final = await app.jobs.start('intervention', {
      target: 'interbank',
      versionId,
      method: 'greedy',
      budget: 50,
      shockFraction: 0.9,
      budgetCount: 6,
    }).done;
    expect(final.status, final.error).toBe('succeeded');
    const results = runs.get(app.db, final.runId!).results as InterbankBailoutResults;
    expect(results.curve).toHaveLength(6);
    results.curve.forEach(
      (point, b) => b > 0 && expect(point.defaultsAfter).toBeLessThanOrEqual(results.curve[b - 1]!.defaultsAfter),
    );
    expect(results.display.failedBefore).toBeGreaterThan(0);
  });

  it('refuses bad parameters and a version of the wrong kind; cancelling saves nothing', async () => {
    app = freshApp();
    const versionId = await importDocument(economyDocumentOf(generateEconomy({ firms: 30, seed: 1 }), 'g30'));
    expect(() =>
      app.jobs.start('intervention', { ...economyParams(versionId, 10), shocks: { rho: 1, sigma: 0.1, drift: 0 } }),
    ).toThrow(/^Shocks, correlation ρ must be below 1/);
    expect(() =>
      app.jobs.start('intervention', {
        target: 'interbank',
        versionId,
        method: 'greedy',
        budget: 1,
        shockFraction: 0.5,
      }),
    ).toThrow(/cross-holdings economy/);
    const { jobId, done } = app.jobs.start('intervention', economyParams(versionId, 200_000));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await app.jobs.cancel(jobId)).toEqual({ cancelled: true });
    expect((await done).status).toBe('cancelled');
    expect(runs.list(app.db)).toEqual([]);
  });
});
