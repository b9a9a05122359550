import {
  Invitation,
  Inviter,
  Registerer,
  RegistererState,
  SessionState,
  UserAgent,
  type Session,
} from 'sip.js';
import type { SessionDescriptionHandler } from 'sip.js/lib/platform/web';
import type { AppDispatch, RootState } from '../app/store';
import { checkMicrophone, playRemote, playTone, stopTone } from './media';
import { sp, MAX_LINES } from './slice';
import { isLive } from './callMachine';

/** What the main process issues for the SIP registration (short-lived). */
export interface SipCredentials {
  username: string;
  authorizationUsername: string;
  password: string;
  expiresAt: number;
  domain: string;
  wsUrl: string;
}

export interface SoftphoneDeps {
  dispatch: AppDispatch;
  getState: () => RootState;
  credentials: () => Promise<SipCredentials>;
  /** Asks the main process to authorize a call from a business number; returns the caller ID to assert. */
  authorize: (bnId: number, to: string) => Promise<string>;
  notifyIncoming: (line: { id: string; from: string; name: string | null }) => void;
}

/**
 * The one sip.js UserAgent of the app, outside Redux: it owns the sip.js
 * objects and media, and reports plain state to the softphone slice.
 * Registration is kept alive: re-registered before expiry by the
 * Registerer, reconnected with backoff when the transport drops (server
 * restart, network loss, sleep), with fresh credentials when they near expiry.
 */
export class Softphone {
  private ua: UserAgent | null = null;
  private registerer: Registerer | null = null;
  private sessions = new Map<string, Session>();
  private creds: SipCredentials | null = null;
  private retry = 0;
  private retryTimer: number | null = null;
  private refreshTimer: number | null = null;
  private stopped = true;
  private nextId = 1;

  constructor(private readonly deps: SoftphoneDeps) {}

  private get state() {
    return this.deps.getState().softphone;
  }

  private status(status: 'offline' | 'connecting' | 'registered' | 'failed', reason: string | null = null) {
    this.deps.dispatch(sp.registration({ status, reason }));
  }

  /** Asks for the microphone once up front, so the user learns of a problem before a call, not during it. */
  async checkMicrophone(): Promise<void> {
    this.deps.dispatch(sp.microphone(await checkMicrophone()));
  }

  async start(): Promise<void> {
    this.stopped = false;
    void this.checkMicrophone();
    window.addEventListener('online', this.onOnline);
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    this.clearTimers();
    for (const s of this.sessions.values()) this.end(s);
    await this.registerer?.unregister().catch(() => undefined);
    await this.ua?.stop().catch(() => undefined);
    this.ua = null;
    this.registerer = null;
    this.status('offline', null);
  }

  private onOnline = () => {
    if (!this.stopped && this.state.registration.status !== 'registered') void this.reconnectNow();
  };

  private clearTimers() {
    if (this.retryTimer !== null) window.clearTimeout(this.retryTimer);
    if (this.refreshTimer !== null) window.clearTimeout(this.refreshTimer);
    this.retryTimer = this.refreshTimer = null;
  }

  private async connect(): Promise<void> {
    this.status('connecting', this.retry > 0 ? 'Reconnecting to the phone service…' : null);
    try {
      this.creds = await this.deps.credentials();
    } catch (e) {
      return this.scheduleRetry((e as { message?: string }).message ?? 'The phone service is not available.');
    }
    const c = this.creds;
    const uri = UserAgent.makeURI(`sip:${c.username}@${c.domain}`);
    if (!uri) return this.status('failed', 'The phone service address is not valid.');
    const ua = new UserAgent({
      uri,
      transportOptions: { server: c.wsUrl, connectionTimeout: 5, keepAliveInterval: 15 },
      authorizationUsername: c.authorizationUsername,
      authorizationPassword: c.password,
      // The proxy checks that the registered contact is our own extension.
      contactName: c.username,
      displayName: c.username,
      logBuiltinEnabled: false,
      reconnectionAttempts: 0,
      sessionDescriptionHandlerFactoryOptions: {
        // Loopback and LAN calls: no STUN, and do not wait the 5 s default for candidates.
        peerConnectionConfiguration: { iceServers: [] },
        iceGatheringTimeout: 300,
      },
      delegate: {
        onInvite: (invitation) => this.onInvite(invitation),
        onDisconnect: (error) => {
          if (!error || this.stopped) return;
          this.scheduleRetry('Lost the connection to the phone service.');
        },
      },
    });
    this.ua = ua;
    try {
      await ua.start();
      const registerer = new Registerer(ua, { expires: 300, refreshFrequency: 75 });
      this.registerer = registerer;
      registerer.stateChange.addListener((s) => {
        if (s === RegistererState.Registered) {
          this.retry = 0;
          this.status('registered');
        }
      });
      await registerer.register({
        requestDelegate: {
          onReject: (response) => {
            const code = response.message.statusCode ?? 0;
            this.status('failed', code === 403 || code === 401 ? 'The phone service refused this user. Ask an Administrator.' : `Registration failed (${code}).`);
          },
        },
      });
      this.scheduleRefresh();
    } catch {
      this.scheduleRetry('Cannot reach the phone service.');
    }
  }

