import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Audience } from '../core/api/context';
import type { EventName } from '../../shared/api/events';
import { writeAudit } from '../core/api/audit';
import type { Db } from '../core/store/db';
import { getAccount } from '../core/store/repos/account';
import type { TrunkRow } from '../core/store/repos/carrier';
import { getFlow } from '../core/store/repos/flows';
import { findNumberByE164, getNumber } from '../core/store/repos/numbers';
import {
  addOptOut,
  addPart,
  cancelQueued,
  firstAssignee,
  inboundSeen,
  markFailed,
  markPartSent,
  markRetry,
  markSending,
  markSent,
  outboxHead,
  removeOptOut,
  requeueSending,
  sendingMessage,
  takeStaleParts,
  trunkTakesLongSms,
  type OutboxRow,
} from '../core/store/repos/sms';
import { findThread, insertMessage, insertThread, threadFacts } from '../core/store/repos/threads';
import { E164 } from '../../shared/primitives';
import { formatE164 } from '../../shared/phone';
import { segmentSms, smsKeyword } from '../../shared/sms';
import { reject } from './decide';
import { SipMessageClient, type SipAnswer } from './sipMessageClient';
import { routeTrunks } from './trunkDecide';
import { asDialled, nextHop, type TrunkService } from './trunks';

/**
 * SMS over the carrier's trunk (SIP MESSAGE, RFC 3428).
 *
 * Out: messages.send puts the message in the outbox (a `queued` row). The
 * outbox sends one message at a time, oldest first, each part as a MESSAGE
 * from a small UDP client on loopback to the proxy; the proxy asks this
 * module whether the request is really the outbox's (`smsRoute`, an HMAC
 * over the message, part and trunk), relays it to the trunk, and answers
 * the carrier's digest challenge with the trunk's credentials. The
 * carrier's final answer comes back to the client: 2xx sends the next part;
 * a 5xx or no answer tries the fallback trunk, then waits (backoff) and
 * tries again, holding the messages behind it so that they keep their
 * order; any other refusal fails the message with the carrier's reason.
 *
 * In: the proxy hands a MESSAGE from a recognised trunk to `inbound`, which
 * stores it in its conversation, acts on STOP / START / HELP, and joins the
 * parts of a long text. See docs/carrier.md, "Text messages".
 */

export interface SmsOptions {
  db: Db;
  accountId: number;
  secret: Buffer;
  trunks: TrunkService | null | undefined;
  announce?: ((name: EventName, audience: Audience) => void) | undefined;
  now?: () => number;
  log?: ((message: string, error?: unknown) => void) | undefined;
}

export interface InboundSms {
  to: string;
  toUser: string;
  from: string;
  trunkId: number;
  ip: string;
  callId: string;
  cseq: string;
  /** `ref=<n>;part=<i>;total=<n>` when the text came in parts. */
  concat: string;
  body: string;
}

/** Parts of a long text wait this long for the rest before they are shown as they are. */
export const PARTS_WAIT_MS = 10 * 60_000;

const refMac = (secret: Buffer, id: number, part: number, trunkId: number) =>
  createHmac('sha256', secret).update(`sms:${id}.${part}.${trunkId}`).digest('hex').slice(0, 32);

/** The outbox's proof that a MESSAGE the proxy is asked about is its own. */
export const outboxRef = (secret: Buffer, id: number, part: number, trunkId: number) =>
  `${id}.${part}.${trunkId}.${refMac(secret, id, part, trunkId)}`;

/** Where a trunk's MESSAGE goes: the request URI, and the outbound proxy if any. */
function requestUri(t: TrunkRow, to: string) {
  const where = `${t.host}${t.port ? `:${t.port}` : ''}${t.transport === 'udp' ? '' : `;transport=${t.transport}`}`;
  return `sip:${asDialled(t, to)}@${where}`;
}

/** The caller-ID headers of calls, for a text from `from` (docs/carrier.md, "Outbound calls"). */
export function smsIdentity(t: TrunkRow, from: string, to: string) {
  const cid = asDialled(t, from);
  const fromUser = t.callerIdMode === 'from' ? cid : t.username || cid;
  return {
    requestUri: requestUri(t, to),
    from: `sip:${fromUser}@${t.host}`,
    to: `sip:${asDialled(t, to)}@${t.host}`,
    pai: t.callerIdMode === 'pai' ? `sip:${cid}@${t.host}` : null,
  };
}

