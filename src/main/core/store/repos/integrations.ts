import type { Integration } from '../../../../shared/api/entities';
import type { Db } from '../db';
import { stmt } from '../stmt';

interface Row {
  id: number;
  provider: Integration['provider'];
  name: string;
  settings: string;
  created_at: number;
  created_by_name: string;
}

const select = `SELECT i.id, i.provider, i.name, i.settings, i.created_at, u.name AS created_by_name
  FROM integrations i JOIN users u ON u.id = i.created_by`;

const toIntegration = (r: Row): Integration => ({
  id: r.id,
  provider: r.provider,
  name: r.name,
  settings: JSON.parse(r.settings) as Integration['settings'],
  createdAt: r.created_at,
  createdByName: r.created_by_name,
});

export function listIntegrations(db: Db, accountId: number): Integration[] {
  return (stmt(db, `${select} WHERE i.account_id = ? ORDER BY i.name`).all(accountId) as Row[]).map(toIntegration);
}

export function getIntegration(db: Db, accountId: number, id: number): Integration | null {
  const r = stmt(db, `${select} WHERE i.id = ? AND i.account_id = ?`).get(id, accountId) as Row | undefined;
  return r ? toIntegration(r) : null;
}

export function insertIntegration(
  db: Db,
  i: {
    accountId: number;
    provider: Integration['provider'];
    name: string;
    settings: Integration['settings'];
    createdBy: number;
    at: number;
  },
): number {
  return Number(
    stmt(
      db,
      'INSERT INTO integrations (account_id, provider, name, settings, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(i.accountId, i.provider, i.name, JSON.stringify(i.settings), i.createdBy, i.at).lastInsertRowid,
  );
}

export function updateIntegration(db: Db, id: number, name: string, settings: Integration['settings']): void {
  stmt(db, 'UPDATE integrations SET name = ?, settings = ? WHERE id = ?').run(name, JSON.stringify(settings), id);
}

export function deleteIntegration(db: Db, id: number): void {
  stmt(db, 'DELETE FROM integrations WHERE id = ?').run(id);
}
