// vCard import/export: folded lines (space and tab), group prefixes, quoted and bare TYPE parameters,
// escapes, Korean names, tel: and sip: values; output folded at 75 octets with Korean kept whole.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { foldLine, parseVcards, serializeVcards } from '../../../src-main/contacts/vcard';
import type { ParsedContact } from '../../../src-main/contacts/contact-schema';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/contacts', name), 'utf8');

describe('parseVcards', () => {
  it('reads a folded vCard 3.0 file with Korean names, groups and escapes', () => {
    const { contacts, skipped } = parseVcards(fixture('folded-v3.vcf'));
    expect(skipped).toBe(0);
    expect(contacts).toEqual([
      {
        name: '김민준',
        sipUri: 'sip:minjun@pbx.example.kr',
        numbers: [
          { type: 'mobile', number: '+82 10-1234-5678' },
          { type: 'work', number: '+82 2 555 0100' },
        ],
        favorite: true,
      },
      { name: 'Dr. Jane Q. Smith', sipUri: 'sip:jane@example.com', numbers: [{ type: 'mobile', number: '555-0199' }], favorite: false },
      { name: "O'Neil, Pat ; Co.", sipUri: '', numbers: [{ type: 'home', number: '(03) 9999 1234' }], favorite: false },
    ]);
  });

  it('reads vCard 4.0 tel: URIs (dropping ;ext), IMPP, a sip: TEL, X-FAVORITE and LF line ends', () => {
    const { contacts } = parseVcards(fixture('contacts-v4.vcf'));
    expect(contacts[0]).toEqual({
      name: '이서연',
      sipUri: 'sip:seoyeon@example.kr',
      numbers: [
        { type: 'mobile', number: '+82-10-9876-5432' },
        { type: 'work', number: '+1-555-0100' },
      ],
      favorite: false,
      watch: true,
    });
    expect(contacts[1]).toEqual({ name: 'Front Desk', sipUri: 'sip:1000@pbx.example.com', numbers: [], favorite: true });
    // The empty card comes back empty; the address book's import counts it as skipped.
    expect(contacts[2]).toEqual({ name: '', sipUri: '', numbers: [], favorite: false });
  });

  it('stops at the cap and counts the rest', () => {
    const card = 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\nEND:VCARD\r\n';
    const r = parseVcards(card.repeat(5), 3);
    expect(r.contacts).toHaveLength(3);
    expect(r.skipped).toBe(2);
  });
});

describe('serializeVcards', () => {
  const people: ParsedContact[] = [
    { name: '김민준, 팀장; 영업부', sipUri: 'sip:minjun@pbx.example.kr', numbers: [{ type: 'mobile', number: '+82 10-1234-5678' }, { type: 'other', number: '1234p56' }], favorite: true },
    { name: 'Watch Me', sipUri: 'sip:w@example.com', numbers: [], favorite: false, watch: true },
  ];

  it('writes vCard 4.0 with tel: URIs and round-trips', () => {
    const text = serializeVcards(people, '4.0');
    expect(text).toContain('VERSION:4.0\r\n');
    expect(text).toContain('FN:김민준\\, 팀장\\; 영업부\r\n');
    expect(text).toContain('TEL;VALUE=uri;TYPE=cell:tel:+82-10-1234-5678\r\n');
    expect(text).toContain('TEL;TYPE=voice:1234p56\r\n');
    expect(text).toContain('IMPP:sip:minjun@pbx.example.kr\r\n');
    expect(text).toContain('CATEGORIES:favorite\r\n');
    const back = parseVcards(text).contacts;
    expect(back[0]).toEqual({ ...people[0], numbers: [{ type: 'mobile', number: '+82-10-1234-5678' }, { type: 'other', number: '1234p56' }] });
    expect(back[1]).toEqual(people[1]);
  });

  it('writes vCard 3.0 with N and TYPE=CELL and round-trips exactly', () => {
    const text = serializeVcards(people, '3.0');
    expect(text).toContain('VERSION:3.0\r\n');
    expect(text).toContain('N:;김민준\\, 팀장\\; 영업부;;;\r\n');
    expect(text).toContain('TEL;TYPE=CELL:+82 10-1234-5678\r\n');
    expect(parseVcards(text).contacts).toEqual(people);
  });

  it('folds long lines at 75 octets without splitting a Korean character', () => {
    const name = '가나다라마바사아자차카타파하'.repeat(4);
    const text = serializeVcards([{ name, sipUri: '', numbers: [], favorite: false }], '4.0');
    const lines = text.split('\r\n');
    expect(lines.length).toBeGreaterThan(6);
    for (const line of lines) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    // Each piece is valid UTF-8 on its own: no character was cut.
    for (const line of lines) expect(Buffer.from(Buffer.from(line, 'utf8').toString('utf8'), 'utf8').equals(Buffer.from(line, 'utf8'))).toBe(true);
    expect(parseVcards(text).contacts[0]?.name).toBe(name);
  });

  it('foldLine leaves a 75-octet line alone and breaks a 76-octet one', () => {
    expect(foldLine('a'.repeat(75))).toBe('a'.repeat(75));
    expect(foldLine('a'.repeat(76))).toBe(`${'a'.repeat(75)}\r\n a`);
  });
});
