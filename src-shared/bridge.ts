/** What the Electron preload exposes on `window.cwb`; the browser mode provides the same over a WebSocket. */
import type { ApiResult } from './errors';
import type { JobEvent } from './jobs';

/**
 * A file the user picked, by handle: its bytes stay in the main process (the desktop dialog registers the path; the
 * browser mode uploads the bytes once), and channels that read files take `{ fileName, handle }` (api/file-handles.ts).
 */
export interface FileRef {
  fileName: string;
  handle: string;
  /** Bytes. */
  size: number;
}

/** The largest file the app opens for import (150 MB), whichever face picked it. */
export const MAX_PICKED_FILE_BYTES = 150 * 1000 * 1000;

export interface DesktopBridge {
  invoke(channel: string, payload: unknown): Promise<ApiResult<unknown>>;
  onJobEvent(listener: (event: JobEvent) => void): () => void;
  /** Native open dialog (browser mode: the file input, then one upload); the file's handle, null when cancelled. */
  openFile(): Promise<FileRef | null>;
  /**
   * Desktop only: the native save dialog, whose chosen path stays in the main process as a save target; only its
   * handle comes back, and a channel such as `briefs:exportTo` then writes there without the file coming to the page.
   * Null when cancelled. Absent in browser mode, where files are downloaded.
   */
  chooseSaveTarget?(fileName: string): Promise<FileRef | null>;
  /** Native save dialog; the path written, or null when cancelled. Binary content travels as base64. */
  saveFile(fileName: string, content: string, encoding?: 'utf8' | 'base64'): Promise<string | null>;
}
