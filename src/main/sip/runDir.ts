import { dirname } from 'node:path';
import { closeSync, constants, fchmodSync, lstatSync, mkdirSync, openSync, writeSync } from 'node:fs';

export class RunDirError extends Error {}

/**
 * The phone service's run folder holds the decision service's token and
 * Kamailio's config: another local user must neither read nor replace them.
 * The folder is created owner-only; one that is already there is used only
 * when it is a real folder (not a symlink), ours, and closed to group and
 * others — a folder someone else made in /tmp is refused, never adopted.
 * The same path is used on each start, so stale servers can be found.
 */
export function ensurePrivateRunDir(path: string): string {
  // The parent may be shared (/tmp); only the run folder itself must be ours.
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    mkdirSync(path, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const st = lstatSync(path);
  if (st.isSymbolicLink() || !st.isDirectory())
    throw new RunDirError(`${path} is not a folder of its own (a link or a file); refusing to use it.`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    throw new RunDirError(`${path} belongs to another user; refusing to use it.`);
  if ((st.mode & 0o077) !== 0)
    throw new RunDirError(
      `${path} is open to other users (mode ${(st.mode & 0o777).toString(8)}); refusing to use it.`,
    );
  return path;
}

/** Writes a file in the run folder owner-only, never through a symlink put in its place. */
export function writePrivateFile(file: string, data: string): void {
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, data);
  } finally {
    closeSync(fd);
  }
}
