/**
 * Worker side of the fire-sale jobs: train the dual network or reproduce the paper, streaming the loss curve as
 * progress figures. Loaded on demand (worker-tasks.ts), so other workers do not load TensorFlow.js.
 */
import type { ReproductionReport } from '../../src-shared/results/fire-sales';
import { selectLearningBackend } from '../learning/backend';
import { DEFAULT_REPRODUCTION, reproduceDualNetworkPaper } from '../learning/idf-reproduction';
import { trainOnSystem, type IdfTrainParams } from '../learning/idf-training';
import type { TaskReporter } from './protocol';

export type IdfReproduceParams = {
  seed: number;
  samples: number;
  maxEpochs: number;
  only?: Array<'case1' | 'case2'>;
  backend: IdfTrainParams['backend'];
};

export async function idfTrainWorker(
  input: IdfTrainParams,
  reporter: TaskReporter,
): Promise<Awaited<ReturnType<typeof trainOnSystem>>> {
  return trainOnSystem(input, {
    onRestart: (index, count) =>
      reporter.progress(0, `choosing the initial weights: short run ${index + 1} of ${count}`),
    onEpoch: (report, model) =>
      reporter.progress(
        report.epoch / input.maxEpochs,
        `training the ${model === 'proposed' ? 'dual network' : 'Inclusive Model'}`,
        {
          epoch: report.epoch,
          trainLoss: report.trainLoss,
          validationLoss: report.validationLoss,
          inclusive: model === 'inclusive' ? 1 : 0,
        },
      ),
  });
}

export async function idfReproduceWorker(
  input: IdfReproduceParams,
  reporter: TaskReporter,
): Promise<ReproductionReport> {
  const backend = await selectLearningBackend(input.backend);
  const report = await reproduceDualNetworkPaper(
    {
      ...DEFAULT_REPRODUCTION,
      seed: input.seed,
      samples: input.samples,
      only: input.only,
      training: { ...DEFAULT_REPRODUCTION.training, maxEpochs: input.maxEpochs },
    },
    {
      onProgress: (stage, fraction, epoch) =>
        reporter.progress(
          fraction,
          stage,
          epoch ? { epoch: epoch.epoch, trainLoss: epoch.trainLoss, validationLoss: epoch.validationLoss } : undefined,
        ),
    },
  );
  return { ...report, backend: `${backend.name} (${backend.detail})` };
}
