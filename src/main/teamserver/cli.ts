import { ConfigError, loadServerConfig, USAGE } from './config';
import { jsonLogger } from './log';
import { runTeamServer } from './main';

/**
 * `teamline-server --config /etc/teamline/server.json` (or `npm run server
 * -- …`): the team server in the foreground, logging JSON lines to stdout.
 * Exit codes: 0 after a clean stop (SIGTERM, SIGINT), 2 for settings that
 * cannot be used, 1 for anything else that stops it.
 */
const log = jsonLogger();
const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

process.on('uncaughtException', (error) => {
  log('fatal', { error: error.message, stack: error.stack }, 'error');
  process.exit(1);
});
process.on('unhandledRejection', (error) => {
  log('fatal', { error: error instanceof Error ? error.message : String(error) }, 'error');
  process.exit(1);
});

let server;
try {
  server = await runTeamServer(loadServerConfig(argv), log);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  log('start.refused', { error: message }, 'error');
  process.stderr.write(`teamline-server: ${message}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
}

const running = server;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    void running.shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        log('shutdown.failed', { error: error instanceof Error ? error.message : String(error) }, 'error');
        process.exit(1);
      },
    );
  });
}
