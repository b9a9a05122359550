import type { Bridge } from '../../shared/api/bridge';
import type { DeskBridge } from '../../shared/api/desk';

declare global {
  interface Window {
    /** Given by the Electron preload; absent in the browser build. */
    api?: Bridge;
    /** The desktop app's setup and team connection (Electron only). */
    desk?: DeskBridge;
  }
}
