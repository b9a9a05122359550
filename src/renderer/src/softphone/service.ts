import { Invitation, Inviter, SessionState, UserAgent, type Referral, type Session, type URI } from 'sip.js';
import type { SessionDescriptionHandler } from 'sip.js/lib/platform/web';
import type { AppDispatch, RootState } from '../app/store';
import { isLive } from './callMachine';
import { PhoneConnection, type SipCredentials } from './connection';
import { formatPhone } from '../ui/format';
import { dtmfOfInfo } from './dtmf';
import { checkMicrophone, playRemote, playTone, stopTone } from './media';
import { quickSessionDescriptionHandlerFactory } from './quickSdh';
import { remoteHolds } from './sdpHold';
import { sp, MAX_LINES } from './slice';

export type { SipCredentials } from './connection';

/** How long to wait for a transfer's progress before treating it as handed over. */
const REFER_REPORT_TIMEOUT_MS = 15_000;
/** No audio from the other side for this long (not on hold) is reported on the line. */
const AUDIO_CHECK_MS = 4000;

export interface SoftphoneDeps {
  dispatch: AppDispatch;
  getState: () => RootState;
  credentials: () => Promise<SipCredentials>;
  displayName: string;
  /** Asks the main process to authorize a call from a business number; returns the caller ID to assert. */
  authorize: (bnId: number, to: string) => Promise<string>;
  /** A name for the other party (a teammate's extension, a contact's number), or null. */
  nameOf: (remote: string) => Promise<string | null>;
  notifyIncoming: (line: { id: string; from: string; name: string | null }) => void;
  /** The call that rang stopped ringing (answered here or elsewhere, declined, gone). */
  ringingOver: (id: string) => void;
}

/**
 * The one sip.js UserAgent of the app, outside Redux: it owns the sip.js
 * sessions and media, and reports plain state to the softphone slice, whose
 * line state machine (callMachine.ts) accepts or ignores each change.
 */
export class Softphone {
  private readonly connection: PhoneConnection;
  private sessions = new Map<string, Session>();
  private nextId = 1;

  constructor(private readonly deps: SoftphoneDeps) {
    this.connection = new PhoneConnection({
      credentials: deps.credentials,
      displayName: deps.displayName,
      status: (status, reason) => deps.dispatch(sp.registration({ status, reason })),
      onInvite: (invitation) => this.onInvite(invitation),
      hasEstablishedCall: () => [...this.sessions.values()].some((s) => s.state === SessionState.Established),
      sessionDescriptionHandlerFactory: quickSessionDescriptionHandlerFactory({
        microphoneAllowed: () => this.state.microphone === 'granted',
        microphoneFailed: (session, error) => this.microphoneFailed(session, error),
      }),
    });
  }

  /** A call went out (or was answered) before the microphone opened, and it would not: end it, and say why. */
  private microphoneFailed(session: Session, error: unknown) {
    const name = (error as { name?: string }).name;
    const missing = name === 'NotFoundError' || name === 'OverconstrainedError';
    this.deps.dispatch(sp.microphone(missing ? 'missing' : 'denied'));
    const id = this.lineOf(session);
    if (!id) return;
    const reason = missing ? 'No microphone found' : 'The microphone could not be opened';
    this.deps.dispatch(sp.lineEvent({ id, event: 'ended', reason }));
    this.end(session);
  }

  private get state() {
    return this.deps.getState().softphone;
  }

  /** Asks for the microphone once up front, so the user learns of a problem before a call, not during it. */
  async checkMicrophone(): Promise<void> {
    this.deps.dispatch(sp.microphone(await checkMicrophone()));
  }

  async start(): Promise<void> {
    void this.checkMicrophone();
    await this.connection.start();
  }

  async stop(): Promise<void> {
    for (const s of this.sessions.values()) this.end(s);
    await this.connection.stop();
  }

  private liveCount() {
    return this.state.lines.filter((l) => isLive(l.state)).length;
  }

