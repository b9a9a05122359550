import { Registerer, RegistererState, SIPExtension, UserAgent, type Invitation } from 'sip.js';
import type { SessionDescriptionHandlerFactory } from 'sip.js/lib/platform/web';
import type { Output } from '../../../shared/api/contract';
import { isApiError } from '../app/api';
import type { RegistrationStatus } from './slice';

/** What the main process issues for the SIP registration (short-lived). */
export type SipCredentials = Output<'sip.credentials'>;

export interface ConnectionDeps {
  credentials: () => Promise<SipCredentials>;
  /** Shown to the people we call (the proxy vouches only for the extension). */
  displayName: string;
  status: (status: RegistrationStatus, reason: string | null) => void;
  onInvite: (invitation: Invitation) => void;
  /** True while a call is up: a reconnect then keeps the same UserAgent so the call survives. */
  hasEstablishedCall: () => boolean;
  /** Makes each call's media (quickSdh.ts); sip.js's default when absent. */
  sessionDescriptionHandlerFactory?: SessionDescriptionHandlerFactory;
}

const MAX_BACKOFF_MS = 30_000;
/** How long a REGISTER lasts; sip.js registers again at 75 % of it. */
export const REGISTER_EXPIRES_S = 300;

/**
 * The link to the phone service: one sip.js UserAgent and its Registerer.
 * Registration is kept alive: re-registered before expiry by the Registerer,
 * reconnected with backoff when the transport drops (server restart,
 * network loss, sleep), with fresh credentials when they near expiry. Every
 * failure is reported with a reason a person can act on.
 */
export class PhoneConnection {
  ua: UserAgent | null = null;
  creds: SipCredentials | null = null;
  private registerer: Registerer | null = null;
  private retry = 0;
  private retryTimer: number | null = null;
  private refreshTimer: number | null = null;
  private stopped = true;
  private registered = false;

  constructor(private readonly deps: ConnectionDeps) {}

  async start(): Promise<void> {
    this.stopped = false;
    window.addEventListener('online', this.onOnline);
    document.addEventListener('visibilitychange', this.onWake);
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    document.removeEventListener('visibilitychange', this.onWake);
    this.clearTimers();
    await this.registerer?.unregister().catch(() => undefined);
    await this.ua?.stop().catch(() => undefined);
    this.ua = null;
    this.registerer = null;
    this.deps.status('offline', null);
  }

  get isRegistered(): boolean {
    return this.registered;
  }

  private onOnline = () => {
    if (!this.stopped && !this.registered) void this.reconnectNow();
  };

  /** After a sleep the socket may be dead without anyone having noticed: check at once. */
  private onWake = () => {
    if (this.stopped || document.hidden || !this.ua) return;
    if (!this.ua.isConnected()) void this.reconnectNow();
  };

  private clearTimers() {
    if (this.retryTimer !== null) window.clearTimeout(this.retryTimer);
    if (this.refreshTimer !== null) window.clearTimeout(this.refreshTimer);
    this.retryTimer = this.refreshTimer = null;
  }

  private setRegistered(registered: boolean, status: RegistrationStatus, reason: string | null) {
    this.registered = registered;
    this.deps.status(status, reason);
  }

