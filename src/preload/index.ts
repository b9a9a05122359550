import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Bridge } from '../shared/api/bridge';
import type { PushEvent } from '../shared/api/events';

// Inlined: a sandboxed preload cannot load other modules at run time.
const INVOKE_CHANNEL = 'api:invoke';
const EVENT_CHANNEL = 'api:event';

/**
 * The renderer's only door: one invoke channel and one event channel.
 * Inputs are forwarded as they are; the main process parses and authorizes.
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
};

contextBridge.exposeInMainWorld('api', api);