/** A 5xx, a 408 or no answer may pass; everything else the carrier said is final. */
export const retryable = (code: number) => code === 408 || (code >= 500 && code < 600);

export function createSms(o: SmsOptions) {
  const { db, accountId } = o;
  const now = o.now ?? Date.now;
  const log = o.log ?? (() => undefined);

  const announceThread = (threadId: number) => {
    const facts = threadFacts(db, accountId, threadId);
    if (facts) o.announce?.('messages.changed', { kind: 'thread', thread: facts });
  };

  /** An automatic reply from the business number (no sender): into the outbox. */
  function autoReply(threadId: number, body: string, at: number) {
    insertMessage(db, {
      threadId,
      direction: 'outbound',
      senderUserId: null,
      body,
      at,
      status: 'queued',
      segments: segmentSms(body).parts.length,
      smsRef: `a${threadId}x${at.toString(36)}x${Math.random().toString(36).slice(2, 8)}`,
    });
  }

  function deliverInbound(bnId: number, externalNumber: string, body: string, at: number, smsRef: string | null) {
    const bn = getNumber(db, accountId, bnId);
    if (!bn) return;
    let threadId = findThread(db, bnId, externalNumber);
    if (threadId === null) {
      const flow = bn.callFlowId === null ? null : getFlow(db, accountId, bn.callFlowId);
      const who = flow ? firstAssignee(flow.steps) : null;
      threadId = insertThread(db, {
        accountId,
        bnId,
        externalNumber,
        assignedUserId: who?.userId ?? null,
        assignedGroupId: who?.groupId ?? null,
        at,
      });
    }
    insertMessage(db, {
      threadId,
      direction: 'inbound',
      senderUserId: null,
      body,
      at,
      status: 'received',
      segments: segmentSms(body).parts.length,
      smsRef,
    });
    const keyword = smsKeyword(body);
    const party = formatE164(externalNumber);
    const account = getAccount(db, accountId);
    if (keyword?.kind === 'stop') {
      if (addOptOut(db, { accountId, bnId, externalNumber, keyword: keyword.word, at })) {
        writeAudit(db, {
          accountId,
          at,
          actorUserId: null,
          action: 'sms.optOut',
          targetType: 'number',
          targetId: bnId,
          summary: `${party} opted out of texts from ${bn.formatted} (replied ${keyword.word})`,
          before: { optedOut: false },
          after: { optedOut: true, number: externalNumber, keyword: keyword.word },
        });
        o.announce?.('audit.changed', { kind: 'account', accountId });
        // Texts still waiting in the outbox to this number do not go out after the STOP.
        cancelQueued(
          db,
          threadId,
          `Not sent: ${party} opted out of texts from this number (they replied ${keyword.word})`,
        );
        autoReply(
          threadId,
          `${account.name}: you will get no more texts from this number. Reply START to receive them again.`,
          at,
        );
      }
    } else if (keyword?.kind === 'start') {
      if (removeOptOut(db, bnId, externalNumber)) {
        writeAudit(db, {
          accountId,
          at,
          actorUserId: null,
          action: 'sms.optIn',
          targetType: 'number',
          targetId: bnId,
          summary: `${party} opted back in to texts from ${bn.formatted} (replied ${keyword.word})`,
          before: { optedOut: true },
          after: { optedOut: false, number: externalNumber, keyword: keyword.word },
        });
        o.announce?.('audit.changed', { kind: 'account', accountId });
        autoReply(threadId, `${account.name}: you will receive texts from this number again. Reply STOP to stop.`, at);
      }
    } else if (keyword?.kind === 'help') {
      autoReply(
        threadId,
        `${account.name}: this number is answered by our team; reply here or call ${bn.formatted}. Reply STOP to stop texts, START to receive them again.`,
        at,
      );
    }
    return threadId;
  }

  /** Texts whose missing parts never came: shown as they are. */
  function flushStaleParts() {
    const done = db.transaction(() => {
      const threads: number[] = [];
      for (const p of takeStaleParts(db, now() - PARTS_WAIT_MS)) {
        const id = deliverInbound(p.bnId, p.externalNumber, p.body, p.at, null);
        if (id) threads.push(id);
      }
      return threads;
    })();
    for (const id of done) announceThread(id);
  }

  return {
    /**
     * A MESSAGE from the outside world, as the proxy saw it: `ok` (stored,
     * 200), `none` (not one of our numbers, 404) or a refusal.
     */
    inbound(m: InboundSms): string {
      let to = m.to;
      if (m.trunkId > 0) {
        const trunk = o.trunks?.recognise(m.trunkId, m.ip, m.to) ?? null;
        if (!trunk) return reject(403, 'Not a trunk of this service');
        // A registered trunk sends to the Contact it knows (the token); the number is then in To.
        if (m.to === trunk.contactToken) to = m.toUser;
      }
      const did = /^\d{7,15}$/.test(to) ? `+${to}` : to;
      const bn = E164.safeParse(did).success ? findNumberByE164(db, accountId, did) : null;
      if (!bn) {
        log(`A text from the carrier to ${did.slice(0, 20)}, not a number of this account, was refused`);
        return 'none';
      }
      if (getAccount(db, accountId).status !== 'active') return reject(480, 'This number is not in service');
      const from = /^\+?[1-9]\d{6,14}$/.test(m.from)
        ? `+${m.from.replace(/^\+/, '')}`
        : /^\d{3,8}$/.test(m.from)
          ? m.from
          : null;
      if (!from) return reject(400, 'The sender is not a phone number');
      const smsRef = m.callId ? `in:${m.callId}:${m.cseq}` : null;
      const at = now();
      const threadId = db.transaction(() => {
        if (smsRef && inboundSeen(db, smsRef)) return null;
        const concat = /ref=(\d{1,5})\s*;\s*part=(\d{1,3})\s*;\s*total=(\d{1,3})/i.exec(m.concat);
        let body = m.body;
        if (concat) {
          const [ref, seq, total] = [Number(concat[1]), Number(concat[2]), Number(concat[3])];
          if (total >= 2 && total <= 255 && seq >= 1 && seq <= total) {
            const whole = addPart(db, { bnId: bn.id, externalNumber: from, ref, seq, total, body, at });
            if (whole === null) return null;
            body = whole;
          }
        }
        return deliverInbound(bn.id, from, body, at, smsRef) ?? null;
      })();
      if (threadId) announceThread(threadId);
      flushStaleParts();
      return 'ok';
    },

    /**
     * The proxy asks about a MESSAGE on loopback that says it is the
     * outbox's: `sms|<trunk>|<request URI>|<outbound proxy or empty>` when
     * the reference checks out and names a message being sent now.
     */
    route(ref: string): string {
      const m = /^(\d{1,15})\.(\d{1,3})\.(\d{1,15})\.([0-9a-f]{32})$/.exec(ref);
      if (!m) return reject(403, 'Not a message of this service');
      const [id, part, trunkId] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const want = Buffer.from(refMac(o.secret, id, part, trunkId));
      if (!timingSafeEqual(want, Buffer.from(m[4]!))) return reject(403, 'Not a message of this service');
      const message = sendingMessage(db, accountId, id);
      const trunk = message ? routeTrunks(db, accountId, message.from).find((t) => t.id === trunkId) : null;
      if (!message || !trunk) return reject(403, 'Not a message being sent');
      return `sms|${trunk.id}|${requestUri(trunk, message.to)}|${trunk.outboundProxy ? nextHop(trunk) : ''}`;
    },

    flushStaleParts,
    announceThread,
  };
}

