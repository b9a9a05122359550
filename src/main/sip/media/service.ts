import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RtpStream } from './rtp';
import { answerSdp, chooseAudio, type AudioOffer } from './sdp';
import {
  buildInDialog,
  buildResponse,
  header,
  newTag,
  parseRequest,
  parseResponse,
  parseUri,
  tagOf,
  uriOf,
  type Dialog,
  type SipRequest,
} from './sipMessage';
import { espeakSpeech, type Speech } from './speech';
import { readWav, SAMPLE_RATE, tone, writeWav } from './wav';

/**
 * The media service: a SIP user agent on loopback that the proxy hands a
 * call to when its call flow needs audio. Two kinds of call reach it, named
 * by the Request-URI user:
 *
 * - `ivr-<call>`: greetings and a menu, as early media (183 Session
 *   Progress, never answered). The caller's key (RFC 4733) chooses the menu
 *   branch; then it answers 480 and the proxy goes on with the flow.
 * - `vm-<call>`: voicemail. It answers, speaks the greetings and the
 *   step's text (or the standard greeting), a tone, then records until the
 *   caller hangs up, presses #, falls silent or reaches the time limit.
 *
 * Media is plain RTP with G.711; softphones reach it through rtpengine. It
 * answers only the calls the call tracker is waiting on, only from loopback.
 */

export interface Recording {
  wav: Buffer;
  durationSeconds: number;
}

export type MediaStep =
  | { kind: 'prompt'; texts: string[]; menu: { text: string; keys: string[] } | null }
  | { kind: 'voicemail'; texts: string[] };

export interface PromptResult {
  /** The texts were spoken (a synthesizer was available). */
  spoken: boolean;
  /** The menu key the caller chose, or null. */
  key: string | null;
}

export interface MediaCalls {
  /** What the call `key` waits for from the media service now, or null. */
  mediaStep(key: string): MediaStep | null;
  promptDone(key: string, result: PromptResult): void;
  /** The caller left a message (or hung up before leaving one: null). */
  voicemailRecorded(key: string, recording: Recording | null): void;
}

export interface MediaOptions {
  calls: MediaCalls;
  /** Folder of the fixed prompts (resources/prompts). */
  promptsDir: string;
  /** Speaks a flow's texts; espeak-ng when installed. */
  speech?: Speech;
  /** Longest message kept. */
  maxSeconds?: number;
  /** The message ends after this long without any audio arriving. */
  silenceSeconds?: number;
  /** How long a menu waits for a key after its question. */
  menuWaitSeconds?: number;
  log?: (message: string, error?: unknown) => void;
}

