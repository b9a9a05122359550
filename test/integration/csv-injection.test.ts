import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cell } from '../../src/main/core/export/csv';
import { makeCore, type TestCore } from '../helpers/core';
import { parseCsv } from '../helpers/csv';
import { exportCsv } from '../helpers/exportCsv';

/** What a spreadsheet would evaluate: a field starting (after blanks) with one of = + - @, unless it is a plain number. */
const isFormula = (field: string) => /^\s*[=+\-@\t\r]/.test(field) && !/^[+-]?\d+(\.\d+)?$/.test(field);

const hostile = [
  "Acme;=cmd|' /C calc'!A0",
  "Acme,=cmd|' /C calc'!A0",
  '=HYPERLINK("http://x","y")',
  '+cmd|x',
  '-2+3+cmd|x',
  '@SUM(A1:A2)',
  '\t=1+1',
  '\r=1+1',
  '  =1+1',
  'a;+b;-c;@d',
  'a\t=b',
  'say "hi"; =1',
];

describe('CSV cells', () => {
  it('are every one quoted, and keep their text', () => {
    expect(cell('plain')).toBe('"plain"');
    expect(cell(42)).toBe('"42"');
    expect(cell(null)).toBe('""');
    expect(cell('+12136472453')).toBe('"+12136472453"');
    expect(cell('say "hi"')).toBe('"say ""hi"""');
  });

  for (const sep of [',', ';', '\t'] as const) {
    it(`never start a formula in a spreadsheet that splits on ${JSON.stringify(sep)}, quotes honoured or not`, () => {
      for (const value of hostile) {
        const line = [cell('x'), cell(value), cell('y')].join(',') + '\r\n';
        const quoteAware = parseCsv(line, sep).flat();
        expect(quoteAware.filter(isFormula), `${value} read on ${sep}`).toEqual([]);
        // A reader that ignores quotes sees each separated piece on its own.
        const naive = line
          .replace(/\r\n$/, '')
          .split(sep)
          .map((f) => f.replace(/^"+|"+$/g, ''));
        expect(naive.filter(isFormula), `${value} split naively on ${sep}`).toEqual([]);
      }
    });
  }
});

let tc: TestCore;
beforeAll(() => {
  tc = makeCore({ days: 3, callsPerDay: 20 });
});
afterAll(() => tc.close());

describe('calls export of a hostile contact name', () => {
  it('keeps the name text in one cell whether the spreadsheet splits on , or ;', async () => {
    const morgan = await tc.as('morgan');
    const [call] = (await morgan.ok('calls.list', { limit: 1, direction: 'inbound' })).items;
    expect(call).toBeDefined();
    const name = "Acme;=cmd|' /C calc'!A0";
    await morgan.ok('contacts.create', { name, phone: call!.externalNumber! });
    const { csv } = await exportCsv(morgan, 'calls', {});
    for (const sep of [',', ';'] as const) {
      const rows = parseCsv(csv, sep);
      expect(rows.flat().filter(isFormula)).toEqual([]);
    }
    const rows = parseCsv(csv, ',');
    const header = rows[0]!;
    const contact = header.indexOf('Contact');
    const byId = rows.find((r) => r.at(-1) === String(call!.id))!;
    expect(byId[contact]).toBe(`Acme;'=cmd|' /C calc'!A0`);
  });
});
