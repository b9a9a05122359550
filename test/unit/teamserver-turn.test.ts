import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { issueCredentials } from '../../src/main/sip/credentials';
import { iceServersFor } from '../../src/main/sip/turn';
import { loadServerConfig } from '../../src/main/teamserver/config';
import { StartError, turnSettings } from '../../src/main/teamserver/main';

const dir = mkdtempSync(join(tmpdir(), 'teamline-turn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const load = (turn: unknown, env: NodeJS.ProcessEnv = {}) => {
  const file = join(dir, `server-${n++}.json`);
  writeFileSync(file, JSON.stringify({ dataDir: 'd', publicName: 'pbx.example.com', turn }));
  return loadServerConfig(['--config', file], env);
};
const SECRET = 'a-long-coturn-secret-0123456789';

describe('TURN settings', () => {
  it('takes TURN addresses with a shared secret (inline, from a file relative to the config, or from the environment) or a static user', () => {
    const inline = load({
      urls: ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349'],
      sharedSecret: SECRET,
    });
    expect(inline.turn).toMatchObject({ sharedSecret: SECRET, ttlSeconds: 12 * 3600 });
    expect(turnSettings(inline)).toEqual({
      urls: ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349'],
      auth: { kind: 'shared-secret', secret: SECRET, ttlSeconds: 12 * 3600 },
    });

    writeFileSync(join(dir, 'turn-secret'), `${SECRET}\n`);
    const fromFile = load({ urls: ['turn:10.0.0.1'], sharedSecretFile: 'turn-secret', ttlSeconds: 3600 });
    expect(fromFile.turn!.sharedSecretFile).toBe(join(dir, 'turn-secret'));
    expect(turnSettings(fromFile)!.auth).toEqual({ kind: 'shared-secret', secret: SECRET, ttlSeconds: 3600 });

    const fromEnv = load({ urls: ['turn:10.0.0.1'] }, { TEAMLINE_TURN_SHARED_SECRET: SECRET });
    expect(turnSettings(fromEnv)!.auth).toMatchObject({ kind: 'shared-secret', secret: SECRET });

    const fixed = load({ urls: ['turn:10.0.0.1:3478'], username: 'team', password: 'pw' });
    expect(turnSettings(fixed)!.auth).toEqual({ kind: 'static', username: 'team', password: 'pw' });
    expect(turnSettings(load(undefined))).toBeNull();
  });

  it('refuses what RTCPeerConnection would not take, a short secret, both ways of signing in, neither, or half a user', () => {
    expect(() => load({ urls: ['http://turn.example.com'], sharedSecret: SECRET })).toThrow(
      /turn.urls.0: must be a turn:/,
    );
    expect(() => load({ urls: [], sharedSecret: SECRET })).toThrow(/turn.urls/);
    expect(() => load({ urls: ['turn:x'], sharedSecret: 'short' })).toThrow(/turn.sharedSecret: must be at least 16/);
    expect(() => load({ urls: ['turn:x'], sharedSecret: SECRET, username: 'u', password: 'p' })).toThrow(
      /either sharedSecret/,
    );
    expect(() => load({ urls: ['turn:x'] })).toThrow(/either sharedSecret/);
    expect(() => load({ urls: ['turn:x'], username: 'u' })).toThrow(/either sharedSecret/);
    expect(() => load({ urls: ['turn:x'], secret: SECRET })).toThrow(/unknown setting "turn.secret"/);
    expect(() => load({ urls: ['turn:x'], sharedSecret: SECRET, ttlSeconds: 10 })).toThrow(/turn.ttlSeconds/);
    // A secret file that is gone is an error at start, not at the first call.
    const gone = load({ urls: ['turn:x'], sharedSecretFile: 'no-such-file' });
    expect(() => turnSettings(gone)).toThrow(StartError);
  });
});

describe('TURN credentials for a softphone', () => {
  const turn = {
    urls: ['turn:10.0.0.1:3478'],
    auth: { kind: 'shared-secret' as const, secret: SECRET, ttlSeconds: 3600 },
  };
  const now = Date.UTC(2026, 11, 3, 12);

  it("are coturn's REST credentials: per user, expiring, checkable with the secret, and never the secret", () => {
    const [server] = iceServersFor(turn, { accountId: 1, userId: 7 }, now);
    const expiry = now / 1000 + 3600;
    expect(server).toEqual({
      urls: ['turn:10.0.0.1:3478'],
      username: `${expiry}:1-7`,
      credential: createHmac('sha1', SECRET).update(`${expiry}:1-7`).digest('base64'),
    });
    expect(JSON.stringify(server)).not.toContain(SECRET);
    const [other] = iceServersFor(turn, { accountId: 1, userId: 8 }, now);
    expect(other!.username).not.toBe(server!.username);
    expect(other!.credential).not.toBe(server!.credential);
  });

  it('come with the SIP credentials, and are empty without TURN settings', () => {
    const sip = {
      secret: Buffer.alloc(32, 1),
      domain: 'teamline.local',
      wsUrl: 'wss://pbx:7443',
      credentialTtlSeconds: 3600,
    };
    const who = { accountId: 1, userId: 7, extension: '101' };
    expect(issueCredentials(sip, who, now).iceServers).toEqual([]);
    expect(issueCredentials({ ...sip, turn }, who, now).iceServers).toEqual(iceServersFor(turn, who, now));
    const fixed = { urls: ['turn:10.0.0.1'], auth: { kind: 'static' as const, username: 'team', password: 'pw' } };
    expect(issueCredentials({ ...sip, turn: fixed }, who, now).iceServers).toEqual([
      { urls: ['turn:10.0.0.1'], username: 'team', credential: 'pw' },
    ]);
  });
});
