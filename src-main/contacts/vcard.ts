// vCard 3.0 (RFC 2426) and 4.0 (RFC 6350) import and export of contacts: unfolding, parameters, text
// escapes, TEL/IMPP/FN/N/CATEGORIES; output folded at 75 octets without splitting a UTF-8 character.
import { tidyUri, type ContactNumber, type NumberType, type ParsedContact } from './contact-schema';
import { cleanNumber } from './numbers';

export type VcardVersion = '3.0' | '4.0';

interface Property {
  name: string;
  params: Map<string, string[]>;
  value: string;
}

/** Index of the first `ch` outside double quotes (parameter values may be quoted, RFC 6350 §3.3). */
function indexOutsideQuotes(text: string, ch: string, from = 0): number {
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (c === ch && !quoted) return i;
  }
  return -1;
}

function splitOutsideQuotes(text: string, ch: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const i = indexOutsideQuotes(text, ch, start);
    if (i < 0) break;
    out.push(text.slice(start, i));
    start = i + 1;
  }
  out.push(text.slice(start));
  return out;
}

const unquote = (s: string) => (s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s);

function parseProperty(line: string): Property | null {
  const colon = indexOutsideQuotes(line, ':');
  if (colon <= 0) return null;
  const [rawName = '', ...rawParams] = splitOutsideQuotes(line.slice(0, colon), ';');
  // "item1.TEL": the group prefix (RFC 6350 §3.3) carries no meaning for us.
  const name = rawName.slice(rawName.lastIndexOf('.') + 1).trim().toUpperCase();
  const params = new Map<string, string[]>();
  for (const p of rawParams) {
    const eq = p.indexOf('=');
    // vCard 2.1 writes bare types ("TEL;CELL:"): treat them as TYPE values.
    const key = eq < 0 ? 'TYPE' : p.slice(0, eq).trim().toUpperCase();
    // TYPE="cell,voice" (RFC 6350 §5.6) is a list too, quoted or not.
    const values = eq < 0 ? [p] : splitOutsideQuotes(p.slice(eq + 1), ',').flatMap((v) => unquote(v).split(','));
    params.set(key, [...(params.get(key) ?? []), ...values.map((v) => v.trim().toLowerCase())]);
  }
  return { name, params, value: line.slice(colon + 1) };
}

/** RFC 6350 §3.4: \\ \, \; \n (\N) in text values. */
function unescapeText(value: string): string {
  return value.replace(/\\([\\,;nN])/g, (_m, c: string) => (c === 'n' || c === 'N' ? ' ' : c));
}

/** Splits a structured value (N) at unescaped semicolons. */
function splitStructured(value: string): string[] {
  return value.split(/(?<!\\);/).map(unescapeText);
}

function numberType(types: readonly string[]): NumberType {
  if (types.includes('cell') || types.includes('mobile')) return 'mobile';
  if (types.includes('work')) return 'work';
  if (types.includes('home')) return 'home';
  return 'other';
}

const TRUE_WORDS = new Set(['true', 'yes', '1']);
const FAVOURITE_WORDS = new Set(['favorite', 'favorites', 'favourite', 'favourites', 'starred']);

function contactFrom(props: readonly Property[]): ParsedContact {
  let fn = '';
  let structured = '';
  let sipUri = '';
  let favorite = false;
  let watch = false;
  const numbers: ContactNumber[] = [];
  for (const p of props) {
    const types = p.params.get('TYPE') ?? [];
    if (p.name === 'FN' && fn === '') fn = unescapeText(p.value).trim();
    else if (p.name === 'N' && structured === '') {
      const [family = '', given = '', middle = '', prefix = '', suffix = ''] = splitStructured(p.value);
      structured = [prefix, given, middle, family, suffix].map((s) => s.trim()).filter(Boolean).join(' ');
    } else if (p.name === 'TEL') {
      const value = unescapeText(p.value).trim();
      if (/^sips?:/i.test(value)) {
        if (sipUri === '') sipUri = tidyUri(value);
        continue;
      }
      const number = cleanNumber(value.replace(/^tel:/i, '').replace(/;.*$/, ''));
      if (number && numbers.length < 20) numbers.push({ type: numberType(types), number });
    } else if ((p.name === 'IMPP' || p.name === 'X-SIP' || p.name === 'X-SIP-URI') && sipUri === '') {
      const value = tidyUri(unescapeText(p.value));
      if (/^sips?:/i.test(value)) sipUri = value;
    } else if (p.name === 'CATEGORIES') {
      if (p.value.split(/(?<!\\),/).some((c) => FAVOURITE_WORDS.has(unescapeText(c).trim().toLowerCase()))) favorite = true;
    } else if (p.name === 'X-FAVORITE' || p.name === 'X-SOFTPHONE-FAVORITE') {
      if (TRUE_WORDS.has(p.value.trim().toLowerCase())) favorite = true;
    } else if (p.name === 'X-SOFTPHONE-WATCH') {
      if (TRUE_WORDS.has(p.value.trim().toLowerCase())) watch = true;
    }
  }
  const contact: ParsedContact = { name: (fn || structured).slice(0, 200), sipUri, numbers, favorite };
  if (watch) contact.watch = true;
  return contact;
}

