import { mkdirSync, writeFileSync } from 'node:fs';
import { ensurePrivateRunDir } from './runDir';
import { dirname, join, resolve } from 'node:path';
import { createCoreWithDb } from '../core/api/core';
import { seedDemoIfEmpty } from '../core/demo/seed';
import { openDatabase } from '../core/store/db';
import { findUserByExtension } from '../core/store/repos/users';
import { DEFAULT_DOMAIN, loadOrCreateSecret, projectRoot } from './config';
import { issueCredentials } from './credentials';
import { startPhoneService } from './service';

/**
 * `npm run sip [-- --db path --account id --ws-port 5066 --sip-port 5060
 *   --peer 127.0.0.1:5090 --credentials 100 --quiet]`
 *
 * The phone service for a developer, in the foreground: the loopback
 * decision service and Kamailio, against the same database as
 * `npm run serve`. Calls it sees are written into that database's history.
 * Ctrl-C stops both.
 */
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const cacheDir = join(projectRoot, '.cache');
const dbPath = resolve(flag('db') ?? join(cacheDir, 'serve', 'teamline.db'));
const runDir = join(cacheDir, 'sip', 'run');
mkdirSync(dirname(dbPath), { recursive: true });
mkdirSync(dirname(runDir), { recursive: true });
ensurePrivateRunDir(runDir);

const db = openDatabase(dbPath);
seedDemoIfEmpty(db, Date.now(), { audioDir: join(projectRoot, 'resources', 'voicemail') });
const accounts = db.prepare(`SELECT id, name FROM accounts WHERE status = 'active' ORDER BY id`).all() as {
  id: number;
  name: string;
}[];
const accountId = Number(flag('account') ?? accounts[0]?.id);
const account = accounts.find((a) => a.id === accountId);
if (!account) {
  console.error(`No active account ${flag('account') ?? ''} in ${dbPath}.`);
  process.exit(1);
}

// The secret lives in a file so that credentials stay valid across restarts of this service.
const secret = loadOrCreateSecret(join(cacheDir, 'sip', 'secret'));
let core: ReturnType<typeof createCoreWithDb> | null = null;
const phone = await startPhoneService({
  db,
  accountId,
  recordCall: (call) => {
    core?.recordCall(call);
    console.log(`[sip] recorded a ${call.direction} call (${call.result}, ${call.participants.length} participant(s))`);
  },
  runDir,
  domain: DEFAULT_DOMAIN,
  secret,
  kamailio: {
    sipPort: Number(flag('sip-port') ?? 5060),
    wsPort: Number(flag('ws-port') ?? 5066),
    peer: flag('peer') ?? '127.0.0.1:5090',
    log: args.includes('--quiet') ? 'file' : 'inherit',
  },
}).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
core = createCoreWithDb(db, { sip: phone.sip });

const k = phone.kamailio;
console.log(
  [
    `Teamline phone service for "${account.name}" (account ${accountId}), database ${dbPath}`,
    `  SIP domain      ${phone.sip.domain}`,
    `  WebSocket       ${k.wsUrl}   (the softphone)`,
    `  UDP and TCP     127.0.0.1:${k.sipUdpPort}   (other SIP phones; calls from 127.0.0.1 without credentials are the outside world)`,
    `  outside world   ${flag('peer') ?? '127.0.0.1:5090'}   (calls to +numbers go here)`,
    `  decisions       ${phone.decisions.url}   (loopback, token in ${k.configFile})`,
    `  run directory   ${runDir}${k.logFile ? `, log ${k.logFile}` : ''}`,
  ].join('\n'),
);

const ext = flag('credentials');
if (ext) {
  const user = findUserByExtension(db, accountId, ext);
  if (!user || !user.active) console.error(`No active user has extension ${ext}.`);
  else {
    // Into an owner-only file, not the terminal: a password never goes to a log or a scrollback.
    const c = issueCredentials(phone.sip, { accountId, userId: user.id, extension: ext }, Date.now());
    const file = join(cacheDir, 'sip', `credentials-${ext}.json`);
    writeFileSync(file, JSON.stringify(c, null, 2), { mode: 0o600 });
    console.log(`Credentials for ${user.name} (${ext}), valid until ${new Date(c.expiresAt).toISOString()}: ${file}`);
  }
}

const stop = () => void phone.stop().then(() => (core?.close(), process.exit(0)));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
