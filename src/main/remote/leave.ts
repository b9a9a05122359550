import type { DeskStore } from './deskStore';
import type { JoinedDesk } from './joinedDesk';

/**
 * "Leave this team" on a joined desktop: the server is asked to remove this
 * desktop from the person's devices (so it no longer shows as theirs, and
 * its credential could not be used again even if copied), then the
 * credential and the pinned server are forgotten here, whether or not the
 * server answered, and the app is back at the first-run chooser. A server
 * out of reach does not keep anyone from leaving; the administrator then
 * removes the desktop from the person's card.
 */

export interface Left {
  /** Whether the server removed this desktop (false: it was out of reach or refused). */
  removedOnServer: boolean;
}

export async function leaveTeam(
  o: { desk: JoinedDesk | null; deviceId: number; store: DeskStore },
  timeoutMs = 5_000,
): Promise<Left> {
  let removedOnServer = false;
  const desk = o.desk;
  if (desk && desk.status().state === 'online') {
    const conn = desk.connect(() => {});
    try {
      const answer = await Promise.race([
        conn.invoke('devices.revoke', { deviceId: o.deviceId }),
        new Promise<null>((r) => setTimeout(() => r(null), timeoutMs).unref()),
      ]);
      // The server ends this desktop's connection as it removes it, often before the answer gets out.
      removedOnServer = answer?.ok === true || desk.status().state === 'refused';
    } finally {
      conn.close();
    }
  }
  desk?.close();
  o.store.forget();
  return { removedOnServer };
}
