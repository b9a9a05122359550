import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, envName, flagName, loadServerConfig } from '../../src/main/teamserver/config';

const made: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'teamline-config-'));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function configFile(body: unknown): string {
  const dir = tempDir();
  const file = join(dir, 'server.json');
  writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
  return file;
}

describe('team server settings', () => {
  it('reads a file, with defaults for what it leaves out, and paths relative to the file', () => {
    const file = configFile({ dataDir: 'data', publicName: 'pbx.example.com' });
    const c = loadServerConfig(['--config', file], {});
    expect(c.dataDir).toBe(join(file, '..', 'data'));
    expect(c.listen).toEqual({ host: '0.0.0.0', httpsPort: 8443, plainHttp: 'off' });
    expect(c.sip).toEqual({ wssPort: 7443, tlsPort: 5061, plainPort: null });
    expect(c.media).toEqual({ portMin: 30000, portMax: 30999 });
    expect(c.tls).toBeUndefined();
  });

  it('refuses an unknown key and names it, at any depth', () => {
    const top = configFile({ dataDir: 'd', publicName: 'pbx', httpPort: 1 });
    expect(() => loadServerConfig(['--config', top], {})).toThrow(/unknown setting "httpPort"/);
    const nested = configFile({ dataDir: 'd', publicName: 'pbx', listen: { httpPort: 1 } });
    expect(() => loadServerConfig(['--config', nested], {})).toThrow(/unknown setting "listen.httpPort"/);
  });

  it('refuses bad values with the setting named, and files that are not one JSON object', () => {
    expect(() => loadServerConfig(['--config', configFile({ dataDir: 'd', publicName: 'bad name!' })], {})).toThrow(
      /publicName/,
    );
    expect(() =>
      loadServerConfig(['--config', configFile({ dataDir: 'd', publicName: 'p', listen: { httpsPort: 70000 } })], {}),
    ).toThrow(/listen.httpsPort/);
    expect(() => loadServerConfig(['--config', configFile('{ nope')], {})).toThrow(/not valid JSON/);
    expect(() => loadServerConfig(['--config', configFile([1])], {})).toThrow(/one JSON object/);
    expect(() => loadServerConfig(['--config', '/nonexistent/server.json'], {})).toThrow(/cannot be read/);
    expect(() => loadServerConfig([], {})).toThrow(ConfigError);
  });

  it('refuses two services on one port', () => {
    const file = configFile({ dataDir: 'd', publicName: 'p', listen: { httpsPort: 7443 } });
    expect(() => loadServerConfig(['--config', file], {})).toThrow(/different ports/);
  });

  it('lets the environment override the file, and flags override both', () => {
    const file = configFile({ dataDir: '/srv/a', publicName: 'file.example', listen: { httpsPort: 9000 } });
    const env = {
      [envName('publicName')]: 'env.example',
      [envName('listen.httpsPort')]: '9100',
      [envName('sip.plainPort')]: 'off',
    };
    const c = loadServerConfig(['--config', file, `${flagName('listen.httpsPort')}=9200`], env);
    expect(c.publicName).toBe('env.example');
    expect(c.listen.httpsPort).toBe(9200);
    expect(c.sip.plainPort).toBeNull();
    expect(flagName('listen.httpsPort')).toBe('--listen-https-port');
    expect(envName('sip.plainPort')).toBe('TEAMLINE_SIP_PLAIN_PORT');
  });

  it('refuses an unknown flag and a number that is not one', () => {
    expect(() => loadServerConfig(['--data-dir', '/d', '--public-name', 'p', '--http-port', '1'], {})).toThrow(
      /unknown option "--http-port"/,
    );
    expect(() => loadServerConfig(['--data-dir', '/d', '--public-name', 'p', '--listen-https-port', 'x'], {})).toThrow(
      /must be a number/,
    );
    expect(loadServerConfig(['--data-dir', '/d', '--public-name', '10.0.0.5'], {}).publicName).toBe('10.0.0.5');
  });
});
