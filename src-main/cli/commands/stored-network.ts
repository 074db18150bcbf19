/**
 * The network an analysis command works on, as a version in the store (runs refer to versions, as in the app):
 * `--version ID` names one; a file is imported through `datasets:import` as the Data screen does, or found again
 * when the same file (same SHA-256) was imported before, and then its first version — the file as it was — is used.
 */
import { basename } from 'node:path';
import { call } from '../../api/router';
import type { AppContext } from '../../app';
import { sha256Hex } from '../../io/importers';
import { UsageError, type CommandIo, type FlagSpec } from '../command';
import { assertReadable, positiveId, readInputFile } from './common';

export const VERSION_FLAG: FlagSpec = {
  name: 'version',
  value: 'ID',
  description: 'a network version in the store (see cwb list) instead of a file',
};

/**
 * The version ID to run on: `--version`, or the file's version (imported now if it is new to the store). `kind`:
 * what the analysis runs on, an interbank network (default) or a cross-holdings economy (checked with `--version`).
 */
export async function storedNetworkVersion(
  app: AppContext,
  io: CommandIo,
  path: string | undefined,
  flags: Record<string, string | true>,
  label: string,
  kind: 'interbank' | 'crossholdings' = 'interbank',
): Promise<number> {
  const what = kind === 'interbank' ? 'a network' : 'an economy';
  if (flags.version !== undefined) {
    if (path !== undefined) throw new UsageError(`give ${what} file or --version ID, not both`);
    const versionId = positiveId(typeof flags.version === 'string' ? flags.version : undefined, '--version');
    await call(app.router, kind === 'interbank' ? 'networks:get' : 'economies:get', { versionId });
    return versionId;
  }
  if (path === undefined)
    throw new UsageError(`give ${what} file, or --version ID for ${what} in the store (see cwb list)`);
  assertReadable(path);
  const bytes = readInputFile(path);
  const sha256 = sha256Hex(bytes);
  const known = await storedVersionOfFile(app, sha256);
  if (known) {
    io.err(
      `${label}: ${basename(path)} is dataset ${known.datasetId} in the store; running on its network version ${known.versionId}`,
    );
    return known.versionId;
  }
  const imported = await call(app.router, 'datasets:import', app.files.fromPath(path));
  io.err(
    `${label}: imported ${basename(path)} as dataset ${imported.dataset.id}, network version ${imported.versionId}`,
  );
  return imported.versionId;
}

/** The first network version of the dataset imported from the file with this SHA-256 (the file as it was), if any. */
export async function storedVersionOfFile(
  app: AppContext,
  sha256: string,
): Promise<{ datasetId: number; versionId: number } | undefined> {
  const known = (await call(app.router, 'datasets:list', {})).find((dataset) => dataset.sha256 === sha256);
  if (!known) return undefined;
  const detail = await call(app.router, 'datasets:get', { id: known.id });
  const first = detail.networks.flatMap((network) => network.versions).sort((a, b) => a.id - b.id)[0];
  return first && { datasetId: known.id, versionId: first.id };
}
