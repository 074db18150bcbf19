/**
 * The renderer's typed client. It never knows its transport: the Electron preload's `window.cwb`, or in browser
 * mode a WebSocket to the loopback host of the same origin (token from the address's fragment).
 */
import type { DesktopBridge, FileRef } from '../../../src-shared/bridge';
import type { Channel, InputOf, OutputOf } from '../../../src-shared/contract';
import type { ApiError, ApiResult } from '../../../src-shared/errors';
import { IMPORTABLE_FILE_TYPES } from '../../../src-shared/formats/importable';
import { JOB_EVENT_CHANNEL, type JobEvent } from '../../../src-shared/jobs';

declare global {
  interface Window {
    cwb?: DesktopBridge;
  }
}

export class ApiCallError extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
  }
}

function browserBridge(): DesktopBridge {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? sessionStorage.getItem('cwb.token') ?? '';
  if (token) sessionStorage.setItem('cwb.token', token);
  history.replaceState(null, '', location.pathname);
  const pending = new Map<number, (result: ApiResult<unknown>) => void>();
  const listeners = new Set<(event: JobEvent) => void>();
  let nextId = 1;
  const socket = new WebSocket(`ws://${location.host}/api?token=${encodeURIComponent(token)}`);
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('error', () =>
      reject(new Error('cannot reach the workbench host (is "npm run web" running?)')),
    );
  });
  socket.addEventListener('message', (message) => {
    const data = JSON.parse(String(message.data)) as
      | { id: number; result: ApiResult<unknown> }
      | { event: string; data: JobEvent };
    if ('event' in data) {
      if (data.event === JOB_EVENT_CHANNEL) listeners.forEach((listener) => listener(data.data));
    } else {
      pending.get(data.id)?.(data.result);
      pending.delete(data.id);
    }
  });
  /** Sends one message (text, or an upload's binary frame built for its id) and resolves with its answer. */
  const request = async (message: (id: number) => string | Blob): Promise<ApiResult<unknown>> => {
    await opened;
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      socket.send(message(id));
    });
  };
  /** A picked file uploaded once, as one binary message (host/server.ts `answerUpload`); its handle comes back. */
  const upload = async (file: File): Promise<FileRef> => {
    const result = await request((id) => {
      const header = new TextEncoder().encode(JSON.stringify({ id, channel: 'files:upload', payload: file.name }));
      const length = new Uint8Array(4);
      new DataView(length.buffer).setUint32(0, header.length);
      return new Blob([length, header, file]);
    });
    if (!result.ok) throw new ApiCallError(result.error);
    return result.value as FileRef;
  };
  return {
    invoke: (channel, payload) => request((id) => JSON.stringify({ id, channel, payload })),
    onJobEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async openFile() {
      const file = await new Promise<File | null>((resolve) => {
        const input = document.createElement('input');
        input.type = 'file';
        input.accept = IMPORTABLE_FILE_TYPES.map((type) => `.${type}`).join(',');
        input.dataset.testid = 'file-input';
        input.style.display = 'none';
        input.addEventListener('change', () => {
          input.remove();
          resolve(input.files?.[0] ?? null);
        });
        input.addEventListener('cancel', () => {
          input.remove();
          resolve(null);
        });
        document.body.append(input);
        input.click();
      });
      return file ? upload(file) : null;
    },
    // eslint-disable-next-line @typescript-eslint/require-await -- DesktopBridge.saveFile returns a promise (IPC on the desktop); async makes a failure here a rejection there too
    async saveFile(fileName, content, encoding = 'utf8') {
      const body = encoding === 'base64' ? Uint8Array.from(atob(content), (ch) => ch.charCodeAt(0)) : content;
      const url = URL.createObjectURL(new Blob([body], { type: 'application/octet-stream' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      return fileName;
    },
  };
}

const bridge: DesktopBridge = window.cwb ?? browserBridge();
export const transportName = window.cwb ? 'Electron IPC' : 'loopback WebSocket';

export async function call<C extends Channel>(channel: C, input: InputOf<C>): Promise<OutputOf<C>> {
  const result = await bridge.invoke(channel, input);
  if (!result.ok) throw new ApiCallError(result.error);
  return result.value as OutputOf<C>;
}

export const onJobEvent = (listener: (event: JobEvent) => void) => bridge.onJobEvent(listener);
export const openFile = () => bridge.openFile();
export const saveFile = (fileName: string, content: string, encoding?: 'utf8' | 'base64') =>
  bridge.saveFile(fileName, content, encoding);

/**
 * Saves an export where the user chooses. On the desktop the main process writes it there itself (`toTarget` with
 * the save dialog's handle): the file never comes to the page. In browser mode the page downloads what `toContent`
 * returns. The name saved, or null when the user cancelled.
 */
export async function saveExport(
  fileName: string,
  ways: {
    toTarget: (target: FileRef) => Promise<{ path: string }>;
    toContent: () => Promise<{ fileName: string; content: string; encoding: 'utf8' | 'base64' }>;
  },
): Promise<string | null> {
  if (bridge.chooseSaveTarget) {
    const target = await bridge.chooseSaveTarget(fileName);
    return target ? (await ways.toTarget(target)).path : null;
  }
  const file = await ways.toContent();
  return saveFile(file.fileName, file.content, file.encoding);
}
