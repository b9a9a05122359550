/**
 * The desktop app's own door beside `window.api`: how this computer is set
 * up (the first-run choice, joining a team server) and the state of its
 * connection to that server. Given by the Electron preload as `window.desk`;
 * absent in a browser. The main process checks every input.
 */

export type DeskMode = 'choose' | 'demo' | 'joined';

/** The connection to the team server as the renderer shows it. */
export type DeskStatus =
  | { state: 'online'; server: string }
  | { state: 'connecting'; server: string }
  | { state: 'reconnecting'; server: string; attempt: number; retryInSeconds: number }
  | { state: 'refused'; server: string; reason: string };

export interface DeskInfo {
  mode: DeskMode;
  status: DeskStatus | null;
  /** An invitation link the app was opened with, to fill the join form. */
  pendingLink: string | null;
  /** This computer's name, the default name of the device. */
  deviceName: string;
}

export interface PresentedCertificate {
  fingerprint: string;
  subject: string;
  isCa: boolean;
}

export type DeskResult<T> = { ok: true; value: T } | { ok: false; message: string };

export interface InvitationPreview {
  server: string;
  status: 'pending' | 'used' | 'expired' | 'revoked' | 'unknown';
  userName: string | null;
  accountName: string | null;
}

export type JoinRequest =
  | { link: string; password: string; deviceName: string }
  | { server: string; fingerprint: string; code: string; password: string; deviceName: string };

export interface DeskBridge {
  info(): Promise<DeskInfo>;
  /** What an invitation link is for, asked of its pinned server. */
  inspect(link: string): Promise<DeskResult<InvitationPreview>>;
  /** The certificates a server presents, to compare with the fingerprint the administrator gave. */
  certificates(address: string): Promise<DeskResult<{ server: string; certificates: PresentedCertificate[] }>>;
  /** Joins and keeps the credential; the app then opens the team's console. */
  join(request: JoinRequest): Promise<DeskResult<{ userName: string; accountName: string }>>;
  chooseDemo(): Promise<void>;
  /**
   * A joined desktop leaves its team: the server removes this desktop when it
   * can be reached, the credential and the server are forgotten here, and
   * the app goes back to the first-run chooser.
   */
  leave(): Promise<DeskResult<{ removedOnServer: boolean }>>;
  onStatus(listener: (status: DeskStatus) => void): () => void;
  /** An invitation link opened while the chooser is shown. */
  onLink(listener: (link: string) => void): () => void;
}

export const DESK_CHANNEL = 'host:desk';
export const DESK_STATUS_CHANNEL = 'host:desk-status';
export const DESK_LINK_CHANNEL = 'host:desk-link';
