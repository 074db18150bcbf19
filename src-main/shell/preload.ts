/**
 * The preload: a typed client on `window.cwb`, never a generic ipcRenderer. Only the contract's channels and
 * the three file dialogs can be invoked.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isChannel, JOB_EVENT_CHANNEL } from '../../src-shared/channels';
import type { JobEvent } from '../../src-shared/jobs';
import type { DesktopBridge } from '../../src-shared/bridge';

const bridge: DesktopBridge = {
  invoke: (channel, payload) =>
    isChannel(channel)
      ? ipcRenderer.invoke(channel, payload)
      : Promise.resolve({ ok: false, error: { code: 'unknown_channel', message: `unknown channel "${channel}"` } }),
  onJobEvent(listener) {
    const wrapped = (_event: IpcRendererEvent, data: JobEvent) => listener(data);
    ipcRenderer.on(JOB_EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.removeListener(JOB_EVENT_CHANNEL, wrapped);
  },
  openFile: () => ipcRenderer.invoke('dialog:openFile'),
  chooseSaveTarget: (fileName) => ipcRenderer.invoke('dialog:chooseSaveTarget', { fileName }),
  saveFile: (fileName, content, encoding = 'utf8') =>
    ipcRenderer.invoke('dialog:saveFile', { fileName, content, encoding }),
};

contextBridge.exposeInMainWorld('cwb', bridge);
