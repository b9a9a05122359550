/** Shows an E.164 number the way people read it: +1 (213) 647-2453 for NANP, grouped otherwise. */
export function formatE164(e164: string): string {
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  if (nanp) return `+1 (${nanp[1]}) ${nanp[2]}-${nanp[3]}`;
  const m = /^\+(\d{1,3})(\d+)$/.exec(e164);
  if (!m) return e164;
  const rest = m[2]!.replace(/(\d{3,4})(?=\d{3})/g, '$1 ');
  return `+${m[1]} ${rest}`;
}

/**
 * Normalises what someone typed into E.164 (assuming North America for
 * 10-digit numbers), or returns null when it cannot be a phone number.
 */
export function normalizeDialString(input: string, defaultCountry = '1'): string | null {
  const trimmed = input.trim();
  const plus = trimmed.startsWith('+');
  const digits = trimmed.replace(/[^\d]/g, '');
  if (plus) return /^[1-9]\d{6,14}$/.test(digits) ? `+${digits}` : null;
  if (digits.startsWith('00')) return normalizeDialString(`+${digits.slice(2)}`);
  if (defaultCountry === '1' && digits.length === 10) return `+1${digits}`;
  if (defaultCountry === '1' && digits.length === 11 && digits.startsWith('1')) return `+${digits}`;
  return null;
}
