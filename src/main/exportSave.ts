import { BrowserWindow, dialog, ipcMain, type WebContents } from 'electron';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import {
  EXPORT_CANCEL_CHANNEL,
  EXPORT_PROGRESS_CHANNEL,
  EXPORT_SAVE_CHANNEL,
  type ExportProgress,
} from '../shared/api/bridge';
import type { Core } from './core';
import { csvExport, exportTotal } from './core/export/csvExport';
import { takeTicket } from './core/export/tickets';
import { isOwnRendererUrl } from './origins';
import { downloadExport, suggestedExportName } from './remote/exportDownload';
import type { Joined } from './remote/join';

/**
 * The desktop app's side of a CSV export (core/export): the console asks the
 * core for a ticket over its own connection (exports.prepare), then hands it
 * here; the main process asks where to save (a native save dialog, which the
 * renderer cannot fake or skip) and writes the rows to that file as they come,
 * page by page, reporting progress to the window and stopping when it says
 * cancel. A cancelled or failed export leaves no partial file behind. On a
 * desktop joined to a team server the ticket is the server's, and the rows
 * are downloaded from it (src/main/remote/exportDownload.ts).
 */
export function wireExports(
  source: () => { core: Core } | { joined: Joined } | null,
  rendererUrl: string,
  isOurWindow: (contents: WebContents) => boolean,
): void {
  const running = new Map<string, { cancelled: boolean }>();

  const fromUs = (event: Electron.IpcMainInvokeEvent | Electron.IpcMainEvent) =>
    isOurWindow(event.sender) &&
    event.senderFrame === event.sender.mainFrame &&
    isOwnRendererUrl(event.senderFrame?.url ?? '', rendererUrl);

  ipcMain.on(EXPORT_CANCEL_CHANNEL, (event, token: unknown) => {
    if (!fromUs(event) || typeof token !== 'string') return;
    const job = running.get(token);
    if (job) job.cancelled = true;
  });

  ipcMain.handle(EXPORT_SAVE_CHANNEL, async (event, token: unknown, filename: unknown): Promise<ExportProgress> => {
    const key = typeof token === 'string' ? token : '';
    const fail = (message: string): ExportProgress => ({ token: key, state: 'failed', rows: 0, total: null, message });
    if (!fromUs(event)) return fail('Exports are accepted only from the app’s own window.');
    const from = source();
    if (!from) return fail('Exports are not available right now.');
    if ('joined' in from)
      return saveFromServer(event.sender, from.joined, key, suggestedExportName(filename, Date.now()));
    const core = from.core;
    const ticket = takeTicket(token);
    if (!ticket) return fail('This export has expired; export again.');
    const sender = event.sender;
    const window = BrowserWindow.fromWebContents(sender);
    const options = { defaultPath: ticket.filename, filters: [{ name: 'CSV', extensions: ['csv'] }] };
    const choice = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
    if (choice.canceled || !choice.filePath) return { token: key, state: 'cancelled', rows: 0, total: null };
    const path = choice.filePath;

    const job = { cancelled: false };
    running.set(key, job);
    const conn = core.connect(() => {}, ticket.session);
    const out = createWriteStream(path);
    const report = (p: ExportProgress) => {
      if (!sender.isDestroyed()) sender.send(EXPORT_PROGRESS_CHANNEL, p);
    };
    let rows = 0;
    let bytes = 0;
    let total: number | null = null;
    try {
      total = await exportTotal(conn, ticket.kind, ticket.filter);
      out.write('\uFEFF');
      bytes = 3;
      let last = 0;
      for await (const page of csvExport(
        conn,
        ticket.kind,
        ticket.filter,
        () => job.cancelled || sender.isDestroyed(),
      )) {
        rows = page.rows;
        bytes += Buffer.byteLength(page.chunk);
        if (!out.write(page.chunk)) await once(out, 'drain');
        const t = Date.now();
        if (t - last > 100) {
          last = t;
          report({ token: key, state: 'running', rows, bytes, total });
        }
      }
      out.end();
      await once(out, 'finish');
      if (job.cancelled || sender.isDestroyed()) {
        await rm(path, { force: true });
        return { token: key, state: 'cancelled', rows, bytes, total };
      }
      return { token: key, state: 'done', rows, bytes, total, file: path };
    } catch (error) {
      out.destroy();
      await rm(path, { force: true });
      return { ...fail(error instanceof Error ? error.message : 'The export failed'), rows, total };
    } finally {
      running.delete(key);
      conn.close();
    }
  });

  async function saveFromServer(
    sender: WebContents,
    joined: Joined,
    key: string,
    defaultPath: string,
  ): Promise<ExportProgress> {
    const window = BrowserWindow.fromWebContents(sender);
    const options = { defaultPath, filters: [{ name: 'CSV', extensions: ['csv'] }] };
    const choice = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
    if (choice.canceled || !choice.filePath) return { token: key, state: 'cancelled', rows: 0, total: null };
    const job = { cancelled: false };
    running.set(key, job);
    try {
      return await downloadExport({
        joined,
        token: key,
        path: choice.filePath,
        cancelled: () => job.cancelled || sender.isDestroyed(),
        onProgress: (p) => {
          if (!sender.isDestroyed()) sender.send(EXPORT_PROGRESS_CHANNEL, p);
        },
      });
    } finally {
      running.delete(key);
    }
  }
}
