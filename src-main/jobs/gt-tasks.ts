/**
 * The graph-transformer training job ("gt-train"): plan reads the holdings panel from the store, one worker
 * trains and evaluates it with live losses (progress figures epoch, trainLoss, validationLoss), save records the
 * run and the model (weights and metrics) in one transaction. Cancelling terminates the worker: nothing is saved.
 */
import { saveSucceededRun } from './save-run';
import { gtModels, loadHoldingsPanel } from '../store/holdings-panel';
import type { TaskDefinition } from './task-definition';
import { AppError } from '../../src-shared/errors';

export const gtTrainTask: TaskDefinition<'gt-train'> = {
  plan(db, params) {
    const { name, panel } = loadHoldingsPanel(db, params.datasetId);
    if (panel.snapshots.length < 3) {
      throw new AppError(
        'invalid_input',
        `dataset ${params.datasetId} has ${panel.snapshots.length} report date(s); training needs at least 3 (trades need a next date, validation its own dates)`,
        'params.datasetId',
      );
    }
    if (params.training.validationDates > panel.snapshots.length - 2) {
      throw new AppError(
        'invalid_input',
        `validationDates must be at most ${panel.snapshots.length - 2} for ${panel.snapshots.length} report dates`,
        'params.training.validationDates',
      );
    }
    return { params, shards: [{ panel, params, dataset: { id: params.datasetId, name } }] };
  },
  merge(parts) {
    return parts[0]!;
  },
  save(db, plan, merged, timing) {
    const { artifact, metrics } = merged;
    const runId = saveSucceededRun(db, timing, {
      kind: 'gt-train',
      method: `graph transformer (L=${artifact.config.layers}, d_h=${artifact.config.hidden}, S=${artifact.config.heads}), ${metrics.epochs} epochs`,
      networkVersionId: null,
      params: plan.params,
      seed: plan.params.training.seed,
      learningBackend: metrics.backend,
      results: { ...metrics, history: undefined },
    });
    gtModels.insert(db, {
      name: plan.params.name ?? `${metrics.datasetName} — graph transformer`,
      runId,
      artifact,
      metrics,
    });
    return runId;
  },
};
