/**
 * `cwb stress-merge PART.json… [--json] [--save [--network NETWORK.json]]` (also `cwb merge`): the summary of a
 * stress test run in shards (stress-partial-file.ts). With `--save` the merged run is saved in the store as one
 * stress run — the same kind, parameters and results a single `cwb stress` run saves, on the stored network
 * version the shards read (found by the network file's SHA-256 the parts carry) — with its provenance: the shards,
 * each part's file name and SHA-256, the host that merged them.
 */
import { hostname } from 'node:os';
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
import { storedNetworkVersion, storedVersionOfFile } from './stored-network';
import { checkShardsBelongTogether, parseStressPartial, type ShardRun } from './stress-partial-file';

interface Part {
  file: string;
  sha256: string;
  run: ShardRun;
  partial: StressPartial;
}

const usage = (name: string) => `cwb ${name} PART.json… [--json] [--save [--network NETWORK.json]]`;

const mergeCommandNamed = (name: string, summary: string): Command => ({
  name,
  summary,
  usage: usage(name),
  positionals: { min: 1, max: 100_000 },
  flags: [
    {
      name: 'save',
      description:
        'save the merged run in the store as one stress run, on the stored network version the shards read, with its provenance',
    },
    {
      name: 'network',
      value: 'NETWORK.json',
      description:
        'with --save: the network file the shards read (same SHA-256), imported when the store does not hold it yet',
    },
  ],
  async run({ positionals, flags }, io, context) {
    if (flags.network !== undefined && flags.save === undefined)
      throw new UsageError('--network goes with --save (the network version the merged run is saved on)');
    const parts: Part[] = positionals.map((path) => {
      const bytes = readInputFile(path);
      const file = basename(path);
      return { file, sha256: sha256Hex(bytes), ...parseStressPartial(bytes, file) };
    });
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
  let versionId: number | undefined;
  if (typeof flags.network === 'string') {
    const bytes = readInputFile(flags.network);
    if (sha256Hex(bytes) !== sha256)
      throw new UsageError(
        `${basename(flags.network)} is not the network file the shards read (its SHA-256 differs from ${sha256.slice(0, 12)}… in the parts)`,
      );
    versionId = await storedNetworkVersion(app, io, flags.network, {}, label);
  } else {
    versionId = (await storedVersionOfFile(app, sha256))?.versionId;
    if (versionId === undefined)
      throw new UsageError(
        `the store holds no network imported from the file the shards read (${run.network}, SHA-256 ${sha256.slice(0, 12)}…): import it with cwb import, or give --network NETWORK.json`,
      );
  }
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
    cluster: {
      merged: true,
      shards: run.shard.count,
      parts: parts.map((part) => ({ file: part.file, sha256: part.sha256 })),
      network: { name: run.network, sha256 },
      host: hostname(),
      mergedAt: started.toISOString(),
    },
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
  'Merge the shards of a stress test (cwb stress … --shard K/N --out PART.json) into the summary of the whole run; --save stores it as one run',
);

/** The same command under the name issue 20 and the docs' cluster section use: `cwb merge PARTS… --save`. */
export const mergeCommand = mergeCommandNamed('merge', 'The same as stress-merge: merge the shards of a stress test');
