import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import type { Core, Session } from '../core';
import { csvExport, ExportFailure } from '../core/export/csvExport';
import { takeTicket } from '../core/export/tickets';

const PATH = /^\/export\/([A-Za-z0-9_-]{43})$/;

const status: Record<string, number> = { unauthenticated: 401, forbidden: 403, not_found: 404, invalid: 400 };

/**
 * GET /export/<ticket>: a CSV export as a download (core/export). The
 * ticket came from exports.prepare over this session's API connection; it is
 * taken (used once) and must belong to the session of the request's own
 * cookie (HttpOnly, SameSite=Strict), so another site cannot start a
 * download for someone, and a leaked link is worth nothing to another
 * session or a second time. A joined desktop downloads with its device
 * credential (`authorization: Device …`, which no page can send) a ticket
 * it prepared over its own connection. The rows are read as that session's user,
 * resolved again for every page, and written as they come, with the
 * response's backpressure: memory stays one page whatever the size. A
 * download the browser abandons stops the export at the next page.
 */
export async function serveExport(
  req: IncomingMessage,
  res: ServerResponse,
  core: Core,
  /** Whether the request may take a ticket prepared on this session (its own cookie's, or its desktop's). */
  owns: ((ticketSession: Session) => boolean) | undefined,
  headers: OutgoingHttpHeaders,
): Promise<void> {
  const plain = (code: number, text: string) =>
    res.writeHead(code, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end(text);
  const token = PATH.exec((req.url ?? '').split('?')[0] ?? '')?.[1];
  if (req.method !== 'GET') return void plain(405, 'Method not allowed');
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return void plain(403, 'Exports start from the console');
  const ticket = token ? takeTicket(token) : null;
  const session = ticket && owns?.(ticket.session) ? ticket.session : undefined;
  if (!ticket || !session)
    return void plain(404, 'This export link has expired or is not yours; export again from the console.');

  let aborted = false;
  res.on('close', () => {
    aborted = true;
  });
  const conn = core.connect(() => {}, session);
  try {
    const rows = csvExport(conn, ticket.kind, ticket.filter, () => aborted);
    // The header and the first page before the status line: a refusal is still an HTTP error.
    let first: string;
    try {
      const header = await rows.next();
      const page = await rows.next();
      first = (header.done ? '' : header.value.chunk) + (page.done ? '' : page.value.chunk);
    } catch (error) {
      if (error instanceof ExportFailure) return void plain(status[error.code] ?? 409, error.message);
      throw error;
    }
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${ticket.filename}"`,
    });
    // A byte-order mark: spreadsheet apps otherwise read UTF-8 names as another code page.
    res.write('\uFEFF');
    await writeOrWait(res, first);
    for await (const { chunk } of rows) {
      if (aborted) break;
      await writeOrWait(res, chunk);
    }
    // A failure part-way cannot change the status any more: the download is cut short instead of looking complete.
    res.end();
  } catch {
    if (!res.headersSent) plain(500, 'The export failed');
    else res.destroy();
  } finally {
    conn.close();
  }
}

/**
 * Writes a chunk and, when the socket's buffer is full, waits until it
 * drains or the response closes (the browser abandoned the download). Each
 * wait removes both of its listeners whichever comes first: an export of a
 * million rows waits thousands of times on one response.
 */
export function writeOrWait(res: Writable, chunk: string): Promise<void> {
  if (res.write(chunk) || res.destroyed || res.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
