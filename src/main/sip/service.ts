import { randomBytes } from 'node:crypto';
import type { NewCall } from '../core/store/repos/calls';
import type { Db } from '../core/store/db';
import { dirname, isAbsolute, join } from 'node:path';
import { espeakSpeech } from './media/speech';
import { Recorder, type RecordingSink } from './recording/recorder';
import { databaseSink, DEFAULT_RECORDING_NOTICE } from './recording/sink';
import { DEFAULT_CREDENTIAL_TTL_SECONDS, DEFAULT_DOMAIN, projectRoot, type SipConfig } from './config';
import { startDecisionService, type DecisionService } from './decisions';
import { publicPorts, startKamailio, type KamailioOptions, type RunningKamailio } from './kamailio';
import { startMediaService, type MediaOptions, type MediaService } from './media/service';
import { startRtpengine, type RtpengineOptions, type RunningRtpengine } from './rtpengine';
import { freePort } from './ports';
import { TrunkService } from './trunks';
import { topohKeyFor } from './trunkSecrets';
import type { EmergencyCall } from './decide';
import { createSms, SmsOutbox, type Sms } from './sms';
import type { Audience } from '../core/api/context';
import type { EventName } from '../../shared/api/events';
import { withdrawPhones, type Withdrawal } from './withdraw';

/**
 * The phone service of one account: the loopback decision service and the
 * Kamailio proxy that asks it. Returns the SipConfig the core needs to
 * issue credentials (`sip.credentials`).
 *
 * With `supervise`, a proxy that ends by itself (a crash, a kill) is started
 * again on the same ports, after 0.2 s and then with a backoff up to 30 s;
 * the softphones reconnect and register again on their own.
 */

export interface PhoneServiceOptions {
  db: Db;
  accountId: number;
  recordCall: (call: NewCall) => number | void;
  runDir: string;
  domain?: string | undefined;
  secret?: Buffer | undefined;
  credentialTtlSeconds?: number | undefined;
  now?: (() => number) | undefined;
  kamailio?: Partial<Omit<KamailioOptions, 'domain' | 'decisionUrl' | 'token' | 'runDir'>> | undefined;
  log?: ((message: string, error?: unknown) => void) | undefined;
  supervise?: boolean | undefined;
  /** Told when the proxy goes down by itself (with why) and when it is back (null). */
  onProxyChange?: ((problem: string | null) => void) | undefined;
  /** Teammates' presence changed (coalesced). */
  onPresenceChange?: (() => void) | undefined;
  /** A trunk's live state changed (registered, failing, unreachable). */
  onCarrierChange?: (() => void) | undefined;
  /** Someone dialled the emergency services. */
  onEmergency?: ((e: EmergencyCall) => void) | undefined;
  /** Tells the console of a change (text messages sent, received, opted out). */
  announce?: ((name: EventName, audience: Audience) => void) | undefined;
  /** The text message outbox's timing (tests use short ones). */
  smsTiming?: { pollMs?: number; backoffMs?: number; maxBackoffMs?: number; timerF?: number } | undefined;
  /** Trunk registration timing (tests use short ones). */
  trunkTiming?: { pollMs?: number; backoffMs?: number; maxBackoffMs?: number } | undefined;
  /**
   * The media relay between softphones and plain RTP phones (rtpengine).
   * Without it (false, or not installed) calls between two softphones still
   * work; calls with the outside world have signalling but no audio.
   */
  media?: Partial<Omit<RtpengineOptions, 'runDir'>> | false | undefined;
  /**
   * The media service's settings (prompts, speech, limits). False: no
   * greetings or menus are spoken and voicemail steps end calls unanswered.
   */
  mediaService?: Partial<Omit<MediaOptions, 'calls'>> | false | undefined;
  /**
   * Call recording (docs/softphone.md, "Recording"): the data directory the
   * recordings go to, and where they are registered. By default the folder
   * of the account database, into its recordings; false, or a database in
   * memory without a folder given, records nothing.
   */
  recording?: { dataDir: string; sink?: RecordingSink | undefined } | false | undefined;
}

