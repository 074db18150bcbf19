/**
 * Job kind `intervention`: plan (main thread: read and check the version, split the scenarios over workers),
 * the worker's shard (the displayed intervention and tail sampling on the first shard, every W-th scenario on
 * each of the W shards; intervention-worker.ts), merge (scenario outcomes put back in scenario order and
 * summarised) and save (one run, in one transaction). tasks.ts takes the definition; the cluster commands
 * (`cwb intervention-study --shard`, `cwb merge`) split, merge and save a study with the same functions.
 */
import { saveSucceededRun } from './save-run';
import type { EconomyDocument } from '../../src-shared/formats/crossholdings';
import { methodLabel } from '../../src-shared/results/intervention';
import { checkEconomy } from '../engines/cascade';
import { mergeStudyPartials } from '../engines/intervention-study';
import { sharedLu } from '../engines/shared-lu';
import { economyResults } from '../engines/intervention-report';
import { toClearingSystem } from '../engines/network-arrays';
import type { Db } from '../store/db';
import { networks } from '../store/repositories';
import type { InterventionRunResults } from '../../src-shared/results/intervention';
import type { JobParams, RunParams } from '../../src-shared/run-kinds';
import type { TaskDefinition } from './task-definition';
import type { InterventionPart } from './intervention-worker';

export const interventionTask: TaskDefinition<'intervention'> = {
  plan(db, params, maxShards) {
    if (params.target === 'interbank') {
      const { document } = networks.getVersion(db, params.versionId);
      toClearingSystem(document);
      return { params, shards: [{ params, document }] };
    }
    const { document } = networks.getEconomyVersion(db, params.versionId);
    if (params.target === 'economy-single') {
      checkEconomy(document);
      return { params, shards: [{ params, document }] };
    }
    // Refuse a bad economy now (column sums, thresholds), naming the firm, rather than in a worker.
    checkEconomy(document);
    const workers = studyWorthShards(params.scenarios, document.firms.length)
      ? Math.max(1, Math.min(maxShards, params.scenarios))
      : 1;
    // the shards factorise I − C and solve the columns of its inverse once for all of them
    const share = sharedLu(document.firms.length, workers);
    const shards = Array.from({ length: workers }, (_, w) => ({
      ...studyShard(params, document, w, workers),
      shared: share && { share, thread: w },
    }));
    return { params, shards };
  },

  merge(parts, plan) {
    const { params } = plan;
    if (params.target !== 'economy') return parts[0]!.interbank!;
    return economyStudyResults(parts, plan.shards[0]!.document as EconomyDocument, params);
  },

  save(db, plan, merged, timing) {
    return saveInterventionRun(db, plan.params, merged, timing);
  },
};

/**
 * Whether a scenario study is worth a worker per core (each builds its own LU of I − C): from 200 scenarios, or
 * sooner on a larger economy — from 60,000 firm-scenarios. Below that a second worker's start and factor cost more
 * than they save, and the study takes one worker, whose kernels take the other cores. A job through the manager on 2
 * cores (seconds, one worker → two): 2,000 firms, 60 scenarios 7.46–7.49 → 5.28–5.54, 20 scenarios 2.58–2.64 →
 * 2.78–2.87; 1,000 firms, 60 scenarios 1.56–1.63 → 1.42–1.54.
 */
export function studyWorthShards(scenarios: number, firms: number): boolean {
  return scenarios >= 200 || scenarios * firms >= 60_000;
}

type EconomyParams = Extract<JobParams<'intervention'>, { target: 'economy' }>;
type StudyParams = Omit<EconomyParams, 'versionId'>;

/**
 * Shard `index` (from 0) of `count` of a scenario study. Interleaved: shard w takes scenarios w, w + W, …, so the
 * few scenarios with very large failed sets (which dominate the time) are shared evenly rather than falling into
 * one shard's contiguous range; scenario s draws from its own stream (seed, s), so any split gives the same
 * outcomes. The lead shard (the first) also computes the displayed intervention and tail sampling. The job's
 * worker threads and `cwb intervention-study --shard K/N` (a cluster node) split a study alike.
 */
export function studyShard(params: EconomyParams, document: EconomyDocument, index: number, count: number) {
  return {
    params,
    document,
    first: index,
    count: Math.ceil((params.scenarios - index) / count),
    stride: count,
    lead: index === 0,
  };
}

/**
 * A study's results from its shards' parts (the lead's display and tail, every part's scenario outcomes put back in
 * scenario order by mergeStudyPartials): the job's merge, and `cwb merge --save` of parts cleared on a cluster.
 */
export function economyStudyResults(
  parts: InterventionPart[],
  document: { firms: ReadonlyArray<{ id: string }> },
  params: StudyParams,
): InterventionRunResults {
  const lead = parts.find((part) => part.display)!;
  const assetValues = lead.assetValues!;
  const merged = mergeStudyPartials(parts.map((part) => part.partial!));
  return economyResults(
    { nFirms: assetValues.length, assetValues },
    document,
    params,
    lead.display!,
    merged,
    lead.tail,
  );
}

/** Saves an intervention run (one transaction with its audit entry); one merged from cluster shards says so. */
export function saveInterventionRun(
  db: Db,
  params: RunParams<'intervention'>,
  results: InterventionRunResults,
  timing: { startedAt: string; durationMs: number },
): number {
  const method =
    params.target === 'economy'
      ? `${methodLabel('economy', params.method)} on a cross-holdings economy, budget ${params.budgetFraction * 100}% of Σ(Dp); ${params.scenarios} correlated shocks (ρ=${params.shocks.rho}, σ=${params.shocks.sigma}, μ=${params.shocks.drift}); budget curve by ${methodLabel('economy', params.curveMethod)}`
      : params.target === 'economy-single'
        ? `${methodLabel('economy', params.method)} on a cross-holdings economy as it is, budget ${params.budget}`
        : `${methodLabel('interbank', params.method)} bailouts on an interbank network, budget ${params.budget}, shock ${params.shockFraction * 100}% of outside assets`;
  const merged = params.cluster ? `, merged from ${params.cluster.shards} cluster shards` : '';
  return saveSucceededRun(db, timing, {
    kind: 'intervention',
    method: `${method}${merged}`,
    networkVersionId: params.versionId,
    params,
    seed: params.target === 'interbank' ? null : params.seed,
    results,
  });
}
