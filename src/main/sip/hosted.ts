import { createHash } from 'node:crypto';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ensurePrivateRunDir } from './runDir';
import type { Core } from '../core';
import type { PhoneWithdraw } from '../core/api/context';
import { stmt } from '../core/store/stmt';
import type { PublicTransports } from './config';
import { KamailioError } from './kamailio';
import { freePort, portIsFree } from './ports';
import { startPhoneService, type PhoneService } from './service';
import { carrierHooks, carrierView } from './carrierHooks';
import type { TurnSettings } from './turn';

/**
 * The phone service inside a host that serves the API (the Electron main
 * process, the browser host): it starts beside the core, on the account the
 * host serves, and tells the core whether it runs, so that `sip.credentials`
 * either works or says why the phone is off. Nothing here is fatal: without
 * Kamailio the console still works and the softphone shows the reason.
 */
export interface HostedPhoneOptions {
  core: Core;
  /** SIP over UDP/TCP and WebSocket: these ports when free, otherwise free ones. 0: always free ones. */
  sipPort?: number | undefined;
  wsPort?: number | undefined;
  /** The outside world: where calls to +numbers go (`host:port`; TEAMLINE_SIP_PEER), or none. */
  peer?: string | null | undefined;
  /** The Kamailio template, when not run from the source tree (a packaged app's resources). */
  templateFile?: string | undefined;
  /** The media service's prompts folder, likewise (resources/prompts). */
  promptsDir?: string | undefined;
  /**
   * Where the rendered config, pid files and logs go. By default a folder of
   * this user and `instance` (the host's database path) in the temporary
   * folder: short and without spaces, as Kamailio's control socket needs, and
   * the same on every start, so that servers a killed host left behind are
   * found and ended (stale.ts) without touching another host's.
   */
  runDir?: string | undefined;
  instance?: string | undefined;
  /** Kamailio's program and module folder when not Debian's (TEAMLINE_KAMAILIO, TEAMLINE_KAMAILIO_MODULES). */
  binary?: string | undefined;
  modulesDir?: string | undefined;
  log?: ((message: string, error?: unknown) => void) | undefined;
  /**
   * The pages whose softphones may connect (the WebSocket's Origin): the
   * desktop app's window, the console host's own address. More come from
   * TEAMLINE_SIP_ORIGINS (comma-separated). Any other web page is refused.
   */
  origins?: string[] | undefined;
  /** The team server's transports for phones on other computers (TLS, secure WebSocket, plain SIP on a LAN). */
  public?: PublicTransports | null | undefined;
  /** The media relay's address, the address it announces, and its ports (the team server). */
  media?: { interfaceIp?: string; advertiseIp?: string; portMin?: number; portMax?: number } | undefined;
  /** TURN servers for the softphones (the team server's `turn` settings). */
  turn?: TurnSettings | null | undefined;
}

/** A page's origin and, for a loopback host, the other names of the same page (localhost, [::1]). */
export function pageOrigins(url: string): string[] {
  if (/^file:/i.test(url)) return ['file://'];
  const u = new URL(url);
  const port = u.port ? `:${u.port}` : '';
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) return [u.origin];
  return ['127.0.0.1', 'localhost', '[::1]'].map((h) => `${u.protocol}//${h}${port}`);
}

export const DEFAULT_SIP_PORT = 5060;
export const DEFAULT_WS_PORT = 5066;

/** The port asked for when it is free (for SIP, on UDP and TCP), otherwise a free one. */
async function portOr(preferred: number | undefined, udp: boolean): Promise<number> {
  if (!preferred) return freePort('127.0.0.1', udp);
  return (await portIsFree(preferred, udp)) ? preferred : freePort('127.0.0.1', udp);
}

export function defaultRunDir(instance: string): string {
  const id = createHash('sha256').update(instance).digest('hex').slice(0, 10);
  return join(tmpdir(), `teamline-sip-${userInfo().uid}-${id}`);
}

