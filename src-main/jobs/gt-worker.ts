/**
 * Worker side of the "gt-train" job (main-thread side: ./gt-tasks.ts): train and evaluate, reporting each epoch.
 * The holdings stay in the store: the worker asks the main thread for one date at a time.
 */
import type { PanelNodes, PanelSnapshot } from '../engines/holdings-panel';
import type { GtTrainParams } from '../../src-shared/graph-transformer';
import type { GtMetrics } from '../../src-shared/results/graph-transformer';
import { trainAndEvaluate } from '../learning/gt-run';
import type { GraphTransformerArtifact } from '../learning/gt-training';
import type { TaskReporter } from './protocol';

export interface GtTrainShard {
  /** The dataset's nodes, report dates and positions per date (the positions themselves are asked for). */
  holdings: PanelNodes & { dates: string[]; positions: number[] };
  params: GtTrainParams;
  dataset: { id: number; name: string };
}

export interface GtTrainResult {
  artifact: GraphTransformerArtifact;
  metrics: GtMetrics;
}

/** Worker side: train and evaluate, reporting each epoch's losses. */
export async function gtTrainWorker(
  input: GtTrainShard,
  reporter: TaskReporter,
  ask: (question: { date: number }) => Promise<PanelSnapshot>,
): Promise<GtTrainResult> {
  const holdings = { ...input.holdings, snapshot: (date: number) => ask({ date }) };
  return trainAndEvaluate(holdings, input.params, input.dataset, {
    onEpoch: (record, maxEpochs) =>
      reporter.progress(record.epoch / maxEpochs, `epoch ${record.epoch}`, {
        epoch: record.epoch,
        trainLoss: record.trainLoss,
        validationLoss: record.validationLoss,
      }),
  });
}
