/**
 * Intervention scenario study as users run it: an `intervention` job through the job manager (scenarios split over
 * worker threads, merged, saved) on a 2,000-firm synthetic cross-holdings economy (economy-generator.ts, sparse
 * cross-holdings, slack 30–60% of value, failure costs 20–50%), 1,000 correlated shocks of the paper's §4.1
 * (ρ = 0.5, σ = 0.15, μ = −0.2) and a sweep of 100 budgets from 0 to 1% of Σ(Dp) with DiscountFrac.
 * Against a direct implementation in the same process that re-solves every cascade from scratch: per scenario the
 * best-case cascade by LU solves every round (cascade.ts), the influence matrix by one solve per failing firm, the
 * same DiscountFrac order, and each budget's payments evaluated by a full cascade with thresholds θ − Ĉx. The direct
 * implementation runs on the first few scenarios (its time per scenario is extrapolated to 1,000) and must give the
 * same failures after intervention as the study for every budget. Also: the greedy/optimum ratio and the method
 * totals on ≤ 12-failed-firm instances (method-comparison.ts), and peak memory (RSS, worker threads included).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CROSSHOLDINGS_FORMAT } from '../src-shared/formats/crossholdings';
import type { EconomyInterventionResults } from '../src-shared/results/intervention';
import { cascade, failedIndices, type EconomySystem } from '../src-main/engines/cascade';
import { economyDocumentOf, generateEconomy } from '../src-main/engines/economy-generator';
import { rescueProblem } from '../src-main/engines/intervention';
import {
  budgetGrid,
  discountFracPath,
  gaussianReturns,
  PAPER_SHOCKS,
  prefixPayments,
  runStudyRange,
  shockedValues,
} from '../src-main/engines/intervention-study';
import { methodComparison } from '../src-main/engines/method-comparison';
import { JobManager } from '../src-main/jobs/manager';
import { openDatabase } from '../src-main/store/db';
import { datasets, networks, runs } from '../src-main/store/repositories';

const FIRMS = 2000;
const SCENARIOS = 1000;
const BUDGETS = 100;
const MAX_BUDGET_FRACTION = 0.01;
const DIRECT_SCENARIOS = 3;
const SEED = 1;
const round = (x: number, digits = 3) => Number(x.toFixed(digits));
const mib = (bytes: number) => round(bytes / 2 ** 20, 1);

/** The direct implementation: everything re-solved from scratch for one scenario; failures after per budget. */
function directScenario(system: EconomySystem, budgets: number[], scenario: number): number[] {
  const values = shockedValues(system.assetValues, gaussianReturns(PAPER_SHOCKS, system.nFirms, SEED, scenario));
  const before = cascade(system, { assetValues: values });
  const problem = rescueProblem(system, 'failures', before);
  const steps = discountFracPath(problem, budgets.at(-1)!);
  return budgets.map((budget) => {
    const x = prefixPayments(steps, problem.failing.length, budget);
    const shift = new Float64Array(system.nFirms);
    problem.failing.forEach((i, a) => (shift[i] = x[a]!));
    return failedIndices(cascade(system, { assetValues: values, thresholdShift: shift })).length;
  });
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'cwb-bench-'));
  const db = openDatabase(dir, { key: randomBytes(32) });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  try {
    const started = performance.now();
    const system = generateEconomy({ firms: FIRMS, seed: SEED, slack: [0.3, 0.6] });
    const generateSeconds = (performance.now() - started) / 1000;
    const document = economyDocumentOf(system, `Synthetic ${FIRMS} firms`);
    const versionId = db.transaction(() => {
      const dataset = datasets.insert(db, {
        name: document.name,
        kind: 'economy',
        sourceFile: 'bench',
        sha256: 'bench',
        report: { importer: CROSSHOLDINGS_FORMAT, kept: FIRMS, skipped: [], notes: [] },
      });
      const networkId = networks.insert(db, { datasetId: dataset.id, name: document.name, kind: 'crossholdings' });
      return networks.addVersion(db, networkId, document, 'bench').versionId;
    })();
    const rssBefore = process.memoryUsage().rss;
    const threads = Math.min(2, availableParallelism());
    const params = {
      target: 'economy' as const,
      versionId,
      method: 'discountfrac' as const,
      budgetFraction: MAX_BUDGET_FRACTION / 2,
      shocks: PAPER_SHOCKS,
      scenarios: SCENARIOS,
      seed: SEED,
      maxBudgetFraction: MAX_BUDGET_FRACTION,
      budgetCount: BUDGETS,
      quantiles: [0, 0.5, 0.9, 0.99],
    };
    const jobStarted = performance.now();
    const cpuBefore = process.cpuUsage();
    const final = await new JobManager(db, () => {}, threads).start('intervention', params).done;
    const jobSeconds = (performance.now() - jobStarted) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    // CPU time of the whole process (worker threads included): on a machine shared with other work the wall time
    // overstates what 2 free cores need; CPU seconds / workers is the wall time those cores would take.
    const jobCpuSeconds = (cpu.user + cpu.system) / 1e6;
    if (final.status !== 'succeeded') throw new Error(`intervention job ${final.status}: ${final.error}`);
    const results = runs.get(db, final.runId!).results as EconomyInterventionResults;

    // Direct implementation on the first scenarios, checked against the study's numbers for the same scenarios.
    const budgets = budgetGrid(system, MAX_BUDGET_FRACTION, BUDGETS);
    const directStarted = performance.now();
    const direct = Array.from({ length: DIRECT_SCENARIOS }, (_, s) => directScenario(system, budgets, s));
    const directSeconds = (performance.now() - directStarted) / 1000;
    const fastStarted = performance.now();
    const fast = runStudyRange(
      system,
      { shocks: PAPER_SHOCKS, seed: SEED, budgets, chosenBudget: budgets.at(-1)!, objective: 'failures' },
      0,
      DIRECT_SCENARIOS,
    );
    const fastSeconds = (performance.now() - fastStarted) / 1000;
    let mismatches = 0;
    direct.forEach((row, s) =>
      row.forEach((failures, b) => (mismatches += failures === fast.failedAfter[s * (BUDGETS + 1) + b] ? 0 : 1)),
    );
    const directPerScenario = directSeconds / DIRECT_SCENARIOS;

    const comparison = methodComparison({
      instances: 40,
      firms: 16,
      seed: 1,
      uncertainty: 0.02,
      budgetFractions: [0.15, 0.3, 0.5],
    });
    return {
      economy: {
        firms: FIRMS,
        crossHoldings: document.crossHoldings.length,
        generateSeconds: round(generateSeconds, 2),
      },
      study: {
        scenarios: SCENARIOS,
        budgets: BUDGETS,
        maxBudget: `${MAX_BUDGET_FRACTION * 100}% of Σ(Dp)`,
        workers: threads,
        jobSeconds: round(jobSeconds, 2),
        jobCpuSeconds: round(jobCpuSeconds, 2),
        cpuSecondsPerWorker: round(jobCpuSeconds / threads, 2),
        meanFailuresBefore: round(results.study.failedBefore.mean, 2),
        meanFailuresAtMaxBudget: round(results.study.budgets.at(-1)!.failedAfter.mean, 2),
        tvarReductionAtHalfBudget: results.study.tvarReduction.map((r) => ({
          q: r.q,
          percent: round(r.reductionPercent, 1),
        })),
        peakRssMiB: mib(peakRss),
        rssBeforeJobMiB: mib(rssBefore),
      },
      direct: {
        scenariosRun: DIRECT_SCENARIOS,
        secondsPerScenario: round(directPerScenario, 2),
        extrapolatedSecondsFor1000: Math.round(directPerScenario * SCENARIOS),
        studySecondsForTheSameScenariosOneThread: round(fastSeconds, 2),
        failuresAfterMismatches: mismatches,
        speedupOverDirectExtrapolated: round((directPerScenario * SCENARIOS) / jobSeconds, 1),
      },
      methods: comparison,
    };
  } finally {
    clearInterval(sampler);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
