/** Worker side of the "gt-train" job (main-thread side: ./gt-tasks.ts): train and evaluate, reporting each epoch. */
import type { HoldingsPanel } from '../engines/holdings-panel';
import type { GtTrainParams } from '../../src-shared/graph-transformer';
import type { GtMetrics } from '../../src-shared/results/graph-transformer';
import { trainAndEvaluate } from '../learning/gt-run';
import type { GraphTransformerArtifact } from '../learning/gt-training';
import type { TaskReporter } from './protocol';

export interface GtTrainShard {
  panel: HoldingsPanel;
  params: GtTrainParams;
  dataset: { id: number; name: string };
}

export interface GtTrainResult {
  artifact: GraphTransformerArtifact;
  metrics: GtMetrics;
}

/** Worker side: train and evaluate, reporting each epoch's losses. */
export async function gtTrainWorker(input: GtTrainShard, reporter: TaskReporter): Promise<GtTrainResult> {
  return trainAndEvaluate(input.panel, input.params, input.dataset, {
    onEpoch: (record, maxEpochs) =>
      reporter.progress(record.epoch / maxEpochs, `epoch ${record.epoch}`, {
        epoch: record.epoch,
        trainLoss: record.trainLoss,
        validationLoss: record.validationLoss,
      }),
  });
}
