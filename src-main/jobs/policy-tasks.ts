/**
 * The `policy` job, main-thread side: plan (the forecast CSV read and the configuration checked before any work, so
 * that a bad one is refused in words at once), merge (one shard) and save the run of kind `policy`. The Policy screen
 * and `cwb wedges` start it; a cancelled run saves nothing.
 */
import { AppError } from '../../src-shared/errors';
import { parseForecastCsv } from '../../src-shared/formats/policy';
import type { JobParams } from '../../src-shared/run-kinds';
import { checkPolicyDocument } from '../engines/policy-report';
import type { PolicyShardInput } from './policy-worker';
import { saveSucceededRun } from './save-run';
import type { TaskDefinition } from './task-definition';

/** The worker's input: the forecast read from its CSV (refused with the row and column at fault) and the configuration checked. */
export function policyShard({ document, forecastCsv, lemma }: JobParams<'policy'>): PolicyShardInput {
  let forecast: number[] | undefined;
  if (forecastCsv !== undefined && forecastCsv.trim() !== '') {
    const parsed = parseForecastCsv(
      forecastCsv,
      document.assets.map((a) => a.id),
      'forecast CSV',
    );
    if (!parsed.ok) throw new AppError('invalid_input', parsed.message, 'params.forecastCsv');
    forecast = parsed.values;
  }
  checkPolicyDocument(document, { forecast });
  return { document, ...(forecast ? { forecast } : {}), ...(lemma ? { lemma } : {}) };
}

export const policyTask: TaskDefinition<'policy'> = {
  plan(_db, params) {
    return { params, shards: [policyShard(params)] };
  },
  merge(parts) {
    return parts[0]!;
  },
  save(db, plan, merged, timing) {
    const { params } = plan;
    return saveSucceededRun(db, timing, {
      kind: 'policy',
      method: `optimal liquidation wedges, ${merged.inputs.draws} draws, predictive noise ${merged.inputs.noise}${params.forecastCsv?.trim() ? ', with a forecast' : ''}`,
      networkVersionId: null,
      params,
      seed: params.document.uncertainty.seed,
      results: merged,
    });
  },
};
