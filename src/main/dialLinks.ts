/**
 * tel: and sip: links opened with the app fill the dialer. Only the number
 * or extension is taken from the link: the app decides the caller ID and
 * authorizes the call as for any other.
 */
export const DIAL_SCHEMES = ['tel', 'sip', 'sips'] as const;

export function dialTargetFromUrl(url: string): string | null {
  const m = /^(tel|sips?):(.*)$/i.exec(url.trim());
  if (!m) return null;
  let rest = m[2] ?? '';
  try {
    rest = decodeURIComponent(rest);
  } catch {
    return null;
  }
  // tel:+1-213-555-0100;ext=1 · sip:105@teamline.local;transport=ws
  const user = rest.replace(/^\/\//, '').split(/[;?@]/)[0] ?? '';
  const dial = user.replace(/[\s().-]/g, '');
  return /^\+?[0-9*#]{2,20}$/.test(dial) ? dial : null;
}

export const dialUrlIn = (argv: readonly string[]) => argv.find((a) => dialTargetFromUrl(a) !== null) ?? null;
