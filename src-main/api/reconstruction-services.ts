/** Reconstruction actions on the store: save a reconstructed network as a version, split a node into a version. */
import { AppError } from '../../src-shared/errors';
import { numberOrNote } from '../../src-shared/results/notes';
import type { NetworkDocument } from '../../src-shared/formats/network';
import type { DisaggregatedBank, DisaggregationRunResults, ReconstructionRunResults, ReconstructParams } from '../../src-shared/results/reconstruction';
import { disaggregate, type DisaggregationObjective, type DisaggregationPart } from '../engines/disaggregation';
import { loadHighs } from '../io/lp-solver';
import { saveSucceededRun } from '../jobs/save-run';
import type { Db } from '../store/db';
import { networks, runs } from '../store/repositories';

/** Saves one network of a `reconstruct` run as the next version of the run's network, with its provenance. */
export function saveReconstructedVersion(db: Db, runId: number, objective: string, note?: string): { versionId: number; version: number } {
  const run = runs.get(db, runId);
  if (run.kind !== 'reconstruct' || run.status !== 'succeeded' || run.networkVersionId === null) {
    throw new AppError('invalid_input', `run ${runId} is not a finished reconstruction`, 'runId');
  }
  const results = run.results as ReconstructionRunResults;
  const params = run.params as ReconstructParams;
  const outcome = results.outcomes.find((o) => o.objective === objective);
  if (!outcome) throw new AppError('invalid_input', `run ${runId} has no ${objective} network`, 'objective');
  const { network, version } = networks.getVersion(db, run.networkVersionId);
  const provenance =
    `Reconstruction run #${runId} (${objective}) from version ${version}: ${outcome.measure === 'lossRatio' ? 'loss ratio' : 'expected loss'} on ` +
    `${params.samples} ${params.shockModel.kind} shocks, seed ${params.seed}; out of sample (${outcome.evaluation.samples} shocks) ` +
    `E[L] = ${outcome.evaluation.expectedLoss.toPrecision(6)} ${results.unit}, minus maximum entropy ${outcome.evaluation.differenceToMaxent.toPrecision(4)} ± ` +
    `${outcome.evaluation.differenceStandardError.toPrecision(2)}; largest constraint residual ${numberOrNote(outcome.residual.relative, outcome.residual.relativeNote, (v) => v.toExponential(1))}.`;
  const text = note?.trim() ? `${note.trim()} — ${provenance}` : provenance;
  return db.transaction(() => networks.addVersion(db, network.id, outcome.document, text.slice(0, 2000)))();
}

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

/**
 * Splits a node of a version (§3) and stores the result as the next version, explained, and as a run of kind
 * `disaggregate` (the parts' balance sheets, for the brief) in the same transaction: the proportional split (maximum
 * entropy) or the worst / best case of expected loss on `samples` uniform shocks (b and c of the parts free within
 * the aggregate's totals; one start, no hops, 1,000 out-of-sample shocks: seconds on the main process).
 */
export async function disaggregateVersion(
  db: Db,
  input: { versionId: number; nodeId: string; parts: DisaggregationPart[]; objective: DisaggregationObjective; samples: number; seed: number },
): Promise<{ versionId: number; version: number; explanation: string[]; runId: number }> {
  const started = new Date();
  const { network, version, document } = networks.getVersion(db, input.versionId);
  const optimiser =
    input.objective === 'maxent'
      ? undefined
      : { shockModel: { kind: 'uniform' as const }, samples: input.samples, seed: input.seed, starts: 1, hops: 0, evaluationSamples: 1000, highs: await loadHighs() };
  const result = disaggregate(document, { nodeId: input.nodeId, parts: input.parts, objective: input.objective, ...(optimiser ? { optimiser } : {}) });
  const note = `Disaggregated from version ${version}. ${result.explanation.join(' ')}`.slice(0, 2000);
  const evaluation = result.optimised?.evaluation;
  return db.transaction(() => {
    const saved = networks.addVersion(db, network.id, result.document, note);
    const results: DisaggregationRunResults = {
      unit: [document.currency, document.unit].filter(Boolean).join(' ') || 'units',
      objective: input.objective,
      aggregate: balanceSheet(document, input.nodeId, 1),
      parts: input.parts.map((part, m) => balanceSheet(result.document, part.id, result.shares[m]!)),
      versionId: saved.versionId,
      version: saved.version,
      explanation: result.explanation,
      ...(evaluation
        ? {
            evaluation: {
              samples: evaluation.samples,
              expectedLoss: evaluation.expectedLoss,
              expectedLossStandardError: evaluation.expectedLossStandardError,
              proportionalExpectedLoss: evaluation.maxentExpectedLoss,
              difference: evaluation.differenceToMaxent,
              differenceStandardError: evaluation.differenceStandardError,
            },
          }
        : {}),
    };
    const split = { maxent: 'proportional split (maximum entropy)', worst: 'worst case of expected loss', best: 'best case of expected loss' }[input.objective];
    const runId = saveSucceededRun(db, { startedAt: started.toISOString(), durationMs: Date.now() - started.getTime() }, {
      kind: 'disaggregate',
      method: `${input.nodeId} split into ${input.parts.length} parts, ${split}`,
      networkVersionId: input.versionId,
      params: input,
      seed: input.objective === 'maxent' ? null : input.seed,
      results,
    });
    return { ...saved, explanation: result.explanation, runId };
  })();
}
