import { describe, expect, it } from 'vitest';
import { firstAssignee } from '../../src/main/core/store/repos/sms';
import { isGsm7, segmentSms, smsKeyword } from '../../src/shared/sms';

describe('SMS segments (GSM 03.38 / 3GPP 23.040)', () => {
  it('fits 160 GSM-7 characters in one message, and takes 153 per part beyond', () => {
    expect(segmentSms('a'.repeat(160)).parts).toEqual(['a'.repeat(160)]);
    const two = segmentSms('a'.repeat(161));
    expect(two.encoding).toBe('gsm7');
    expect(two.parts.map((p) => p.length)).toEqual([153, 8]);
    expect(segmentSms('a'.repeat(306)).parts).toHaveLength(2);
    expect(segmentSms('a'.repeat(307)).parts).toHaveLength(3);
  });

  it('counts an extension character as two and never cuts it between parts', () => {
    expect(segmentSms('€'.repeat(80)).parts).toHaveLength(1);
    expect(segmentSms('€'.repeat(81)).parts).toHaveLength(2);
    // 152 places, then "[" (two) does not fit in the first part's 153.
    const parts = segmentSms(`${'a'.repeat(152)}[${'b'.repeat(20)}`).parts;
    expect(parts[0]).toBe('a'.repeat(152));
    expect(parts[1]!.startsWith('[')).toBe(true);
    expect(parts.join('')).toBe(`${'a'.repeat(152)}[${'b'.repeat(20)}`);
  });

  it('falls back to UCS-2 for any other character: 70 in one, 67 per part, an emoji never split', () => {
    expect(isGsm7('Grüße à Zoë')).toBe(false); // "ß" and "ü" are GSM, "ë" is not
    expect(segmentSms('ё'.repeat(70)).parts).toHaveLength(1);
    const two = segmentSms('ё'.repeat(71));
    expect(two.encoding).toBe('ucs2');
    expect(two.parts.map((p) => p.length)).toEqual([67, 4]);
    // An emoji is two UTF-16 units: 66 + 😀 would be 68.
    const emoji = segmentSms(`${'x'.repeat(66)}😀${'y'.repeat(10)}`).parts;
    expect(emoji[0]).toBe('x'.repeat(66));
    expect(emoji[1]!.startsWith('😀')).toBe(true);
  });

  it('is one empty part for an empty text', () => {
    expect(segmentSms('').parts).toEqual(['']);
  });
});

describe('SMS keywords', () => {
  it('knows the opt-out, opt-in and help words, alone in a message, in any case', () => {
    for (const w of ['STOP', 'stop', ' Stop. ', 'STOPALL', 'unsubscribe', 'Cancel', 'END', 'quit!'])
      expect(smsKeyword(w)?.kind, w).toBe('stop');
    for (const w of ['START', 'unstop']) expect(smsKeyword(w)?.kind, w).toBe('start');
    expect(smsKeyword('help')?.kind).toBe('help');
    for (const w of ['Please stop calling me', 'stopped', 'the end?', 'YES']) expect(smsKeyword(w), w).toBeNull();
  });
});

describe('who a new inbound conversation is assigned to', () => {
  it('is the first group or user step a caller meets: a menu’s options in order, open hours before closed', () => {
    expect(
      firstAssignee([
        { kind: 'greeting', text: 'Hi' },
        {
          kind: 'menu',
          text: 'Press',
          branches: [
            { key: '1', steps: [{ kind: 'ring_group', groupId: 7 }] },
            { key: '0', steps: [{ kind: 'ring_user', userId: 3 }] },
          ],
        },
      ]),
    ).toEqual({ userId: null, groupId: 7 });
    expect(
      firstAssignee([
        {
          kind: 'hours',
          timezone: 'UTC',
          open: [],
          branches: [{ key: 'closed', steps: [{ kind: 'ring_group', groupId: 9 }] }],
        },
        { kind: 'ring_user', userId: 4 },
      ]),
    ).toEqual({ userId: 4, groupId: null });
    expect(firstAssignee([{ kind: 'voicemail', text: '' }])).toBeNull();
  });
});
