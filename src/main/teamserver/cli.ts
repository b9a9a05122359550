import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../core/store/db';
import { ConfigError, loadServerConfig, USAGE } from './config';
import { jsonLogger } from './log';
import { runTeamServer, type RunningTeamServer } from './main';
import { createFirstAccount, SetupError } from './setup';

/**
 * `teamline-server init --config … --account-name … --owner-name …
 * --owner-email … [--owner-extension 100] [--plan company]`, the owner's
 * password from TEAMLINE_OWNER_PASSWORD or the first line of stdin: creates
 * the account and its owner in an empty data directory, then exits.
 *
 * `teamline-server --config /etc/teamline/server.json` (or `npm run server
 * -- …`): the team server in the foreground, logging JSON lines to stdout.
 * Exit codes: 0 after a clean stop (SIGTERM, SIGINT), 2 for settings that
 * cannot be used, 1 for anything else that stops it.
 */
const log = jsonLogger();
const INIT_USAGE = `First start for a team (an empty data directory): the account and its owner.

  TEAMLINE_OWNER_PASSWORD=… teamline-server init --config /etc/teamline/server.json \\
    --account-name "Acme Dental" --owner-name "Morgan Reyes" --owner-email morgan@acme.example \\
    [--owner-extension 100] [--plan basic|business|company]
  (or the password as the first line of stdin)`;
const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(`${USAGE}\n\n${INIT_USAGE}\n`);
  process.exit(0);
}
if (argv[0] === 'init') init(argv.slice(1));

process.on('uncaughtException', (error) => {
  log('fatal', { error: error.message, stack: error.stack }, 'error');
  process.exit(1);
});
process.on('unhandledRejection', (error) => {
  log('fatal', { error: error instanceof Error ? error.message : String(error) }, 'error');
  process.exit(1);
});

// Signals are taken from the first moment: one that arrives while the server
// is still starting stops it as soon as it has started, cleanly.
let running: RunningTeamServer | null = null;
let stopRequested: string | null = null;
const stop = (server: RunningTeamServer, reason: string) =>
  void server.shutdown(reason).then(
    () => process.exit(0),
    (error: unknown) => {
      log('shutdown.failed', { error: error instanceof Error ? error.message : String(error) }, 'error');
      process.exit(1);
    },
  );
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (running) stop(running, signal);
    else stopRequested ??= signal;
  });
}

try {
  running = await runTeamServer(loadServerConfig(argv), log);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  log('start.refused', { error: message }, 'error');
  process.stderr.write(`teamline-server: ${message}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
if (stopRequested) stop(running, stopRequested);

function init(args: string[]): never {
  const own: Record<string, string> = {};
  const rest: string[] = [];
  const names = ['--account-name', '--owner-name', '--owner-email', '--owner-extension', '--plan'];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf('=');
    const flag = eq > 0 ? a.slice(0, eq) : a;
    if (!names.includes(flag)) {
      rest.push(a);
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined) fail(`${flag} needs a value`, 2);
    own[flag] = value;
  }
  try {
    const config = loadServerConfig(rest);
    // Never on the command line, where other users of the machine could read it.
    const password =
      process.env.TEAMLINE_OWNER_PASSWORD ?? (process.stdin.isTTY ? '' : readFileSync(0, 'utf8').split(/\r?\n/)[0]!);
    if (!password) fail('give the owner’s password in TEAMLINE_OWNER_PASSWORD or on stdin', 2);
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const db = openDatabase(join(config.dataDir, 'teamline.db'));
    try {
      const made = createFirstAccount(db, {
        accountName: own['--account-name'] ?? '',
        ownerName: own['--owner-name'] ?? '',
        ownerEmail: own['--owner-email'] ?? '',
        ownerExtension: own['--owner-extension'],
        plan: own['--plan'] as 'company' | undefined,
        password,
        timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      });
      log('account.created', { accountId: made.accountId, ownerId: made.ownerId, email: own['--owner-email'] });
    } finally {
      db.close();
    }
    process.exit(0);
  } catch (error) {
    const refused = error instanceof ConfigError || error instanceof SetupError;
    fail(error instanceof Error ? error.message : String(error), refused ? 2 : 1);
  }
}

function fail(message: string, code: number): never {
  log('init.refused', { error: message }, 'error');
  process.stderr.write(`teamline-server init: ${message}\n`);
  process.exit(code);
}