export interface PhoneService {
  sip: SipConfig;
  decisions: DecisionService;
  /** The proxy now running (a new one after a restart). */
  readonly kamailio: RunningKamailio;
  /** The media relay, or null when it does not run. */
  media: RunningRtpengine | null;
  /** The media service (prompts, menus, voicemail), or null when it does not run. */
  mediaService: MediaService | null;
  /** The carrier's trunks in the proxy: registrations and their live state. */
  trunks: TrunkService;
  /** Call recording on the media relay, or null when calls are not recorded here. */
  recorder: Recorder | null;
  /** Text messages over the trunk: the outbox, and the carrier's MESSAGEs. */
  sms: { handler: Sms; outbox: SmsOutbox };
  /** A joined desktop was revoked or a user deactivated: their registrations and calls end now. */
  withdraw(w: Withdrawal): Promise<{ contacts: number; calls: number }>;
  stop(): Promise<void>;
}

const MAX_BACKOFF_MS = 30_000;
/** A proxy that ran this long counts as healthy: the next restart is quick again (a crash loop backs off). */
const HEALTHY_MS = 10_000;

export async function startPhoneService(o: PhoneServiceOptions): Promise<PhoneService> {
  const domain = o.domain ?? DEFAULT_DOMAIN;
  const secret = o.secret ?? randomBytes(32);
  // Topology hiding's key outlives the service (a key file that cannot be read stops it here, before anything runs).
  const topohKey = topohKeyFor(o.db);
  let mediaService: MediaService | null = null;
  // The Contact our registrations give the carrier needs the SIP port before the proxy starts.
  const listenIp = o.kamailio?.listenIp ?? '127.0.0.1';
  const sipPort = o.kamailio?.sipPort || (await freePort(listenIp, true, publicPorts(o.kamailio?.public)));
  const trunks = new TrunkService({
    db: o.db,
    accountId: o.accountId,
    runDir: o.runDir,
    // On the team server a carrier over UDP or TCP reaches us at the public plain SIP port (if the admin opened it).
    contactAddr: () => {
      const pub = o.kamailio?.public;
      if (!pub) return `${listenIp}:${sipPort}`;
      return pub.plainPort ? `${pub.publicName.toLowerCase()}:${pub.plainPort}` : null;
    },
    sendSocket: (transport) => {
      const pub = o.kamailio?.public;
      return pub?.plainPort ? `${transport}:${pub.address}:${pub.plainPort}` : null;
    },
    // A registration over TLS gives the team server's TLS address (the carrier may call us back there).
    tlsContactAddr: () => {
      const pub = o.kamailio?.public;
      return pub?.tls ? `${pub.publicName.toLowerCase()}:${pub.tls.tlsPort};transport=tls` : null;
    },
    log: o.log,
    onChange: o.onCarrierChange,
    ...o.trunkTiming,
  });
  const sms = createSms({
    db: o.db,
    accountId: o.accountId,
    secret,
    trunks,
    announce: o.announce,
    now: o.now,
    log: o.log,
  });
  let media: RunningRtpengine | null = null;
  const recorder = startRecorder(o, () => media?.ngPort ?? null);
  const decisions = await startDecisionService({
    recorder,
    sms: () => sms,
    trunks,
    onEmergency: o.onEmergency,
    db: o.db,
    accountId: o.accountId,
    domain,
    secret,
    recordCall: o.recordCall,
    now: o.now,
    log: o.log,
    onPresenceChange: o.onPresenceChange,
    mediaRunning: () => mediaService !== null,
  });
  if (o.mediaService !== false) {
    try {
      mediaService = await startMediaService({
        promptsDir: join(projectRoot, 'resources', 'prompts'),
        log: o.log,
        ...o.mediaService,
        calls: decisions.tracker,
      });
    } catch (error) {
      o.log?.('The media service did not start: no greetings, menus or voicemail', error);
    }
  }
  // Its control port is found free and then bound by rtpengine: should another program take it in between, another try, on a new port, starts it.
  for (let attempt = 1; o.media !== false && !media && attempt <= 3; attempt++) {
    try {
      media = await startRtpengine({
        ...o.media,
        runDir: o.runDir,
        extraArgs: recorder ? Recorder.relayArgs(recorder.spoolDir) : undefined,
      });
    } catch (error) {
      if (attempt === 3)
        o.log?.('The media relay (rtpengine) did not start: calls with the outside world will have no audio', error);
    }
  }
  const kamailioOptions = (ports: { sipPort?: number | undefined; wsPort?: number | undefined }): KamailioOptions => ({
    ...o.kamailio,
    ...ports,
    rtpenginePort: media?.ngPort ?? null,
    mediaService: mediaService?.address ?? null,
    domain,
    decisionUrl: decisions.url,
    token: decisions.token,
    runDir: o.runDir,
    topohKey,
  });
  let kamailio: RunningKamailio;
  try {
    // Kamailio loads the trunk tables as it starts: they must exist.
    await trunks.writeTables();
    kamailio = await startKamailio(kamailioOptions({ sipPort, wsPort: o.kamailio?.wsPort }));
  } catch (error) {
    await media?.stop();
    await mediaService?.close();
    await decisions.close();
    throw error;
  }

  let stopping = false;
  let timer: NodeJS.Timeout | null = null;
  let backoff = 200;
  const watch = (running: RunningKamailio, startedAt: number) => {
    void running.exited.then(async (code) => {
      if (stopping || !o.supervise) return;
      await running.stop(); // ends workers the main process left behind
      if (Date.now() - startedAt > HEALTHY_MS) backoff = 200;
      o.log?.(`Kamailio ended (exit code ${code}); starting it again in ${backoff} ms`);
      // Its registrations died with it; the phones register again once it is back.
      decisions.presence.reset();
      // So did its dialogs: the calls going on are ended by the BYE the new proxy relays, known by Call-ID.
      decisions.tracker.proxyLost();
      o.onProxyChange?.('The phone service stopped; it is starting again.');
      const retry = async () => {
        timer = null;
        if (stopping) return;
        try {
          const next = await startKamailio(kamailioOptions({ sipPort: kamailio.sipUdpPort, wsPort: kamailio.wsPort }));
          if (stopping) return void (await next.stop());
          kamailio = next;
          o.onProxyChange?.(null);
          // The new proxy lost what it was told at run time (htable entries, registration state).
          void trunks.sync();
          watch(next, Date.now());
        } catch (error) {
          o.log?.('Kamailio did not start again', error);
          later();
        }
      };
      const later = () => {
        timer = setTimeout(() => void retry(), backoff);
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      };
      later();
    });
  };
  watch(kamailio, Date.now());
  await trunks.sync();
  trunks.start();
  const outbox = new SmsOutbox({
    db: o.db,
    accountId: o.accountId,
    secret,
    trunks,
    announce: o.announce,
    now: o.now,
    log: o.log,
    sms,
    listenIp,
    proxy: () => (stopping ? null : { host: listenIp, port: kamailio.sipUdpPort }),
    ...o.smsTiming,
  });
  outbox.start();

  return {
    sip: {
      accountId: o.accountId,
      domain,
      wsUrl: kamailio.wsUrl,
      secret,
      credentialTtlSeconds: o.credentialTtlSeconds ?? DEFAULT_CREDENTIAL_TTL_SECONDS,
    },
    decisions,
    get kamailio() {
      return kamailio;
    },
    media,
    mediaService,
    trunks,
    recorder,
    sms: { handler: sms, outbox },
    withdraw: (w) =>
      withdrawPhones(w, { rpc: (...args) => trunks.rpc(...args), presence: decisions.presence, log: o.log }),
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      outbox.stop();
      trunks.stop();
      await kamailio.stop();
      // Recordings of calls that ended are saved while the relay runs (it closes their files); its calls then end.
      await recorder?.drain();
      recorder?.close();
      await media?.stop();
      await mediaService?.close();
      await decisions.close();
    },
  };
}

/** The recorder, when this service records: its spool and recordings under the data directory. */
function startRecorder(o: PhoneServiceOptions, ngPort: () => number | null): Recorder | null {
  if (o.recording === false || o.media === false) return null;
  const file = o.db.name;
  const dataDir = o.recording?.dataDir ?? (file && file !== ':memory:' && isAbsolute(file) ? dirname(file) : null);
  if (!dataDir) return null;
  const promptsDir =
    (o.mediaService !== false && o.mediaService?.promptsDir) || join(projectRoot, 'resources', 'prompts');
  try {
    return new Recorder({
      accountId: o.accountId,
      dataDir,
      spoolDir: join(dataDir, 'recording-spool'),
      ngPort,
      sink: o.recording?.sink ?? databaseSink(o.db, o.announce),
      speech: espeakSpeech(),
      defaultNotice: { file: join(promptsDir, 'recording-notice.wav'), text: DEFAULT_RECORDING_NOTICE },
      log: o.log,
    });
  } catch (error) {
    o.log?.('Call recording is off: its folder could not be prepared', error);
    return null;
  }
}