export interface MediaService {
  /** 127.0.0.1:<port>, where the proxy sends these calls. */
  address: string;
  port: number;
  /** Calls being served now. */
  readonly live: number;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const MAX_SESSIONS = 200;
/** Shorter than this is a hang-up during the greeting, not a message. */
const MIN_MESSAGE_SAMPLES = SAMPLE_RATE / 2;
/** RFC 3261 T1; final responses are resent until the ACK, a BYE until its answer. */
const T1 = 500;
const MAX_RESENDS = 6;
/** An ended call is remembered this long so that resent requests get the same answer. */
const LINGER_MS = 32_000;
const ALLOW = 'INVITE, ACK, BYE, CANCEL, INFO, OPTIONS';

interface Session {
  kind: 'prompt' | 'voicemail';
  key: string;
  step: MediaStep;
  invite: SipRequest;
  /** Call-ID + the INVITE's branch: its transaction (retransmissions, CANCEL, ACK of a failure). */
  transaction: string;
  /** Call-ID + our tag: the dialog (ACK of the 200, BYE, INFO, re-INVITE). */
  dialogKey: string;
  toTag: string;
  dialog: Dialog;
  proxy: { address: string; port: number };
  offer: AudioOffer;
  rtp: RtpStream;
  rtpPort: number;
  sessionId: number;
  sdpVersion: number;
  /** The last response to the INVITE, resent on a retransmitted INVITE. */
  lastResponse: string;
  finalSent: boolean;
  acked: boolean;
  byeAnswered: boolean;
  ended: boolean;
  /** The message so far (voicemail), in the pieces it arrived in. */
  chunks: Int16Array[] | null;
  recorded: number;
  listening: boolean;
  onDigit: ((digit: string) => void) | null;
  timers: Set<NodeJS.Timeout>;
}

export async function startMediaService(o: MediaOptions): Promise<MediaService> {
  const log = o.log ?? ((message: string, error?: unknown) => console.error(`[media] ${message}`, error ?? ''));
  const speech = o.speech ?? espeakSpeech();
  const maxSeconds = o.maxSeconds ?? 180;
  const maxSamples = maxSeconds * SAMPLE_RATE;
  const silenceMs = (o.silenceSeconds ?? 10) * 1000;
  const menuWaitMs = (o.menuWaitSeconds ?? 5) * 1000;
  const standardGreeting = readPrompt(join(o.promptsDir, 'voicemail-greeting.wav'), log);
  const beep = tone(1000, 400);
  const pause = new Int16Array(SAMPLE_RATE / 4);

  const byTransaction = new Map<string, Session>();
  const byDialog = new Map<string, Session>();
  const sip = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    sip.once('error', reject);
    sip.bind(0, HOST, () => resolve());
  });
  sip.removeAllListeners('error');
  sip.on('error', (error) => log('SIP socket error', error));
  const port = sip.address().port;
  const contact = `<sip:media@${HOST}:${port}>`;

  const send = (text: string, to: { address: string; port: number }) => sip.send(text, to.port, to.address);
  const later = (s: Session, ms: number, f: () => void) => {
    const t = setTimeout(() => {
      s.timers.delete(t);
      f();
    }, ms);
    t.unref();
    s.timers.add(t);
  };
  const wait = (s: Session, ms: number) => new Promise<void>((resolve) => later(s, ms, resolve));

  /** The texts spoken one after the other, with a short pause between; null when none could be spoken. */
  async function spoken(texts: string[]): Promise<Int16Array | null> {
    const parts: Int16Array[] = [];
    for (const text of texts) {
      const samples = await speech.say(text);
      if (samples) parts.push(samples, pause);
    }
    return parts.length > 0 ? concat(parts) : null;
  }

  function sdpFor(s: Session): string {
    return answerSdp({ address: HOST, port: s.rtpPort, offer: s.offer, sessionId: s.sessionId, version: s.sdpVersion });
  }

  /** Sends a final response to the INVITE and resends it until the ACK (or gives up). */
  function sendFinal(s: Session, text: string, onNoAck: () => void): void {
    s.lastResponse = text;
    s.finalSent = true;
    send(text, s.proxy);
    const resend = (n: number) => {
      if (s.acked) return;
      if (n >= MAX_RESENDS) return onNoAck();
      send(text, s.proxy);
      later(s, Math.min(4000, T1 * 2 ** n), () => resend(n + 1));
    };
    later(s, T1, () => resend(1));
  }

  function end(s: Session): void {
    if (s.ended) return;
    s.ended = true;
    s.rtp.close();
    later(s, LINGER_MS, () => {
      for (const t of s.timers) clearTimeout(t);
      s.timers.clear();
      byTransaction.delete(s.transaction);
      byDialog.delete(s.dialogKey);
    });
  }

  // ---- voicemail

  function finishVoicemail(s: Session, byUs: boolean): void {
    if (s.ended) return;
    end(s);
    if (byUs) sendBye(s);
    const samples = concat(s.chunks ?? []);
    const recording =
      samples.length >= MIN_MESSAGE_SAMPLES
        ? { wav: writeWav(samples), durationSeconds: Math.max(1, Math.round(samples.length / SAMPLE_RATE)) }
        : null;
    try {
      o.calls.voicemailRecorded(s.key, recording);
    } catch (error) {
      log('Could not keep a voicemail', error);
    }
  }

  function sendBye(s: Session): void {
    const bye = buildInDialog(s.dialog, 'BYE', { host: HOST, port });
    if (!bye) return;
    const resend = (n: number) => {
      send(bye.text, { address: bye.host, port: bye.port });
      if (n < 3) later(s, T1 * 2 ** n, () => (s.byeAnswered ? undefined : resend(n + 1)));
    };
    resend(0);
  }

  async function runVoicemail(s: Session, texts: string[]): Promise<void> {
    const own = await spoken(texts);
    if (s.ended) return;
    await s.rtp.play(concat([own ?? standardGreeting, pause, beep]));
    if (s.ended) return;
    s.listening = true;
    const started = Date.now();
    later(s, maxSeconds * 1000, () => finishVoicemail(s, true));
    const watchSilence = () => {
      const heard = Math.max(s.rtp.lastHeardAt ?? started, started);
      if (Date.now() - heard >= silenceMs) return finishVoicemail(s, true);
      later(s, 1000, watchSilence);
    };
    later(s, 1000, watchSilence);
  }

  // ---- prompts and menus

  function finishPrompt(s: Session, result: PromptResult): void {
    if (s.ended) return;
    s.rtp.stop();
    try {
      o.calls.promptDone(s.key, result);
    } catch (error) {
      log('Could not follow a menu choice', error);
    }
    // Told the tracker first: the proxy's next question finds the choice made.
    sendFinal(s, buildResponse(s.invite, 480, 'Prompt finished', { toTag: s.toTag }), () => undefined);
    end(s);
  }

  async function runPrompt(s: Session, step: Extract<MediaStep, { kind: 'prompt' }>): Promise<void> {
    const greeting = await spoken(step.texts);
    if (s.ended) return;
    if (!step.menu) {
      if (greeting) await s.rtp.play(greeting);
      return finishPrompt(s, { spoken: greeting !== null, key: null });
    }
    const question = await spoken([step.menu.text]);
    const keys = new Set(step.menu.keys);
    const spokenAny = greeting !== null || question !== null;
    // A key pressed during the greeting or the question counts at once (barge-in).
    const chosen = new Promise<string | null>((resolve) => {
      // A key that is not an option is ignored; the question is asked twice.
      s.onDigit = (digit) => {
        if (keys.has(digit)) resolve(digit);
      };
      void (async () => {
        if (greeting) await s.rtp.play(greeting);
        for (let attempt = 0; attempt < 2 && !s.ended; attempt++) {
          await s.rtp.play(question ?? beep);
          await wait(s, menuWaitMs);
        }
        resolve(null);
      })();
    });
    const key = await chosen;
    s.onDigit = null;
    finishPrompt(s, { spoken: spokenAny, key });
  }

  // ---- SIP

  function onNewInvite(req: SipRequest, from: RemoteInfo, transaction: string): void {
    const reply = (status: number, reason: string) =>
      send(buildResponse(req, status, reason, { toTag: newTag() }), from);
    const user = parseUri(req.uri)?.user ?? '';
    const m = /^(vm|ivr)-([A-Za-z0-9_-]{8,40})$/.exec(user);
    const step = m ? o.calls.mediaStep(m[2]!) : null;
    const kind = m?.[1] === 'vm' ? 'voicemail' : 'prompt';
    if (!m || !step || step.kind !== kind) return reply(404, 'Not Found');
    if (byTransaction.size >= MAX_SESSIONS) return reply(486, 'Busy Here');
    const offer = chooseAudio(req.body);
    if (!offer) return reply(488, 'Not Acceptable Here');
    send(buildResponse(req, 100, 'Trying'), from);

    const rtpSocket: Socket = createSocket('udp4');
    rtpSocket.on('error', (error) => log('RTP socket error', error));
    rtpSocket.bind(0, HOST, () => {
      const toTag = newTag();
      const callId = header(req, 'call-id');
      const s: Session = {
        kind,
        key: m[2]!,
        step,
        invite: req,
        transaction,
        dialogKey: `${callId}|${toTag}`,
        toTag,
        dialog: {
          callId,
          local: `${header(req, 'to')};tag=${toTag}`,
          remote: header(req, 'from'),
          remoteTarget: uriOf(header(req, 'contact')) || uriOf(header(req, 'from')),
          routeSet: [...(req.headers.get('record-route') ?? [])],
          localCseq: 0,
        },
        proxy: { address: from.address, port: from.port },
        offer,
        rtp: null as unknown as RtpStream,
        rtpPort: rtpSocket.address().port,
        sessionId: Math.floor(Math.random() * 1e9),
        sdpVersion: 1,
        lastResponse: '',
        finalSent: false,
        acked: false,
        byeAnswered: false,
        ended: false,
        chunks: kind === 'voicemail' ? [] : null,
        recorded: 0,
        listening: false,
        onDigit: null,
        timers: new Set(),
      };
      s.rtp = new RtpStream(
        rtpSocket,
        { address: offer.address, port: offer.port },
        offer.codec,
        offer.payloadType,
        offer.eventType,
        {
          audio: (samples) => {
            if (!s.chunks || !s.listening || s.ended) return;
            const n = Math.min(samples.length, maxSamples - s.recorded);
            s.chunks.push(samples.slice(0, n));
            s.recorded += n;
            if (s.recorded >= maxSamples) finishVoicemail(s, true);
          },
          digit: (digit) => digitPressed(s, digit),
        },
      );
      byTransaction.set(transaction, s);
      byDialog.set(s.dialogKey, s);
      if (kind === 'voicemail') {
        // Answered at once: the greeting plays in the call.
        sendFinal(s, buildResponse(req, 200, 'OK', { toTag, contact, body: sdpFor(s) }), () =>
          finishVoicemail(s, true),
        );
        void runVoicemail(s, step.texts).catch((error) => log('Voicemail failed', error));
      } else {
        // Early media: the caller hears the prompt while the call is not answered.
        s.lastResponse = buildResponse(req, 183, 'Session Progress', { toTag, contact, body: sdpFor(s) });
        send(s.lastResponse, from);
        void runPrompt(s, step as Extract<MediaStep, { kind: 'prompt' }>).catch((error) =>
          log('A prompt failed', error),
        );
      }
    });
  }

  function digitPressed(s: Session, digit: string): void {
    if (s.ended) return;
    if (s.kind === 'voicemail') {
      if (digit === '#') finishVoicemail(s, true);
      return;
    }
    s.onDigit?.(digit);
  }

  function onRequest(req: SipRequest, from: RemoteInfo): void {
    const callId = header(req, 'call-id');
    const branch = /branch=([^;,\s]+)/.exec(header(req, 'via'))?.[1] ?? '';
    const toTag = tagOf(header(req, 'to'));
    const inTransaction = byTransaction.get(`${callId}|${branch}`);
    const inDialog = toTag ? byDialog.get(`${callId}|${toTag}`) : undefined;
    const answer = (status: number, reason: string, extra: Parameters<typeof buildResponse>[3] = {}) =>
      send(buildResponse(req, status, reason, extra), from);
    switch (req.method) {
      case 'INVITE': {
        if (inTransaction) return void send(inTransaction.lastResponse, from);
        if (!toTag) return onNewInvite(req, from, `${callId}|${branch}`);
        if (!inDialog || inDialog.ended) return answer(481, 'Call Does Not Exist');
        // A re-INVITE (hold, resume, a new relay address): the same media, answered again.
        const offer = chooseAudio(req.body);
        if (offer) inDialog.rtp.peer = { address: offer.address, port: offer.port };
        inDialog.sdpVersion += 1;
        return answer(200, 'OK', { contact, body: sdpFor(inDialog) });
      }
      case 'ACK': {
        const s = inTransaction ?? inDialog;
        if (s) s.acked = true;
        return;
      }
      case 'BYE':
        if (!inDialog) return answer(481, 'Call Does Not Exist');
        answer(200, 'OK');
        return inDialog.kind === 'voicemail' ? finishVoicemail(inDialog, false) : end(inDialog);
      case 'CANCEL': {
        if (!inTransaction) return answer(481, 'Call Does Not Exist');
        answer(200, 'OK');
        const s = inTransaction;
        if (!s.finalSent) {
          // The caller hung up during a prompt: its INVITE ends with 487 and nothing more happens.
          s.rtp.stop();
          s.onDigit = null;
          sendFinal(s, buildResponse(s.invite, 487, 'Request Terminated', { toTag: s.toTag }), () => undefined);
          end(s);
        }
        return;
      }
      case 'INFO': {
        if (!inDialog) return answer(481, 'Call Does Not Exist');
        answer(200, 'OK');
        const signal = /Signal\s*=\s*([0-9*#A-D])/i.exec(req.body)?.[1];
        if (signal) digitPressed(inDialog, signal);
        return;
      }
      case 'OPTIONS':
        return answer(200, 'OK', { extra: [['Allow', ALLOW]] });
      default:
        return answer(405, 'Method Not Allowed', { extra: [['Allow', ALLOW]] });
    }
  }

  sip.on('message', (packet, from) => {
    // Only the proxy on this machine talks to the media service.
    if (from.address !== HOST) return;
    const text = packet.toString('utf8');
    if (text.startsWith('SIP/2.0 ')) {
      const res = parseResponse(text);
      if (res && /\bBYE$/.test(header(res, 'cseq'))) {
        const s = byDialog.get(`${header(res, 'call-id')}|${tagOf(header(res, 'from')) ?? ''}`);
        if (s) s.byeAnswered = true;
      }
      return;
    }
    const req = parseRequest(text);
    if (!req) return;
    try {
      onRequest(req, from);
    } catch (error) {
      log(`Could not handle a ${req.method}`, error);
    }
  });

  return {
    address: `${HOST}:${port}`,
    port,
    get live() {
      let n = 0;
      for (const s of byTransaction.values()) if (!s.ended) n++;
      return n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of byTransaction.values()) {
          if (s.kind === 'voicemail') finishVoicemail(s, true);
          else end(s);
          for (const t of s.timers) clearTimeout(t);
        }
        byTransaction.clear();
        byDialog.clear();
        sip.close(() => resolve());
      }),
  };
}

function readPrompt(file: string, log: (message: string, error?: unknown) => void): Int16Array {
  try {
    return readWav(readFileSync(file));
  } catch (error) {
    log(`The voicemail greeting ${file} could not be read; callers hear the tone only`, error);
    return new Int16Array(0);
  }
}

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
