import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Bridge, ExportProgress } from '../shared/api/bridge';
import type { PushEvent } from '../shared/api/events';

// Inlined: a sandboxed preload cannot load other modules at run time.
const INVOKE_CHANNEL = 'api:invoke';
const EVENT_CHANNEL = 'api:event';
const NOTICE_CHANNEL = 'host:call-notice';
const EXPORT_SAVE_CHANNEL = 'host:export-save';
const EXPORT_CANCEL_CHANNEL = 'host:export-cancel';
const EXPORT_PROGRESS_CHANNEL = 'host:export-progress';

/**
 * The renderer's only door: one invoke channel and one event channel, plus
 * call notifications for the desktop host. Inputs are forwarded as they
 * are; the main process parses and authorizes.
 */
const api: Bridge = {
  invoke: (method, input) => {
    if (typeof method !== 'string') return Promise.reject(new TypeError('method must be a string'));
    return ipcRenderer.invoke(INVOKE_CHANNEL, method, input);
  },
  on: (listener) => {
    const wrapped = (_event: IpcRendererEvent, payload: PushEvent) => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
    };
  },
  showCallNotice: (notice) => ipcRenderer.send(NOTICE_CHANNEL, { kind: 'show', ...notice }),
  closeCallNotice: (lineId) => ipcRenderer.send(NOTICE_CHANNEL, { kind: 'close', lineId }),
  saveExport: async (token, onProgress) => {
    const wrapped = (_event: IpcRendererEvent, p: ExportProgress) => {
      if (p.token === token) onProgress(p);
    };
    ipcRenderer.on(EXPORT_PROGRESS_CHANNEL, wrapped);
    try {
      return (await ipcRenderer.invoke(EXPORT_SAVE_CHANNEL, token)) as ExportProgress;
    } finally {
      ipcRenderer.removeListener(EXPORT_PROGRESS_CHANNEL, wrapped);
    }
  },
  cancelExport: (token) => ipcRenderer.send(EXPORT_CANCEL_CHANNEL, token),
};

contextBridge.exposeInMainWorld('api', api);
