/**
 * `cwb stress-merge PART.json… [--json] [--save [--network NETWORK.json]]` (also `cwb merge`): the summary of a
 * stress test run in shards (stress-partial-file.ts). With `--save` the merged run is saved in the store as one
 * stress run — the same kind, parameters and results a single `cwb stress` run saves, on the stored network
 * version the shards read (found by the network file's SHA-256 the parts carry) — with its provenance: the shards,
 * each part's file name and SHA-256, the host that merged them. Parts of an intervention study
 * (`contagion-workbench/intervention-partial@1`) go to study-merge.ts; a mix of both kinds is refused.
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { mergeStressPartials, summariseStress, type StressPartial } from '../../engines/stress';
import { sha256Hex } from '../../io/importers';
import { networks } from '../../store/repositories';
import { saveStressRun, stressRunResults } from '../../jobs/tasks';
import { jobParamSchemas } from '../../../src-shared/jobs';
import type { RunParams } from '../../../src-shared/run-kinds';
import type { AppContext } from '../../app';
import { UsageError, type Command, type CommandIo } from '../command';
import { readInputFile } from './common';
import { printStressSummary, reportVerification } from './stress';
import { checkShardsBelongTogether, parseStressPartial, type ShardRun } from './stress-partial-file';
import { INTERVENTION_PARTIAL_FORMAT } from './intervention-partial-file';
import { clusterProvenance, mergedRunVersion } from './merged-run';
import { mergeStudyParts } from './study-merge';

interface Part {
  file: string;
  sha256: string;
  run: ShardRun;
  partial: StressPartial;
}

const usage = (name: string) => `cwb ${name} PART.json… [--json] [--save [--network NETWORK.json|ECONOMY.json]]`;

const mergeCommandNamed = (name: string, summary: string): Command => ({
  name,
  summary,
  usage: usage(name),
  positionals: { min: 1, max: 100_000 },
  flags: [
    {
      name: 'save',
      description:
        'save the merged run in the store as one run (stress or intervention), on the stored version the shards read, with its provenance',
    },
    {
      name: 'network',
      value: 'FILE',
      description:
        'with --save: the network (or economy) file the shards read (same SHA-256), imported when the store does not hold it yet',
    },
  ],
  async run({ positionals, flags }, io, context) {
    if (flags.network !== undefined && flags.save === undefined)
      throw new UsageError('--network goes with --save (the network version the merged run is saved on)');
    const files = positionals.map((path) => {
      const bytes = readInputFile(path);
      return { file: basename(path), bytes, study: isStudyPart(bytes) };
    });
    const study = files.find((part) => part.study);
    const stress = files.find((part) => !part.study);
    if (study && stress)
      throw new UsageError(
        `${study.file} is a part of an intervention study and ${stress.file} of a stress test: merge the parts of one run at a time`,
      );
    if (study) return mergeStudyParts(files, flags, io, context, name);
    const parts: Part[] = files.map(({ file, bytes }) => ({
      file,
      sha256: sha256Hex(bytes),
      ...parseStressPartial(bytes, file),
    }));
    checkShardsBelongTogether(parts);
    const merged = mergeStressPartials(parts.map((part) => part.partial));
    const run = parts[0]!.run;
    io.err(`${name}: ${parts.length} shards, ${merged.scenarios} scenarios of ${run.network}`);
    reportVerification(io, merged);
    if (flags.save) return saveMerged(context(), io, name, { parts, merged, flags });
    const summary = summariseStress(merged);
    if (flags.json) io.out(JSON.stringify(summary));
    else printStressSummary(io, run.network, merged.ids, summary);
    return 0;
  },
});

/**
 * Whether a part file is an intervention study's: its format, the first member partialJson writes (looked up in
 * the first bytes rather than by parsing the whole file twice); anything else is read as a stress part.
 */
const isStudyPart = (bytes: Uint8Array): boolean =>
  new RegExp(`^\\s*\\{\\s*"format"\\s*:\\s*"${INTERVENTION_PARTIAL_FORMAT}"`).test(
    Buffer.from(bytes.subarray(0, 200)).toString('utf8'),
  );

/** The stored parameters of the merged run: a stress job's, checked by its schema (samples up to a cluster run's). */
const mergedParamsSchema = jobParamSchemas.stress.extend({ samples: z.number().int().min(1) });

async function saveMerged(
  app: AppContext,
  io: CommandIo,
  label: string,
  { parts, merged, flags }: { parts: Part[]; merged: StressPartial; flags: Record<string, string | true> },
): Promise<number> {
  const started = new Date();
  const run = parts[0]!.run;
  const sha256 = run.networkSha256;
  if (sha256 === undefined)
    throw new UsageError(
      `${parts[0]!.file} does not carry its network file's SHA-256 (written by an older cwb): clear the shards again to save the merged run`,
    );
  const versionId = await mergedRunVersion(app, io, label, {
    kind: 'interbank',
    name: run.network,
    sha256,
    flags,
  });
  const { document } = networks.getVersion(app.db, versionId);
  const ids = document.nodes.map((node) => node.id);
  if (ids.length !== merged.ids.length || ids.some((id, i) => id !== merged.ids[i]))
    throw new UsageError(`network version ${versionId} does not have the banks of the parts (${run.network})`);
  const eisenbergNoe = run.alpha === 1 && run.beta === 1;
  const params: RunParams<'stress'> = {
    ...mergedParamsSchema.parse({
      versionId,
      shockModel: run.shockModel,
      samples: run.samples,
      seed: run.seed,
      ...(eisenbergNoe ? {} : { recovery: { alpha: run.alpha, beta: run.beta } }),
    }),
    cluster: clusterProvenance(parts, run.shard.count, { name: run.network, sha256 }, started),
  };
  const results = stressRunResults(merged, document, params.recovery);
  const runId = saveStressRun(app.db, params, results, {
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
  });
  io.err(`${label}: saved as run ${runId}, merged from ${parts.length} shards, on network version ${versionId}`);
  if (flags.json) {
    io.out(JSON.stringify({ runId, ...results }));
    return 0;
  }
  const { version } = networks.getVersion(app.db, versionId);
  printStressSummary(io, `${document.name} v${version}`, ids, results);
  return 0;
}

export const stressMergeCommand = mergeCommandNamed(
  'stress-merge',
  'Merge the shards of a stress test (cwb stress … --shard K/N --out PART.json) or of an intervention study into the summary of the whole run; --save stores it as one run',
);

/** The same command under the name issue 20 and the docs' cluster section use: `cwb merge PARTS… --save`. */
export const mergeCommand = mergeCommandNamed(
  'merge',
  'The same as stress-merge: merge the shards of a stress test or an intervention study',
);
