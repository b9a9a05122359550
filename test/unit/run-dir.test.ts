import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensurePrivateRunDir, writePrivateFile } from '../../src/main/sip/runDir';

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'teamline-rundir-test-'));
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

describe('the phone service run folder', () => {
  it('is created owner-only, and reused when it is ours and private', () => {
    const dir = join(base, 'run');
    ensurePrivateRunDir(dir);
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    expect(ensurePrivateRunDir(dir)).toBe(dir);
  });

  it('refuses a folder open to others (a pre-created 0777 folder)', () => {
    const dir = join(base, 'run');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    expect(() => ensurePrivateRunDir(dir)).toThrow(/open to other users/);
  });

  it('refuses a symlink in place of the folder', () => {
    const target = join(base, 'elsewhere');
    mkdirSync(target, { mode: 0o700 });
    const dir = join(base, 'run');
    symlinkSync(target, dir);
    expect(() => ensurePrivateRunDir(dir)).toThrow(/not a folder of its own/);
  });

  it('refuses a folder owned by another user', () => {
    // /tmp itself (root-owned, sticky, 1777) stands for a folder someone else made.
    expect(() => ensurePrivateRunDir(tmpdir())).toThrow(/another user|open to other users/);
  });

  it('never writes through a symlink put in place of a file', () => {
    const dir = ensurePrivateRunDir(join(base, 'run'));
    const victim = join(base, 'victim.txt');
    writeFileSync(victim, 'untouched');
    symlinkSync(victim, join(dir, 'kamailio.cfg'));
    expect(() => writePrivateFile(join(dir, 'kamailio.cfg'), 'evil')).toThrow(/ELOOP/);
    expect(readFileSync(victim, 'utf8')).toBe('untouched');
    writePrivateFile(join(dir, 'token'), 'secret');
    expect(lstatSync(join(dir, 'token')).mode & 0o777).toBe(0o600);
  });
});
