import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createCore } from '../core';
import { pageOrigins, startHostedPhone } from '../sip/hosted';
import { startServer } from './server';

/**
 * `npm run serve [-- --port 5178 --host 127.0.0.1 --db path --fresh
 *   --sip-port 5060 --ws-port 5066 --peer 127.0.0.1:5090 --no-phone
 *   --tls-cert cert.pem --tls-key key.pem --name console.example.com --insecure-http]`:
 * the console in a browser, over the same API as the desktop app, with the
 * phone service (Kamailio) beside it, as in the desktop app.
 */
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const root = resolve(import.meta.dirname, '../../..');
const dbPath = resolve(flag('db') ?? join(root, '.cache', 'serve', 'teamline.db'));
if (args.includes('--fresh')) for (const s of ['', '-wal', '-shm']) rmSync(dbPath + s, { force: true });
mkdirSync(dirname(dbPath), { recursive: true });
const staticDir = join(root, 'out', 'renderer');
if (!existsSync(join(staticDir, 'index.html'))) {
  console.error('The renderer is not built: run `npm run build` first (npm run serve does).');
  process.exit(1);
}
const core = createCore({ dbPath, demoIfEmpty: true, resourcesDir: join(root, 'resources') });
const certFile = flag('tls-cert');
const keyFile = flag('tls-key');
if (Boolean(certFile) !== Boolean(keyFile)) {
  console.error('TLS needs both --tls-cert and --tls-key.');
  process.exit(1);
}
const server = await startServer({
  core,
  staticDir,
  port: Number(flag('port') ?? 5178),
  host: flag('host') ?? '127.0.0.1',
  tls: certFile && keyFile ? { cert: readFileSync(certFile), key: readFileSync(keyFile) } : undefined,
  insecureHttp: args.includes('--insecure-http'),
  names: args.flatMap((a, i) => (a === '--name' && args[i + 1] ? [args[i + 1]!] : [])),
}).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  core.close();
  process.exit(1);
});
const phone = args.includes('--no-phone')
  ? null
  : await startHostedPhone({
      core,
      instance: dbPath,
      sipPort: Number(flag('sip-port') ?? 0) || undefined,
      wsPort: Number(flag('ws-port') ?? 0) || undefined,
      peer: flag('peer') ?? process.env.TEAMLINE_SIP_PEER ?? '127.0.0.1:5090',
      // The console's own pages may open the softphone's WebSocket.
      origins: pageOrigins(server.url),
    });
console.log(`Teamline console: ${server.url}  (database ${dbPath})`);
if (phone) {
  const k = phone.kamailio;
  console.log(`Phone service: softphones on ${k.wsUrl}, SIP UDP/TCP on 127.0.0.1:${k.sipUdpPort}, log ${k.logFile}`);
} else if (!args.includes('--no-phone'))
  console.log('Phone service: not running (see above); the console works without it.');
const stop = () => void Promise.all([server.close(), phone?.stop()]).then(() => (core.close(), process.exit(0)));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
