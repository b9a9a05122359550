import type { Contact } from '../../../../shared/api/entities';
import type { Db } from '../db';
import { sqlLimit } from '../../policy/listSql';
import { stmt } from '../stmt';

interface Row {
  id: number;
  name: string;
  company: string;
  phone: string;
  email: string;
  notes: string;
}

const toContact = (r: Row): Contact => ({
  id: r.id,
  name: r.name,
  company: r.company,
  phone: r.phone,
  email: r.email,
  notes: r.notes,
});

export function getContact(db: Db, accountId: number, id: number): Contact | null {
  const r = stmt(db, 'SELECT id, name, company, phone, email, notes FROM contacts WHERE id = ? AND account_id = ?').get(
    id,
    accountId,
  ) as Row | undefined;
  return r ? toContact(r) : null;
}

/** Alphabetical keyset page: the cursor is the last row's name and id. */
export function listContacts(
  db: Db,
  accountId: number,
  search: string | undefined,
  after: { name: string; id: number } | null,
  limit: number,
): { items: Contact[]; next: { name: string; id: number } | null } {
  const text = search?.trim() ?? '';
  const like = `%${text.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  const digits = text.replace(/\D/g, '');
  const rows = stmt(
    db,
    `SELECT id, name, company, phone, email, notes FROM contacts
      WHERE account_id = ?
        AND (? = '' OR name LIKE ? ESCAPE '\\' OR company LIKE ? ESCAPE '\\' OR (? <> '' AND phone LIKE '%' || ? || '%'))
        AND (? IS NULL OR (name COLLATE NOCASE, id) > (?, ?))
      ORDER BY name COLLATE NOCASE, id ${sqlLimit(limit + 1)}`,
  ).all(
    accountId,
    text,
    like,
    like,
    digits,
    digits,
    after?.name ?? null,
    after?.name ?? null,
    after?.id ?? null,
  ) as Row[];
  const items = rows.slice(0, limit).map(toContact);
  const last = items[items.length - 1];
  return { items, next: rows.length > limit && last ? { name: last.name, id: last.id } : null };
}

export function insertContact(db: Db, accountId: number, c: Omit<Contact, 'id'>, at: number): number {
  return Number(
    stmt(
      db,
      'INSERT INTO contacts (account_id, name, company, phone, email, notes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(accountId, c.name, c.company, c.phone, c.email, c.notes, at).lastInsertRowid,
  );
}

export function updateContact(db: Db, c: Contact): void {
  stmt(db, 'UPDATE contacts SET name = ?, company = ?, phone = ?, email = ?, notes = ? WHERE id = ?').run(
    c.name,
    c.company,
    c.phone,
    c.email,
    c.notes,
    c.id,
  );
}

export function deleteContact(db: Db, id: number): void {
  stmt(db, 'DELETE FROM contacts WHERE id = ?').run(id);
}

/** The first contact (oldest) with this phone number, for naming a caller. */
export function findContactByPhone(db: Db, accountId: number, phone: string): { id: number; name: string } | null {
  return (
    (stmt(db, 'SELECT id, name FROM contacts WHERE account_id = ? AND phone = ? ORDER BY id LIMIT 1').get(
      accountId,
      phone,
    ) as { id: number; name: string } | undefined) ?? null
  );
}

/** Another contact (the oldest) with this phone number, not counting `exceptId`. */
export function otherContactWithPhone(
  db: Db,
  accountId: number,
  phone: string,
  exceptId: number | null,
): { id: number; name: string; company: string } | null {
  return (
    (stmt(
      db,
      'SELECT id, name, company FROM contacts WHERE account_id = ? AND phone = ? AND id IS NOT ? ORDER BY id LIMIT 1',
    ).get(accountId, phone, exceptId) as { id: number; name: string; company: string } | undefined) ?? null
  );
}