export type Sms = ReturnType<typeof createSms>;

export interface OutboxOptions extends SmsOptions {
  sms: Sms;
  /** The proxy's SIP address over UDP, while it runs. */
  proxy: () => { host: string; port: number } | null;
  listenIp: string;
  pollMs?: number;
  /** First wait after a failed attempt; it doubles up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A message the carrier has not taken in this long fails. */
  expireMs?: number;
  /** How long the client waits for a final answer (RFC 3261 Timer F). */
  timerF?: number;
}

/**
 * The outbox: sends queued messages one at a time, oldest first.
 *
 * Guarantee: a message is sent at least once and, unless the process ends
 * between the carrier's 200 and the commit that records it, exactly once.
 * Each state is committed before the next step (queued → sending → each
 * part taken → sent), so a restart resumes with the part not yet taken,
 * with the same Call-ID and CSeq it had.
 */
export class SmsOutbox {
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private stopped = false;
  private readonly client: SipMessageClient;
  private readonly now: () => number;

  constructor(private readonly o: OutboxOptions) {
    this.now = o.now ?? Date.now;
    this.client = new SipMessageClient({ listenIp: o.listenIp, proxy: o.proxy, timerF: o.timerF });
  }

  start() {
    const n = requeueSending(this.o.db, this.o.accountId);
    if (n) this.o.log?.(`${n} text message(s) that were being sent when Teamline stopped go out again`);
    const tick = () => {
      this.timer = setTimeout(() => {
        void this.run().finally(() => !this.stopped && tick());
      }, this.o.pollMs ?? 500);
      this.timer.unref();
    };
    tick();
  }