  /** Fresh credentials before the current ones expire; the next REGISTER uses them. */
  private scheduleRefresh() {
    if (!this.creds) return;
    const wait = Math.max(10_000, (this.creds.expiresAt - Date.now()) * 0.8);
    this.refreshTimer = window.setTimeout(async () => {
      try {
        const next = await this.deps.credentials();
        this.creds = next;
        if (this.ua) {
          this.ua.configuration.authorizationUsername = next.authorizationUsername;
          this.ua.configuration.authorizationPassword = next.password;
        }
        this.scheduleRefresh();
      } catch {
        this.scheduleRetry('Could not renew the phone credentials.');
      }
    }, wait);
  }

  private scheduleRetry(reason: string) {
    if (this.stopped) return;
    this.clearTimers();
    this.status('connecting', reason);
    const delay = Math.min(30_000, 500 * 2 ** this.retry++);
    this.retryTimer = window.setTimeout(() => void this.reconnectNow(), delay);
  }

  private async reconnectNow() {
    this.clearTimers();
    const old = this.ua;
    const live = [...this.sessions.values()].some((s) => s.state === SessionState.Established);
    if (old && live) {
      // Keep the calls: reconnect the same transport, then register again.
      try {
        await old.reconnect();
        await this.registerer?.register();
        this.scheduleRefresh();
        return;
      } catch {
        return this.scheduleRetry('Still cannot reach the phone service.');
      }
    }
    this.ua = null;
    this.registerer = null;
    await old?.stop().catch(() => undefined);
    await this.connect();
  }

  private liveCount() {
    return this.state.lines.filter((l) => isLive(l.state)).length;
  }

