/** `--out FILE` and `--force` for every cwb command that writes a file: through io/safe-write.ts, always. */
import type { AppContext } from '../../app';
import { checkWriteTarget, safeWriteFiles, type FileToWrite, type WriteTargetOptions } from '../../io/safe-write';
import type { FlagSpec } from '../command';

export const FORCE_FLAG: FlagSpec = {
  name: 'force',
  description: 'replace an existing --out file (a file in the data folder is never replaced)',
};

export const outOptions = (flags: Record<string, string | true>, context: AppContext): WriteTargetOptions => ({
  dataDir: context.dataDir,
  force: flags.force === true,
  protect: typeof flags['key-file'] === 'string' ? [flags['key-file']] : [],
});

/** Refuses bad targets before any work is done for them (one line, exit 2). */
export function checkOutTargets(paths: string[], flags: Record<string, string | true>, context: AppContext): void {
  for (const path of paths) checkWriteTarget(path, outOptions(flags, context));
}

/** Writes the files atomically (checked again: a file may have appeared meanwhile); returns the paths as given. */
export function writeOutFiles(
  files: FileToWrite[],
  flags: Record<string, string | true>,
  context: AppContext,
): string[] {
  safeWriteFiles(files, outOptions(flags, context));
  return files.map((file) => file.path);
}
