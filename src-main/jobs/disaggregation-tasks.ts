/**
 * The `disaggregate` job, main-thread side: plan (one shard), merge, and save — the split as the network's next
 * version and as a run of kind `disaggregate` (the aggregate's and each part's balance sheet, for the brief) in one
 * transaction. The Reconstruction screen and `cwb disaggregate` both run this job.
 */
import { AppError } from '../../src-shared/errors';
import type { NetworkDocument } from '../../src-shared/formats/network';
import type {
  DisaggregatedBank,
  DisaggregateParams,
  DisaggregationRunResults,
} from '../../src-shared/results/reconstruction';
import type { Db } from '../store/db';
import { networks } from '../store/repositories';
import type { DisaggregationOutcome } from './disaggregation-worker';
import { saveSucceededRun } from './save-run';
import type { TaskDefinition } from './task-definition';

/** The balance sheet of bank `id` in `document` (sums over its liability entries). */
function balanceSheet(document: NetworkDocument, id: string, share: number): DisaggregatedBank {
  const node = document.nodes.find((n) => n.id === id)!;
  let interbankClaims = 0;
  let interbankObligations = 0;
  for (const entry of document.liabilities) {
    if (entry.creditor === id) interbankClaims += entry.amount;
    if (entry.debtor === id) interbankObligations += entry.amount;
  }
  const outsideAssets = node.outsideAssets ?? 0;
  const outsideLiabilities = node.outsideLiabilities ?? 0;
  return {
    id,
    ...(node.name ? { name: node.name } : {}),
    share,
    outsideAssets,
    outsideLiabilities,
    interbankClaims,
    interbankObligations,
    netWorth: outsideAssets + interbankClaims - outsideLiabilities - interbankObligations,
  };
}

const SPLIT_WORDS = {
  maxent: 'proportional split (maximum entropy)',
  worst: 'worst case of expected loss',
  best: 'best case of expected loss',
} as const;

/** Saves a split as the next version of the network of `params.versionId` and as a run, in one transaction. */
export function saveDisaggregation(
  db: Db,
  params: DisaggregateParams,
  outcome: DisaggregationOutcome,
  timing: { startedAt: string; durationMs: number },
): { versionId: number; version: number; explanation: string[]; runId: number } {
  const { network, version, document } = networks.getVersion(db, params.versionId);
  const note = `Disaggregated from version ${version}. ${outcome.explanation.join(' ')}`.slice(0, 2000);
  return db.transaction(() => {
    const saved = networks.addVersion(db, network.id, outcome.document, note);
    const results: DisaggregationRunResults = {
      unit: [document.currency, document.unit].filter(Boolean).join(' ') || 'units',
      objective: params.objective,
      aggregate: balanceSheet(document, params.nodeId, 1),
      parts: params.parts.map((part, m) => balanceSheet(outcome.document, part.id, outcome.shares[m]!)),
      versionId: saved.versionId,
      version: saved.version,
      explanation: outcome.explanation,
      ...(outcome.evaluation ? { evaluation: outcome.evaluation } : {}),
    };
    const runId = saveSucceededRun(db, timing, {
      kind: 'disaggregate',
      method: `${params.nodeId} split into ${params.parts.length} parts, ${SPLIT_WORDS[params.objective]}`,
      networkVersionId: params.versionId,
      params,
      seed: params.objective === 'maxent' ? null : params.seed,
      results,
    });
    return { ...saved, explanation: outcome.explanation, runId };
  })();
}

export const disaggregateTask: TaskDefinition<'disaggregate'> = {
  plan(db, params) {
    const { document, version } = networks.getVersion(db, params.versionId);
    // refuse an unknown node now, in words, rather than in the worker
    if (!document.nodes.some((node) => node.id === params.nodeId))
      throw new AppError('invalid_input', `No bank "${params.nodeId}" in version ${version}`, 'params.nodeId');
    return { params, shards: [{ document, params }] };
  },
  merge(parts) {
    return parts[0]!;
  },
  save(db, plan, merged, timing) {
    return saveDisaggregation(db, plan.params, merged, timing).runId;
  },
};
