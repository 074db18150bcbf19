/** The `reconstruct` job, main-thread side: plan (one shard: the solves are sequential), merge, save. */
import { saveSucceededRun } from './save-run';
import { AppError } from '../../src-shared/errors';
import { problemFromDocument } from '../engines/reconstruction/problem';
import { networks } from '../store/repositories';
import { knownFields } from './reconstruction-worker';
import type { TaskDefinition } from './task-definition';

export const reconstructTask: TaskDefinition<'reconstruct'> = {
  plan(db, params) {
    const { document } = networks.getVersion(db, params.versionId);
    for (const id of Object.keys(params.unknown)) {
      if (!document.nodes.some((node) => node.id === id))
        throw new AppError('invalid_input', `no node "${id}" in version ${params.versionId}`, `params.unknown.${id}`);
    }
    // refuse missing totals or inconsistent fields now (an EngineInputError naming the node), not in the worker
    problemFromDocument(document, knownFields(document, params.unknown));
    return { params, shards: [{ document, params }] };
  },
  merge(parts, plan) {
    const { document } = plan.shards[0]!;
    return { unit: [document.currency, document.unit].filter(Boolean).join(' ') || 'units', outcomes: parts[0]! };
  },
  save(db, plan, merged, timing) {
    const { params } = plan;
    return saveSucceededRun(db, timing, {
      kind: 'reconstruct',
      method: `reconstruction (${params.objectives.join(', ')}; ${params.measure === 'lossRatio' ? 'loss ratio' : 'expected loss'}, ${params.samples} ${params.shockModel.kind} shocks${params.complementarity ? ', net liabilities' : ''})`,
      networkVersionId: params.versionId,
      params,
      seed: params.seed,
      results: merged,
    });
  },
};
