import { can } from '../../policy';
import { formatE164 } from '../../../../shared/phone';
import {
  deleteContact,
  findContactByPhone,
  getContact,
  insertContact,
  listContacts,
  otherContactWithPhone,
  updateContact,
} from '../../store/repos/contacts';
import type { AuthedCtx } from '../context';
import { ApiFailure, enforce, invalid, notFound } from '../failure';
import type { Handlers } from '../handler';

function mustGetContact(ctx: AuthedCtx, id: number) {
  const c = getContact(ctx.db, ctx.actor.accountId, id);
  if (!c) throw notFound('That contact');
  return c;
}

/**
 * A number another contact already has is refused unless the request says
 * it is meant (two people behind one switchboard): callers are named after
 * the older contact, so a typo would silently rename a caller.
 */
function mustBeNewNumber(ctx: AuthedCtx, phone: string, exceptId: number | null, meant: boolean) {
  if (meant) return;
  const other = otherContactWithPhone(ctx.db, ctx.actor.accountId, phone, exceptId);
  if (!other) return;
  const who = other.company ? `${other.name} (${other.company})` : other.name;
  throw new ApiFailure('conflict', `${formatE164(phone)} is already the number of ${who}.`, {
    phone: `Already the number of ${who}`,
    duplicateOf: String(other.id),
  });
}

const changed = (ctx: AuthedCtx) => ctx.emit('contacts.changed', { kind: 'account', accountId: ctx.actor.accountId });

/** Contacts' cursor is "name\u0000id" in base64, since names are not numbers. */
const encode = (c: { name: string; id: number }) => Buffer.from(`${c.name}\u0000${c.id}`).toString('base64url');
function decode(cursor: string | undefined) {
  if (!cursor) return null;
  const [name, id] = Buffer.from(cursor, 'base64url').toString().split('\u0000');
  if (name === undefined || !id || !/^\d+$/.test(id))
    throw invalid('Not a valid cursor', { cursor: 'Not a valid cursor' });
  return { name, id: Number(id) };
}

export const contactsHandlers: Handlers<'contacts'> = {
  'contacts.lookup': (ctx, { phone }) => ({ contact: findContactByPhone(ctx.db, ctx.actor.accountId, phone) }),
  'contacts.list': (ctx, { search, cursor, limit }) => {
    const page = listContacts(ctx.db, ctx.actor.accountId, search, decode(cursor), limit);
    return { items: page.items, nextCursor: page.next ? encode(page.next) : null };
  },
  'contacts.create': (ctx, { sharedNumber, ...input }) => {
    enforce(can(ctx.actor, 'contact.manage', {}));
    mustBeNewNumber(ctx, input.phone, null, sharedNumber);
    const id = insertContact(ctx.db, ctx.actor.accountId, input, ctx.now());
    changed(ctx);
    return mustGetContact(ctx, id);
  },
  'contacts.update': (ctx, { contactId, sharedNumber, ...patch }) => {
    const c = mustGetContact(ctx, contactId);
    enforce(can(ctx.actor, 'contact.manage', {}));
    if (patch.phone !== undefined && patch.phone !== c.phone) mustBeNewNumber(ctx, patch.phone, c.id, sharedNumber);
    const next = { ...c, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
    updateContact(ctx.db, next);
    changed(ctx);
    return mustGetContact(ctx, contactId);
  },
  'contacts.delete': (ctx, { contactId }) => {
    mustGetContact(ctx, contactId);
    enforce(can(ctx.actor, 'contact.manage', {}));
    deleteContact(ctx.db, contactId);
    changed(ctx);
    return null;
  },
};
