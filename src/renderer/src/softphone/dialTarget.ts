import { normalizeDialString } from '../../../shared/phone';

/** What a typed string dials: an extension as it is, a phone number in E.164, or null. */
export function dialTarget(input: string): string | null {
  const t = input.trim();
  if (/^\d{2,6}$/.test(t)) return t;
  return normalizeDialString(t);
}
