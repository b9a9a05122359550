import { notifications } from '@mantine/notifications';
import type { ApiError } from '../../../shared/result';

export const notifySaved = (message: string) => notifications.show({ color: 'teal', message, autoClose: 3000 });

/** Shows the API's own reason for a refusal; it is written for people. */
export function notifyError(error: unknown, title = 'Not saved') {
  const e = error as Partial<ApiError>;
  notifications.show({ color: 'red', title, message: e.message ?? 'Something went wrong.', autoClose: 6000 });
}

/** Field errors from an `invalid` reply, for a form's inputs. */
export const fieldErrors = (error: unknown): Record<string, string> => (error as Partial<ApiError>)?.fields ?? {};

/**
 * Spread on a form: the browser's own validation bubbles are turned off so
 * every error comes from the main process, under its field, in one voice.
 */
export const noNativeValidation: Record<string, unknown> = { noValidate: true };
