import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createCore } from '../../src/main/core';
import { startServer } from '../../src/main/server/server';
import { pageOrigins, startHostedPhone } from '../../src/main/sip/hosted';
import { E2E_DB, E2E_DIR, E2E_PEER_PORT, E2E_PHONE, E2E_PORT, E2E_SIP_RUN_DIR } from './paths';

/**
 * The browser host on a fresh demo database, with the phone service beside
 * it as in the desktop app (Kamailio on free loopback ports), for the
 * end-to-end suite.
 */
const root = resolve(import.meta.dirname, '../..');
const runDir = E2E_SIP_RUN_DIR;
mkdirSync(E2E_DIR, { recursive: true });
for (const suffix of ['', '-wal', '-shm']) rmSync(E2E_DB + suffix, { force: true });
rmSync(runDir, { recursive: true, force: true });
const core = createCore({ dbPath: E2E_DB, demoIfEmpty: true, resourcesDir: join(root, 'resources') });
// The suite's pages (the host below) may open the softphone's WebSocket.
const origins = pageOrigins(`http://127.0.0.1:${E2E_PORT}`);
const phone = await startHostedPhone({
  core,
  sipPort: 0,
  wsPort: 0,
  peer: `127.0.0.1:${E2E_PEER_PORT}`,
  runDir,
  origins,
});
if (!phone)
  throw new Error('The phone service did not start: the softphone tests need kamailio (see docs/softphone.md)');
writeFileSync(
  E2E_PHONE,
  JSON.stringify({
    wsUrl: phone.kamailio.wsUrl,
    sipPort: phone.kamailio.sipUdpPort,
    runDir,
    log: phone.kamailio.logFile,
  }),
);
const server = await startServer({ core, staticDir: join(root, 'out', 'renderer'), port: E2E_PORT });
console.log(`e2e host at ${server.url}, phone service on ${phone.kamailio.wsUrl}`);
const stop = () => void Promise.all([server.close(), phone.stop()]).then(() => (core.close(), process.exit(0)));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