  /** Sends what is due now; resolves when the outbox is empty or waits. */
  async run(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      for (let i = 0; i < 1000 && !this.stopped; i++) {
        const head = outboxHead(this.o.db, this.o.accountId);
        if (!head || (head.nextAttemptAt !== null && head.nextAttemptAt > this.now())) break;
        await this.deliver(head);
      }
      this.o.sms.flushStaleParts();
    } catch (error) {
      this.o.log?.('The text message outbox failed', error);
    } finally {
      this.busy = false;
    }
  }

  private changed(threadId: number) {
    this.o.sms.announceThread(threadId);
  }

  private async deliver(m: OutboxRow) {
    const { db } = this.o;
    const at = this.now();
    if (at - m.queuedAt > (this.o.expireMs ?? 86_400_000)) {
      markFailed(db, m.id, 'Not delivered: the carrier could not be reached for a day');
      return this.changed(m.threadId);
    }
    // The business number's own trunk first, as for calls.
    const trunks = routeTrunks(db, this.o.accountId, m.from, (t) => !this.o.trunks?.refused(t.id));
    if (trunks.length === 0) {
      markRetry(db, m.id, 'Waiting for a carrier trunk (Numbers → Carrier)', at + this.backoff(m.attempts + 1));
      return this.changed(m.threadId);
    }
    if (m.status === 'queued' && !markSending(db, m.id)) return;
    const attempts = m.attempts + 1;
    this.changed(m.threadId);
    let partsSent = m.partsSent;
    for (;;) {
      let last: SipAnswer = { code: 503, reason: 'Service Unavailable' };
      let took: { parts: number } | null = null;
      for (const trunk of trunks) {
        // A trunk that takes long texts gets the whole text at once, unless parts already went.
        const whole = partsSent === 0 && trunkTakesLongSms(db, trunk.id);
        const parts = whole ? [m.body] : segmentSms(m.body).parts;
        if (partsSent >= parts.length) {
          took = { parts: parts.length };
          break;
        }
        last = await this.sendPart(m, trunk, parts, partsSent, attempts);
        if (this.stopped) return;
        if (last.code >= 200 && last.code < 300) {
          took = { parts: parts.length };
          break;
        }
        if (!retryable(last.code)) break;
        this.o.log?.(`The trunk ${trunk.name} did not take a text (${last.code} ${last.reason})`);
      }
      const answer = `${last.code} ${last.reason}`.trim();
      if (!took) {
        if (retryable(last.code)) {
          markRetry(db, m.id, `Waiting to send: ${answer}`, this.now() + this.backoff(attempts));
        } else {
          markFailed(db, m.id, answer);
        }
        return this.changed(m.threadId);
      }
      partsSent += 1;
      if (partsSent >= took.parts) {
        markSent(db, m.id, took.parts);
        return this.changed(m.threadId);
      }
      markPartSent(db, m.id, partsSent);
    }
  }

  private backoff(attempts: number) {
    const base = this.o.backoffMs ?? 5000;
    return Math.min(this.o.maxBackoffMs ?? 300_000, base * 2 ** Math.max(0, attempts - 1));
  }

  private sendPart(m: OutboxRow, trunk: TrunkRow, parts: string[], index: number, attempt: number): Promise<SipAnswer> {
    const id = smsIdentity(trunk, m.from, m.to);
    const headers = [`X-Teamline-Sms: ${outboxRef(this.o.secret, m.id, index, trunk.id)}`];
    if (id.pai) headers.push(`P-Asserted-Identity: <${id.pai}>`);
    if (parts.length > 1) headers.push(`X-SMS-Concat: ref=${m.id % 65536};part=${index + 1};total=${parts.length}`);
    return this.client.send({
      requestUri: id.requestUri,
      from: id.from,
      to: id.to,
      // One per part and attempt; an attempt repeated after a restart keeps it, so the carrier can tell the repeat.
      callId: `${m.smsRef}-${index + 1}-${attempt}@teamline`,
      cseq: 1,
      headers,
      body: parts[index]!,
    });
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.client.close();
  }
}
