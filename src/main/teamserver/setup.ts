import { z } from 'zod';
import { Email, Extension, Password, Plan } from '../../shared/primitives';
import { writeAudit } from '../core/api/audit';
import { hashPassword } from '../core/domain/password';
import type { Db } from '../core/store/db';
import { insertAccount, setOwner } from '../core/store/repos/account';
import { insertUser } from '../core/store/repos/users';
import { stmt } from '../core/store/stmt';

/**
 * The first start of a server for a real team: its one account and the
 * owner, an Administrator who then adds (or invites) everyone else from the
 * console. Refused once the database holds an account, so it can never
 * create a second owner over a running team.
 */
export const firstAccountSchema = z.strictObject({
  accountName: z.string().trim().min(1, 'the account needs a name').max(120),
  plan: Plan.default('company'),
  ownerName: z.string().trim().min(1, 'the owner needs a name').max(120),
  ownerEmail: Email,
  ownerExtension: Extension.default('100'),
  password: Password,
  timezone: z.string().min(1).max(64),
});
export type FirstAccount = z.input<typeof firstAccountSchema>;

export class SetupError extends Error {}

export function createFirstAccount(
  db: Db,
  input: FirstAccount,
  now = Date.now(),
): { accountId: number; ownerId: number } {
  const parsed = firstAccountSchema.safeParse(input);
  if (!parsed.success) {
    throw new SetupError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  }
  const a = parsed.data;
  return db.transaction(() => {
    if (stmt(db, 'SELECT 1 FROM accounts LIMIT 1').get())
      throw new SetupError('This server already has its account: sign in to the console and add people there.');
    const accountId = insertAccount(db, a.accountName, a.plan, now);
    const ownerId = insertUser(db, {
      accountId,
      extension: a.ownerExtension,
      name: a.ownerName,
      email: a.ownerEmail,
      title: 'Owner',
      timezone: a.timezone,
      role: 'administrator',
      callAccess: 'all',
      passwordHash: hashPassword(a.password),
      createdAt: now,
    });
    setOwner(db, accountId, ownerId);
    writeAudit(db, {
      accountId,
      at: now,
      actorUserId: null,
      action: 'account.created',
      targetType: 'account',
      targetId: accountId,
      summary: `Account ${a.accountName} created on the server, owned by ${a.ownerName}`,
      before: null,
      after: { name: a.accountName, plan: a.plan, owner: { id: ownerId, email: a.ownerEmail, role: 'administrator' } },
    });
    return { accountId, ownerId };
  })();
}
