/**
 * Every file the product writes to a place the user chose (cwb --out, the app's save dialog) goes through
 * `safeWriteFile`: the bytes go to a private temporary file (mode 0600) in the target's folder, are flushed to the
 * disk, and only then renamed over the target (and the folder flushed), so the target never holds a truncated
 * file. Refused, each in one line: a target inside the data folder (symbolic links and ".." resolved; always, even
 * with force), an existing target unless `force`, a missing folder. A full disk, a read-only disk or a missing
 * permission leaves nothing behind (the temporary file is removed) and is reported in one line.
 * docs/data-protection/files.md has the rules and the messages.
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { AppError } from '../../src-shared/errors';

export interface WriteTargetOptions {
  /** The data folder: nothing inside it (nor the folder itself) is ever a target. */
  dataDir: string;
  /** Replace an existing file (the user said so: cwb --force, or the save dialog's own question). */
  force?: boolean;
  /** How to tell the user to replace an existing file; default "add --force to replace it". */
  forceHint?: string;
  /** Further files never written over, e.g. the store's key file given with --key-file (CWB_KEY_FILE always is). */
  protect?: string[];
}

export interface FileToWrite {
  path: string;
  content: Uint8Array | string;
}

/** A refused or failed write: one line, no stack, the path as the user gave it. */
export class WriteRefusedError extends AppError {
  constructor(message: string) {
    super('invalid_input', message, 'out');
    this.name = 'WriteRefusedError';
  }
}

const CASE_INSENSITIVE = process.platform === 'win32' || process.platform === 'darwin';
const comparable = (path: string) => (CASE_INSENSITIVE ? path.toLowerCase() : path);

function isInside(path: string, folder: string): boolean {
  const p = comparable(path);
  const f = comparable(folder);
  return p === f || p.startsWith(f.endsWith(sep) ? f : f + sep);
}

/** The real path of a path that may not exist yet: its nearest existing ancestor resolved, the rest appended. */
function realPathOf(path: string): string {
  const absolute = resolve(path);
  let existing = absolute;
  const rest: string[] = [];
  for (;;) {
    try {
      return join(fs.realpathSync(existing), ...rest);
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return absolute;
      rest.unshift(basename(existing));
      existing = parent;
    }
  }
}

/** The data folder and the store's key file (CWB_KEY_FILE, --key-file): never written over. */
function protectedPaths(options: WriteTargetOptions): Array<{ path: string; what: string }> {
  const paths = [{ path: realPathOf(options.dataDir), what: `inside the data folder ${options.dataDir}` }];
  for (const keyFile of [process.env.CWB_KEY_FILE, ...(options.protect ?? [])]) {
    if (keyFile) paths.push({ path: realPathOf(keyFile), what: "the store's key file" });
  }
  return paths;
}

/**
 * Checks a target before anything is produced for it; returns its absolute path. Throws a WriteRefusedError
 * (one line) for a target in the data folder, a missing folder, a folder or device as the target, or an existing
 * file without `force`.
 */
export function checkWriteTarget(target: string, options: WriteTargetOptions): string {
  if (target.trim() === '') throw new WriteRefusedError('the output file name is empty');
  const absolute = resolve(target);
  const folder = dirname(absolute);
  let realFolder: string;
  try {
    realFolder = fs.realpathSync(folder);
  } catch {
    throw new WriteRefusedError(`the folder ${dirname(target) || '.'} does not exist`);
  }
  if (!fs.statSync(realFolder).isDirectory()) throw new WriteRefusedError(`${dirname(target)} is not a folder`);
  const location = join(realFolder, basename(absolute));
  let link: fs.Stats | undefined;
  try {
    link = fs.lstatSync(location);
  } catch {
    link = undefined;
  }
  // A symbolic link is judged by where it leads (a dangling one by where it would lead).
  const resolved = link?.isSymbolicLink() ? realPathOf(resolve(realFolder, fs.readlinkSync(location))) : location;
  for (const guarded of protectedPaths(options)) {
    if (isInside(location, guarded.path) || isInside(resolved, guarded.path) || isInside(guarded.path, location)) {
      throw new WriteRefusedError(
        `cannot write to ${target}: it is ${guarded.what}, which only the store writes; choose a file elsewhere`,
      );
    }
  }
  let stats: fs.Stats | undefined;
  try {
    stats = fs.statSync(location);
  } catch {
    stats = undefined;
  }
  if (stats?.isDirectory()) throw new WriteRefusedError(`${target} is a folder; give a file name`);
  if (stats && !stats.isFile()) throw new WriteRefusedError(`${target} is not a regular file; give a file name`);
  if ((stats || link) && !options.force)
    throw new WriteRefusedError(`${target} exists; ${options.forceHint ?? 'add --force to replace it'}`);
  return absolute;
}

