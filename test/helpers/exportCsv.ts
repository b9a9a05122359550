import { csvExport, type ExportFilter, type ExportKind } from '../../src/main/core/export/csvExport';
import { takeTicket } from '../../src/main/core/export/tickets';
import type { Client } from './core';

/** A whole CSV export as a host streams it: a ticket from exports.prepare, then the rows through the same session. */
export async function exportCsv<K extends ExportKind>(
  client: Client,
  kind: K,
  filter: ExportFilter[K],
): Promise<{ csv: string; rows: number }> {
  const { token } = await client.ok('exports.prepare', { kind, filter });
  const ticket = takeTicket(token);
  if (!ticket) throw new Error('no ticket');
  let csv = '';
  let rows = 0;
  for await (const page of csvExport({ invoke: client.raw, read: client.read }, ticket.kind, ticket.filter)) {
    csv += page.chunk;
    rows = page.rows;
  }
  return { csv, rows };
}
