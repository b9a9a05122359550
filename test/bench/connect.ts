import type { Connection } from '../../src/main/core';
import { createSession } from '../../src/main/core/api/core';

export type Connect = (userId: number) => Connection;

/** A connection signed in as this user, as a host holds one per window (no password round trip). */
export const connectAs =
  (connect: (onEvent: () => void, session: ReturnType<typeof createSession>) => Connection): Connect =>
  (userId) => {
    const session = createSession();
    session.userId = userId;
    return connect(() => {}, session);
  };
