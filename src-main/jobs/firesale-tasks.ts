/**
 * Job kinds of fire sales: `idf-train` (the dual network on a system's simulated data; the run and the model
 * with its metrics and backend are saved together) and `idf-reproduce` (the paper's tables). One worker each:
 * training is sequential. Worker functions stream the loss curve as progress figures.
 */
import type { DualNetworkRunResults, ReproductionReport } from '../../src-shared/results/fire-sales';
import { simulationSpecOf } from '../engines/fire-sale-document';
import { selectLearningBackend } from '../learning/backend';
import type { SerializedDualNetwork } from '../learning/dual-network';
import { DEFAULT_REPRODUCTION, reproduceDualNetworkPaper } from '../learning/idf-reproduction';
import { trainOnSystem, type IdfTrainParams } from '../learning/idf-training';
import type { Db } from '../store/db';
import { models, runs } from '../store/repositories';
import type { TaskReporter } from './protocol';
import type { TaskDefinition } from './tasks';

export type IdfReproduceParams = { seed: number; samples: number; maxEpochs: number; only?: Array<'case1' | 'case2'>; backend: IdfTrainParams['backend'] };
type TrainOutput = Awaited<ReturnType<typeof trainOnSystem>>;

/**
 * The main-thread definitions. `softwareVersion` is read when a run is saved (app.ts imports the job manager,
 * so its value does not exist yet when this module is first evaluated).
 */
export function fireSaleTaskDefinitions(softwareVersion: () => string) {
  /** A succeeded learning run: seeded, with the backend that trained it. */
  const saveRun = (db: Db, kind: string, method: string, params: { seed: number }, timing: { startedAt: string; durationMs: number }, learningBackend: string, results: unknown) =>
    runs.insertFinished(db, { kind, method, networkVersionId: null, params, seed: params.seed, status: 'succeeded', ...timing, softwareVersion: softwareVersion(), learningBackend, results });

  const idfTrainTask: TaskDefinition<'idf-train', IdfTrainParams, TrainOutput> = {
    plan(_db, params) {
      simulationSpecOf(params.system); // refuse a system without a shock range now, not in a worker
      return { params, shards: [params] };
    },
    merge: (parts) => parts[0],
    save(db, plan, merged, timing) {
      const { results, model } = merged as TrainOutput;
      const modelId = models.insert(db, {
        kind: 'dual-network',
        name: `Dual network · ${plan.params.system.name} · seed ${plan.params.seed}`,
        runId: null,
        weights: Buffer.from(JSON.stringify(model satisfies SerializedDualNetwork)),
        metrics: { ...results.metrics, curve: undefined, backend: results.backend, backendDetail: results.backendDetail, epochs: results.epochs, mseInclusive: results.mseInclusive },
      });
      const method = `Dual neural network (Liquidation Net + Price Net), ${plan.params.samples} simulated samples`;
      const runId = saveRun(db, 'idf-train', method, plan.params, timing, results.backend, { ...results, modelId } satisfies DualNetworkRunResults);
      models.attachRun(db, modelId, runId);
      return runId;
    },
  };

  const idfReproduceTask: TaskDefinition<'idf-reproduce', IdfReproduceParams, ReproductionReport> = {
    plan: (_db, params) => ({ params, shards: [params] }),
    merge: (parts) => parts[0],
    save(db, plan, merged, timing) {
      const report = merged as ReproductionReport;
      return saveRun(db, 'idf-reproduce', 'Reproduction of the dual-network paper, Tables 2–7 and Figure 2', plan.params, timing, report.backend, report);
    },
  };

  return { 'idf-train': idfTrainTask, 'idf-reproduce': idfReproduceTask };
}

export const fireSaleWorkerTasks = {
  async 'idf-train'(input: IdfTrainParams, reporter: TaskReporter): Promise<TrainOutput> {
    return trainOnSystem(input, {
      onRestart: (index, count) => reporter.progress(0, `choosing the initial weights: short run ${index + 1} of ${count}`),
      onEpoch: (report, model) =>
        reporter.progress(report.epoch / input.maxEpochs, `training the ${model === 'proposed' ? 'dual network' : 'Inclusive Model'}`, {
          epoch: report.epoch,
          trainLoss: report.trainLoss,
          validationLoss: report.validationLoss,
          inclusive: model === 'inclusive' ? 1 : 0,
        }),
    });
  },
  async 'idf-reproduce'(input: IdfReproduceParams, reporter: TaskReporter): Promise<ReproductionReport> {
    const backend = await selectLearningBackend(input.backend);
    const report = await reproduceDualNetworkPaper(
      { ...DEFAULT_REPRODUCTION, seed: input.seed, samples: input.samples, only: input.only, training: { ...DEFAULT_REPRODUCTION.training, maxEpochs: input.maxEpochs } },
      { onProgress: (stage, fraction, epoch) => reporter.progress(fraction, stage, epoch ? { epoch: epoch.epoch, trainLoss: epoch.trainLoss, validationLoss: epoch.validationLoss } : undefined) },
    );
    return { ...report, backend: `${backend.name} (${backend.detail})` };
  },
};
