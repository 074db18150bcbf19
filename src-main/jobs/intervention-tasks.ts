/**
 * Job kind `intervention`: plan (main thread: read and check the version, split the scenarios over workers),
 * the worker's shard (the displayed intervention and tail sampling on the first shard, every W-th scenario on
 * each of the W shards; intervention-worker.ts), merge (scenario outcomes put back in scenario order and
 * summarised) and save (one run, in one transaction). Imported only by tasks.ts.
 */
import { saveSucceededRun } from './save-run';
import type { EconomyDocument } from '../../src-shared/formats/crossholdings';
import { methodLabel } from '../../src-shared/results/intervention';
import { checkEconomy } from '../engines/cascade';
import { mergeStudyPartials } from '../engines/intervention-study';
import { economyResults } from '../engines/intervention-report';
import { toClearingSystem } from '../engines/network-arrays';
import { networks } from '../store/repositories';
import type { TaskDefinition } from './task-definition';

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
    // Interleaved: worker w takes scenarios w, w + W, …, so the few scenarios with very large failed sets (which
    // dominate the time) are shared evenly rather than falling into one worker's contiguous range.
    const workers = params.scenarios < 200 ? 1 : Math.max(1, Math.min(maxShards, params.scenarios));
    const shards = Array.from({ length: workers }, (_, w) => ({
      params,
      document,
      first: w,
      count: Math.ceil((params.scenarios - w) / workers),
      stride: workers,
      lead: w === 0,
    }));
    return { params, shards };
  },

  merge(parts, plan) {
    const { params } = plan;
    if (params.target !== 'economy') return parts[0]!.interbank!;
    const lead = parts.find((part) => part.display)!;
    const document = plan.shards[0]!.document as EconomyDocument;
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
  },

  save(db, plan, merged, timing) {
    const { params } = plan;
    const method =
      params.target === 'economy'
        ? `${methodLabel('economy', params.method)} on a cross-holdings economy, budget ${params.budgetFraction * 100}% of Σ(Dp); ${params.scenarios} correlated shocks (ρ=${params.shocks.rho}, σ=${params.shocks.sigma}, μ=${params.shocks.drift}); budget curve by ${methodLabel('economy', params.curveMethod)}`
        : params.target === 'economy-single'
          ? `${methodLabel('economy', params.method)} on a cross-holdings economy as it is, budget ${params.budget}`
          : `${methodLabel('interbank', params.method)} bailouts on an interbank network, budget ${params.budget}, shock ${params.shockFraction * 100}% of outside assets`;
    return saveSucceededRun(db, timing, {
      kind: 'intervention',
      method,
      networkVersionId: params.versionId,
      params,
      seed: params.target === 'interbank' ? null : params.seed,
      results: merged,
    });
  },
};
