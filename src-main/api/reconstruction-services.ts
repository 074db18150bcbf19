/** Reconstruction actions on the store: save a reconstructed network as a version, split a node into a version. */
import { isRunOf } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import { numberOrNote } from '../../src-shared/results/notes';
import type { DisaggregateParams } from '../../src-shared/results/reconstruction';
import { saveDisaggregation } from '../jobs/disaggregation-tasks';
import { runDisaggregation } from '../jobs/disaggregation-worker';
import type { Db } from '../store/db';
import { networks, runs } from '../store/repositories';

/** Saves one network of a `reconstruct` run as the next version of the run's network, with its provenance. */
export function saveReconstructedVersion(db: Db, runId: number, objective: string, note?: string): { versionId: number; version: number } {
  const run = runs.get(db, runId);
  if (!isRunOf(run, 'reconstruct') || run.status !== 'succeeded' || run.networkVersionId === null) {
    throw new AppError('invalid_input', `run ${runId} is not a finished reconstruction`, 'runId');
  }
  const { results, params } = run;
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

/**
 * Splits a node of a version (§3) on the main process and saves it as the next version and as a run of kind
 * `disaggregate`, as the job of that kind does (cwb disaggregate; the Reconstruction screen runs the job, which can
 * be cancelled): the proportional split (maximum entropy) or the worst / best case of expected loss on `samples`
 * uniform shocks (b and c of the parts free within the aggregate's totals; one start, no hops, 1,000 out-of-sample
 * shocks).
 */
export async function disaggregateVersion(db: Db, input: DisaggregateParams): Promise<{ versionId: number; version: number; explanation: string[]; runId: number }> {
  const started = new Date();
  const { document } = networks.getVersion(db, input.versionId);
  const outcome = await runDisaggregation({ document, params: input });
  return saveDisaggregation(db, input, outcome, { startedAt: started.toISOString(), durationMs: Date.now() - started.getTime() });
}
