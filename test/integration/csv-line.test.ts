import { describe, expect, it } from 'vitest';
import { callExportColumns, callLine, callRawLine, cell, cellMemo, isoTime } from '../../src/main/core/export/csv';
import type { CallAnnotations } from '../../src/shared/api/callReview';
import type { CallRow } from '../../src/shared/api/entities';

/**
 * The calls export writes each row with callLine, a hand-unrolled version of
 * its column list (for speed); it must be byte for byte what the column list
 * gives, for plain rows, empty ones and hostile text in every field.
 */
const generic = (c: CallRow, a: CallAnnotations) =>
  `${callExportColumns.map(([, get]) => cell(get(c, a))).join(',')}\r\n`;

const texts = [
  null,
  '',
  'Plain Name',
  '+12135550100',
  "Acme;=cmd|' /C calc'!A0",
  'say "hi"',
  '\t=1+1',
  'Zoë, Ärger',
  '-2',
];

function row(i: number): [CallRow, CallAnnotations] {
  const t = (k: number) => texts[(i + k) % texts.length] ?? null;
  const s = (k: number) => t(k) ?? 'x';
  const startedAt = Date.UTC(2026, 0, 1) + i * 7_777_777;
  const call = {
    id: 1000 + i,
    direction: (['inbound', 'outbound', 'internal'] as const)[i % 3],
    result: (['answered', 'missed', 'voicemail'] as const)[i % 3],
    bnId: i % 2 ? null : 3,
    bnE164: t(1),
    externalNumber: t(2),
    contactName: t(3),
    startedAt,
    answeredAt: i % 4 ? startedAt + (i % 7) * 1500 : null,
    endedAt: i % 5 ? startedAt + 90_000 + i : null,
    callFlowId: null,
    callFlowName: t(4),
    groupId: null,
    groupName: t(5),
    hasVoicemail: i % 2 === 0,
    participants: Array.from({ length: i % 3 }, (_, k) => ({
      userId: k + 1,
      role: 'answered' as const,
      name: s(6 + k),
      extension: `10${k}`,
    })),
  } as unknown as CallRow;
  const annotations = {
    tags: Array.from({ length: i % 4 }, (_, k) => ({ id: k, name: s(k) })),
    notes: Array.from({ length: i % 3 }, (_, k) => ({
      id: k,
      authorName: s(k + 2),
      createdAt: startedAt + k,
      body: s(k + 4),
    })),
  } as unknown as CallAnnotations;
  return [call, annotations];
}

describe('callLine', () => {
  it('is exactly the export’s column list joined as CSV', () => {
    for (let i = 0; i < 200; i++) {
      const [c, a] = row(i);
      expect(callLine(c, a), `row ${i}`).toBe(generic(c, a));
    }
  });

  it('is what callRawLine writes from the export statement’s row', () => {
    const memo = cellMemo(5);
    for (let i = 0; i < 200; i++) {
      const [c, a] = row(i);
      const team = c.participants.map((p) => `${p.name} (${p.extension}, ${p.role})`).join('; ');
      const raw = [
        c.startedAt,
        c.direction,
        c.result,
        c.bnE164,
        c.externalNumber,
        c.contactName,
        c.callFlowName,
        c.groupName,
        c.participants.length ? team : null,
        c.answeredAt,
        c.endedAt,
        c.hasVoicemail ? 1 : 0,
        c.id,
      ];
      const tags = a.tags.map((t) => t.name).join('; ');
      const notes = a.notes
        .map((n) => `${n.authorName} (${new Date(n.createdAt).toISOString()}): ${n.body}`)
        .join('\n');
      expect(callRawLine(raw, tags, notes), `row ${i}`).toBe(callLine(c, a));
      expect(callRawLine(raw, tags, notes, memo), `row ${i}, cells remembered`).toBe(callLine(c, a));
    }
  });

  it('writes times as toISOString does', () => {
    const times = [
      0,
      1,
      999,
      1000,
      86_399_999,
      86_400_000,
      Date.UTC(2026, 1, 28, 23, 59, 59, 999),
      Date.UTC(2028, 1, 29, 12),
    ];
    for (let i = 0; i < 2000; i++) times.push(Math.floor(Math.random() * 4_102_444_800_000));
    times.push(-1, 253_402_300_800_000, 1.5);
    for (const t of times) expect(isoTime(t), String(t)).toBe(new Date(t).toISOString());
  });
});
