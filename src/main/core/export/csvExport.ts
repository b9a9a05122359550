import type { Input, Method, Output } from '../../../shared/api/contract';
import type { AuditEvent, Message, Thread } from '../../../shared/api/entities';
import type { ApiResult } from '../../../shared/result';
import type { AuthedCtx } from '../api/context';
import { CallExportNames, callExportPage, EXPORT_CALL_PAGE } from './callExport';
import { callExportColumns, cell } from './csv';

/**
 * CSV exports of any size: the rows come page by page (keyset cursors) from
 * the very list queries the console shows, through the connection of the
 * person exporting, so each page has its actor resolved from the session and
 * the policy applied exactly as for the list on screen: the audit log and
 * messages through their list methods, calls through the calls list's own
 * page query read in the core with larger pages (export/callExport.ts). Nothing
 * is held but one page, whatever the size of the export; a host writes the
 * chunks to a file (Electron) or an HTTP response (browser) as they come.
 */
export type ExportKind = 'calls' | 'audit' | 'messages';

export type ExportFilter = {
  calls: Omit<Input<'calls.list'>, 'cursor' | 'limit'>;
  audit: Omit<Input<'audit.list'>, 'cursor' | 'limit'>;
  messages: Omit<Input<'messages.threads'>, 'cursor' | 'limit'>;
};

export interface Invoker {
  invoke(method: string, input: unknown): Promise<ApiResult<unknown>>;
  /** A read as the session's user (core/index.ts Connection.read): the calls export's pages. */
  read<T>(read: (ctx: AuthedCtx) => T): ApiResult<T>;
}

export class ExportFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Rows per list request of the audit log and messages: the largest page the API serves. */
export const EXPORT_PAGE = 200;

async function call<M extends Method>(conn: Invoker, method: M, input: Input<M>): Promise<Output<M>> {
  const r = (await conn.invoke(method, input)) as ApiResult<Output<M>>;
  if (!r.ok) throw new ExportFailure(r.error.code, r.error.message);
  return r.value;
}

const line = (cells: readonly (string | number | null)[]) => `${cells.map(cell).join(',')}\r\n`;
const iso = (t: number) => new Date(t).toISOString();

const auditColumns: [string, (e: AuditEvent) => string | number | null][] = [
  ['When (UTC)', (e) => iso(e.at)],
  ['Who', (e) => e.actorName],
  ['Action', (e) => e.action],
  ['Target type', (e) => e.targetType],
  ['Target id', (e) => e.targetId],
  ['Summary', (e) => e.summary],
  ['Before', (e) => (e.before === null || e.before === undefined ? null : JSON.stringify(e.before))],
  ['After', (e) => (e.after === null || e.after === undefined ? null : JSON.stringify(e.after))],
  ['Event id', (e) => e.id],
];

const messageColumns: [string, (t: Thread, m: Message) => string | number | null][] = [
  ['Sent (UTC)', (_t, m) => iso(m.sentAt)],
  ['Business number', (t) => t.bnE164],
  ['Other party', (t) => t.externalNumber],
  ['Contact', (t) => t.contactName],
  ['Direction', (_t, m) => m.direction],
  ['Sent by', (_t, m) => m.senderName],
  ['Message', (_t, m) => m.body],
  ['Conversation id', (t) => t.id],
  ['Message id', (_t, m) => m.id],
];

export const exportFilename = (kind: ExportKind, now: number) =>
  `${kind === 'audit' ? 'audit-log' : kind}-${new Date(now).toISOString().slice(0, 10)}.csv`;

/** Rows the export will hold, when the list can tell cheaply (an estimate for large call lists). */
export async function exportTotal(
  conn: Invoker,
  kind: ExportKind,
  filter: ExportFilter[ExportKind],
): Promise<number | null> {
  if (kind !== 'calls') return null;
  const r = await conn.invoke('calls.count', filter);
  return r.ok ? (r.value as { count: number }).count : null;
}

/**
 * The CSV, one chunk per page of the list (header first), and how many rows
 * so far. Stops between pages when `cancelled()` says so. A page that fails
 * (signed out, access changed, bad filter) ends the export with its error.
 */
export async function* csvExport<K extends ExportKind>(
  conn: Invoker,
  kind: K,
  filter: ExportFilter[K],
  cancelled: () => boolean = () => false,
  /** Calls per page (export/callExport.ts EXPORT_CALL_PAGE). */
  callPage: number = EXPORT_CALL_PAGE,
): AsyncGenerator<{ chunk: string; rows: number }> {
  let rows = 0;
  let cursor: string | undefined;
  const next = <T>(page: { items: T[]; nextCursor: string | null }) => {
    cursor = page.nextCursor ?? undefined;
    return page.nextCursor !== null;
  };
  // Other requests (the console, the phone) are served between pages.
  const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));
  if (kind === 'calls') {
    // Read in the core, a large page at a time, the actor resolved for every page (export/callExport.ts).
    yield { chunk: line(callExportColumns.map(([name]) => name)), rows };
    let from: string | null = null;
    const names = new CallExportNames();
    for (let more = true; more && !cancelled(); await breathe()) {
      const r = conn.read((ctx) => callExportPage(ctx, filter as ExportFilter['calls'], from, callPage, names));
      if (!r.ok) throw new ExportFailure(r.error.code, r.error.message);
      rows += r.value.rows;
      from = r.value.nextCursor;
      more = from !== null;
      yield { chunk: r.value.chunk, rows };
    }
  } else if (kind === 'audit') {
    yield { chunk: line(auditColumns.map(([name]) => name)), rows };
    for (let more = true; more && !cancelled(); await breathe()) {
      const page = await call(conn, 'audit.list', {
        ...(filter as ExportFilter['audit']),
        limit: EXPORT_PAGE,
        ...(cursor ? { cursor } : {}),
      });
      let chunk = '';
      for (const e of page.items) chunk += line(auditColumns.map(([, get]) => get(e)));
      rows += page.items.length;
      more = next(page);
      yield { chunk, rows };
    }
  } else {
    yield { chunk: line(messageColumns.map(([name]) => name)), rows };
    for (let more = true; more && !cancelled(); await breathe()) {
      const threads = await call(conn, 'messages.threads', {
        ...(filter as ExportFilter['messages']),
        limit: EXPORT_PAGE,
        ...(cursor ? { cursor } : {}),
      });
      more = next(threads);
      for (const t of threads.items) {
        let inner: string | undefined;
        for (let again = true; again && !cancelled();) {
          const page = await call(conn, 'messages.list', {
            threadId: t.id,
            limit: EXPORT_PAGE,
            ...(inner ? { cursor: inner } : {}),
          });
          let chunk = '';
          for (const m of page.items) chunk += line(messageColumns.map(([, get]) => get(t, m)));
          rows += page.items.length;
          inner = page.nextCursor ?? undefined;
          again = page.nextCursor !== null;
          yield { chunk, rows };
        }
      }
    }
  }
}
