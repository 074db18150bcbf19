/**
 * The `capital` job, main-thread side: plan (read the network version, check it can be cleared) and save the run.
 * One worker runs the whole study (sampling, then training on those samples; worker-tasks.ts), streaming progress.
 */
import { saveSucceededRun } from './save-run';
import { AppError } from '../../src-shared/errors';
import { toClearingSystem } from '../engines/network-arrays';
import { createShockSampler } from '../engines/shocks';
import { networks } from '../store/repositories';
import type { TaskDefinition } from './task-definition';

export const capitalTask: TaskDefinition<'capital'> = {
  plan(db, params) {
    const { document } = networks.getVersion(db, params.versionId);
    const system = toClearingSystem(document);
    if (params.tiers > system.nBanks) {
      throw new AppError(
        'invalid_input',
        `${params.tiers} tiers asked for a network of ${system.nBanks} banks`,
        'params.tiers',
      );
    }
    if (params.models.includes('interactions-only') && params.tiers < 2) {
      throw new AppError('invalid_input', 'the interactions-only model needs at least 2 tiers', 'params.models');
    }
    createShockSampler(system, params.shockModel); // refuses bad shock parameters or scenario rows now
    return { params, shards: [{ document, config: params }] };
  },
  merge(parts) {
    return parts[0]!;
  },
  save(db, plan, merged, timing) {
    const { params } = plan;
    const { backend } = merged;
    return saveSucceededRun(db, timing, {
      kind: 'capital',
      method: `${params.tiers} tiers, ${params.samplers.join(' + ')} sampling, ${params.shockModel.kind} shocks`,
      networkVersionId: params.versionId,
      params,
      seed: params.seed,
      learningBackend: `${backend.name} — ${backend.detail}`,
      results: merged,
    });
  },
};
