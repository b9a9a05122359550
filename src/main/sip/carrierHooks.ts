import type { CarrierView } from '../core/api/context';
import { writeAudit } from '../core/api/audit';
import type { Core } from '../core';
import { insertEmergency } from '../core/store/repos/emergencies';
import { getNumber } from '../core/store/repos/numbers';
import { stmt } from '../core/store/stmt';
import type { EmergencyCall } from './decide';
import type { TrunkService } from './trunks';

/**
 * How the phone service's carrier news reaches the console: trunk states
 * for `carrier.get`, and an emergency call told at once to every active
 * Administrator (a live event) and written to the audit log.
 */

const administrators = (core: Pick<Core, 'db'>, accountId: number) =>
  stmt(core.db, `SELECT id FROM users WHERE account_id = ? AND role = 'administrator' AND active = 1 ORDER BY id`)
    .pluck()
    .all(accountId) as number[];

export function carrierView(trunks: TrunkService): CarrierView {
  return {
    state: (id) => trunks.state(id),
    // After the request's transaction: the tables are written from what it committed.
    changed: () => void setTimeout(() => void trunks.sync(), 0),
    test: (id) => trunks.test(id),
  };
}

export function carrierHooks(core: Pick<Core, 'db' | 'announce'>, accountId: number) {
  return {
    onCarrierChange: () =>
      core.announce('carrier.changed', { kind: 'users', userIds: administrators(core, accountId) }),
    onEmergency: (e: EmergencyCall) => {
      const who = stmt(core.db, 'SELECT name FROM users WHERE id = ?').pluck().get(e.userId) as string | undefined;
      const bn = e.bnId ? getNumber(core.db, accountId, e.bnId) : null;
      const at = Date.now();
      // The notice the consoles show (until each Administrator acknowledges it) and its audit record, together.
      core.db.transaction(() => {
        insertEmergency(core.db, {
          accountId,
          at,
          userId: e.userId,
          extension: e.extension,
          number: e.number,
          bnId: bn?.id ?? null,
          callerId: bn?.e164 ?? e.callerId,
        });
        writeAudit(core.db, {
          accountId,
          at,
          actorUserId: e.userId,
          action: 'call.emergency',
          targetType: 'user',
          targetId: e.userId,
          summary: `${who ?? 'Someone'} (extension ${e.extension}) dialled ${e.number}${bn ? ` with caller ID ${bn.formatted}` : ' with no caller ID'}`,
          before: null,
          after: { number: e.number, extension: e.extension, callerId: e.callerId },
        });
      })();
      const admins = administrators(core, accountId);
      core.announce('emergency.called', { kind: 'users', userIds: admins });
      core.announce('audit.changed', { kind: 'account', accountId });
    },
  };
}
