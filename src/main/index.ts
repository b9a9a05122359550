import { app, BrowserWindow, dialog, powerMonitor, type WebContents } from 'electron';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { EVENT_CHANNEL } from '../shared/api/bridge';
import { DESK_LINK_CHANNEL, DESK_STATUS_CHANNEL, type DeskMode } from '../shared/api/desk';
import type { Core } from './core';
import { createCore } from './core';
import { DIAL_SCHEMES, dialTargetFromUrl, dialUrlIn } from './dialLinks';
import { wireCallNotices } from './callNotices';
import { broadcast, joinedConnectSources, safeStorageCipher, trustJoinedServer, wireDesk } from './deskHost';
import { wireIpc, type ApiBackend } from './ipc';
import { leaveTeam } from './remote/leave';
import { createDeskSetup, JOIN_SCHEME, joinLinkIn } from './remote/deskSetup';
import { createDeskStore } from './remote/deskStore';
import type { Joined } from './remote/join';
import { startJoinedDesk, type JoinedDesk } from './remote/joinedDesk';
import { wireExports } from './exportSave';
import { rendererEntryUrl } from './origins';
import { applySecurity } from './security';
import { pageOrigins, startHostedPhone } from './sip/hosted';
import type { PhoneService } from './sip/service';
import { missingHint, sqliteBinding } from './sqliteBinding';

/**
 * The Electron host: one window, and window.api over IPC to the embedded
 * demo core or, on a desktop that joined a team, relayed to the team server
 * (src/main/remote). The first run asks which. It carries bytes and decides
 * nothing; every permission decision is the core's or the server's.
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

/** A teamline:// invitation: to the chooser on the first run; otherwise, once confirmed, this computer leaves and joins anew. */
let mode: DeskMode = 'choose';
let pendingLink: string | null = joinLinkIn(process.argv);
let current: { joinedTo: string } | null = null;
function openJoinLink(url: string | null): void {
  if (!url) return;
  const win = BrowserWindow.getAllWindows()[0];
  if (mode === 'choose') {
    pendingLink = url;
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
      win.webContents.send(DESK_LINK_CHANNEL, url);
    }
    return;
  }
  const leaving = current ? `the team at ${current.joinedTo}` : 'the demo on this computer';
  const answer = dialog.showMessageBoxSync({
    type: 'question',
    buttons: ['Cancel', 'Join with this invitation'],
    defaultId: 0,
    cancelId: 0,
    message: 'Join another team?',
    detail: `Teamline on this computer leaves ${leaving} and restarts to join with the invitation you opened.`,
  });
  if (answer !== 1) return;
  leaveAndRelaunch(url);
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

for (const scheme of [...DIAL_SCHEMES, JOIN_SCHEME]) app.setAsDefaultProtocolClient(scheme);
app.on('open-url', (event, url) => {
  event.preventDefault();
  if (joinLinkIn([url])) openJoinLink(url);
  else openDialLink(url);
});

const store = createDeskStore(app.getPath('userData'), safeStorageCipher);
let leaveAndRelaunch: (link: string) => void = () => undefined;

void app.whenReady().then(() => {
  let joined: Joined | null = null;
  let backend: ApiBackend | null = null;
  let core: Core | null = null;
  let desk: JoinedDesk | null = null;
  // The softphone reconnects by itself once the phone service is up (or says why it is not).
  let phone: PhoneService | null = null;
  let phoneStarted: Promise<unknown> = Promise.resolve();
  const isOurWindow = (contents: WebContents) => windows.has(contents.id);
  applySecurity(rendererUrl, () => joinedConnectSources(joined));
  trustJoinedServer(
    () => joined,
    (id) => windows.has(id),
  );
  wireIpc(() => backend, rendererUrl, isOurWindow);
  wireCallNotices(rendererUrl, isOurWindow);
  // The demo's exports are written by its core; a joined desktop's are downloaded from its server.
  wireExports(() => (core ? { core } : joined ? { joined } : null), rendererUrl, isOurWindow);

  /** Today's embedded account, with its own phone service on loopback. */
  function startDemo() {
    const dbPath = join(app.getPath('userData'), 'teamline.db');
    const demo = createCore({
      dbPath,
      nativeBinding: electronSqlite(),
      demoIfEmpty: true,
      resourcesDir: join(app.getAppPath(), 'resources'),
    });
    core = demo;
    backend = demo;
    mode = 'demo';
    phoneStarted = startHostedPhone({
      core: demo,
      instance: dbPath,
      templateFile: join(app.getAppPath(), 'resources', 'kamailio', 'kamailio.cfg.tmpl'),
      promptsDir: join(app.getAppPath(), 'resources', 'prompts'),
      // Only this app's window may open the softphone's connection.
      origins: pageOrigins(rendererUrl),
    }).then((p) => (phone = p));
  }

  /** The team server: one pinned connection, its state shown as a banner, tried again when the computer wakes. */
  function startJoined(j: Joined) {
    joined = j;
    current = { joinedTo: j.server };
    desk = startJoinedDesk(j);
    desk.onStatus((status) => broadcast(DESK_STATUS_CHANNEL, status, isOurWindow));
    backend = desk;
    mode = 'joined';
  }
  powerMonitor.on('resume', () => desk?.retryNow());
  powerMonitor.on('unlock-screen', () => desk?.retryNow());

  const reloadWindows = () => {
    for (const win of BrowserWindow.getAllWindows()) win.webContents.reload();
  };
  wireDesk({
    rendererUrl,
    isOurWindow,
    info: () => ({ mode, status: desk?.status() ?? null, pendingLink, deviceName: hostname() }),
    setup: createDeskSetup(store, (j) => {
      startJoined(j);
      pendingLink = null;
      setTimeout(reloadWindows, 600);
    }),
    chooseDemo: () => {
      store.chooseDemo();
      startDemo();
      reloadWindows();
    },
    leave: async () => {
      const left = await leaveTeam({ desk, deviceId: joined?.deviceId ?? 0, store });
      desk = null;
      joined = null;
      backend = null;
      current = null;
      mode = 'choose';
      setTimeout(reloadWindows, 300);
      return left;
    },
  });
  leaveAndRelaunch = (link) => {
    store.forget();
    app.relaunch({ args: [...process.argv.slice(1).filter((a) => !joinLinkIn([a])), link] });
    app.quit();
  };

  const choice = store.read();
  if (choice?.mode === 'demo') startDemo();
  else if (choice?.mode === 'joined') startJoined(choice);

  createWindow();
  openDialLink(dialUrlIn(process.argv));
  // Opened with an invitation on a computer already set up: ask before leaving.
  if (mode !== 'choose' && pendingLink) {
    const link = pendingLink;
    pendingLink = null;
    openJoinLink(link);
  }
  app.on('second-instance', (_event, argv) => {
    BrowserWindow.getAllWindows()[0]?.focus();
    openDialLink(dialUrlIn(argv));
    openJoinLink(joinLinkIn(argv));
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
    desk?.close();
    void phoneStarted
      .then(() => phone?.stop())
      .finally(() => {
        core?.close();
        app.quit();
      });
  });
});
