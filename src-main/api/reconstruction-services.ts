/** Reconstruction actions on the store: save a reconstructed network as a version (a split is the `disaggregate` job). */
import { isRunOf } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import { numberOrNote } from '../../src-shared/results/notes';
import type { Db } from '../store/db';
import { networks, runs } from '../store/repositories';

/** Saves one network of a `reconstruct` run as the next version of the run's network, with its provenance. */
export function saveReconstructedVersion(
  db: Db,
  runId: number,
  objective: string,
  note?: string,
): { versionId: number; version: number } {
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
