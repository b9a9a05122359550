import { randomBytes } from 'node:crypto';
import type { NewCall } from '../core/store/repos/calls';
import type { Db } from '../core/store/db';
import { DEFAULT_CREDENTIAL_TTL_SECONDS, DEFAULT_DOMAIN, type SipConfig } from './config';
import { startDecisionService, type DecisionService } from './decisions';
import { startKamailio, type KamailioOptions, type RunningKamailio } from './kamailio';

/**
 * The phone service of one account: the loopback decision service and the
 * Kamailio proxy that asks it. Returns the SipConfig the core needs to
 * issue credentials (`sip.credentials`).
 */

export interface PhoneServiceOptions {
  db: Db;
  accountId: number;
  recordCall: (call: NewCall) => void;
  runDir: string;
  domain?: string | undefined;
  secret?: Buffer | undefined;
  credentialTtlSeconds?: number | undefined;
  now?: (() => number) | undefined;
  kamailio?: Partial<Omit<KamailioOptions, 'domain' | 'decisionUrl' | 'token' | 'runDir'>> | undefined;
  log?: ((message: string, error?: unknown) => void) | undefined;
}

export interface PhoneService {
  sip: SipConfig;
  decisions: DecisionService;
  kamailio: RunningKamailio;
  stop(): Promise<void>;
}

export async function startPhoneService(o: PhoneServiceOptions): Promise<PhoneService> {
  const domain = o.domain ?? DEFAULT_DOMAIN;
  const secret = o.secret ?? randomBytes(32);
  const decisions = await startDecisionService({
    db: o.db,
    accountId: o.accountId,
    domain,
    secret,
    recordCall: o.recordCall,
    now: o.now,
    log: o.log,
  });
  let kamailio: RunningKamailio;
  try {
    kamailio = await startKamailio({
      ...o.kamailio,
      domain,
      decisionUrl: decisions.url,
      token: decisions.token,
      runDir: o.runDir,
    });
  } catch (error) {
    await decisions.close();
    throw error;
  }
  return {
    sip: {
      accountId: o.accountId,
      domain,
      wsUrl: kamailio.wsUrl,
      secret,
      credentialTtlSeconds: o.credentialTtlSeconds ?? DEFAULT_CREDENTIAL_TTL_SECONDS,
    },
    decisions,
    kamailio,
    async stop() {
      await kamailio.stop();
      await decisions.close();
    },
  };
}
