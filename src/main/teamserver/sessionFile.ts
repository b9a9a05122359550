import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { KeptSession, SessionStore } from '../server/server';

/**
 * The team server keeps its browser sessions in `dataDir/sessions.json`
 * (owner-only, replaced whole on each write), so that a restart does not
 * sign everyone out: each open console reconnects as the same person. The
 * file holds hashes of the session ids, never the ids, so it cannot be
 * replayed as a cookie; a new password or a deactivation ends a kept
 * session as it ends a live one.
 */

const Kept = z.array(
  z.strictObject({
    key: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    userId: z.number().int().positive(),
    stamp: z.string().min(1).max(100),
    createdAt: z.number().int().nonnegative(),
    lastSeenAt: z.number().int().nonnegative(),
  }),
);

export function sessionFile(dataDir: string): SessionStore {
  const file = join(dataDir, 'sessions.json');
  return {
    load(): KeptSession[] {
      if (!existsSync(file)) return [];
      return Kept.parse(JSON.parse(readFileSync(file, 'utf8')));
    },
    save(sessions) {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(sessions), { mode: 0o600 });
      renameSync(tmp, file);
    },
  };
}
