/**
 * Files the user picked, held by handle, so that a file's bytes cross a process boundary at most once: the desktop
 * app's open dialog registers the chosen path and the main process reads the file itself when it previews or imports
 * it; the browser mode uploads the bytes once over its socket; `cwb` registers the path it was given. Channels take
 * `{ fileName, handle }`. Handles are random, kept in memory only (nothing is written), and the oldest are let go
 * beyond a count and a byte budget; an unknown or released handle is refused in words.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { AppError } from '../../src-shared/errors';
import { MAX_PICKED_FILE_BYTES, type FileRef } from '../../src-shared/bridge';
import { safeWriteFile } from '../io/safe-write';
import { decodeText } from '../io/tables';

interface HeldFile {
  fileName: string;
  size: number;
  path?: string;
  bytes?: Buffer;
  /** A path chosen in a save dialog: written once (saveTo), never read. */
  saveTarget?: boolean;
}

export interface FileHandleLimits {
  /** Files held at once; registering one more lets the oldest go. */
  maxFiles: number;
  /** Uploaded bytes held at once (paths cost nothing); the oldest uploads are let go beyond it. */
  maxHeldBytes: number;
}

const MiB = 1024 * 1024;
const megabytes = (bytes: number) => `${(bytes / 1e6).toLocaleString('en-US', { maximumFractionDigits: 1 })} MB`;
/** The largest file a screen reads as text to edit it (a configuration, a system); imports take larger files. */
const MAX_TEXT_BYTES = 16 * 1000 * 1000;
export const DEFAULT_FILE_HANDLE_LIMITS: FileHandleLimits = { maxFiles: 16, maxHeldBytes: 512 * MiB };

export class FileHandles {
  private readonly held = new Map<string, HeldFile>();

  constructor(private readonly limits: FileHandleLimits = DEFAULT_FILE_HANDLE_LIMITS) {}

  /** A file on disk the user chose (desktop dialog, command line): read when it is used, not now. */
  fromPath(path: string): FileRef {
    return this.register({ fileName: basename(path), size: statSync(path).size, path });
  }

  /** A file's bytes uploaded once (browser mode), held in memory until let go. */
  fromBytes(fileName: string, bytes: Buffer): FileRef {
    return this.register({ fileName: basename(fileName), size: bytes.length, bytes });
  }

  /** A path the user chose in a save dialog (desktop): the main process writes there itself with `saveTo`. */
  saveTarget(path: string): FileRef {
    return this.register({ fileName: basename(path), size: 0, path, saveTarget: true });
  }

  /**
   * Writes `bytes` to a save target, whole or not at all and never into the data folder (io/safe-write.ts); the
   * native dialog has already asked about replacing a file. The handle is then let go; returns the path written.
   */
  saveTo(ref: Pick<FileRef, 'fileName' | 'handle'>, bytes: Uint8Array, dataDir: string): string {
    const file = this.held.get(ref.handle);
    if (!file?.saveTarget || !file.path)
      throw new AppError(
        'invalid_input',
        `${ref.fileName} is not a place chosen to save to; choose it again`,
        'target',
      );
    const written = safeWriteFile(file.path, bytes, { dataDir, force: true });
    this.held.delete(ref.handle);
    return written;
  }

  /** The file's name and bytes; refused in words when the handle is unknown or was let go. */
  read(ref: Pick<FileRef, 'fileName' | 'handle'>): { fileName: string; bytes: Buffer } {
    const file = this.held.get(ref.handle);
    if (!file || file.saveTarget)
      throw new AppError('invalid_input', `${ref.fileName} is no longer open here; choose it again`, 'handle');
    try {
      return { fileName: ref.fileName, bytes: file.bytes ?? readFileSync(file.path!) };
    } catch (error) {
      throw new AppError(
        'invalid_input',
        `cannot read ${ref.fileName}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        'handle',
      );
    }
  }

  private register(file: HeldFile): FileRef {
    if (file.size > MAX_PICKED_FILE_BYTES) {
      throw new AppError(
        'invalid_input',
        `${file.fileName} is ${megabytes(file.size)}; files up to ${megabytes(MAX_PICKED_FILE_BYTES)} are opened`,
        'file',
      );
    }
    const handle = randomBytes(16).toString('hex');
    this.held.set(handle, file);
    let heldBytes = [...this.held.values()].reduce((sum, f) => sum + (f.bytes?.length ?? 0), 0);
    for (const [oldest, entry] of this.held) {
      if (this.held.size <= this.limits.maxFiles && heldBytes <= this.limits.maxHeldBytes) break;
      if (oldest === handle) break;
      this.held.delete(oldest);
      heldBytes -= entry.bytes?.length ?? 0;
    }
    return { fileName: file.fileName, handle, size: file.size };
  }
}

/** A picked file's text (UTF-8, else Windows-1252, as the importers read it), for a screen that edits it. */
export function pickedText(files: FileHandles, ref: Pick<FileRef, 'fileName' | 'handle'>): string {
  const { bytes } = files.read(ref);
  if (bytes.length > MAX_TEXT_BYTES)
    throw new AppError(
      'invalid_input',
      `${ref.fileName} is ${megabytes(bytes.length)}; a file opened to edit holds up to ${megabytes(MAX_TEXT_BYTES)}`,
      'file',
    );
  return decodeText(bytes);
}
