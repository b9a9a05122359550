import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/main/core/store/db';
import { KEY_FILE, SecretKeyError, keyFor, loadOrCreateKey, open, seal } from '../../src/main/sip/trunkSecrets';

/**
 * Carrier passwords at rest: the key file beside the database (created
 * owner-only, never replaced when it is damaged, never followed through a
 * link), and sealed values that only that key and that trunk open.
 */

const dirs: string[] = [];
const scratch = () => {
  const d = mkdtempSync(join(tmpdir(), 'tl-secrets-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the carrier key file', () => {
  it('is made once, owner-only, and read back the same', () => {
    const file = join(scratch(), 'data', KEY_FILE);
    const key = loadOrCreateKey(file);
    expect(key).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{64}$/);
    expect(loadOrCreateKey(file).equals(key)).toBe(true);
  });

  it('is made owner-only again when someone loosened it', () => {
    const file = join(scratch(), KEY_FILE);
    loadOrCreateKey(file);
    chmodSync(file, 0o644);
    loadOrCreateKey(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('is refused, and left as it is, when it does not hold a key', () => {
    const file = join(scratch(), KEY_FILE);
    writeFileSync(file, 'not a key', { mode: 0o600 });
    expect(() => loadOrCreateKey(file)).toThrow(SecretKeyError);
    expect(() => loadOrCreateKey(file)).toThrow(/does not hold a key/);
    expect(readFileSync(file, 'utf8')).toBe('not a key');
  });

  it('is never read through a link', () => {
    const d = scratch();
    const target = join(d, 'elsewhere');
    loadOrCreateKey(target);
    symlinkSync(target, join(d, KEY_FILE));
    expect(() => loadOrCreateKey(join(d, KEY_FILE))).toThrow(/not a regular file/);
  });

  it('lives beside a database file, not in it: the database holds only the sealed value', () => {
    const d = scratch();
    const db = openDatabase(join(d, 'teamline.db'));
    try {
      const key = keyFor(db);
      expect(readFileSync(join(d, KEY_FILE), 'utf8')).toBe(key.toString('hex'));
      const sealed = seal(key, 'Tr:unk\\pw|1', 'trunk-a');
      db.exec('CREATE TABLE t (v TEXT)');
      db.prepare('INSERT INTO t VALUES (?)').run(sealed);
      db.pragma('wal_checkpoint(TRUNCATE)');
      expect(readFileSync(join(d, 'teamline.db')).includes(Buffer.from('Tr:unk'))).toBe(false);
      expect(readFileSync(join(d, 'teamline.db')).includes(Buffer.from(key.toString('hex')))).toBe(false);
      expect(keyFor(db).equals(key)).toBe(true);
    } finally {
      db.close();
    }
  });
});

describe('sealed passwords', () => {
  const key = Buffer.alloc(32, 7);
  it('open with the key and the trunk they were sealed for', () => {
    const sealed = seal(key, 'pässword', 'account 1 trunk tlabc');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('pässword');
    expect(open(key, sealed, 'account 1 trunk tlabc')).toBe('pässword');
    // Sealing twice gives two different values (a fresh IV each time).
    expect(seal(key, 'pässword', 'account 1 trunk tlabc')).not.toBe(sealed);
  });

  it('do not open with another key, for another trunk, or once altered', () => {
    const sealed = seal(key, 'secret', 'trunk-a');
    expect(() => open(Buffer.alloc(32, 8), sealed, 'trunk-a')).toThrow(/cannot be read with this key/);
    expect(() => open(key, sealed, 'trunk-b')).toThrow(SecretKeyError);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    expect(() => open(key, [...parts.slice(0, 3), body.toString('base64url')].join('.'), 'trunk-a')).toThrow(
      SecretKeyError,
    );
    expect(() => open(key, 'v2.a.b.c', 'trunk-a')).toThrow(/Not a sealed carrier secret/);
  });
});