/** What a person is told when the proxy cannot start. */
export function phoneProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof KamailioError && /modules not found|could not run kamailio/.test(message)) {
    return 'The phone service is not available: Kamailio is not installed on this computer.';
  }
  return 'The phone service could not start. Calls are off until the app is restarted.';
}

/** What the core calls when a desktop is revoked or a user deactivated: the proxy drops their phones. */
export function withdrawHook(
  core: Core,
  phone: Pick<PhoneService, 'withdraw'>,
  accountId: number,
  log: (message: string, error?: unknown) => void,
): PhoneWithdraw {
  return ({ userId, deviceId }) => {
    const extension = stmt(core.db, 'SELECT extension FROM users WHERE id = ? AND account_id = ?')
      .pluck()
      .get(userId, accountId) as string | undefined;
    if (!extension) return;
    phone.withdraw({ extension, deviceId }).then(
      (r) => log(`Access withdrawn: ${r.contacts} registration(s) removed and ${r.calls} call(s) ended`),
      (error: unknown) => log('Removing the withdrawn registrations failed', error),
    );
  };
}

export async function startHostedPhone(o: HostedPhoneOptions): Promise<PhoneService | null> {
  const log = o.log ?? ((message: string, error?: unknown) => console.error(`[phone] ${message}`, error ?? ''));
  const accountId = stmt(o.core.db, `SELECT id FROM accounts WHERE status = 'active' ORDER BY id LIMIT 1`)
    .pluck()
    .get() as number | undefined;
  if (accountId === undefined) {
    o.core.setPhone({ sip: null, problem: 'The phone service is off: this account is cancelled.' });
    return null;
  }
  const runDir = o.runDir ?? defaultRunDir(o.instance ?? 'default');
  try {
    ensurePrivateRunDir(runDir);
    const phone = await startPhoneService({
      db: o.core.db,
      accountId,
      recordCall: (call) => o.core.recordCall(call),
      runDir,
      log,
      supervise: true,
      mediaService: o.promptsDir ? { promptsDir: o.promptsDir } : undefined,
      media: o.media,
      kamailio: {
        public: o.public,
        sipPort: await portOr(o.sipPort ?? DEFAULT_SIP_PORT, true),
        wsPort: await portOr(o.wsPort ?? DEFAULT_WS_PORT, false),
        peer: o.peer ?? process.env.TEAMLINE_SIP_PEER ?? null,
        templateFile: o.templateFile,
        binary: o.binary ?? process.env.TEAMLINE_KAMAILIO,
        modulesDir: o.modulesDir ?? process.env.TEAMLINE_KAMAILIO_MODULES,
        log: 'file',
        origins: [
          ...(o.origins ?? []),
          ...(process.env.TEAMLINE_SIP_ORIGINS ?? '')
            .split(',')
            .map((v) => v.trim())
            .filter(Boolean),
        ],
      },
      // Credentials stay valid while the proxy restarts: the softphone reconnects with them.
      onProxyChange: (problem) => log(problem ?? 'Kamailio is running again'),
      onPresenceChange: () => o.core.announce('presence.changed', { kind: 'account', accountId }),
      announce: (name, audience) => o.core.announce(name, audience),
      ...carrierHooks(o.core, accountId),
    });
    o.core.setPhone({
      sip: o.turn ? { ...phone.sip, turn: o.turn } : phone.sip,
      problem: null,
      presence: phone.decisions.presence,
      carrier: carrierView(phone.trunks),
      withdraw: withdrawHook(o.core, phone, accountId, log),
      ...(phone.recorder ? { recorder: phone.recorder } : {}),
    });
    return {
      ...phone,
      get kamailio() {
        return phone.kamailio;
      },
      async stop() {
        o.core.setPhone({ sip: null, problem: 'The phone service has stopped.' });
        await phone.stop();
      },
    };
  } catch (error) {
    log('The phone service did not start', error);
    o.core.setPhone({ sip: null, problem: phoneProblem(error) });
    return null;
  }
}
