/**
 * The `policy` job (src-main/jobs/policy-tasks.ts, policy-worker.ts): the policy lab in a worker thread with its
 * progress in words, the same answer as solving it directly, saved as one run; refused at once when the forecast or
 * the configuration is bad; cancelled, it saves nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../src-shared/jobs';
import { parseForecastCsv, policyDocumentSchema } from '../../src-shared/formats/policy';
import { runPolicyLab } from '../../src-main/engines/policy-report';
import { readPolicyExample } from '../../src-main/io/policy-json';
import { JobManager } from '../../src-main/jobs/manager';
import { runPolicyJob } from '../../src-main/jobs/policy-worker';
import { runs } from '../../src-main/store/repositories';
import { freshApp } from '../support/app';
import { largePolicyDocument } from '../support/policy';
import { stringMatching } from '../support/matchers';

let app: ReturnType<typeof freshApp>;
afterEach(async () => app?.dispose());

const example = () => policyDocumentSchema.parse(JSON.parse(readPolicyExample('policy-two-sectors.json').text));
const FORECAST = 'asset,predicted\nCorpBonds,12\nTreasuries,40\n';

describe('policy job', () => {
  it('says each stage in words, k of n, with a fraction that only grows to 1', () => {
    const document = example();
    const steps: Array<{ fraction: number; stage: string }> = [];
    runPolicyJob({ document, forecast: [12, 40] }, { progress: (fraction, stage) => steps.push({ fraction, stage }) });
    const stages = steps.map((s) => s.stage);
    expect(stages[0]).toBe("Drawing the regulator's prior: 8 causal × 40 predictive draws");
    expect(stages).toContain("Drawing the regulator's prior: causal draw 8 of 8");
    expect(stages).toContain('Solving the equilibrium of each draw: 320 of 320 draws');
    expect(stages).toContain('No model: welfare and its standard error over the draws, 640 of 640 evaluations');
    expect(stages).toContain('Predictive model: wedges on signal 400 of 400');
    expect(stages).toContain('Causal model: wedges for causal draw 8 of 8');
    expect(stages).toContain('Full information: welfare and its standard error over the draws, 640 of 640 evaluations');
    expect(stages).toContain('Equilibrium at the central parameters, without and with τ*');
    expect(stages).toContain('Wedges on the forecast: expected welfare over 320 draws');
    // ex ante on 2 × 2 positions: q₀, 8 one-sided shifts, 6 pairs, the social and the private positions
    expect(stages).toContain('Ex ante, rule 1 of 3 (no intervention): evaluation 17 of 17 over 320 draws');
    expect(stages.at(-1)).toBe('Ex ante, rule 3 of 3 (τ* with predictive model): evaluation 17 of 17 over 320 draws');
    for (const stage of stages) expect(stage).not.toMatch(/undefined|NaN|[a-z]+-[a-z]+:|\d{4,}(?!,)/);
    const fractions = steps.map((s) => s.fraction);
    fractions.slice(1).forEach((f, k) => expect(f).toBeGreaterThanOrEqual(fractions[k]!));
    expect(fractions.at(-1)).toBeCloseTo(1, 12);
  });

  it('computes in a worker and saves one run whose results are the synchronous answer', async () => {
    app = freshApp();
    const document = example();
    const events: JobEvent[] = [];
    const manager = new JobManager(app.db, (event) => events.push(event), 2);
    const final = await manager.start('policy', { document, forecastCsv: FORECAST }).done;
    expect(final.status, final.error).toBe('succeeded');
    expect(events.filter((e) => e.status === 'running').map((e) => e.stage)).toContain('starting');
    const run = runs.get(app.db, final.runId!);
    expect(run).toMatchObject({
      kind: 'policy',
      seed: 7,
      networkVersionId: null,
      params: { document, forecastCsv: FORECAST },
    });
    expect(run.method).toBe('optimal liquidation wedges, 320 draws, predictive noise 0.5, with a forecast');
    const forecast = parseForecastCsv(FORECAST, ['CorpBonds', 'Treasuries']);
    const direct = runPolicyLab(document, { forecast: forecast.ok ? forecast.values : [] });
    expect(run.results).toEqual(JSON.parse(JSON.stringify(direct)));
    expect(runs.list(app.db)).toHaveLength(1);
  });

  it('refuses a bad forecast or configuration before any work, in words, and saves nothing', () => {
    app = freshApp();
    const document = example();
    expect(() => app.jobs.start('policy', { document, forecastCsv: 'asset,predicted\nGold,3\n' })).toThrow(
      /forecast CSV row 2, column "asset": unknown asset "Gold"/,
    );
    const asymmetric = structuredClone(document);
    asymmetric.intermediaries[0]!.liquidationCost = [
      [0.001, 0.5],
      [0, 0.002],
    ];
    expect(() => app.jobs.start('policy', { document: asymmetric })).toThrow(/H\^ℓ of "Banks" must be symmetric/);
    expect(() =>
      app.jobs.start('policy', { document: { ...document, uncertainty: { ...document.uncertainty, causalDraws: 0 } } }),
    ).toThrow(/at least 1|too small|Causal draws/i);
    expect(runs.list(app.db)).toHaveLength(0);
  });

  it('cancelling a computation stops the worker and saves nothing', async () => {
    app = freshApp();
    const events: JobEvent[] = [];
    const manager = new JobManager(app.db, (event) => events.push(event), 2);
    const { jobId, done } = manager.start('policy', { document: largePolicyDocument(10, 20, 100, 200) });
    // wait until the worker reports a stage of its own
    for (let waited = 0; waited < 60_000 && !events.some((e) => /^(Drawing|Solving)/.test(e.stage)); waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events.at(-1)).toMatchObject({
      status: 'running',
      stage: stringMatching(/^(Drawing the regulator's prior|Solving the equilibrium of each draw)/),
    });
    expect(await manager.cancel(jobId)).toEqual({ cancelled: true });
    expect((await done).status).toBe('cancelled');
    expect(runs.list(app.db)).toHaveLength(0);
  });
});
