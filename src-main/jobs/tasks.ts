/**
 * Job definitions, main-thread side: `plan` reads the inputs from the store and splits the work into shards
 * (one per worker), `merge` combines the shards' results, `save` writes the run inside one transaction.
 * The worker side of each kind is in worker-tasks.ts.
 */
import { saveSucceededRun } from './save-run';
import type { JobKind } from '../../src-shared/jobs';
import { AppError } from '../../src-shared/errors';
import { checkBalances } from '../engines/balance-check';
import { complementShare } from '../engines/batched-clearing';
import { sharedArrays, toClearingSystem } from '../engines/network-arrays';
import { createShockSampler } from '../engines/shocks';
import { scenarioOutcome, shockVector } from '../engines/scenario-outcome';
import { mergeStressPartials, summariseStress, type StressPartial } from '../engines/stress';
import type { Db } from '../store/db';
import type { NetworkDocument } from '../../src-shared/formats/network';
import type { JobParams, RunParams } from '../../src-shared/run-kinds';
import type { StressRunResults } from '../../src-shared/results/stress';
import { networks } from '../store/repositories';
import { splitRange, type TaskDefinition } from './task-definition';
import { idfReproduceTask, idfTrainTask } from './firesale-tasks';
import { reconstructTask } from './reconstruction-tasks';
import { disaggregateTask } from './disaggregation-tasks';
import { gtTrainTask } from './gt-tasks';
import { capitalTask } from './capital-tasks';
import { interventionTask } from './intervention-tasks';
import { policyTask } from './policy-tasks';

/**
 * Whether a stress run is worth a worker per core (its shards share one clearing system, and, under severe shocks,
 * one survivors' factor that they build together): from 20,000 scenarios, or sooner on a larger network — from
 * 1.74 million bank-scenarios, 20,000 scenarios of the bundled 87 banks. Below that a second worker's start costs
 * more than it saves, and the run takes one worker, whose kernels take the other cores. A job through the manager
 * on 2 cores (seconds, one worker → two): 3,000 banks with 10 creditors each, 5,000 scenarios, 2.96 → 2.04 at
 * shocks up to 10% and 5.79 → 3.99 at 100%; 600 scenarios 2.16–2.22 → 2.11–2.17; dense 1,000 banks, 2,000
 * scenarios, 1.85 → 1.87.
 */
export function worthShards(scenarios: number, banks: number): boolean {
  return scenarios >= 20_000 || scenarios * banks >= 1_740_000;
}

const stress: TaskDefinition<'stress'> = {
  plan(db, params, maxShards) {
    const { document } = networks.getVersion(db, params.versionId);
    // the shards share one clearing system (shared memory); small runs are not worth a second thread
    const system = toClearingSystem(document, sharedArrays);
    if (params.shockModel.kind === 'scenarios') {
      // Refuse bad rows now, naming the scenario and bank, rather than in a worker.
      createShockSampler(system, params.shockModel);
      if (params.samples !== params.shockModel.rows.length) {
        throw new AppError(
          'invalid_input',
          `samples must equal the ${params.shockModel.rows.length} scenarios of ${params.shockModel.fileName}`,
          'params.samples',
        );
      }
    }
    const ranges = splitRange(params.samples, worthShards(params.samples, system.nBanks) ? maxShards : 1);
    // several shards factorise K and solve its columns once for all of them
    const share = complementShare(system, ranges.length);
    const shards = ranges.map((range, shard) => ({
      system,
      shared: share && { share, shard },
      shockModel: params.shockModel,
      seed: params.seed,
      firstScenario: range.first,
      count: range.count,
      samples: params.samples,
      recovery: params.recovery,
    }));
    return { params, shards, inputs: { document } };
  },
  merge(parts, plan) {
    const { document } = plan.inputs;
    return stressRunResults(mergeStressPartials(parts), document, plan.params.recovery, plan.shards[0]!.system);
  },
  save(db, plan, merged, timing) {
    return saveStressRun(db, plan.params, merged, timing);
  },
};

/**
 * A stress run's results from its merged partial, as the Stress screen and the brief read them: the summary, the
 * largest-loss scenario's outcome under the run's clearing rule, the unit, balance checks and the clearing check.
 * The job's merge and `cwb stress-merge --save` (shards cleared on a cluster) both build them here.
 */
export function stressRunResults(
  merged: StressPartial,
  document: NetworkDocument,
  recovery: JobParams<'stress'>['recovery'],
  system = toClearingSystem(document),
): StressRunResults {
  const summary = summariseStress(merged, document);
  const largest = summary.largestLossScenario;
  if (largest) {
    largest.outcome = scenarioOutcome(system, shockVector(system, largest.shocks), recovery);
  }
  return {
    ...summary,
    unit: [document.currency, document.unit].filter(Boolean).join(' ') || 'units',
    balanceInconsistencies: checkBalances(document, {}, system.netWorth),
    clearingCheck: { batchedScenarios: merged.batchedScenarios, maxFixedPointResidual: merged.maxFixedPointResidual },
  };
}

/** Saves a stress run (one transaction with its audit entry); a run merged from cluster shards says so in its method. */
export function saveStressRun(
  db: Db,
  params: RunParams<'stress'>,
  results: StressRunResults,
  timing: { startedAt: string; durationMs: number },
): number {
  const clearing = params.recovery
    ? `Rogers–Veraart (α=${params.recovery.alpha}, β=${params.recovery.beta})`
    : 'Eisenberg–Noe';
  const merged = params.cluster ? `, merged from ${params.cluster.shards} cluster shards` : '';
  return saveSucceededRun(db, timing, {
    kind: 'stress',
    method: `${clearing} clearing, ${params.shockModel.kind} shocks${merged}`,
    networkVersionId: params.versionId,
    params,
    seed: params.seed,
    results,
  });
}

/** Every job kind's definition, each typed by its entry in JobTypes (job-types.ts): no cast. */
export const taskDefinitions: { [K in JobKind]: TaskDefinition<K> } = {
  stress,
  'idf-train': idfTrainTask,
  'idf-reproduce': idfReproduceTask,
  reconstruct: reconstructTask,
  disaggregate: disaggregateTask,
  'gt-train': gtTrainTask,
  capital: capitalTask,
  intervention: interventionTask,
  policy: policyTask,
};
