/**
 * The graph-transformer training job ("gt-train"): plan opens the holdings dataset (its nodes and report dates),
 * one worker trains and evaluates it with live losses (progress figures epoch, trainLoss, validationLoss), asking
 * for the positions one date at a time (`answer` reads them from the store and hands their arrays over), and save
 * records the run and the model (weights and metrics) in one transaction. Cancelling terminates the worker:
 * nothing is saved.
 */
import { saveSucceededRun } from './save-run';
import { gtModels, holdingsDatasetReader, type HoldingsDatasetReader } from '../store/holdings-panel';
import type { JobPlan, TaskDefinition } from './task-definition';
import { AppError } from '../../src-shared/errors';

/** The dataset each planned training reads from (held while the plan lives). */
const readers = new WeakMap<JobPlan<'gt-train'>, HoldingsDatasetReader>();

export const gtTrainTask: TaskDefinition<'gt-train'> = {
  plan(db, params) {
    const reader = holdingsDatasetReader(db, params.datasetId);
    const { name, investors, assets, dates, positions } = reader;
    if (dates.length < 3) {
      throw new AppError(
        'invalid_input',
        `dataset ${params.datasetId} has ${dates.length} report date(s); training needs at least 3 (trades need a next date, validation its own dates)`,
        'params.datasetId',
      );
    }
    if (params.training.validationDates > dates.length - 2) {
      throw new AppError(
        'invalid_input',
        `at most ${dates.length - 2} validation dates for ${dates.length} report dates (the first date trains, the last has no trades to predict)`,
        'params.training.validationDates',
      );
    }
    const holdings = { investors, assets, dates, positions };
    const plan = { params, shards: [{ holdings, params, dataset: { id: params.datasetId, name } }] };
    readers.set(plan, reader);
    return plan;
  },
  answer(_db, plan, question) {
    return readers.get(plan)!.snapshotInSlices(question.date);
  },
  merge(parts) {
    return parts[0]!;
  },
  save(db, plan, merged, timing) {
    const { artifact, metrics } = merged;
    const batch = plan.params.training.batchInvestors;
    const runId = saveSucceededRun(db, timing, {
      kind: 'gt-train',
      method: `graph transformer (L=${artifact.config.layers}, d_h=${artifact.config.hidden}, S=${artifact.config.heads}), ${metrics.epochs} epochs${batch ? `, mini-batches of ${batch.toLocaleString('en-US')} investors` : ''}`,
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
