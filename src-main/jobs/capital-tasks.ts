/**
 * The `capital` job: one worker runs the whole study (sampling, then training on those samples), streaming
 * progress; the main thread plans (reads the network version, checks it can be cleared) and saves the run.
 */
import { AppError } from '../../src-shared/errors';
import type { NetworkDocument } from '../../src-shared/formats/network';
import type { CapitalRunResults } from '../../src-shared/results/capital';
import { softwareVersion } from '../app';
import { toClearingSystem } from '../engines/network-arrays';
import { createShockSampler } from '../engines/shocks';
import { runCapitalStudy, type CapitalStudyConfig } from '../learning/capital-study';
import { networks, runs } from '../store/repositories';
import type { TaskReporter } from './protocol';
import type { TaskDefinition } from './tasks';

export interface CapitalShardInput {
  document: NetworkDocument;
  /** The job's parameters (the version id rides along unused). */
  config: CapitalStudyConfig;
}

export const capitalTask: TaskDefinition<'capital', CapitalShardInput, CapitalRunResults> = {
  plan(db, params) {
    const { document } = networks.getVersion(db, params.versionId);
    const system = toClearingSystem(document);
    if (params.tiers > system.nBanks) {
      throw new AppError('invalid_input', `${params.tiers} tiers asked for a network of ${system.nBanks} banks`, 'params.tiers');
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
    return runs.insertFinished(db, {
      kind: 'capital',
      method: `${params.tiers} tiers, ${params.samplers.join(' + ')} sampling, ${params.shockModel.kind} shocks`,
      networkVersionId: params.versionId,
      params,
      seed: params.seed,
      status: 'succeeded',
      startedAt: timing.startedAt,
      durationMs: timing.durationMs,
      softwareVersion,
      results: merged,
    });
  },
};

export function capitalWorkerTask(input: CapitalShardInput, reporter: TaskReporter): Promise<CapitalRunResults> {
  return runCapitalStudy(input.document, input.config, reporter);
}
