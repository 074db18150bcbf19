/**
 * The Electron main process: one hardened window over the shared app core; IPC channels are exactly the
 * contract's, each checked to come from the app's own frame. Native dialogs for opening and saving files.
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  nativeTheme,
  protocol,
  safeStorage,
  type IpcMainInvokeEvent,
} from 'electron';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { channels } from '../../src-shared/contract';
import { IMPORTABLE_FILE_TYPES } from '../../src-shared/formats/importable';
import { JOB_EVENT_CHANNEL } from '../../src-shared/jobs';
import { createApp, type AppContext } from '../app';
import { seedSamples } from '../api/samples';
import { describeWriteFailure, safeWriteFile } from '../io/safe-write';
import { settings } from '../store/repositories';
import { storeFault, storeFile } from '../store/db';
import { keyringKey, readKeyFile, saveInKeyring } from '../store/store-key';
import { resolveStaticTarget, staticHeaders } from '../io/static-files';
import { APP_ENTRY_URL, APP_HOST, APP_SCHEME, isTrustedFrame } from './app-url';
import { hardenSession, installAppWideGuards } from './security';

const devServerUrl = process.env.ELECTRON_RENDERER_URL;
let mainWindow: BrowserWindow | undefined;
let context: AppContext | undefined;

interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

/** IPC is answered only for the window's main frame showing an app URL (app://bundle/, or the dev server). */
function trustedSender(event: IpcMainInvokeEvent): boolean {
  return (
    event.sender === mainWindow?.webContents && isTrustedFrame(event.senderFrame, event.sender.mainFrame, devServerUrl)
  );
}

/**
 * The renderer's files on app://bundle/: only files inside out/renderer (the same mapping and headers, the CSP among
 * them, as the browser-mode host: host/static-files.ts), GET only; every other host or path is refused.
 */
function registerAppProtocol(): void {
  const rendererDir = fileURLToPath(new URL('../renderer', import.meta.url));
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST || url.username || url.password || url.port) return new Response(null, { status: 404 });
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405 });
    const target = resolveStaticTarget(rendererDir, `${url.pathname}${url.search}`);
    if ('status' in target) return new Response(null, { status: target.status });
    try {
      const body = await readFile(target.file);
      return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
        status: 200,
        headers: staticHeaders(target.contentType),
      });
    } catch {
      return new Response(null, { status: 404 });
    }
  });
}