  private lineOf(session: Session): string | null {
    for (const [id, s] of this.sessions) if (s === session) return id;
    return null;
  }

  /** Follows one sip.js session into the slice: its states, tones it receives, transfers asked of it, its media. */
  private watch(id: string, session: Session) {
    session.delegate = {
      onInfo: (info) => {
        const tone = dtmfOfInfo(info.request.body, info.request.getHeader('content-type'));
        void info.accept();
        if (tone) this.deps.dispatch(sp.toneReceived({ id, tone }));
      },
      onRefer: (referral) => void this.followReferral(id, referral),
      // The other side's re-INVITE (or its answer in the ACK) says whether they hold us.
      onInvite: (request, _response, code) => {
        if (code === 200) this.remoteHold(id, request.body);
      },
      onAck: (ack) => this.remoteHold(id, ack.request.body),
    };
    session.stateChange.addListener((s) => {
      switch (s) {
        case SessionState.Established:
          if (this.state.lines.find((l) => l.id === id)?.state === 'ringing') this.deps.ringingOver(id);
          stopTone();
          this.deps.dispatch(sp.lineEvent({ id, event: 'answered', at: Date.now() }));
          this.watchMedia(id, session);
          this.focus(id);
          break;
        case SessionState.Terminated:
          this.deps.ringingOver(id);
          if (!this.state.lines.some((l) => l.state === 'ringing' && l.id !== id)) stopTone();
          // sip.js reports a refusal (Busy, No answer…) to the request's delegate after this: let its reason win.
          window.setTimeout(() => this.deps.dispatch(sp.lineEvent({ id, event: 'ended', reason: 'Call ended' })), 0);
          this.sessions.delete(id);
          if (this.state.focusedLineId === id) void playRemote(null, null);
          break;
        case SessionState.Initial:
        case SessionState.Establishing:
        case SessionState.Terminating:
          break;
      }
    });
  }

  private remoteHold(id: string, body: string) {
    const held = body ? remoteHolds(body) : null;
    if (held !== null) this.deps.dispatch(sp.lineRemoteHeld({ id, held }));
  }