/** Every BEGIN:VCARD … END:VCARD in the text (several per file); text outside cards is ignored. */
export function parseVcards(text: string, cap = Number.POSITIVE_INFINITY): { contacts: ParsedContact[]; skipped: number } {
  // RFC 6350 §3.2: a line break followed by one space or tab is a fold. LF-only files are common.
  const unfolded = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').replace(/\n[ \t]/g, '');
  const contacts: ParsedContact[] = [];
  let skipped = 0;
  let current: Property[] | null = null;
  for (const raw of unfolded.split('\n')) {
    const line = raw.trimEnd();
    if (line === '') continue;
    const upper = line.toUpperCase();
    if (upper === 'BEGIN:VCARD') {
      current = [];
      continue;
    }
    if (upper === 'END:VCARD') {
      if (current) {
        if (contacts.length < cap) contacts.push(contactFrom(current));
        else skipped += 1;
      }
      current = null;
      continue;
    }
    if (!current || current.length >= 500) continue;
    const prop = parseProperty(line);
    if (prop) current.push(prop);
  }
  return { contacts, skipped };
}

/** RFC 6350 §3.4 text escaping. */
function escapeText(value: string): string {
  return value.replace(/[\\,;]/g, (c) => `\\${c}`).replace(/\r?\n/g, '\\n');
}

/** Octets of one code point in UTF-8. */
function utf8Length(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/**
 * RFC 6350 §3.2: lines SHOULD NOT exceed 75 octets; a continuation starts with one space, and a
 * multi-octet character stays whole.
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  let limit = 75;
  for (const ch of line) {
    const size = utf8Length(ch);
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
      limit = 74; // the leading space of the continuation counts
    }
    current += ch;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

const V4_TYPES: Record<NumberType, string> = { mobile: 'cell', work: 'work', home: 'home', other: 'voice' };

function telLine(n: ContactNumber, version: VcardVersion): string {
  const type = V4_TYPES[n.type];
  if (version === '3.0') return `TEL;TYPE=${type.toUpperCase()}:${escapeText(n.number)}`;
  // RFC 6350 §6.4.1: TEL SHOULD be a tel: URI (RFC 3966 allows - . ( ) as visual separators, no spaces).
  const uri = n.number.replace(/ /g, '-');
  if (/^[0-9+*#().-]+$/.test(uri)) return `TEL;VALUE=uri;TYPE=${type}:tel:${uri}`;
  return `TEL;TYPE=${type}:${escapeText(n.number)}`;
}

export function serializeVcards(contacts: readonly ParsedContact[], version: VcardVersion = '4.0'): string {
  const lines: string[] = [];
  for (const c of contacts) {
    lines.push('BEGIN:VCARD', `VERSION:${version}`, `FN:${escapeText(c.name)}`);
    // vCard 3.0 requires N (RFC 2426 §3.1.2); the whole name goes in as the given name.
    if (version === '3.0') lines.push(`N:;${escapeText(c.name)};;;`);
    for (const n of c.numbers) lines.push(telLine(n, version));
    if (c.sipUri) lines.push(`IMPP:${c.sipUri}`);
    if (c.favorite) lines.push('CATEGORIES:favorite');
    if (c.watch) lines.push('X-SOFTPHONE-WATCH:TRUE');
    lines.push('END:VCARD');
  }
  return lines.map(foldLine).join('\r\n') + (lines.length ? '\r\n' : '');
}
