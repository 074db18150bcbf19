/**
 * The Electron main process: one hardened window over the shared app core; IPC channels are exactly the
 * contract's, each checked to come from the app's own frame. Native dialogs for opening and saving files.
 */
import { app, BrowserWindow, dialog, ipcMain, nativeTheme, type IpcMainInvokeEvent } from 'electron';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { channels } from '../../src-shared/contract';
import { JOB_EVENT_CHANNEL } from '../../src-shared/jobs';
import { createApp, type AppContext } from '../app';
import { seedSamples } from '../io/samples';
import { settings } from '../store/repositories';
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
    writeFileSync(chosen.filePath, request.encoding === 'base64' ? Buffer.from(request.content, 'base64') : request.content);
    return chosen.filePath;
  });
}

installAppWideGuards(devServerUrl);
app.enableSandbox();

void app.whenReady().then(() => {
  hardenSession(devServerUrl);
  const dataDir = process.env.CWB_DATA_DIR ?? app.getPath('userData');
  context = createApp({
    dataDir,
    transport: 'electron',
    onJobEvent: (event) => mainWindow?.webContents.send(JOB_EVENT_CHANNEL, event),
  });
  seedSamples(context.db);
  registerIpc(context);
  mainWindow = createWindow(context);
});

app.on('window-all-closed', () => {
  void context?.close().finally(() => app.quit());
});
