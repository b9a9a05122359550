/**
 * How a text travels as SMS, the way carriers count it (3GPP TS 23.038 and
 * 23.040): in the GSM 7-bit alphabet when every character has a place in it
 * (160 characters in one message, 153 per part when it takes several,
 * since each part carries a 7-character concatenation header), otherwise in
 * UCS-2 (70 in one, 67 per part, counted in UTF-16 code units). A
 * character of the GSM extension table (€ [ ] { } \ ^ ~ | and form feed)
 * takes two places, and is never cut in two between parts; neither is a
 * character outside the Basic Multilingual Plane (an emoji) in UCS-2.
 */

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';

const basic = new Set(GSM_BASIC);
const extension = new Set(GSM_EXTENSION);

export type SmsEncoding = 'gsm7' | 'ucs2';

export interface SmsSegments {
  encoding: SmsEncoding;
  /** The text cut into the parts a carrier sends, in order. */
  parts: string[];
  /** Places used (septets in GSM-7, code units in UCS-2) and how many one message holds / each part holds. */
  units: number;
  single: number;
  perPart: number;
}

export const SMS_LIMITS = {
  gsm7: { single: 160, perPart: 153 },
  ucs2: { single: 70, perPart: 67 },
} as const;

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!basic.has(ch) && !extension.has(ch)) return false;
  return true;
}

/** The characters of a text with the places each takes. */
function weighted(text: string, encoding: SmsEncoding): { ch: string; w: number }[] {
  return Array.from(text, (ch) => ({
    ch,
    w: encoding === 'gsm7' ? (extension.has(ch) ? 2 : 1) : ch.length,
  }));
}

/** Splits a text as a carrier would send it. An empty text is one empty part. */
export function segmentSms(text: string): SmsSegments {
  const encoding: SmsEncoding = isGsm7(text) ? 'gsm7' : 'ucs2';
  const { single, perPart } = SMS_LIMITS[encoding];
  const chars = weighted(text, encoding);
  const units = chars.reduce((n, c) => n + c.w, 0);
  if (units <= single) return { encoding, parts: [text], units, single, perPart };
  const parts: string[] = [];
  let current = '';
  let used = 0;
  for (const { ch, w } of chars) {
    if (used + w > perPart) {
      parts.push(current);
      current = '';
      used = 0;
    }
    current += ch;
    used += w;
  }
  if (current) parts.push(current);
  return { encoding, parts, units, single, perPart };
}

/**
 * Opt-out and help keywords, as US carriers and the CTIA guidelines name
 * them: a message that is only the keyword (any case, surrounding blanks
 * and final punctuation ignored).
 */
export const OPT_OUT_WORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'] as const;
export const OPT_IN_WORDS = ['START', 'UNSTOP'] as const;
export const HELP_WORDS = ['HELP', 'INFO'] as const;

export type SmsKeyword = { kind: 'stop' | 'start' | 'help'; word: string } | null;

export function smsKeyword(body: string): SmsKeyword {
  const word = body
    .trim()
    .replace(/[.!\s]+$/u, '')
    .toUpperCase();
  if ((OPT_OUT_WORDS as readonly string[]).includes(word)) return { kind: 'stop', word };
  if ((OPT_IN_WORDS as readonly string[]).includes(word)) return { kind: 'start', word };
  if ((HELP_WORDS as readonly string[]).includes(word)) return { kind: 'help', word };
  return null;
}
