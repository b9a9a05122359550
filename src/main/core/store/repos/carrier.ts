import { randomBytes } from 'node:crypto';
import type { Db } from '../db';
import { stmt } from '../stmt';

/**
 * The carrier's trunks and settings as stored. The sealed password never
 * leaves this layer in a value meant for a client: `TrunkRow.passwordEnc`
 * is for the phone service, which opens it to hand it to the proxy.
 */

export interface TrunkRow {
  id: number;
  accountId: number;
  name: string;
  host: string;
  port: number | null;
  transport: 'udp' | 'tcp' | 'tls';
  register: boolean;
  username: string;
  authUsername: string;
  passwordEnc: string | null;
  realm: string;
  expiry: number;
  allowCidrs: string[];
  outboundProxy: string;
  callerIdMode: 'from' | 'pai';
  callerIdPlus: boolean;
  role: 'preferred' | 'fallback' | 'standby';
  smsLong: boolean;
  contactToken: string;
  createdAt: number;
  updatedAt: number;
}

interface Raw {
  id: number;
  account_id: number;
  name: string;
  host: string;
  port: number | null;
  transport: TrunkRow['transport'];
  register: number;
  username: string;
  auth_username: string;
  password_enc: string | null;
  realm: string;
  expiry: number;
  allow_cidrs: string;
  outbound_proxy: string;
  caller_id_mode: TrunkRow['callerIdMode'];
  caller_id_plus: number;
  role: TrunkRow['role'];
  sms_long: number;
  contact_token: string;
  created_at: number;
  updated_at: number;
}

const toRow = (r: Raw): TrunkRow => ({
  id: r.id,
  accountId: r.account_id,
  name: r.name,
  host: r.host,
  port: r.port,
  transport: r.transport,
  register: r.register === 1,
  username: r.username,
  authUsername: r.auth_username,
  passwordEnc: r.password_enc,
  realm: r.realm,
  expiry: r.expiry,
  allowCidrs: JSON.parse(r.allow_cidrs) as string[],
  outboundProxy: r.outbound_proxy,
  callerIdMode: r.caller_id_mode,
  callerIdPlus: r.caller_id_plus === 1,
  role: r.role,
  smsLong: r.sms_long === 1,
  contactToken: r.contact_token,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Preferred first, then fallback, then the rest by name. */
export function listTrunks(db: Db, accountId: number): TrunkRow[] {
  return (
    stmt(
      db,
      `SELECT * FROM carrier_trunks WHERE account_id = ?
       ORDER BY CASE role WHEN 'preferred' THEN 0 WHEN 'fallback' THEN 1 ELSE 2 END, name, id`,
    ).all(accountId) as Raw[]
  ).map(toRow);
}

export function getTrunk(db: Db, accountId: number, id: number): TrunkRow | null {
  const r = stmt(db, 'SELECT * FROM carrier_trunks WHERE id = ? AND account_id = ?').get(id, accountId) as
    Raw | undefined;
  return r ? toRow(r) : null;
}

export function trunkByName(db: Db, accountId: number, name: string): TrunkRow | null {
  const r = stmt(db, 'SELECT * FROM carrier_trunks WHERE account_id = ? AND name = ? COLLATE NOCASE').get(
    accountId,
    name,
  ) as Raw | undefined;
  return r ? toRow(r) : null;
}

export function trunkWithRole(db: Db, accountId: number, role: 'preferred' | 'fallback'): TrunkRow | null {
  const r = stmt(db, 'SELECT * FROM carrier_trunks WHERE account_id = ? AND role = ?').get(accountId, role) as
    Raw | undefined;
  return r ? toRow(r) : null;
}

/** A fresh Contact user for a trunk's registration: unguessable, so a call to it names the trunk. */
export const newContactToken = () => `tl${randomBytes(12).toString('hex')}`;

export type TrunkFields = Omit<TrunkRow, 'id' | 'accountId' | 'createdAt' | 'updatedAt' | 'contactToken'>;

export function insertTrunk(db: Db, accountId: number, contactToken: string, t: TrunkFields, at: number): number {
  return Number(
    stmt(
      db,
      `INSERT INTO carrier_trunks (account_id, name, host, port, transport, register, username, auth_username,
         password_enc, realm, expiry, allow_cidrs, outbound_proxy, caller_id_mode, caller_id_plus, role,
         sms_long, contact_token, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      accountId,
      t.name,
      t.host,
      t.port,
      t.transport,
      t.register ? 1 : 0,
      t.username,
      t.authUsername,
      t.passwordEnc,
      t.realm,
      t.expiry,
      JSON.stringify(t.allowCidrs),
      t.outboundProxy,
      t.callerIdMode,
      t.callerIdPlus ? 1 : 0,
      t.role,
      t.smsLong ? 1 : 0,
      contactToken,
      at,
      at,
    ).lastInsertRowid,
  );
}

export function updateTrunk(db: Db, id: number, t: TrunkFields, at: number): void {
  stmt(
    db,
    `UPDATE carrier_trunks SET name = ?, host = ?, port = ?, transport = ?, register = ?, username = ?,
       auth_username = ?, password_enc = ?, realm = ?, expiry = ?, allow_cidrs = ?, outbound_proxy = ?,
       caller_id_mode = ?, caller_id_plus = ?, role = ?, sms_long = ?, updated_at = ?
     WHERE id = ?`,
  ).run(
    t.name,
    t.host,
    t.port,
    t.transport,
    t.register ? 1 : 0,
    t.username,
    t.authUsername,
    t.passwordEnc,
    t.realm,
    t.expiry,
    JSON.stringify(t.allowCidrs),
    t.outboundProxy,
    t.callerIdMode,
    t.callerIdPlus ? 1 : 0,
    t.role,
    t.smsLong ? 1 : 0,
    at,
    id,
  );
}

/** Moves whoever holds `role` to standby (a trunk taking over that role). */
export function releaseRole(db: Db, accountId: number, role: 'preferred' | 'fallback', exceptId: number | null): void {
  stmt(db, `UPDATE carrier_trunks SET role = 'standby' WHERE account_id = ? AND role = ? AND id IS NOT ?`).run(
    accountId,
    role,
    exceptId,
  );
}

/** How many live numbers of the account are on this trunk. */
export function countTrunkNumbers(db: Db, trunkId: number): number {
  return stmt(db, 'SELECT count(*) FROM business_numbers WHERE trunk_id = ? AND released_at IS NULL')
    .pluck()
    .get(trunkId) as number;
}

export function deleteTrunk(db: Db, id: number): void {
  stmt(db, 'DELETE FROM carrier_trunks WHERE id = ?').run(id);
}

export interface CarrierSettingsRow {
  country: string;
  mainBnId: number | null;
}

/** The account's settings; US and no main number until an Administrator sets them. */
export function getCarrierSettings(db: Db, accountId: number): CarrierSettingsRow {
  const r = stmt(db, 'SELECT country, main_bn_id FROM carrier_settings WHERE account_id = ?').get(accountId) as
    { country: string; main_bn_id: number | null } | undefined;
  return { country: r?.country ?? 'US', mainBnId: r?.main_bn_id ?? null };
}

export function saveCarrierSettings(db: Db, accountId: number, s: CarrierSettingsRow, at: number): void {
  stmt(
    db,
    `INSERT INTO carrier_settings (account_id, country, main_bn_id, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (account_id) DO UPDATE SET country = excluded.country, main_bn_id = excluded.main_bn_id,
       updated_at = excluded.updated_at`,
  ).run(accountId, s.country, s.mainBnId, at);
}
