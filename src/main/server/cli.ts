import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createCore } from '../core';
import { startServer } from './server';

/**
 * `npm run serve [-- --port 5178 --host 127.0.0.1 --db path --fresh]`:
 * the console in a browser, over the same API as the desktop app.
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
const server = await startServer({ core, staticDir, port: Number(flag('port') ?? 5178), host: flag('host') ?? '127.0.0.1' });
console.log(`Teamline console: ${server.url}  (database ${dbPath})`);
const stop = () => void server.close().then(() => (core.close(), process.exit(0)));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
