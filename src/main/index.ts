import { app, BrowserWindow, type WebContents } from 'electron';
import { join } from 'node:path';
import { EVENT_CHANNEL } from '../shared/api/bridge';
import { createCore } from './core';
import { DIAL_SCHEMES, dialTargetFromUrl, dialUrlIn } from './dialLinks';
import { wireCallNotices } from './callNotices';
import { wireIpc } from './ipc';
import { wireExports } from './exportSave';
import { rendererEntryUrl } from './origins';
import { applySecurity } from './security';
import { pageOrigins, startHostedPhone } from './sip/hosted';
import type { PhoneService } from './sip/service';
import { missingHint, sqliteBinding } from './sqliteBinding';

/**
 * The Electron host: one window, the core over IPC. It carries bytes and
 * decides nothing; every permission decision is the core's.
 */
if (!app.requestSingleInstanceLock()) app.quit();

const rendererUrl = rendererEntryUrl(join(__dirname, '../renderer/index.html'), process.env.ELECTRON_RENDERER_URL);
const windows = new Set<number>();

/** better-sqlite3 built for Electron's ABI by `npm start` (scripts/sqlite-abi.mjs) in dev and preview. */
function electronSqlite(): string | undefined {
  const ctx = { appPath: app.getAppPath(), electronVersion: process.versions.electron, isPackaged: app.isPackaged };
  const binding = sqliteBinding(ctx);
  if (!binding && !ctx.isPackaged) console.warn(missingHint);
  return binding;
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 600,
    title: 'Teamline',
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      preload: join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      // Middle-click must not open links in new windows.
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
    },
  });
  const id = win.webContents.id;
  windows.add(id);
  win.on('closed', () => windows.delete(id));
  win.once('ready-to-show', () => win.show());
  if (process.env.ELECTRON_RENDERER_URL) void win.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void win.loadFile(join(__dirname, '../renderer/index.html'));
  return win;
}

/** Hands a tel:/sip: link to the window's dialer. */
function openDialLink(url: string | null): void {
  const to = url ? dialTargetFromUrl(url) : null;
  const win = BrowserWindow.getAllWindows()[0];
  if (!to || !win) return;
  if (win.isMinimized()) win.restore();
  win.focus();
  const send = () => win.webContents.send(EVENT_CHANNEL, { name: 'dial.requested', to });
  if (win.webContents.isLoading()) win.webContents.once('did-finish-load', send);
  else send();
}

for (const scheme of DIAL_SCHEMES) app.setAsDefaultProtocolClient(scheme);
app.on('open-url', (event, url) => {
  event.preventDefault();
  openDialLink(url);
});

void app.whenReady().then(() => {
  applySecurity(rendererUrl);
  const dbPath = join(app.getPath('userData'), 'teamline.db');
  const core = createCore({
    dbPath,
    nativeBinding: electronSqlite(),
    demoIfEmpty: true,
    resourcesDir: join(app.getAppPath(), 'resources'),
  });
  const isOurWindow = (contents: WebContents) => windows.has(contents.id);
  wireIpc(core, rendererUrl, isOurWindow);
  wireExports(core, rendererUrl, isOurWindow);
  wireCallNotices(rendererUrl, isOurWindow);
  // The softphone reconnects by itself once the phone service is up (or says why it is not).
  let phone: PhoneService | null = null;
  const phoneStarted = startHostedPhone({
    core,
    instance: dbPath,
    templateFile: join(app.getAppPath(), 'resources', 'kamailio', 'kamailio.cfg.tmpl'),
    promptsDir: join(app.getAppPath(), 'resources', 'prompts'),
    // Only this app's window may open the softphone's connection.
    origins: pageOrigins(rendererUrl),
  }).then((p) => (phone = p));
  createWindow();
  openDialLink(dialUrlIn(process.argv));
  app.on('second-instance', (_event, argv) => {
    BrowserWindow.getAllWindows()[0]?.focus();
    openDialLink(dialUrlIn(argv));
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let quitting = false;
  app.on('will-quit', (event) => {
    if (quitting) return;
    // Stop Kamailio before the database closes: a call that ends now is still recorded.
    event.preventDefault();
    quitting = true;
    void phoneStarted
      .then(() => phone?.stop())
      .finally(() => {
        core.close();
        app.quit();
      });
  });
});
