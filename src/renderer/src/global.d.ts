import type { Bridge } from '../../shared/api/bridge';

declare global {
  interface Window {
    /** Given by the Electron preload; absent in the browser build. */
    api?: Bridge;
  }
}