function createWindow(core: AppContext): BrowserWindow {
  const state = settings.get<WindowState>(core.db, 'window.state') ?? { width: 1400, height: 900, maximized: false };
  const window = new BrowserWindow({
    x: state.x,
    y: state.y,
    width: state.width,
    height: state.height,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Contagion Workbench',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#1b1d22' : '#f6f7f9',
    webPreferences: {
      preload: fileURLToPath(new URL('../preload/index.cjs', import.meta.url)),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  });
  if (state.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());
  window.on('close', () => {
    const bounds = window.getNormalBounds();
    settings.set(core.db, 'window.state', { ...bounds, maximized: window.isMaximized() } satisfies WindowState);
  });
  void window.loadURL(devServerUrl ?? APP_ENTRY_URL);
  return window;
}

function registerIpc(core: AppContext): void {
  const refused = { ok: false, error: { code: 'invalid_input', message: 'request from an untrusted frame' } };
  for (const channel of channels) {
    ipcMain.handle(channel, (event, payload: unknown) =>
      trustedSender(event) ? core.router.handle(channel, payload) : refused,
    );
  }
  ipcMain.handle('dialog:openFile', async (event) => {
    if (!trustedSender(event) || !mainWindow) return null;
    const chosen = await dialog.showOpenDialog(mainWindow, {
      properties: ['openFile'],
      filters: [
        { name: 'Networks, economies and holdings', extensions: [...IMPORTABLE_FILE_TYPES] },
        { name: 'All files', extensions: ['*'] },
      ],
    });
    const path = chosen.filePaths[0];
    if (chosen.canceled || !path) return null;
    // the main process reads the file itself when it is previewed or imported: only its handle crosses to the page
    try {
      return core.files.fromPath(path);
    } catch (error) {
      await dialog.showMessageBox(mainWindow, { type: 'error', message: (error as Error).message });
      return null;
    }
  });
  ipcMain.handle('dialog:chooseSaveTarget', async (event, request: { fileName?: unknown }) => {
    if (!trustedSender(event) || !mainWindow || typeof request?.fileName !== 'string') return null;
    const chosen = await dialog.showSaveDialog(mainWindow, {
      defaultPath: join(app.getPath('documents'), basename(request.fileName)),
    });
    if (chosen.canceled || !chosen.filePath) return null;
    // the path stays here; the page gets a handle, and the main process writes the file there itself
    return core.files.saveTarget(chosen.filePath);
  });
  ipcMain.handle(
    'dialog:saveFile',
    async (event, request: { fileName?: unknown; content?: unknown; encoding?: unknown }) => {
      if (!trustedSender(event) || !mainWindow) return null;
      if (typeof request?.fileName !== 'string' || typeof request.content !== 'string') return null;
      const chosen = await dialog.showSaveDialog(mainWindow, {
        defaultPath: join(app.getPath('documents'), basename(request.fileName)),
      });
      if (chosen.canceled || !chosen.filePath) return null;
      // The native dialog has already asked about replacing a file; still never into the data folder, always atomic.
      try {
        safeWriteFile(
          chosen.filePath,
          request.encoding === 'base64' ? Buffer.from(request.content, 'base64') : request.content,
          { dataDir: core.dataDir, force: true },
        );
      } catch (error) {
        await dialog.showMessageBox(mainWindow, {
          type: 'error',
          message: describeWriteFailure(chosen.filePath, error).message,
        });
        return null;
      }
      return chosen.filePath;
    },
  );
}

/**
 * The store key of the desktop app: 256 random bits wrapped by the OS through Electron's safeStorage in
 * userData/store-key.wrapped, and also left in the OS keyring so `cwb` finds it. An existing store without a
 * wrapped key (made by `cwb`) takes its key from CWB_KEY_FILE or the keyring. Where safeStorage would keep the key
 * in plain text ('basic_text') or cannot encrypt, only CWB_KEY_FILE is accepted. Undefined: no key (say why, quit).
 */
function desktopStoreKey(dataDir: string): Uint8Array | undefined {
  const keyFile = process.env.CWB_KEY_FILE;
  const protectedStorage =
    safeStorage.isEncryptionAvailable() &&
    !(process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text');
  if (!protectedStorage) return keyFile ? readKeyFile(keyFile, dataDir) : undefined;
  const wrapped = join(app.getPath('userData'), 'store-key.wrapped');
  mkdirSync(app.getPath('userData'), { recursive: true, mode: 0o700 });
  if (existsSync(wrapped)) return Buffer.from(safeStorage.decryptString(readFileSync(wrapped)), 'hex');
  const existing = existsSync(storeFile(dataDir));
  const key = keyFile
    ? readKeyFile(keyFile, dataDir)
    : (keyringKey(dataDir) ?? (existing ? undefined : randomBytes(32)));
  if (!key) return undefined;
  writeFileSync(`${wrapped}.tmp`, safeStorage.encryptString(Buffer.from(key).toString('hex')), { mode: 0o600 });
  renameSync(`${wrapped}.tmp`, wrapped);
  saveInKeyring(dataDir, key);
  return key;
}

// app://bundle/ is a standard, secure origin of its own (not file://): registered before the app is ready.
protocol.registerSchemesAsPrivileged([
  {
    scheme: APP_SCHEME,
    privileges: {
      standard: true,
      secure: true,
      supportFetchAPI: true,
      corsEnabled: true,
      stream: true,
      codeCache: true,
    },
  },
]);
installAppWideGuards(devServerUrl);
app.enableSandbox();

void app.whenReady().then(() => {
  hardenSession(devServerUrl);
  registerAppProtocol();
  const dataDir = process.env.CWB_DATA_DIR ?? app.getPath('userData');
  try {
    const key = desktopStoreKey(dataDir);
    if (!key) {
      dialog.showErrorBox(
        'Contagion Workbench cannot protect its data',
        'No protected key store is available on this system (or the store was made with another key): set CWB_KEY_FILE to a key file (64 hex digits, mode 600) and start again.',
      );
      app.quit();
      return;
    }
    context = createApp({ dataDir, transport: 'electron', key });
    context.watchJobs((event) => mainWindow?.webContents.send(JOB_EVENT_CHANNEL, event));
    seedSamples(context.db);
  } catch (error) {
    dialog.showErrorBox(
      'Contagion Workbench cannot open its data',
      storeFault(error, dataDir)?.message ?? (error as Error).message,
    );
    app.quit();
    return;
  }
  registerIpc(context);
  mainWindow = createWindow(context);
});

app.on('window-all-closed', () => {
  void context?.close().finally(() => app.quit());
});
