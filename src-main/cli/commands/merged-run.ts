/**
 * What `cwb merge --save` does alike for a stress test and an intervention study run in shards: find the stored
 * version the shards read (by the SHA-256 of their file, or imported from --network), and the provenance the merged
 * run keeps under `cluster` in its parameters.
 */
import { hostname } from 'node:os';
import { basename } from 'node:path';
import type { StressClusterProvenance } from '../../../src-shared/results/stress';
import type { AppContext } from '../../app';
import { sha256Hex } from '../../io/importers';
import { UsageError, type CommandIo } from '../command';
import { readInputFile } from './common';
import { storedNetworkVersion, storedVersionOfFile } from './stored-network';

/** The stored version of the file the shards read: the one imported from it, or --network FILE imported now. */
export async function mergedRunVersion(
  app: AppContext,
  io: CommandIo,
  label: string,
  source: { kind: 'interbank' | 'crossholdings'; name: string; sha256: string; flags: Record<string, string | true> },
): Promise<number> {
  const { kind, name, sha256, flags } = source;
  const what = kind === 'interbank' ? 'network' : 'economy';
  if (typeof flags.network === 'string') {
    if (sha256Hex(readInputFile(flags.network)) !== sha256)
      throw new UsageError(
        `${basename(flags.network)} is not the ${what} file the shards read (its SHA-256 differs from ${sha256.slice(0, 12)}… in the parts)`,
      );
    return storedNetworkVersion(app, io, flags.network, {}, label, kind);
  }
  const versionId = (await storedVersionOfFile(app, sha256))?.versionId;
  if (versionId === undefined)
    throw new UsageError(
      `the store holds no ${what} imported from the file the shards read (${name}, SHA-256 ${sha256.slice(0, 12)}…): import it with cwb import, or give --network ${what.toUpperCase()}.json`,
    );
  return versionId;
}

/** Where a merged run came from: the shards, each part's file name and SHA-256, the input file, the merging host. */
export const clusterProvenance = (
  parts: Array<{ file: string; sha256: string }>,
  shards: number,
  input: { name: string; sha256: string },
  started: Date,
): StressClusterProvenance => ({
  merged: true,
  shards,
  parts: parts.map((part) => ({ file: part.file, sha256: part.sha256 })),
  network: input,
  host: hostname(),
  mergedAt: started.toISOString(),
});