  private async connect(): Promise<void> {
    this.setRegistered(false, 'connecting', this.retry > 0 ? 'Reconnecting to the phone service…' : null);
    try {
      this.creds = await this.deps.credentials();
    } catch (e) {
      // The service is off (not installed, stopped) or refuses this user: say so, and keep trying quietly.
      const message = isApiError(e) ? e.message : 'The phone service is not available.';
      const offline = isApiError(e) && (e.code === 'conflict' || e.code === 'forbidden');
      return this.scheduleRetry(message, offline ? 'offline' : 'connecting');
    }
    const c = this.creds;
    const uri = UserAgent.makeURI(`sip:${c.username}@${c.domain}`);
    if (!uri) return this.setRegistered(false, 'failed', 'The phone service address is not valid.');
    const ua = new UserAgent({
      uri,
      transportOptions: { server: c.wsUrl, connectionTimeout: 5, keepAliveInterval: 15 },
      authorizationUsername: c.authorizationUsername,
      authorizationPassword: c.password,
      // The proxy checks that the registered contact is our own extension.
      contactName: c.username,
      displayName: this.deps.displayName,
      logBuiltinEnabled: false,
      reconnectionAttempts: 0,
      // Attended transfers arrive as an INVITE that replaces one of our calls.
      sipExtensionReplaces: SIPExtension.Supported,
      sessionDescriptionHandlerFactory: this.deps.sessionDescriptionHandlerFactory,
      sessionDescriptionHandlerFactoryOptions: {
        // The server's TURN servers, if any, with this user's own credentials (renewed with the SIP ones).
        peerConnectionConfiguration: { iceServers: c.iceServers },
        // Loopback and LAN calls do not wait the 5 s default for candidates; a TURN allocation gets longer.
        iceGatheringTimeout: c.iceServers.length > 0 ? 1500 : 300,
      },
      delegate: {
        onInvite: (invitation) => this.deps.onInvite(invitation),
        // Any loss of the connection we did not ask for, clean (a server shutting down) or not.
        onDisconnect: () => {
          if (this.stopped || this.ua !== ua) return;
          this.scheduleRetry('Lost the connection to the phone service.');
        },
      },
    });
    this.ua = ua;
    try {
      await ua.start();
      const registerer = new Registerer(ua, { expires: REGISTER_EXPIRES_S, refreshFrequency: 75 });
      this.registerer = registerer;
      // The Registerer re-registers on its own before expiry; a refused refresh means we are not reachable.
      registerer.stateChange.addListener((s) => {
        if (s === RegistererState.Unregistered && this.registered && !this.stopped)
          this.scheduleRetry('The registration lapsed.');
      });
      await this.register(registerer);
      this.scheduleRefresh();
    } catch {
      this.scheduleRetry('Cannot reach the phone service.');
    }
  }

  /**
   * One REGISTER. Its answer, not the Registerer's state, says whether we are
   * reachable: after a reconnect the Registerer still believes it is
   * registered, and a proxy that restarted has forgotten us.
   */
  private register(registerer: Registerer): Promise<unknown> {
    return registerer.register({
      requestDelegate: {
        onAccept: () => {
          this.retry = 0;
          this.setRegistered(true, 'registered', null);
        },
        onReject: (r) => this.refused(r.message.statusCode ?? 0),
      },
    });
  }

  private refused(code: number) {
    const reason =
      code === 403 || code === 401
        ? 'The phone service refused this user. Ask an Administrator.'
        : `The phone service refused the registration (${code}).`;
    // Shown as failed, and tried again later with fresh credentials: they may simply have aged (a sleep past their expiry).
    this.scheduleRetry(reason, 'failed');
  }

  /** Fresh credentials before the current ones expire; the next REGISTER uses them. */
  private scheduleRefresh() {
    if (!this.creds) return;
    if (this.refreshTimer !== null) window.clearTimeout(this.refreshTimer);
    const wait = Math.max(10_000, (this.creds.expiresAt - Date.now()) * 0.8);
    this.refreshTimer = window.setTimeout(async () => {
      try {
        const next = await this.deps.credentials();
        this.creds = next;
        if (this.ua) {
          this.ua.configuration.authorizationUsername = next.authorizationUsername;
          this.ua.configuration.authorizationPassword = next.password;
          // The next call's peer connection is made with these options.
          (
            this.ua.configuration.sessionDescriptionHandlerFactoryOptions as {
              peerConnectionConfiguration?: RTCConfiguration;
            }
          ).peerConnectionConfiguration = { iceServers: next.iceServers };
        }
        this.scheduleRefresh();
      } catch {
        this.scheduleRetry('Could not renew the phone credentials.');
      }
    }, wait);
  }

  private scheduleRetry(reason: string, status: RegistrationStatus = 'connecting') {
    if (this.stopped) return;
    this.clearTimers();
    this.setRegistered(false, status, reason);
    // Quick at first (a restarting server is back within a second or two), then ever slower.
    const delay = Math.min(MAX_BACKOFF_MS, 250 * 1.6 ** this.retry++);
    this.retryTimer = window.setTimeout(() => void this.reconnectNow(), delay);
  }

  async reconnectNow(): Promise<void> {
    this.clearTimers();
    const old = this.ua;
    if (old && this.deps.hasEstablishedCall()) {
      // Keep the calls: reconnect the same transport, then register again.
      try {
        this.setRegistered(false, 'connecting', 'Reconnecting to the phone service…');
        await old.reconnect();
        if (this.registerer) await this.register(this.registerer);
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
}
