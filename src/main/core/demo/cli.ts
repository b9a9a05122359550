import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultDbPath } from '../store/paths';
import { openDatabase } from '../store/db';
import { seedDemo } from './seed';

/** `npm run demo:reset [-- --db path]`: wipes the local database and loads the demo account. */
const args = process.argv.slice(2);
const dbArg = args.indexOf('--db');
const path = dbArg >= 0 && args[dbArg + 1] ? args[dbArg + 1]! : defaultDbPath();
if (args.includes('--reset')) {
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) rmSync(path + suffix);
}
mkdirSync(dirname(path), { recursive: true });
const db = openDatabase(path);
if (db.prepare('SELECT 1 FROM accounts LIMIT 1').get()) {
  db.close();
  console.error(`${path} already holds data; run with --reset to replace it with the demo account.`);
  process.exit(1);
}
const ids = seedDemo(db, Date.now(), { audioDir: join(import.meta.dirname, '../../../../resources/voicemail') });
const calls = db.prepare('SELECT count(*) FROM calls WHERE account_id = ?').pluck().get(ids.accountId) as number;
db.close();
console.log(`Demo account loaded into ${path}: ${calls} calls. Every demo user's password is "teamline-demo".`);
