/**
 * Job definitions, main-thread side: `plan` reads the inputs from the store and splits the work into shards
 * (one per worker), `merge` combines the shards' results, `save` writes the run inside one transaction.
 * The worker side of each kind is in worker-tasks.ts.
 */
import { saveSucceededRun } from './save-run';
import type { JobKind } from '../../src-shared/jobs';
import { AppError } from '../../src-shared/errors';
import { checkBalances } from '../engines/balance-check';
import { toClearingSystem } from '../engines/network-arrays';
import { createShockSampler } from '../engines/shocks';
import { scenarioOutcome, shockVector } from '../engines/scenario-outcome';
import { mergeStressPartials, summariseStress } from '../engines/stress';
import { networks } from '../store/repositories';
import { splitRange, type TaskDefinition } from './task-definition';
import { idfReproduceTask, idfTrainTask } from './firesale-tasks';
import { reconstructTask } from './reconstruction-tasks';
import { disaggregateTask } from './disaggregation-tasks';
import { gtTrainTask } from './gt-tasks';
import { capitalTask } from './capital-tasks';
import { interventionTask } from './intervention-tasks';
import { policyTask } from './policy-tasks';

const stress: TaskDefinition<'stress'> = {
  plan(db, params, maxShards) {
    const { document } = networks.getVersion(db, params.versionId);
    if (params.shockModel.kind === 'scenarios') {
      // Refuse bad rows now, naming the scenario and bank, rather than in a worker.
      createShockSampler(toClearingSystem(document), params.shockModel);
      if (params.samples !== params.shockModel.rows.length) {
        throw new AppError(
          'invalid_input',
          `samples must equal the ${params.shockModel.rows.length} scenarios of ${params.shockModel.fileName}`,
          'params.samples',
        );
      }
    }
    // Small runs are not worth a second thread.
    const shards = splitRange(params.samples, params.samples < 20_000 ? 1 : maxShards).map((range) => ({
      document,
      shockModel: params.shockModel,
      seed: params.seed,
      firstScenario: range.first,
      count: range.count,
      recovery: params.recovery,
    }));
    return { params, shards };
  },
  merge(parts, plan) {
    const document = plan.shards[0]!.document;
    const merged = mergeStressPartials(parts);
    const summary = summariseStress(merged, document);
    const largest = summary.largestLossScenario;
    if (largest) {
      const system = toClearingSystem(document);
      largest.outcome = scenarioOutcome(system, shockVector(system, largest.shocks), plan.params.recovery);
    }
    return {
      ...summary,
      unit: [document.currency, document.unit].filter(Boolean).join(' ') || 'units',
      balanceInconsistencies: checkBalances(document),
      clearingCheck: { batchedScenarios: merged.batchedScenarios, maxFixedPointResidual: merged.maxFixedPointResidual },
    };
  },
  save(db, plan, merged, timing) {
    return saveSucceededRun(db, timing, {
      kind: 'stress',
      method: `${plan.params.recovery ? `Rogers–Veraart (α=${plan.params.recovery.alpha}, β=${plan.params.recovery.beta})` : 'Eisenberg–Noe'} clearing, ${plan.params.shockModel.kind} shocks`,
      networkVersionId: plan.params.versionId,
      params: plan.params,
      seed: plan.params.seed,
      results: merged,
    });
  },
};

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
