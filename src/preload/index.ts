import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Bridge } from '../shared/api/bridge';
import type { PushEvent } from '../shared/api/events';

// Inlined: a sandboxed preload cannot load other modules at run time.
const INVOKE_CHANNEL = 'api:invoke';
const EVENT_CHANNEL = 'api:event';
const NOTICE_CHANNEL = 'host:call-notice';

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
};

contextBridge.exposeInMainWorld('api', api);
