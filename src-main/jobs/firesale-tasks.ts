/**
 * Job kinds of fire sales: `idf-train` (the dual network on a system's simulated data; the run and the model
 * with its metrics and backend are saved together) and `idf-reproduce` (the paper's tables), main-thread side.
 * One worker each (training is sequential); the worker side is firesale-worker.ts.
 */
import type { DualNetworkRunResults } from '../../src-shared/results/fire-sales';
import { simulationSpecOf } from '../engines/fire-sale-document';
import type { SerializedDualNetwork } from '../learning/dual-network';
import { models } from '../store/repositories';
import { saveSucceededRun } from './save-run';
import type { TaskDefinition } from './task-definition';

export const idfTrainTask: TaskDefinition<'idf-train'> = {
  plan(_db, params) {
    simulationSpecOf(params.system); // refuse a system without a shock range now, not in a worker
    return { params, shards: [params] };
  },
  merge: (parts) => parts[0]!,
  save(db, plan, merged, timing) {
    const { results, model } = merged;
    const modelId = models.insert(db, {
      kind: 'dual-network',
      name: `Dual network · ${plan.params.system.name} · seed ${plan.params.seed}`,
      runId: null,
      weights: Buffer.from(JSON.stringify(model satisfies SerializedDualNetwork)),
      metrics: {
        ...results.metrics,
        curve: undefined,
        backend: results.backend,
        backendDetail: results.backendDetail,
        epochs: results.epochs,
        mseInclusive: results.mseInclusive,
      },
    });
    const runId = saveSucceededRun(db, timing, {
      kind: 'idf-train',
      method: `Dual neural network (Liquidation Net + Price Net), ${plan.params.samples} simulated samples`,
      networkVersionId: null,
      params: plan.params,
      seed: plan.params.seed,
      learningBackend: results.backend,
      results: { ...results, modelId } satisfies DualNetworkRunResults,
    });
    models.attachRun(db, modelId, runId);
    return runId;
  },
};

export const idfReproduceTask: TaskDefinition<'idf-reproduce'> = {
  plan: (_db, params) => ({ params, shards: [params] }),
  merge: (parts) => parts[0]!,
  save(db, plan, merged, timing) {
    const report = merged;
    return saveSucceededRun(db, timing, {
      kind: 'idf-reproduce',
      method: 'Reproduction of the dual-network paper, Tables 2–7 and Figure 2',
      networkVersionId: null,
      params: plan.params,
      seed: plan.params.seed,
      learningBackend: report.backend,
      results: report,
    });
  },
};
