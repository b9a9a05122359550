import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Joined } from './join';
import { normalizePin } from './pin';

/**
 * What this desktop was set up as: the demo account on this computer, or a
 * team server it joined. The server's address, pin and certificate are kept
 * in a plain file; the device credential only encrypted, by the cipher the
 * host gives (Electron's safeStorage: the system keychain), in its own file.
 * No choice kept means the first run: the app asks.
 */

export interface Cipher {
  /** Whether secrets can be kept encrypted on this computer now. */
  available(): boolean;
  encrypt(plain: string): Buffer;
  decrypt(data: Buffer): string;
}

export type DeskChoice = { mode: 'demo' } | ({ mode: 'joined' } & Joined);

export class DeskStoreError extends Error {
  override name = 'DeskStoreError';
}

export const NO_KEYCHAIN =
  'This computer cannot keep the team sign-in encrypted (no system keychain is available), so Teamline will not join from it. Use the console in a browser instead, or set up a keychain.';

const CHOICE_FILE = 'desk.json';
const CREDENTIAL_FILE = 'device-credential.bin';

const Saved = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('demo') }),
  z.strictObject({
    mode: z.literal('joined'),
    url: z.string().startsWith('wss://'),
    server: z.string().min(1),
    pin: z.string().refine((p) => normalizePin(p) === p, 'not a pin'),
    pinnedPem: z.string().includes('BEGIN CERTIFICATE'),
    deviceId: z.number().int().positive(),
    userName: z.string(),
    login: z.string(),
    accountName: z.string(),
  }),
]);

export interface DeskStore {
  /** The kept choice; null on the first run, or when what was kept cannot be read (then the app asks again). */
  read(): DeskChoice | null;
  /** Whether a join could be kept now (asked before an invitation is used up). */
  canKeepCredential(): boolean;
  chooseDemo(): void;
  saveJoined(j: Joined): void;
  /** Leaves the team on this desktop: the credential is deleted, the app asks again at the next start. */
  forget(): void;
}

function writeAtomically(file: string, data: string | Buffer) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, file);
}

export function createDeskStore(dir: string, cipher: Cipher): DeskStore {
  const choiceFile = join(dir, CHOICE_FILE);
  const credentialFile = join(dir, CREDENTIAL_FILE);
  return {
    read() {
      if (!existsSync(choiceFile)) return null;
      let saved: z.infer<typeof Saved>;
      try {
        saved = Saved.parse(JSON.parse(readFileSync(choiceFile, 'utf8')));
      } catch {
        return null;
      }
      if (saved.mode === 'demo') return saved;
      try {
        const deviceCredential = cipher.decrypt(readFileSync(credentialFile));
        if (!/^\d+\.[A-Za-z0-9_-]+$/.test(deviceCredential)) return null;
        return { ...saved, deviceCredential };
      } catch {
        // The keychain changed or the file is gone: this desktop has to join again.
        return null;
      }
    },
    canKeepCredential: () => cipher.available(),
    chooseDemo() {
      mkdirSync(dir, { recursive: true });
      rmSync(credentialFile, { force: true });
      writeAtomically(choiceFile, JSON.stringify({ mode: 'demo' }));
    },
    saveJoined(j) {
      if (!cipher.available()) throw new DeskStoreError(NO_KEYCHAIN);
      mkdirSync(dir, { recursive: true });
      // The credential first: a choice file never names a credential that is not there.
      writeAtomically(credentialFile, cipher.encrypt(j.deviceCredential));
      const { deviceCredential: _secret, ...rest } = j;
      writeAtomically(choiceFile, JSON.stringify(Saved.parse({ mode: 'joined', ...rest })));
    },
    forget() {
      rmSync(credentialFile, { force: true });
      rmSync(choiceFile, { force: true });
    },
  };
}