  /**
   * Watches the call's media: whether the other side's audio arrives (a
   * held call sends none, so it is not judged then), and a media path that
   * died (the other side vanished without a BYE) ends the call rather than
   * leaving it silent.
   */
  private watchMedia(id: string, session: Session) {
    const pc = (session.sessionDescriptionHandler as SessionDescriptionHandler | undefined)?.peerConnection;
    if (!pc) return;
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed' && this.sessions.get(id) === session) {
        this.deps.dispatch(sp.lineEvent({ id, event: 'ended', reason: 'The call’s audio connection was lost' }));
        this.end(session);
      }
    });
    let last = -1;
    let quietSince = Date.now();
    const timer = window.setInterval(async () => {
      if (this.sessions.get(id) !== session || pc.connectionState === 'closed') return window.clearInterval(timer);
      let received = 0;
      (await pc.getStats()).forEach((r: { type: string; kind?: string; packetsReceived?: number }) => {
        if (r.type === 'inbound-rtp' && r.kind === 'audio') received += r.packetsReceived ?? 0;
      });
      const now = Date.now();
      if (received > last) quietSince = now;
      last = received;
      const line = this.state.lines.find((l) => l.id === id);
      if (!line || line.state === 'held' || line.remoteHeld) return;
      if (now - quietSince < AUDIO_CHECK_MS)
        this.deps.dispatch(sp.lineAudio({ id, audio: received > 0 ? 'flowing' : 'unknown' }));
      else this.deps.dispatch(sp.lineAudio({ id, audio: 'silent' }));
    }, 1000);
  }

  private constraints(): MediaStreamConstraints {
    const mic = this.state.devices.microphoneId;
    return { audio: mic ? { deviceId: { exact: mic } } : true, video: false };
  }

  private addLine(
    session: Session,
    line: { direction: 'inbound' | 'outbound'; remote: string; bnId: number | null; bnLabel: string | null },
    made?: { id: string; createdAt: number },
  ) {
    const id = made?.id ?? `${line.direction === 'inbound' ? 'in' : 'out'}-${this.nextId++}`;
    this.sessions.set(id, session);
    const createdAt = made?.createdAt ?? Date.now();
    this.deps.dispatch(sp.lineAdded({ id, state: 'idle', remoteName: null, createdAt, ...line }));
    // Named by us (the team directory, the contacts), never by the display name the other side sends.
    const named = this.deps.nameOf(line.remote).then((name) => {
      if (name) this.deps.dispatch(sp.lineNamed({ id, name }));
      return name;
    });
    return { id, named };
  }

  private onInvite(invitation: Invitation) {
    const from = invitation.remoteIdentity.uri.user ?? 'unknown';
    const replaced = invitation.replacee ? this.lineOf(invitation.replacee) : null;
    if (replaced) {
      // An attended transfer: the caller we were consulting with is handed to us; this call takes that line's place.
      const { id } = this.addLine(invitation, { direction: 'inbound', remote: from, bnId: null, bnLabel: null });
      this.deps.dispatch(sp.lineEvent({ id, event: 'incoming' }));
      this.watch(id, invitation);
      void invitation.accept({ sessionDescriptionHandlerOptions: { constraints: this.constraints() } });
      return;
    }
    if (this.liveCount() >= MAX_LINES) {
      void invitation.reject({ statusCode: 486 });
      return;
    }
    const { id, named } = this.addLine(invitation, { direction: 'inbound', remote: from, bnId: null, bnLabel: null });
    this.deps.dispatch(sp.lineEvent({ id, event: 'incoming' }));
    this.watch(id, invitation);
    const busy = this.liveCount() > 1;
    void playTone(
      busy ? 'waiting' : 'ringtone',
      busy ? this.state.devices.speakerId : (this.state.devices.ringerId ?? this.state.devices.speakerId),
    );
    void named.then((name) => {
      if (this.state.lines.find((l) => l.id === id)?.state === 'ringing') this.deps.notifyIncoming({ id, from, name });
    });
  }

  /** Places a call. The main process authorizes the caller ID first; the proxy checks it again. */
  async dial(to: string, bnId: number | null, bnLabel: string | null): Promise<void> {
    const ua = this.connection.ua;
    const domain = this.connection.creds?.domain;
    if (!ua || !domain || !this.connection.isRegistered) throw new Error('The phone is not connected.');
    if (this.liveCount() >= MAX_LINES) throw new Error('Both lines are busy. End or transfer a call first.');
    const external = to.startsWith('+');
    const callerId = external ? await this.deps.authorize(bnId ?? 0, to) : null;
    const target = UserAgent.makeURI(`sip:${to}@${domain}`);
    if (!target) throw new Error('That number cannot be dialled.');
    for (const other of this.state.lines.filter((l) => l.state === 'established')) await this.hold(other.id);
    const inviter = new Inviter(ua, target, {
      extraHeaders: callerId ? [`X-Teamline-Caller-Id: ${callerId}`] : [],
      sessionDescriptionHandlerOptions: { constraints: this.constraints() },
    });
    await this.invite(inviter, { remote: to, bnId, bnLabel });
  }

  private async invite(inviter: Inviter, line: { remote: string; bnId: number | null; bnLabel: string | null }) {
    // The line is shown once the INVITE is on its way: rendering it first would delay the INVITE by the render.
    const id = `out-${this.nextId++}`;
    const createdAt = Date.now();
    this.sessions.set(id, inviter);
    this.watch(id, inviter);
    const show = () => {
      this.addLine(inviter, { direction: 'outbound', ...line }, { id, createdAt });
      this.deps.dispatch(sp.lineEvent({ id, event: 'dial' }));
    };
    const sent = inviter.invite({
      requestDelegate: {
        onProgress: (r) => {
          if (r.message.statusCode === 180 || r.message.statusCode === 183)
            void playTone('ringback', this.state.devices.speakerId);
          this.deps.dispatch(sp.lineEvent({ id, event: 'progress' }));
        },
        onReject: (r) => {
          stopTone('ringback');
          const reason = r.message.reasonPhrase || `Call refused (${r.message.statusCode})`;
          this.deps.dispatch(sp.lineEvent({ id, event: 'ended', reason }));
        },
      },
    });
    await sent.then(show, (e: unknown) => {
      show();
      throw e;
    });
  }

  /**
   * We are the one being transferred: accept the REFER and call the target
   * (with Replaces for an attended transfer). The new call takes a line of its
   * own; the transferor ends the old one.
   */
  private async followReferral(fromLineId: string, referral: Referral) {
    await referral.accept();
    const target = referral.referTo.uri;
    const inviter = referral.makeInviter({ sessionDescriptionHandlerOptions: { constraints: this.constraints() } });
    const old = this.state.lines.find((l) => l.id === fromLineId);
    await this.invite(inviter, {
      remote: target.user ?? 'unknown',
      bnId: old?.bnId ?? null,
      bnLabel: old?.bnLabel ?? null,
    });
  }

  async answer(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!(s instanceof Invitation)) return;
    stopTone();
    for (const other of this.state.lines.filter((l) => l.state === 'established' && l.id !== id))
      await this.hold(other.id);
    await s.accept({ sessionDescriptionHandlerOptions: { constraints: this.constraints() } });
  }

  async decline(id: string): Promise<void> {
    const s = this.sessions.get(id);
    stopTone();
    if (s instanceof Invitation && s.state === SessionState.Initial) {
      this.deps.dispatch(sp.lineEvent({ id, event: 'ended', reason: 'Declined' }));
      await s.reject({ statusCode: 486 });
    }
  }

  async hangup(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (s) this.end(s);
  }

  private end(s: Session) {
    switch (s.state) {
      case SessionState.Initial:
      case SessionState.Establishing:
        if (s instanceof Inviter) void s.cancel();
        else if (s instanceof Invitation) void s.reject();
        break;
      case SessionState.Established:
        void s.bye();
        break;
      case SessionState.Terminating:
      case SessionState.Terminated:
        break;
    }
  }

  private async reinvite(id: string, hold: boolean): Promise<boolean> {
    const s = this.sessions.get(id);
    if (!s || s.state !== SessionState.Established) return false;
    s.sessionDescriptionHandlerOptionsReInvite = { hold } as object;
    let ok = true;
    await s.invite({
      requestDelegate: { onReject: () => (ok = false) },
      sessionDescriptionHandlerOptions: { hold } as object,
    });
    return ok;
  }

  async hold(id: string): Promise<void> {
    if (await this.reinvite(id, true)) this.deps.dispatch(sp.lineEvent({ id, event: 'held' }));
  }

  async resume(id: string): Promise<void> {
    for (const other of this.state.lines.filter((l) => l.state === 'established' && l.id !== id))
      await this.hold(other.id);
    if (await this.reinvite(id, false)) {
      this.deps.dispatch(sp.lineEvent({ id, event: 'resumed' }));
      this.focus(id);
    }
  }

  mute(id: string, muted: boolean): void {
    const sdh = this.sessions.get(id)?.sessionDescriptionHandler as SessionDescriptionHandler | undefined;
    sdh?.enableSenderTracks(!muted);
    this.deps.dispatch(sp.lineMuted({ id, muted }));
  }

  /** DTMF in the audio (RTP) and as SIP INFO, so IVRs and PBXs of either kind hear it. */
  async dtmf(id: string, tone: string): Promise<void> {
    if (!/^[0-9*#A-D]$/.test(tone)) return;
    const s = this.sessions.get(id);
    if (!s || s.state !== SessionState.Established) return;
    (s.sessionDescriptionHandler as SessionDescriptionHandler | undefined)?.sendDtmf(tone);
    await s.info({
      requestOptions: {
        body: {
          contentDisposition: 'render',
          contentType: 'application/dtmf-relay',
          content: `Signal=${tone}\r\nDuration=160`,
        },
      },
    });
    this.deps.dispatch(sp.toneSent({ id, tone }));
  }

  /** Blind transfer to a teammate's extension or a number: done once the other side is calling them. */
  async transfer(id: string, to: string): Promise<void> {
    const s = this.sessions.get(id);
    const target = UserAgent.makeURI(`sip:${to}@${this.connection.creds?.domain ?? ''}`);
    if (!s || !target) throw new Error('That number cannot be transferred to.');
    // Named as the transfer list names them: a teammate or contact by name, else the number (looked up meanwhile).
    const named = this.deps.nameOf(to).catch(() => null);
    await this.refer(s, target, 'calling');
    const name = await named;
    this.deps.dispatch(sp.lineEvent({ id, event: 'ended', reason: `Transferred to ${name ?? formatPhone(to)}` }));
    this.end(s);
  }

  /**
   * Attended transfer: connects the call on `id` with the consultation call
   * on `withId`. The other party calls our consultee with Replaces; once that
   * call is answered the consultee ends our consultation call and we end ours.
   */
  async attendedTransfer(id: string, withId: string): Promise<void> {
    const a = this.sessions.get(id);
    const b = this.sessions.get(withId);
    if (!a || !b) return;
    await this.refer(a, b, 'answered');
    const named = (l: string) => {
      const line = this.state.lines.find((x) => x.id === l);
      return line ? (line.remoteName ?? formatPhone(line.remote)) : null;
    };
    const [first, second] = [named(id), named(withId)];
    this.deps.dispatch(
      sp.lineEvent({ id, event: 'ended', reason: second ? `Transferred to ${second}` : 'Transferred' }),
    );
    this.deps.dispatch(
      sp.lineEvent({ id: withId, event: 'ended', reason: first ? `Put ${first} through` : 'Transferred' }),
    );
    this.end(a);
    this.end(b);
  }

  /**
   * Sends a REFER and waits for the other side's progress reports (NOTIFY
   * with the new call's status): resolves at `calling` (it rings) or
   * `answered`, rejects with the reason when the new call fails. A phone that
   * never reports counts as done after a while, as desk phones do.
   */
  private refer(s: Session, target: URI | Session, until: 'calling' | 'answered'): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer = 0;
      const finish = (error?: Error) => {
        window.clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      void s.refer(target as never, {
        requestDelegate: {
          onAccept: () => {
            timer = window.setTimeout(() => finish(), REFER_REPORT_TIMEOUT_MS);
          },
          onReject: (r) => finish(new Error(r.message.reasonPhrase || 'The transfer was refused.')),
        },
        onNotify: (notification) => {
          void notification.accept();
          const status = /^SIP\/2\.0 (\d{3})\s*(.*)$/m.exec(notification.request.body);
          if (!status) return;
          const code = Number(status[1]);
          if (code >= 300) finish(new Error(`The transfer did not go through: ${status[2] || code}.`));
          else if (code >= 200 || (until === 'calling' && code >= 180)) finish();
        },
      });
    });
  }

  /** The SIP Call-ID of a line's call: the phone service names a call going on by it (the Record button). */
  sipCallId(id: string): string | null {
    const s = this.sessions.get(id);
    return s instanceof Inviter || s instanceof Invitation ? s.request.callId : null;
  }

  focus(id: string): void {
    this.deps.dispatch(sp.focused(id));
    const s = this.sessions.get(id);
    const sdh = s?.sessionDescriptionHandler as SessionDescriptionHandler | undefined;
    void playRemote(sdh?.remoteMediaStream ?? null, this.state.devices.speakerId);
  }
}
