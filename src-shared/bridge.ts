/** What the Electron preload exposes on `window.cwb`; the browser mode provides the same over a WebSocket. */
import type { ApiResult } from './errors';
import type { JobEvent } from './jobs';

export interface PickedFile {
  fileName: string;
  contentBase64: string;
}

export interface DesktopBridge {
  invoke(channel: string, payload: unknown): Promise<ApiResult<unknown>>;
  onJobEvent(listener: (event: JobEvent) => void): () => void;
  /** Native open dialog; null when cancelled. */
  openFile(): Promise<PickedFile | null>;
  /** Native save dialog; the path written, or null when cancelled. Binary content travels as base64. */
  saveFile(fileName: string, content: string, encoding?: 'utf8' | 'base64'): Promise<string | null>;
}
