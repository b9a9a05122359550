import type { BusinessNumber } from '../../../../shared/api/entities';
import { formatE164 } from '../../../../shared/phone';
import type { Db } from '../db';
import { stmt } from '../stmt';

interface Row {
  id: number;
  e164: string;
  label: string;
  call_flow_id: number | null;
  flow_name: string | null;
  released_at: number | null;
  trunk_id: number | null;
  trunk_name: string | null;
}

const select = `SELECT b.id, b.e164, b.label, b.call_flow_id, f.name AS flow_name, b.released_at, b.trunk_id, t.name AS trunk_name
  FROM business_numbers b LEFT JOIN call_flows f ON f.id = b.call_flow_id LEFT JOIN carrier_trunks t ON t.id = b.trunk_id`;

const toNumber = (r: Row): BusinessNumber => ({
  id: r.id,
  e164: r.e164,
  formatted: formatE164(r.e164),
  label: r.label,
  callFlowId: r.call_flow_id,
  callFlowName: r.flow_name,
  trunkId: r.trunk_id,
  trunkName: r.trunk_name,
});

/** A live BN of this account, or null. */
export function getNumber(db: Db, accountId: number, id: number): BusinessNumber | null {
  const r = stmt(db, `${select} WHERE b.id = ? AND b.account_id = ? AND b.released_at IS NULL`).get(id, accountId) as
    Row | undefined;
  return r ? toNumber(r) : null;
}

/** Live BNs of the account among `ids`, in id order (visible set filtered in SQL). */
export function listNumbers(db: Db, accountId: number, only: readonly number[] | 'all'): BusinessNumber[] {
  const rows =
    only === 'all'
      ? stmt(db, `${select} WHERE b.account_id = ? AND b.released_at IS NULL ORDER BY b.id`).all(accountId)
      : stmt(
          db,
          `${select} WHERE b.account_id = ? AND b.released_at IS NULL AND b.id IN (SELECT value FROM json_each(?)) ORDER BY b.id`,
        ).all(accountId, JSON.stringify(only));
  return (rows as Row[]).map(toNumber);
}

/** Ids among `ids` that are not live BNs of this account. */
export function unknownNumberIds(db: Db, accountId: number, ids: readonly number[]): number[] {
  if (ids.length === 0) return [];
  const known = new Set(
    stmt(
      db,
      'SELECT id FROM business_numbers WHERE account_id = ? AND released_at IS NULL AND id IN (SELECT value FROM json_each(?))',
    )
      .pluck()
      .all(accountId, JSON.stringify(ids)) as number[],
  );
  return ids.filter((id) => !known.has(id));
}

export function countLiveNumbers(db: Db, accountId: number): number {
  return stmt(db, 'SELECT count(*) FROM business_numbers WHERE account_id = ? AND released_at IS NULL')
    .pluck()
    .get(accountId) as number;
}

export function insertNumber(
  db: Db,
  accountId: number,
  e164: string,
  label: string,
  at: number,
  trunkId: number | null = null,
): number {
  return Number(
    stmt(db, 'INSERT INTO business_numbers (account_id, e164, label, created_at, trunk_id) VALUES (?, ?, ?, ?, ?)').run(
      accountId,
      e164,
      label,
      at,
      trunkId,
    ).lastInsertRowid,
  );
}

/** The account that has this number in service, if any (a DID is in service on one account at a time). */
export function liveNumberAccount(db: Db, e164: string): number | null {
  return (
    (stmt(db, 'SELECT account_id FROM business_numbers WHERE e164 = ? AND released_at IS NULL').pluck().get(e164) as
      number | undefined) ?? null
  );
}

export function setNumberLabel(db: Db, id: number, label: string): void {
  stmt(db, 'UPDATE business_numbers SET label = ? WHERE id = ?').run(label, id);
}

export function setNumberTrunk(db: Db, id: number, trunkId: number): void {
  stmt(db, 'UPDATE business_numbers SET trunk_id = ? WHERE id = ?').run(trunkId, id);
}

export function routeNumber(db: Db, id: number, flowId: number | null): void {
  stmt(db, 'UPDATE business_numbers SET call_flow_id = ? WHERE id = ?').run(flowId, id);
}

/**
 * Releases a BN: it stops routing (inbound calls to it are refused as not
 * ours), leaves every user's grants, and — the demo account's only — returns
 * to the demo catalogue; history keeps it.
 */
export function releaseNumber(db: Db, id: number, at: number): void {
  const r = stmt(
    db,
    'SELECT b.e164, a.demo FROM business_numbers b JOIN accounts a ON a.id = b.account_id WHERE b.id = ?',
  ).get(id) as { e164: string; demo: number };
  stmt(db, 'UPDATE business_numbers SET released_at = ?, call_flow_id = NULL WHERE id = ?').run(at, id);
  stmt(db, 'DELETE FROM user_numbers WHERE bn_id = ?').run(id);
  stmt(db, 'UPDATE users SET default_bn_id = NULL WHERE default_bn_id = ?').run(id);
  stmt(db, 'UPDATE carrier_settings SET main_bn_id = NULL WHERE main_bn_id = ?').run(id);
  if (r.demo === 1) {
    stmt(db, 'INSERT OR IGNORE INTO number_catalogue (e164, region, monthly_cents) VALUES (?, ?, 800)').run(
      r.e164,
      regionOf(r.e164),
    );
  }
}

export interface CatalogueEntry {
  e164: string;
  formatted: string;
  region: string;
  monthlyCents: number;
}

export function listCatalogue(db: Db, search: string | undefined): CatalogueEntry[] {
  const digits = (search ?? '').replace(/\D/g, '');
  return (
    stmt(db, `SELECT e164, region, monthly_cents FROM number_catalogue WHERE e164 LIKE ? ORDER BY e164 LIMIT 100`).all(
      `%${digits}%`,
    ) as { e164: string; region: string; monthly_cents: number }[]
  ).map((r) => ({ e164: r.e164, formatted: formatE164(r.e164), region: r.region, monthlyCents: r.monthly_cents }));
}

export function takeFromCatalogue(db: Db, e164: string): boolean {
  return stmt(db, 'DELETE FROM number_catalogue WHERE e164 = ?').run(e164).changes === 1;
}

const areaRegions: Record<string, string> = {
  '212': 'New York, NY',
  '213': 'Los Angeles, CA',
  '312': 'Chicago, IL',
  '332': 'New York, NY',
  '415': 'San Francisco, CA',
  '512': 'Austin, TX',
  '617': 'Boston, MA',
  '206': 'Seattle, WA',
  '305': 'Miami, FL',
  '800': 'Toll-free',
  '888': 'Toll-free',
};

export function regionOf(e164: string): string {
  const m = /^\+1(\d{3})/.exec(e164);
  return (m && areaRegions[m[1]!]) ?? (m ? 'United States' : 'International');
}

/** The live BN of this account with this E.164 number, or null (inbound routing, caller IDs). */
export function findNumberByE164(db: Db, accountId: number, e164: string): BusinessNumber | null {
  const r = stmt(db, `${select} WHERE b.e164 = ? AND b.account_id = ? AND b.released_at IS NULL`).get(
    e164,
    accountId,
  ) as Row | undefined;
  return r ? toNumber(r) : null;
}
