import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createCore } from '../../src/main/core';
import { startServer } from '../../src/main/server/server';

/** The browser host on a fresh demo database, for the end-to-end suite. */
const root = resolve(import.meta.dirname, '../..');
// A known path, so the tests can read the expected answers from the same data.
export const E2E_DB = join(root, '.cache', 'e2e', 'teamline.db');
mkdirSync(join(root, '.cache', 'e2e'), { recursive: true });
for (const suffix of ['', '-wal', '-shm']) rmSync(E2E_DB + suffix, { force: true });
const core = createCore({ dbPath: E2E_DB, demoIfEmpty: true, resourcesDir: join(root, 'resources') });
const server = await startServer({ core, staticDir: join(root, 'out', 'renderer'), port: 5199 });
console.log(`e2e host at ${server.url}`);
const stop = () => void server.close().then(() => (core.close(), process.exit(0)));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
