import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Bridge, ExportProgress } from '../shared/api/bridge';
import type { DeskBridge, DeskStatus } from '../shared/api/desk';
import type { PushEvent } from '../shared/api/events';

// Inlined: a sandboxed preload cannot load other modules at run time.
const INVOKE_CHANNEL = 'api:invoke';
const EVENT_CHANNEL = 'api:event';
const NOTICE_CHANNEL = 'host:call-notice';
const EXPORT_SAVE_CHANNEL = 'host:export-save';
const EXPORT_CANCEL_CHANNEL = 'host:export-cancel';
const EXPORT_PROGRESS_CHANNEL = 'host:export-progress';
const DESK_CHANNEL = 'host:desk';
const DESK_STATUS_CHANNEL = 'host:desk-status';
const DESK_LINK_CHANNEL = 'host:desk-link';

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
  saveExport: async (token, onProgress, filename) => {
    const wrapped = (_event: IpcRendererEvent, p: ExportProgress) => {
      if (p.token === token) onProgress(p);
    };
    ipcRenderer.on(EXPORT_PROGRESS_CHANNEL, wrapped);
    try {
      return (await ipcRenderer.invoke(EXPORT_SAVE_CHANNEL, token, filename)) as ExportProgress;
    } finally {
      ipcRenderer.removeListener(EXPORT_PROGRESS_CHANNEL, wrapped);
    }
  },
  cancelExport: (token) => ipcRenderer.send(EXPORT_CANCEL_CHANNEL, token),
};

/** How this computer is set up (first run, joining a team) and the state of its connection to the team server. */
function listen<T>(channel: string, listener: (payload: T) => void): () => void {
  const wrapped = (_event: IpcRendererEvent, payload: T) => listener(payload);
  ipcRenderer.on(channel, wrapped);
  return () => {
    ipcRenderer.removeListener(channel, wrapped);
  };
}
const desk: DeskBridge = {
  info: () => ipcRenderer.invoke(DESK_CHANNEL, 'info'),
  inspect: (link) => ipcRenderer.invoke(DESK_CHANNEL, 'inspect', link),
  certificates: (address) => ipcRenderer.invoke(DESK_CHANNEL, 'certificates', address),
  join: (request) => ipcRenderer.invoke(DESK_CHANNEL, 'join', request),
  chooseDemo: () => ipcRenderer.invoke(DESK_CHANNEL, 'chooseDemo'),
  leave: () => ipcRenderer.invoke(DESK_CHANNEL, 'leave'),
  onStatus: (listener) => listen<DeskStatus>(DESK_STATUS_CHANNEL, listener),
  onLink: (listener) => listen<string>(DESK_LINK_CHANNEL, listener),
};

contextBridge.exposeInMainWorld('api', api);
contextBridge.exposeInMainWorld('desk', desk);
