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
import { readWav, SAMPLE_RATE, tone, writeWav } from './wav';

/**
 * The voicemail service: a SIP user agent on loopback that the proxy hands
 * a call to when its call flow reaches a voicemail step (Request-URI user
 * `vm-<call>`). It answers with plain RTP (G.711), plays the greeting and a
 * tone, records the caller until they hang up, press #, fall silent or reach
 * the time limit, and gives the recording to the call tracker, which writes
 * the voicemail with the call. Only calls the tracker is waiting on are
 * answered; nothing else reaches it.
 */

export interface Recording {
  wav: Buffer;
  durationSeconds: number;
}

export interface VoicemailCalls {
  /** True while the call `key` has reached a voicemail step and waits for it to answer. */
  expectsVoicemail(key: string): boolean;
  /** The caller left a message (or hung up before leaving one: null). */
  voicemailRecorded(key: string, recording: Recording | null): void;
}

export interface VoicemailOptions {
  calls: VoicemailCalls;
  /** Folder of the prompts (resources/prompts). */
  promptsDir: string;
  /** Longest message kept. */
  maxSeconds?: number;
  /** The message ends after this long without any audio arriving. */
  silenceSeconds?: number;
  log?: (message: string, error?: unknown) => void;
}

export interface VoicemailService {
  /** 127.0.0.1:<port>, where the proxy sends voicemail calls. */
  address: string;
  port: number;
  /** Calls answered now. */
  readonly live: number;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const MAX_SESSIONS = 100;
/** Shorter than this is a hang-up during the greeting, not a message. */
const MIN_MESSAGE_SAMPLES = SAMPLE_RATE / 2;
/** RFC 3261 T1; a 200 OK is resent until the ACK, a BYE until its answer. */
const T1 = 500;
const MAX_RESENDS = 6;
/** An ended call is remembered this long so that resent requests get the same answer. */
const LINGER_MS = 32_000;

interface Session {
  key: string;
  callId: string;
  inviteBranch: string;
  dialog: Dialog;
  offer: AudioOffer;
  rtp: RtpStream;
  rtpPort: number;
  sdpVersion: number;
  sessionId: number;
  /** The last response to the INVITE, resent on a retransmitted INVITE and until the ACK. */
  inviteResponse: string;
  proxy: { address: string; port: number };
  acked: boolean;
  recording: Int16Array;
  recorded: number;
  listening: boolean;
  ended: boolean;
  byeAnswered: boolean;
  timers: Set<NodeJS.Timeout>;
}

export async function startVoicemail(o: VoicemailOptions): Promise<VoicemailService> {
  const log = o.log ?? ((message: string, error?: unknown) => console.error(`[voicemail] ${message}`, error ?? ''));
  const maxSeconds = o.maxSeconds ?? 180;
  const silenceMs = (o.silenceSeconds ?? 10) * 1000;
  const greeting = readPrompt(join(o.promptsDir, 'voicemail-greeting.wav'), log);
  const beep = tone(1000, 400);
  const gap = new Int16Array(SAMPLE_RATE / 5);
  const prompt = concat([greeting, gap, beep]);

  const sessions = new Map<string, Session>();
  const sip = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    sip.once('error', reject);
    sip.bind(0, HOST, () => resolve());
  });
  sip.removeAllListeners('error');
  sip.on('error', (error) => log('SIP socket error', error));
  const port = sip.address().port;
  const contact = `<sip:voicemail@${HOST}:${port}>`;

  const send = (text: string, to: { address: string; port: number }) => sip.send(text, to.port, to.address);
  const later = (s: Session, ms: number, f: () => void) => {
    const t = setTimeout(() => {
      s.timers.delete(t);
      f();
    }, ms);
    t.unref();
    s.timers.add(t);
  };

  function finish(s: Session, byUs: boolean): void {
    if (s.ended) return;
    s.ended = true;
    s.rtp.close();
    if (byUs) sendBye(s);
    const samples = s.recording.subarray(0, s.recorded);
    const recording =
      samples.length >= MIN_MESSAGE_SAMPLES
        ? { wav: writeWav(samples), durationSeconds: Math.max(1, Math.round(samples.length / SAMPLE_RATE)) }
        : null;
    try {
      o.calls.voicemailRecorded(s.key, recording);
    } catch (error) {
      log('Could not keep a voicemail', error);
    }
    later(s, LINGER_MS, () => {
      for (const t of s.timers) clearTimeout(t);
      sessions.delete(s.callId);
    });
  }

  function sendBye(s: Session): void {
    const bye = buildInDialog(s.dialog, 'BYE', { host: HOST, port });
    if (!bye) return;
    const text = bye.text;
    const resend = (n: number) => {
      send(text, { address: bye.host, port: bye.port });
      if (n < 3) later(s, T1 * 2 ** n, () => (s.byeAnswered ? undefined : resend(n + 1)));
    };
    resend(0);
  }

  function startMessage(s: Session): void {
    void s.rtp.play(prompt).then(() => {
      if (s.ended) return;
      s.listening = true;
      const started = Date.now();
      later(s, maxSeconds * 1000, () => finish(s, true));
      const watchSilence = () => {
        const heard = s.rtp.lastHeardAt ?? started;
        if (Date.now() - Math.max(heard, started) >= silenceMs) return finish(s, true);
        later(s, 1000, watchSilence);
      };
      later(s, 1000, watchSilence);
    });
  }

  function onInvite(req: SipRequest, from: RemoteInfo): void {
    const callId = header(req, 'call-id');
    const branch = /branch=([^;,\s]+)/.exec(header(req, 'via'))?.[1] ?? '';
    const existing = sessions.get(callId);
    if (existing) {
      if (existing.inviteBranch === branch) return void send(existing.inviteResponse, from);
      // A re-INVITE (hold, resume, a new relay address): same media, answered again.
      const offer = chooseAudio(req.body);
      if (offer) existing.rtp.peer = { address: offer.address, port: offer.port };
      existing.sdpVersion += 1;
      const body = answerSdp({
        address: HOST,
        port: existing.rtpPort,
        offer: existing.offer,
        sessionId: existing.sessionId,
        version: existing.sdpVersion,
      });
      return void send(buildResponse(req, 200, 'OK', { contact, body }), from);
    }
    const user = parseUri(req.uri)?.user ?? '';
    const key = /^vm-([A-Za-z0-9_-]{8,40})$/.exec(user)?.[1] ?? null;
    if (!key || !o.calls.expectsVoicemail(key)) {
      return void send(buildResponse(req, 404, 'No such mailbox', { toTag: newTag() }), from);
    }
    if (sessions.size >= MAX_SESSIONS)
      return void send(buildResponse(req, 486, 'Busy Here', { toTag: newTag() }), from);
    const offer = chooseAudio(req.body);
    if (!offer) return void send(buildResponse(req, 488, 'Not Acceptable Here', { toTag: newTag() }), from);
    send(buildResponse(req, 100, 'Trying'), from);

    const rtpSocket: Socket = createSocket('udp4');
    rtpSocket.on('error', (error) => log('RTP socket error', error));
    rtpSocket.bind(0, HOST, () => {
      const toTag = newTag();
      const sessionId = Math.floor(Math.random() * 1e9);
      const rtpPort = rtpSocket.address().port;
      const body = answerSdp({ address: HOST, port: rtpPort, offer, sessionId, version: 1 });
      const response = buildResponse(req, 200, 'OK', { toTag, contact, body });
      const s: Session = {
        key,
        callId,
        inviteBranch: branch,
        dialog: {
          callId,
          local: `${header(req, 'to')};tag=${toTag}`,
          remote: header(req, 'from'),
          remoteTarget: uriOf(header(req, 'contact')) || uriOf(header(req, 'from')),
          routeSet: [...(req.headers.get('record-route') ?? [])],
          localCseq: 0,
        },
        offer,
        rtp: null as unknown as RtpStream,
        rtpPort,
        sdpVersion: 1,
        sessionId,
        inviteResponse: response,
        proxy: { address: from.address, port: from.port },
        acked: false,
        recording: new Int16Array(maxSeconds * SAMPLE_RATE),
        recorded: 0,
        listening: false,
        ended: false,
        timers: new Set(),
        byeAnswered: false,
      };
      s.rtp = new RtpStream(
        rtpSocket,
        { address: offer.address, port: offer.port },
        offer.codec,
        offer.payloadType,
        offer.eventType,
        {
          audio: (samples) => {
            if (!s.listening || s.ended) return;
            const n = Math.min(samples.length, s.recording.length - s.recorded);
            s.recording.set(samples.subarray(0, n), s.recorded);
            s.recorded += n;
            if (s.recorded >= s.recording.length) finish(s, true);
          },
          digit: (digit) => {
            if (digit === '#' && !s.ended) finish(s, true);
          },
        },
      );
      sessions.set(callId, s);
      send(response, from);
      const resend = (n: number) => {
        if (s.acked || s.ended) return;
        if (n >= MAX_RESENDS) return finish(s, true); // never acknowledged: the caller is gone
        send(response, s.proxy);
        later(s, Math.min(4000, T1 * 2 ** n), () => resend(n + 1));
      };
      later(s, T1, () => resend(1));
      startMessage(s);
    });
  }

  function onRequest(req: SipRequest, from: RemoteInfo): void {
    const callId = header(req, 'call-id');
    const s = sessions.get(callId);
    switch (req.method) {
      case 'INVITE':
        if (tagOf(header(req, 'to')) && !s) return void send(buildResponse(req, 481, 'Call Does Not Exist'), from);
        return onInvite(req, from);
      case 'ACK':
        if (s) s.acked = true;
        return;
      case 'BYE':
        if (!s) return void send(buildResponse(req, 481, 'Call Does Not Exist'), from);
        send(buildResponse(req, 200, 'OK'), from);
        return finish(s, false);
      case 'CANCEL':
        // Calls are answered at once, so a CANCEL arrives after the 200 OK and changes nothing.
        return void send(buildResponse(req, s ? 200 : 481, s ? 'OK' : 'Call Does Not Exist'), from);
      case 'INFO': {
        if (!s) return void send(buildResponse(req, 481, 'Call Does Not Exist'), from);
        send(buildResponse(req, 200, 'OK'), from);
        const signal = /Signal\s*=\s*([0-9*#A-D])/i.exec(req.body)?.[1];
        if (signal === '#' && !s.ended) finish(s, true);
        return;
      }
      case 'OPTIONS':
        return void send(
          buildResponse(req, 200, 'OK', { extra: [['Allow', 'INVITE, ACK, BYE, CANCEL, INFO, OPTIONS']] }),
          from,
        );
      default:
        return void send(
          buildResponse(req, 405, 'Method Not Allowed', {
            extra: [['Allow', 'INVITE, ACK, BYE, CANCEL, INFO, OPTIONS']],
          }),
          from,
        );
    }
  }

  sip.on('message', (packet, from) => {
    // Only the proxy on this machine talks to the voicemail service.
    if (from.address !== HOST) return;
    const text = packet.toString('utf8');
    if (text.startsWith('SIP/2.0 ')) {
      const res = parseResponse(text);
      if (res && /\bBYE$/.test(header(res, 'cseq'))) {
        const s = sessions.get(header(res, 'call-id'));
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
      for (const s of sessions.values()) if (!s.ended) n++;
      return n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions.values()) {
          finish(s, true);
          for (const t of s.timers) clearTimeout(t);
        }
        sessions.clear();
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
