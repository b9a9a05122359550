/** Shows an E.164 number the way people read it: +1 (213) 647-2453 for NANP, grouped otherwise. */
export function formatE164(e164: string): string {
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  if (nanp) return `+1 (${nanp[1]}) ${nanp[2]}-${nanp[3]}`;
  const cc = countryCode(e164.slice(1));
  if (!cc) return e164;
  const rest = e164.slice(1 + cc.length);
  // Groups of three, the last of four: readable everywhere, exact nowhere but NANP.
  const groups: string[] = [];
  let i = 0;
  while (rest.length - i > 4) {
    groups.push(rest.slice(i, i + 3));
    i += 3;
  }
  groups.push(rest.slice(i));
  return `+${cc} ${groups.join(' ')}`;
}

const twoDigit = new Set([
  '20',
  '27',
  '30',
  '31',
  '32',
  '33',
  '34',
  '36',
  '39',
  '40',
  '41',
  '43',
  '44',
  '45',
  '46',
  '47',
  '48',
  '49',
  '51',
  '52',
  '53',
  '54',
  '55',
  '56',
  '57',
  '58',
  '60',
  '61',
  '62',
  '63',
  '64',
  '65',
  '66',
  '81',
  '82',
  '84',
  '86',
  '90',
  '91',
  '92',
  '93',
  '94',
  '95',
  '98',
]);

/** The ITU country calling code at the start of the digits (1, 2 or 3 digits long). */
function countryCode(digits: string): string | null {
  if (digits.length < 7) return null;
  if (digits[0] === '1' || digits[0] === '7') return digits[0];
  const two = digits.slice(0, 2);
  return twoDigit.has(two) ? two : digits.slice(0, 3);
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
