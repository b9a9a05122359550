import type { Account, Billing } from '../../../../shared/api/entities';
import type { Plan } from '../../../../shared/primitives';
import type { Db } from '../db';
import { stmt } from '../stmt';

export function getAccount(db: Db, accountId: number): Account {
  const r = stmt(
    db,
    `SELECT a.id, a.name, a.plan, a.status, a.cancelled_at, a.owner_user_id, u.name AS owner_name, a.demo
       FROM accounts a JOIN users u ON u.id = a.owner_user_id WHERE a.id = ?`,
  ).get(accountId) as {
    id: number;
    name: string;
    plan: Plan;
    status: 'active' | 'cancelled';
    cancelled_at: number | null;
    owner_user_id: number;
    owner_name: string;
    demo: number;
  };
  return {
    id: r.id,
    name: r.name,
    plan: r.plan,
    status: r.status,
    cancelledAt: r.cancelled_at,
    ownerUserId: r.owner_user_id,
    ownerName: r.owner_name,
    demo: r.demo === 1,
  };
}

/** Marks the demo account (its numbers come from the demo catalogue). */
export function markDemo(db: Db, accountId: number): void {
  stmt(db, 'UPDATE accounts SET demo = 1 WHERE id = ?').run(accountId);
}

export function isDemoAccount(db: Db, accountId: number): boolean {
  return stmt(db, 'SELECT demo FROM accounts WHERE id = ?').pluck().get(accountId) === 1;
}

export function insertAccount(db: Db, name: string, plan: Plan, at: number): number {
  const id = Number(
    stmt(db, 'INSERT INTO accounts (name, plan, created_at) VALUES (?, ?, ?)').run(name, plan, at).lastInsertRowid,
  );
  stmt(db, 'INSERT INTO billing_profiles (account_id) VALUES (?)').run(id);
  return id;
}

export function setOwner(db: Db, accountId: number, userId: number): void {
  stmt(db, 'UPDATE accounts SET owner_user_id = ? WHERE id = ?').run(userId, accountId);
}

export function setPlan(db: Db, accountId: number, plan: Plan): void {
  stmt(db, 'UPDATE accounts SET plan = ? WHERE id = ?').run(plan, accountId);
}

export function cancelAccount(db: Db, accountId: number, at: number): void {
  stmt(db, `UPDATE accounts SET status = 'cancelled', cancelled_at = ? WHERE id = ?`).run(at, accountId);
}

export function getBilling(db: Db, accountId: number): Billing {
  const r = stmt(
    db,
    `SELECT a.plan, b.contact_name, b.contact_email, b.address_line1, b.address_line2, b.city, b.region, b.postal_code, b.country
       FROM accounts a JOIN billing_profiles b ON b.account_id = a.id WHERE a.id = ?`,
  ).get(accountId) as Record<string, string>;
  return {
    plan: r.plan as Plan,
    contactName: r.contact_name ?? '',
    contactEmail: r.contact_email ?? '',
    addressLine1: r.address_line1 ?? '',
    addressLine2: r.address_line2 ?? '',
    city: r.city ?? '',
    region: r.region ?? '',
    postalCode: r.postal_code ?? '',
    country: r.country ?? '',
  };
}

export function updateBilling(db: Db, accountId: number, b: Omit<Billing, 'plan'>): void {
  stmt(
    db,
    `UPDATE billing_profiles SET contact_name = ?, contact_email = ?, address_line1 = ?, address_line2 = ?, city = ?, region = ?,
            postal_code = ?, country = ? WHERE account_id = ?`,
  ).run(
    b.contactName,
    b.contactEmail,
    b.addressLine1,
    b.addressLine2,
    b.city,
    b.region,
    b.postalCode,
    b.country,
    accountId,
  );
}

/** Plan limits (docs/policy-decisions.md). */
export const planLimits: Record<Plan, { users: number; numbers: number }> = {
  basic: { users: 10, numbers: 3 },
  business: { users: 100, numbers: 25 },
  company: { users: 5000, numbers: 500 },
};

export function countActiveUsers(db: Db, accountId: number): number {
  return stmt(db, 'SELECT count(*) FROM users WHERE account_id = ? AND active = 1').pluck().get(accountId) as number;
}