const WRITE_FAILURES: Record<string, string> = {
  ENOSPC: 'the disk is full while writing FILE',
  EDQUOT: 'the disk quota is used up while writing FILE',
  EROFS: 'the disk holding FILE is read-only',
  EACCES: 'no permission to write FILE',
  EPERM: 'no permission to write FILE',
  EIO: 'the disk reported a read/write error while writing FILE',
  EFBIG: 'FILE would be larger than the disk allows',
  ENAMETOOLONG: 'the name FILE is too long',
  EEXIST: 'FILE appeared while it was being written',
};

/** An error of the file system as one line for the user ("…; nothing was written"). */
export function describeWriteFailure(target: string, error: unknown): WriteRefusedError {
  if (error instanceof WriteRefusedError) return error;
  const code = (error as NodeJS.ErrnoException)?.code ?? '';
  const what = (WRITE_FAILURES[code] ?? 'could not write FILE').replace('FILE', target);
  return new WriteRefusedError(`${what}; nothing was written`);
}

function temporaryPath(absolute: string): string {
  return join(dirname(absolute), `.${basename(absolute).slice(0, 180)}.${randomBytes(6).toString('hex')}.part`);
}

/** Writes every byte to a new 0600 file and flushes it to the disk. */
function writeTemporary(path: string, bytes: Uint8Array): void {
  const fd = fs.openSync(path, 'wx', 0o600);
  try {
    let offset = 0;
    while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(folder, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot open or flush a folder; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function removeQuietly(path: string): void {
  try {
    fs.rmSync(path, { force: true });
  } catch {
    // nothing more to do: the temporary file is hidden and named *.part
  }
}

/** Puts the finished temporary file in place: without force, never over a file that appeared meanwhile. */
function moveIntoPlace(temporary: string, absolute: string, force: boolean): void {
  if (force) {
    fs.renameSync(temporary, absolute);
    return;
  }
  try {
    fs.linkSync(temporary, absolute); // fails with EEXIST rather than replace
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw error;
    if (fs.existsSync(absolute)) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
    fs.renameSync(temporary, absolute); // file systems without hard links
    return;
  }
  removeQuietly(temporary);
}

interface Prepared {
  target: string;
  absolute: string;
  temporary: string;
}

/** Checks every target, then writes every temporary file; on any failure removes them all and throws one line. */
function prepareAll(files: FileToWrite[], options: WriteTargetOptions): Prepared[] {
  const seen = new Set<string>();
  const prepared = files.map((file) => {
    const absolute = checkWriteTarget(file.path, options);
    if (seen.has(comparable(absolute))) throw new WriteRefusedError(`${file.path} is named twice`);
    seen.add(comparable(absolute));
    return { target: file.path, absolute, temporary: temporaryPath(absolute) };
  });
  let current = prepared[0];
  try {
    files.forEach((file, index) => {
      current = prepared[index]!;
      writeTemporary(
        current.temporary,
        typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content,
      );
    });
  } catch (error) {
    prepared.forEach((p) => removeQuietly(p.temporary));
    throw describeWriteFailure(current?.target ?? '', error);
  }
  return prepared;
}

/**
 * Writes `content` to `target` atomically (see the file comment); returns the absolute path written. Throws a
 * WriteRefusedError, with nothing written and no temporary file left, when refused or when the write fails.
 */
export function safeWriteFile(target: string, content: Uint8Array | string, options: WriteTargetOptions): string {
  return safeWriteFiles([{ path: target, content }], options)[0]!;
}

/**
 * Several files that belong together (a CSV export's nodes and liabilities): every target is checked and every
 * file's bytes are on the disk before the first is put in place; a failure before that leaves nothing written.
 */
export function safeWriteFiles(files: FileToWrite[], options: WriteTargetOptions): string[] {
  const prepared = prepareAll(files, options);
  const placed: string[] = [];
  try {
    for (const p of prepared) {
      moveIntoPlace(p.temporary, p.absolute, options.force === true);
      placed.push(p.absolute);
    }
  } catch (error) {
    prepared.forEach((p) => removeQuietly(p.temporary));
    if (!options.force) placed.forEach(removeQuietly); // only files this call created
    throw describeWriteFailure(prepared[placed.length]?.target ?? '', error);
  }
  for (const folder of new Set(placed.map((path) => dirname(path)))) syncFolder(folder);
  return placed;
}
