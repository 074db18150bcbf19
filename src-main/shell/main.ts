/**
 * The Electron main process: one hardened window over the shared app core; IPC channels are exactly the
 * contract's, each checked to come from the app's own frame. Native dialogs for opening and saving files.
 */
import { app, BrowserWindow, dialog, ipcMain, nativeTheme, safeStorage, type IpcMainInvokeEvent } from 'electron';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { channels } from '../../src-shared/contract';
import { JOB_EVENT_CHANNEL } from '../../src-shared/jobs';
import { createApp, type AppContext } from '../app';
import { seedSamples } from '../io/samples';
import { describeWriteFailure, safeWriteFile } from '../io/safe-write';
import { settings } from '../store/repositories';
import { storeFault, storeFile } from '../store/db';
import { keyringKey, readKeyFile, saveInKeyring } from '../store/store-key';
import { hardenSession, installAppWideGuards, isAppUrl } from './security';

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

function trustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  return event.sender === mainWindow?.webContents && isAppUrl(url, devServerUrl);
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
  if (devServerUrl) void window.loadURL(devServerUrl);
  else void window.loadFile(fileURLToPath(new URL('../renderer/index.html', import.meta.url)));
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
      filters: [{ name: 'Networks and datasets', extensions: ['json', 'csv'] }],
    });
    const path = chosen.filePaths[0];
    if (chosen.canceled || !path) return null;
    return { fileName: basename(path), contentBase64: readFileSync(path).toString('base64') };
  });
  ipcMain.handle('dialog:saveFile', async (event, request: { fileName?: unknown; content?: unknown; encoding?: unknown }) => {
    if (!trustedSender(event) || !mainWindow) return null;
    if (typeof request?.fileName !== 'string' || typeof request.content !== 'string') return null;
    const chosen = await dialog.showSaveDialog(mainWindow, { defaultPath: join(app.getPath('documents'), basename(request.fileName)) });
    if (chosen.canceled || !chosen.filePath) return null;
    // The native dialog has already asked about replacing a file; still never into the data folder, always atomic.
    try {
      safeWriteFile(chosen.filePath, request.encoding === 'base64' ? Buffer.from(request.content, 'base64') : request.content, { dataDir: core.dataDir, force: true });
    } catch (error) {
      await dialog.showMessageBox(mainWindow, { type: 'error', message: describeWriteFailure(chosen.filePath, error).message });
      return null;
    }
    return chosen.filePath;
  });
}

/**
 * The store key of the desktop app: 256 random bits wrapped by the OS through Electron's safeStorage in
 * userData/store-key.wrapped, and also left in the OS keyring so `cwb` finds it. An existing store without a
 * wrapped key (made by `cwb`) takes its key from CWB_KEY_FILE or the keyring. Where safeStorage would keep the key
 * in plain text ('basic_text') or cannot encrypt, only CWB_KEY_FILE is accepted. Undefined: no key (say why, quit).
 */
function desktopStoreKey(dataDir: string): Uint8Array | undefined {
  const keyFile = process.env.CWB_KEY_FILE;
  const protectedStorage = safeStorage.isEncryptionAvailable() && !(process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text');
  if (!protectedStorage) return keyFile ? readKeyFile(keyFile, dataDir) : undefined;
  const wrapped = join(app.getPath('userData'), 'store-key.wrapped');
  if (existsSync(wrapped)) return Buffer.from(safeStorage.decryptString(readFileSync(wrapped)), 'hex');
  const existing = existsSync(storeFile(dataDir));
  const key = keyFile ? readKeyFile(keyFile, dataDir) : (keyringKey(dataDir) ?? (existing ? undefined : randomBytes(32)));
  if (!key) return undefined;
  writeFileSync(`${wrapped}.tmp`, safeStorage.encryptString(Buffer.from(key).toString('hex')), { mode: 0o600 });
  renameSync(`${wrapped}.tmp`, wrapped);
  saveInKeyring(dataDir, key);
  return key;
}

installAppWideGuards(devServerUrl);
app.enableSandbox();

void app.whenReady().then(() => {
  hardenSession(devServerUrl);
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
    context = createApp({
      dataDir,
      transport: 'electron',
      key,
      onJobEvent: (event) => mainWindow?.webContents.send(JOB_EVENT_CHANNEL, event),
    });
    seedSamples(context.db);
  } catch (error) {
    dialog.showErrorBox('Contagion Workbench cannot open its data', storeFault(error, dataDir)?.message ?? (error as Error).message);
    app.quit();
    return;
  }
  registerIpc(context);
  mainWindow = createWindow(context);
});

app.on('window-all-closed', () => {
  void context?.close().finally(() => app.quit());
});
