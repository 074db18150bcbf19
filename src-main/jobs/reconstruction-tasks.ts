/** The `reconstruct` job, main-thread side: plan (one shard: the solves are sequential), merge, save. */
import { saveSucceededRun } from './save-run';
import type { z } from 'zod';
import { AppError } from '../../src-shared/errors';
import type { jobParamSchemas } from '../../src-shared/jobs';
import type { ReconstructionOutcome, ReconstructionRunResults } from '../../src-shared/results/reconstruction';
import { problemFromDocument } from '../engines/reconstruction';
import type { Db } from '../store/db';
import { networks } from '../store/repositories';
import { knownFields, type ReconstructShardInput } from './reconstruction-worker';

type Params = z.output<(typeof jobParamSchemas)['reconstruct']>;

export const reconstructTask = {
  plan(db: Db, params: Params) {
    const { document } = networks.getVersion(db, params.versionId);
    for (const id of Object.keys(params.unknown)) {
      if (!document.nodes.some((node) => node.id === id)) throw new AppError('invalid_input', `no node "${id}" in version ${params.versionId}`, `params.unknown.${id}`);
    }
    // refuse missing totals or inconsistent fields now (an EngineInputError naming the node), not in the worker
    problemFromDocument(document, knownFields(document, params.unknown));
    const shard: ReconstructShardInput = { document, params };
    return { params, shards: [shard] };
  },
  merge(parts: ReconstructionOutcome[][], plan: { shards: ReconstructShardInput[] }): ReconstructionRunResults {
    const { document } = plan.shards[0]!;
    return { unit: [document.currency, document.unit].filter(Boolean).join(' ') || 'units', outcomes: parts[0]! };
  },
  save(db: Db, plan: { params: Params }, merged: unknown, timing: { startedAt: string; durationMs: number }): number {
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
