import { z } from 'zod';
import type { DeskResult, InvitationPreview, PresentedCertificate } from '../../shared/api/desk';
import { JoinLinkError } from '../../shared/joinLink';
import { NO_KEYCHAIN, type DeskStore } from './deskStore';
import { inspectInvitation, joinWithInvitation, JoinError, type Joined } from './join';
import { PinMismatchError } from './pin';
import { linkFromParts, presentedCertificates, serverAddress } from './serverCheck';

/**
 * The first-run chooser's requests, as the main process answers them. The
 * renderer is untrusted: every input is parsed here, and only what a person
 * should read (the server's reason, a pin mismatch) goes back.
 */

const Text = (max: number) => z.string().trim().min(1).max(max);
const Password = z.string().min(1, 'Choose a password').max(200);
const DeviceName = z.string().trim().min(1, 'Name this computer').max(80);

export const JoinInput = z.union([
  z.strictObject({ link: Text(4000), password: Password, deviceName: DeviceName }),
  z.strictObject({
    server: Text(300),
    fingerprint: Text(200),
    code: Text(200),
    password: Password,
    deviceName: DeviceName,
  }),
]);
export const LinkInput = Text(4000);
export const AddressInput = Text(300);

function failure(error: unknown): { ok: false; message: string } {
  if (error instanceof PinMismatchError || error instanceof JoinError || error instanceof JoinLinkError)
    return { ok: false, message: error.message };
  if (error instanceof z.ZodError) return { ok: false, message: error.issues[0]?.message ?? 'Check what you typed.' };
  if (error instanceof Error && error.name === 'DeskStoreError') return { ok: false, message: error.message };
  return { ok: false, message: 'Joining did not work. Try again, or ask your administrator.' };
}

export interface DeskSetup {
  inspect(link: unknown): Promise<DeskResult<InvitationPreview>>;
  certificates(address: unknown): Promise<DeskResult<{ server: string; certificates: PresentedCertificate[] }>>;
  /** Joins, keeps the result, and hands it to `onJoined` (which opens the team's console). */
  join(input: unknown): Promise<DeskResult<{ userName: string; accountName: string }>>;
}

export function createDeskSetup(store: DeskStore, onJoined: (j: Joined) => void, timeoutMs?: number): DeskSetup {
  let joining = false;
  return {
    async inspect(link) {
      try {
        const r = await inspectInvitation(LinkInput.parse(link), { timeoutMs });
        return {
          ok: true,
          value: { server: r.server, status: r.status, userName: r.userName, accountName: r.accountName },
        };
      } catch (error) {
        return failure(error);
      }
    },
    async certificates(address) {
      try {
        const server = serverAddress(AddressInput.parse(address));
        return { ok: true, value: { server, certificates: await presentedCertificates(server, timeoutMs) } };
      } catch (error) {
        return failure(error);
      }
    },
    async join(input) {
      // One join at a time: a double click must not use the invitation twice.
      if (joining) return { ok: false, message: 'Already joining…' };
      joining = true;
      try {
        const r = JoinInput.parse(input);
        // Before the invitation is used up: a credential that cannot be kept would be lost with it.
        if (!store.canKeepCredential()) return { ok: false, message: NO_KEYCHAIN };
        const link = 'link' in r ? r.link : linkFromParts(r.server, r.fingerprint, r.code);
        const joined = await joinWithInvitation(link, { password: r.password, deviceName: r.deviceName, timeoutMs });
        store.saveJoined(joined);
        onJoined(joined);
        return { ok: true, value: { userName: joined.userName, accountName: joined.accountName } };
      } catch (error) {
        return failure(error);
      } finally {
        joining = false;
      }
    },
  };
}

/** The scheme the app registers, so that clicking an invitation opens it. */
export const JOIN_SCHEME = 'teamline';

/** The invitation link among a launch's arguments (Windows and Linux hand it as one), if any. */
export function joinLinkIn(argv: readonly string[]): string | null {
  return argv.find((a) => /^teamline:\/\/join[/?]/i.test(a) && a.length <= 4000) ?? null;
}
