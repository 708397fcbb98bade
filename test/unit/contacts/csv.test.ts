// CSV import/export: RFC 4180 quoting (commas, doubled quotes, line breaks in a field), a BOM, Google's
// "Phone 1 - Type/Value" columns and " ::: " lists, ';'-separated Excel files, Korean names, and an
// export that round-trips and cannot run as a spreadsheet formula.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseContactsCsv, parseCsvRows, serializeContactsCsv } from '../../../src-main/contacts/csv';
import type { ParsedContact } from '../../../src-main/contacts/contact-schema';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/contacts', name), 'utf8');

describe('parseCsvRows', () => {
  it('keeps separators, doubled quotes and line breaks inside quoted fields', () => {
    expect(parseCsvRows('a,"b, c","say ""hi""","two\r\nlines"\r\n1,2,3,4')).toEqual([
      ['a', 'b, c', 'say "hi"', 'two\r\nlines'],
      ['1', '2', '3', '4'],
    ]);
  });

  it('picks ; or tab when the header uses it, and drops blank rows', () => {
    expect(parseCsvRows('x;y\n1;"2;3"\n\n;\n')).toEqual([
      ['x', 'y'],
      ['1', '2;3'],
    ]);
    expect(parseCsvRows('x\ty\n1\t2')).toEqual([
      ['x', 'y'],
      ['1', '2'],
    ]);
  });
});

describe('parseContactsCsv', () => {
  it('reads a Google export: names from parts, typed phones, " ::: " lists, Starred, a quoted note with a line break', () => {
    const { contacts } = parseContactsCsv(fixture('google.csv'));
    expect(contacts).toEqual([
      {
        name: 'Dave Kim',
        sipUri: '',
        numbers: [
          { type: 'mobile', number: '+82 10 2222 3333' },
          { type: 'mobile', number: '+82 10 4444 5555' },
          { type: 'work', number: '02-555-0101' },
        ],
        favorite: true,
      },
      { name: '민지 박', sipUri: '', numbers: [{ type: 'home', number: '031-777-8888' }], favorite: false },
      { name: 'Lee, Soo', sipUri: '', numbers: [], favorite: false },
    ]);
  });

  it('reads a ;-separated file with SIP addresses and Korean names', () => {
    const { contacts } = parseContactsCsv(fixture('outlook-semicolon.csv'));
    expect(contacts).toEqual([
      { name: 'Support; 24/7', sipUri: 'sip:support@help.example.com', numbers: [{ type: 'work', number: '+1 (800) 555-0000' }], favorite: false },
      { name: '홍길동', sipUri: 'sip:gildong@example.kr', numbers: [{ type: 'mobile', number: '010-1111-2222' }], favorite: true },
    ]);
  });
});

describe('serializeContactsCsv', () => {
  const people: ParsedContact[] = [
    { name: 'Kim, "MJ"\n(sales)', sipUri: 'sip:mj@example.kr', numbers: [{ type: 'mobile', number: '+82 10-1' }, { type: 'mobile', number: '+82 10-2' }, { type: 'home', number: '02 123' }], favorite: true, watch: true },
    { name: '=HYPERLINK("http://evil")', sipUri: '', numbers: [{ type: 'work', number: '-5' }], favorite: false },
  ];

  it('quotes what needs it and round-trips', () => {
    const text = serializeContactsCsv(people);
    expect(text.split('\r\n')[0]).toBe('Name,SIP URI,Mobile Phone,Business Phone,Home Phone,Other Phone,Favorite,Watch');
    expect(text).toContain('"Kim, ""MJ""\n(sales)",sip:mj@example.kr,+82 10-1 ::: +82 10-2,,02 123,,yes,yes\r\n');
    expect(parseContactsCsv(text).contacts[0]).toEqual(people[0]);
  });

  it('defuses formulas but leaves phone numbers alone', () => {
    const text = serializeContactsCsv(people);
    expect(text).toContain(`"'=HYPERLINK(""http://evil"")",,,-5,`);
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m);
    expect(parseContactsCsv(text).contacts[1]).toEqual(people[1]);
  });
});
