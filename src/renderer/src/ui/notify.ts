import { notifications } from '@mantine/notifications';
import type { ApiError } from '../../../shared/result';

/** Refusals still on screen: a success that follows them makes them stale. */
const shownErrors = new Set<string>();

/** Says a change was saved, and takes away refusals shown before it: "Not saved" must not stand next to "saved". */
export function notifySaved(message: string) {
  for (const id of shownErrors) notifications.hide(id);
  shownErrors.clear();
  return notifications.show({ color: 'teal', message, autoClose: 3000 });
}

/** Shows the API's own reason for a refusal; it is written for people. */
export function notifyError(error: unknown, title = 'Not saved') {
  const e = error as Partial<ApiError>;
  const id = notifications.show({
    color: 'red',
    title,
    message: e.message ?? 'Something went wrong.',
    autoClose: 6000,
    onClose: () => shownErrors.delete(id),
  });
  shownErrors.add(id);
}

/** Field errors from an `invalid` reply, for a form's inputs. */
export const fieldErrors = (error: unknown): Record<string, string> => (error as Partial<ApiError>)?.fields ?? {};

/**
 * Spread on a form: the browser's own validation bubbles are turned off so
 * every error comes from the main process, under its field, in one voice.
 */
export const noNativeValidation: Record<string, unknown> = { noValidate: true };
