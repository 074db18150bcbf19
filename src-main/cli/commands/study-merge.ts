/**
 * `cwb merge PART.json… [--json] [--save [--network ECONOMY.json]]` on the parts of an intervention study run in
 * shards (intervention-partial-file.ts): checked to belong together, merged by the job's own merge
 * (economyStudyResults) and printed as `cwb intervention-study` prints a study; with `--save` stored as one
 * intervention run on the stored economy version the shards read, with its provenance under `cluster`.
 */
import { economyInterventionSchema } from '../../../src-shared/results/intervention';
import type { RunParams } from '../../../src-shared/run-kinds';
import type { AppContext } from '../../app';
import { sha256Hex } from '../../io/importers';
import { economyStudyResults, saveInterventionRun } from '../../jobs/intervention-tasks';
import { networks } from '../../store/repositories';
import { UsageError, type CommandIo } from '../command';
import { checkStudyShardsBelongTogether, parseStudyPartial } from './intervention-partial-file';
import { printStudy, validated } from './intervention-study';
import { clusterProvenance, mergedRunVersion } from './merged-run';

/** Merges the parts of one study (already read); prints its summary, or saves it with --save. */
export async function mergeStudyParts(
  files: Array<{ file: string; bytes: Uint8Array }>,
  flags: Record<string, string | true>,
  io: CommandIo,
  context: () => AppContext,
  label: string,
): Promise<number> {
  const parts = files.map(({ file, bytes }) => ({ file, sha256: sha256Hex(bytes), ...parseStudyPartial(bytes, file) }));
  checkStudyShardsBelongTogether(parts);
  const { run } = parts[0]!;
  const shardParts = parts.map((part) => part.part);
  io.err(
    `${label}: ${parts.length} shards, ${run.params.scenarios} scenarios of an intervention study on ${run.economy}`,
  );
  if (!flags.save) {
    const results = economyStudyResults(shardParts, { firms: shardParts[0]!.ids.map((id) => ({ id })) }, run.params);
    if (flags.json) io.out(JSON.stringify(results));
    else if (results.target === 'economy') printStudy(io, run.economy, run.params, results);
    return 0;
  }
  const app = context();
  const started = new Date();
  const { economy: name, economySha256: sha256 } = run;
  const versionId = await mergedRunVersion(app, io, label, { kind: 'crossholdings', name, sha256, flags });
  const { document, version } = networks.getEconomyVersion(app.db, versionId);
  const ids = shardParts[0]!.ids;
  if (document.firms.length !== ids.length || document.firms.some((firm, i) => firm.id !== ids[i]))
    throw new UsageError(`economy version ${versionId} does not have the firms of the parts (${name})`);
  const params: RunParams<'intervention'> = {
    ...validated(economyInterventionSchema, { ...run.params, versionId }),
    cluster: clusterProvenance(parts, run.shard.count, { name, sha256 }, started),
  };
  const results = economyStudyResults(shardParts, document, run.params);
  const runId = saveInterventionRun(app.db, params, results, {
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
  });
  io.err(`${label}: saved as run ${runId}, merged from ${parts.length} shards, on economy version ${versionId}`);
  if (flags.json) io.out(JSON.stringify({ runId, ...results }));
  else if (results.target === 'economy') printStudy(io, `${document.name} v${version}`, run.params, results);
  return 0;
}
