import { emergencyNumbers } from '../../shared/api/carrier';
import type { Db } from '../core/store/db';
import { getCarrierSettings, listTrunks, type TrunkRow } from '../core/store/repos/carrier';
import { findNumberByE164, getNumber } from '../core/store/repos/numbers';
import { stmt } from '../core/store/stmt';
import { asDialled, nextHop } from './trunks';
import { keyFor, open, trunkContext } from './trunkSecrets';

/**
 * The proxy's questions about trunks, answered from the database each time:
 * which trunk a call to the outside world takes (its caller ID's trunk, the
 * preferred one, then on a 5xx or no answer the next), with the headers that carry the
 * caller ID as that trunk wants them, and the trunk's digest credentials
 * when the carrier challenges a call.
 */

/**
 * The trunks outside calls and texts take, in order: first the trunk of the
 * business number they go out from (the carrier that gave the number, so
 * the one that takes it as caller ID), else the preferred trunk; then, on a
 * 5xx or no answer, the fallback trunk (the preferred one when the first
 * was the fallback).
 */
export function routeTrunks(
  db: Db,
  accountId: number,
  fromE164 = '',
  usable: (t: TrunkRow) => boolean = () => true,
): TrunkRow[] {
  const all = listTrunks(db, accountId).filter(usable);
  const ownId = fromE164 ? findNumberByE164(db, accountId, fromE164)?.trunkId : null;
  const preferred = all.find((t) => t.role === 'preferred');
  const fallback = all.find((t) => t.role === 'fallback');
  const first = all.find((t) => t.id === ownId) ?? preferred ?? fallback;
  const second = first === fallback ? preferred : fallback;
  return [first, second].filter((t, i, list): t is TrunkRow => t !== undefined && list.indexOf(t) === i);
}

export function isEmergency(db: Db, accountId: number, to: string): boolean {
  return emergencyNumbers(getCarrierSettings(db, accountId).country).includes(to);
}

/**
 * The caller ID of an emergency call: the caller's default business number,
 * else the account's main number, else its oldest number in service.
 */
export function emergencyCallerId(db: Db, accountId: number, userId: number): { bnId: number; e164: string } | null {
  const own = stmt(db, 'SELECT default_bn_id FROM users WHERE id = ? AND account_id = ?')
    .pluck()
    .get(userId, accountId) as number | null | undefined;
  const main = getCarrierSettings(db, accountId).mainBnId;
  for (const id of [own, main]) {
    const bn = id ? getNumber(db, accountId, id) : null;
    if (bn) return { bnId: bn.id, e164: bn.e164 };
  }
  const first = stmt(
    db,
    'SELECT id, e164 FROM business_numbers WHERE account_id = ? AND released_at IS NULL ORDER BY id LIMIT 1',
  ).get(accountId) as { id: number; e164: string } | undefined;
  return first ? { bnId: first.id, e164: first.e164 } : null;
}

/**
 * `trunk|<id>|<request URI>|<next hop or empty>|<From URI>|<P-Asserted-Identity URI or empty>`
 * for the `attempt`-th trunk (0: preferred), or `none`.
 */
export function trunkRoute(
  db: Db,
  accountId: number,
  to: string,
  callerId: string,
  attempt: number,
  usable?: (t: TrunkRow) => boolean,
): string {
  // An emergency call goes to the preferred trunk whatever its caller ID (docs/carrier.md, "Emergency calls").
  const t = routeTrunks(db, accountId, isEmergency(db, accountId, to) ? '' : callerId, usable)[attempt];
  if (!t) return 'none';
  const where = `${t.host}${t.port ? `:${t.port}` : ''}${t.transport === 'udp' ? '' : `;transport=${t.transport}`}`;
  const dialled = to.startsWith('+') ? asDialled(t, to) : to;
  const cid = callerId ? asDialled(t, callerId) : '';
  const ruri = `sip:${dialled}@${where}`;
  const hop = t.outboundProxy ? nextHop(t) : '';
  // From carries the caller ID, or (P-Asserted-Identity mode) the trunk's own user as carriers ask.
  const fromUser = t.callerIdMode === 'from' ? cid || t.username || 'anonymous' : t.username || cid || 'anonymous';
  const from = `sip:${fromUser}@${t.host}`;
  const pai = t.callerIdMode === 'pai' && cid ? `sip:${cid}@${t.host}` : '';
  return `trunk|${t.id}|${ruri}|${hop}|${from}|${pai}`;
}

/** `ok|<digest user>|<hex password>|<realm>` for a trunk's challenged call, or `none`. */
export function trunkCredentials(db: Db, accountId: number, trunkId: number): string {
  const t = listTrunks(db, accountId).find((x) => x.id === trunkId);
  if (!t?.register || !t.passwordEnc) return 'none';
  const password = open(keyFor(db), t.passwordEnc, trunkContext(accountId, t.contactToken));
  return `ok|${t.authUsername || t.username}|${Buffer.from(password, 'utf8').toString('hex')}|${t.realm}`;
}