  private watch(id: string, session: Session) {
    session.stateChange.addListener((s) => {
      switch (s) {
        case SessionState.Established:
          stopTone();
          this.deps.dispatch(sp.lineEvent({ id, event: 'answered', at: Date.now() }));
          this.focus(id);
          break;
        case SessionState.Terminated:
          stopTone();
          this.deps.dispatch(sp.lineEvent({ id, event: 'ended', reason: 'Call ended' }));
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

  private constraints(): MediaStreamConstraints {
    const mic = this.state.devices.microphoneId;
    return { audio: mic ? { deviceId: { exact: mic } } : true, video: false };
  }

  private onInvite(invitation: Invitation) {
    if (this.liveCount() >= MAX_LINES) {
      void invitation.reject({ statusCode: 486 });
      return;
    }
    const id = `in-${this.nextId++}`;
    const from = invitation.remoteIdentity.uri.user ?? 'unknown';
    const name = invitation.remoteIdentity.displayName || null;
    this.sessions.set(id, invitation);
    this.deps.dispatch(sp.lineAdded({ id, state: 'idle', direction: 'inbound', remote: from, remoteName: name, bnId: null, bnLabel: null, createdAt: Date.now() }));
    this.deps.dispatch(sp.lineEvent({ id, event: 'incoming' }));
    this.watch(id, invitation);
    const busy = this.liveCount() > 1;
    void playTone(busy ? 'waiting' : 'ringtone', busy ? this.state.devices.speakerId : this.state.devices.ringerId);
    this.deps.notifyIncoming({ id, from, name });
  }

  /** Places a call. The main process authorizes the caller ID first; the proxy checks it again. */
  async dial(to: string, bnId: number | null, bnLabel: string | null): Promise<void> {
    if (!this.ua || this.state.registration.status !== 'registered') throw new Error('The phone is not connected.');
    if (this.liveCount() >= MAX_LINES) throw new Error('Both lines are busy. End or transfer a call first.');
    const external = to.startsWith('+');
    const callerId = external ? await this.deps.authorize(bnId ?? 0, to) : null;
    const target = UserAgent.makeURI(`sip:${to}@${this.creds!.domain}`);
    if (!target) throw new Error('That number cannot be dialled.');
    for (const other of this.state.lines.filter((l) => l.state === 'established')) await this.hold(other.id);
    const inviter = new Inviter(this.ua, target, {
      extraHeaders: callerId ? [`X-Teamline-Caller-Id: ${callerId}`] : [],
      sessionDescriptionHandlerOptions: { constraints: this.constraints() },
    });
    const id = `out-${this.nextId++}`;
    this.sessions.set(id, inviter);
    this.deps.dispatch(sp.lineAdded({ id, state: 'idle', direction: 'outbound', remote: to, remoteName: null, bnId, bnLabel, createdAt: Date.now() }));
    this.deps.dispatch(sp.lineEvent({ id, event: 'dial' }));
    this.watch(id, inviter);
    await inviter.invite({
      requestDelegate: {
        onProgress: (r) => {
          if (r.message.statusCode === 180 || r.message.statusCode === 183) void playTone('ringback', this.state.devices.speakerId);
          this.deps.dispatch(sp.lineEvent({ id, event: 'progress' }));
        },
        onReject: (r) => {
          stopTone('ringback');
          const reason = r.message.reasonPhrase || `Call refused (${r.message.statusCode})`;
          this.deps.dispatch(sp.lineEvent({ id, event: 'ended', reason }));
        },
      },
    });
  }

  async answer(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!(s instanceof Invitation)) return;
    stopTone();
    for (const other of this.state.lines.filter((l) => l.state === 'established' && l.id !== id)) await this.hold(other.id);
    await s.accept({ sessionDescriptionHandlerOptions: { constraints: this.constraints() } });
  }

  async decline(id: string): Promise<void> {
    const s = this.sessions.get(id);
    stopTone();
    if (s instanceof Invitation && s.state === SessionState.Initial) await s.reject({ statusCode: 486 });
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
    await s.invite({ requestDelegate: { onReject: () => (ok = false) }, sessionDescriptionHandlerOptions: { hold } as object });
    return ok;
  }

  async hold(id: string): Promise<void> {
    if (await this.reinvite(id, true)) this.deps.dispatch(sp.lineEvent({ id, event: 'held' }));
  }

  async resume(id: string): Promise<void> {
    for (const other of this.state.lines.filter((l) => l.state === 'established' && l.id !== id)) await this.hold(other.id);
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
      requestOptions: { body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: `Signal=${tone}\r\nDuration=160` } },
    });
  }

  /** Blind transfer to a teammate's extension or a number. */
  async transfer(id: string, to: string): Promise<void> {
    const s = this.sessions.get(id);
    const target = UserAgent.makeURI(`sip:${to}@${this.creds?.domain ?? ''}`);
    if (!s || !target) return;
    await s.refer(target, { requestDelegate: { onAccept: () => this.end(s) } });
  }

  /** Attended transfer: connects the call on `id` with the consultation call on `withId`. */
  async attendedTransfer(id: string, withId: string): Promise<void> {
    const a = this.sessions.get(id);
    const b = this.sessions.get(withId);
    if (!a || !b) return;
    await a.refer(b, { requestDelegate: { onAccept: () => (this.end(a), this.end(b)) } });
  }

  focus(id: string): void {
    this.deps.dispatch(sp.focused(id));
    const s = this.sessions.get(id);
    const sdh = s?.sessionDescriptionHandler as SessionDescriptionHandler | undefined;
    void playRemote(sdh?.remoteMediaStream ?? null, this.state.devices.speakerId);
  }
}
