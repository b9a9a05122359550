import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the desktop app keeps its data when Electron does not say (the CLI):
 * the same folder Electron's app.getPath('userData') gives for "Teamline".
 */
export function defaultDbPath(): string {
  const home = homedir();
  const base =
    process.platform === 'win32'
      ? (process.env.APPDATA ?? join(home, 'AppData', 'Roaming'))
      : process.platform === 'darwin'
        ? join(home, 'Library', 'Application Support')
        : (process.env.XDG_CONFIG_HOME ?? join(home, '.config'));
  return join(base, 'Teamline', 'teamline.db');
}
