import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { publicDefines, writeKamailioConfig, type KamailioSettings } from '../../src/main/sip/config';
import { rtpengineArgs } from '../../src/main/sip/rtpengine';
import { loadServerConfig } from '../../src/main/teamserver/config';
import { sipAddress } from '../../src/main/teamserver/main';

const made: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'tl-sip-'));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function settings(runDir: string, extra: Partial<KamailioSettings> = {}): KamailioSettings {
  return {
    domain: 'teamline.local',
    listenIp: '127.0.0.1',
    sipPort: 5060,
    wsPort: 5066,
    decisionUrl: 'http://127.0.0.1:40000',
    token: 'a'.repeat(48),
    peer: null,
    trunks: [],
    origins: [],
    runDir,
    modulesDir: '/usr/lib/x86_64-linux-gnu/kamailio/modules',
    debug: 1,
    children: 2,
    rtpenginePort: null,
    mediaService: null,
    ...extra,
  };
}

describe('the proxy on the team server', () => {
  it('listens for phones elsewhere only when given public transports: TLS with a private copy of the certificate, plain SIP only when turned on', () => {
    const dir = tempDir();
    const loopback = settings(join(dir, 'a'));
    writeKamailioConfig(loopback);
    expect(publicDefines(loopback)).toEqual([]);
    expect(existsSync(join(dir, 'a', 'tls.cfg'))).toBe(false);

    writeFileSync(join(dir, 'cert.pem'), 'CERT');
    writeFileSync(join(dir, 'key.pem'), 'KEY');
    const team = settings(join(dir, 'b'), {
      public: {
        address: '192.168.1.10',
        publicName: 'PBX.example.com',
        tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem'), wssPort: 7443, tlsPort: 5061 },
        plainPort: null,
      },
    });
    const cfg = readFileSync(writeKamailioConfig(team), 'utf8');
    expect(publicDefines(team)).toEqual(['WITH_TLS']);
    expect(cfg).toContain('listen=tls:192.168.1.10:7443 advertise pbx.example.com:7443');
    expect(cfg).toContain('listen=tls:192.168.1.10:5061 advertise pbx.example.com:5061');
    const tls = readFileSync(join(dir, 'b', 'tls.cfg'), 'utf8');
    expect(tls).toContain('method = TLSv1.2+');
    expect(tls).toContain(`private_key = ${join(dir, 'b', 'tls-key.pem')}`);
    expect(readFileSync(join(dir, 'b', 'tls-key.pem'), 'utf8')).toBe('KEY');
    expect(statSync(join(dir, 'b', 'tls-key.pem')).mode & 0o077).toBe(0);

    const lan = settings(join(dir, 'c'), { public: { ...team.public!, plainPort: 5070 } });
    expect(readFileSync(writeKamailioConfig(lan), 'utf8')).toContain('listen=udp:192.168.1.10:5070');
    expect(publicDefines(lan)).toEqual(['WITH_TLS', 'WITH_PLAIN_LAN']);
  });

  it('refuses a public name that would break out of the proxy configuration', () => {
    const dir = tempDir();
    const bad = settings(join(dir, 'x'), {
      public: { address: '10.0.0.1', publicName: 'pbx"\nloadmodule "evil.so', tls: null, plainPort: 5070 },
    });
    expect(() => writeKamailioConfig(bad)).toThrow(/PUBLIC_NAME/);
  });

  it('has the media relay bind the server address and announce the public one behind NAT', () => {
    const base = { interfaceIp: '10.0.0.5', ngPort: 2223, portMin: 30000, portMax: 30999, pidFile: '/tmp/p' };
    expect(rtpengineArgs(base)).toContain('--interface=10.0.0.5');
    expect(rtpengineArgs({ ...base, advertiseIp: '203.0.113.7' })).toContain('--interface=10.0.0.5!203.0.113.7');
  });

  it('picks the address for SIP and media: the setting, else the one listen address, else a LAN address', () => {
    const c = (extra: string[]) => loadServerConfig(['--data-dir', '/d', '--public-name', 'pbx', ...extra], {});
    expect(sipAddress(c(['--listen-host', '192.168.1.10']))).toBe('192.168.1.10');
    expect(sipAddress(c(['--listen-host', '192.168.1.10', '--listen-sip-host', '10.1.1.1']))).toBe('10.1.1.1');
    expect(sipAddress(c([]))).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(() => c(['--media-public-address', 'pbx.example.com'])).toThrow(/media.publicAddress: must be an IPv4/);
    expect(() => c(['--listen-plain-http', 'yes'])).toThrow(/listen.plainHttp/);
    expect(() => c(['--demo', 'maybe'])).toThrow(/demo must be true or false/);
    expect(c(['--demo', 'true']).demo).toBe(true);
  });
});
