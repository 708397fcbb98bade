// CSV import and export of contacts: an RFC 4180 reader (quoted fields with commas, doubled quotes and
// line breaks; comma, semicolon or tab as the separator), column names from our own export, Google,
// Outlook and Korean spreadsheets, and an export that spreadsheets cannot run as formulas.
import { tidyUri, type ContactNumber, type NumberType, type ParsedContact } from './contact-schema';
import { cleanNumber } from './numbers';

/** Picks the separator that the header line (outside quotes) uses most: Excel writes ';' in many locales. */
function detectSeparator(text: string): string {
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0]]);
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && counts.has(c)) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let best = ',';
  for (const [sep, n] of counts) if (n > (counts.get(best) ?? 0)) best = sep;
  return best;
}

/** RFC 4180 §2 rows; a quote inside an unquoted field is kept as text (lenient, as spreadsheets are). */
export function parseCsvRows(input: string, separator?: string): string[][] {
  const text = input.replace(/^\uFEFF/, '');
  const sep = separator ?? detectSeparator(text);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let atFieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 1;
        } else quoted = false;
      } else field += c;
      continue;
    }
    if (c === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
    } else if (c === sep) {
      row.push(field);
      field = '';
      atFieldStart = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      atFieldStart = true;
    } else {
      field += c;
      atFieldStart = false;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

const norm = (h: string) => h.trim().toLowerCase().replace(/\s+/g, ' ');

function headerType(h: string): NumberType {
  if (/mobile|cell|휴대/.test(h)) return 'mobile';
  if (/work|business|office|company|회사|직장/.test(h)) return 'work';
  if (/home|집/.test(h)) return 'home';
  return 'other';
}

function typeWord(word: string): NumberType {
  const w = norm(word);
  return w === '' ? 'other' : headerType(w);
}

const NAME = new Set(['name', 'full name', 'display name', 'fn', 'contact name', '이름', '성명']);
const FIRST = new Set(['first name', 'given name', '이름(名)']);
const MIDDLE = new Set(['middle name', 'additional name']);
const LAST = new Set(['last name', 'family name', 'surname', '성']);
const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 'x', '*', '★', '예']);

interface Columns {
  name: number;
  first: number;
  middle: number;
  last: number;
  sip: number;
  favorite: number;
  watch: number;
  numbers: { index: number; type: NumberType; typeColumn: number }[];
}

function columnsOf(header: readonly string[]): Columns {
  const h = header.map(norm);
  const find = (set: Set<string>) => h.findIndex((x) => set.has(x));
  const cols: Columns = {
    name: find(NAME),
    first: find(FIRST),
    middle: find(MIDDLE),
    last: find(LAST),
    sip: h.findIndex((x) => /\bsip\b|^uri$|sip uri|sip address|impp/.test(x)),
    favorite: h.findIndex((x) => /favou?rite|starred|즐겨찾기/.test(x)),
    watch: h.findIndex((x) => /^(watch|blf|presence)$/.test(x)),
    numbers: [],
  };
  h.forEach((x, index) => {
    if (index === cols.sip || !/phone|mobile|cell|\btel\b|telephone|number|전화|휴대/.test(x) || /type|label/.test(x)) return;
    // Google: "Phone 1 - Value" with its type in "Phone 1 - Type".
    const google = /^(phone \d+) - value$/.exec(x);
    const typeColumn = google ? h.indexOf(`${google[1]} - type`) : -1;
    cols.numbers.push({ index, type: headerType(x), typeColumn });
  });
  return cols;
}

/** Contacts from CSV text whose first row names the columns. */
export function parseContactsCsv(text: string, cap = Number.POSITIVE_INFINITY): { contacts: ParsedContact[]; skipped: number } {
  const [header, ...rows] = parseCsvRows(text);
  if (!header) return { contacts: [], skipped: 0 };
  const cols = columnsOf(header);
  // A leading apostrophe before = + - @ is how our export (and others) defuse formulas: drop it again.
  const at = (row: readonly string[], i: number) => (i >= 0 ? (row[i] ?? '').trim().replace(/^'(?=[=+\-@])/, '') : '');
  const contacts: ParsedContact[] = [];
  let skipped = 0;
  for (const row of rows) {
    if (contacts.length >= cap) {
      skipped += 1;
      continue;
    }
    const name = at(row, cols.name) || [at(row, cols.first), at(row, cols.middle), at(row, cols.last)].filter(Boolean).join(' ');
    const numbers: ContactNumber[] = [];
    for (const col of cols.numbers) {
      const type = col.typeColumn >= 0 ? typeWord(at(row, col.typeColumn)) : col.type;
      // Google joins several values of one cell with " ::: ".
      for (const part of at(row, col.index).split(' ::: ')) {
        const number = cleanNumber(part);
        if (number && numbers.length < 20) numbers.push({ type, number });
      }
    }
    const contact: ParsedContact = { name: name.slice(0, 200), sipUri: tidyUri(at(row, cols.sip)), numbers, favorite: TRUE_WORDS.has(at(row, cols.favorite).toLowerCase()) };
    if (TRUE_WORDS.has(at(row, cols.watch).toLowerCase())) contact.watch = true;
    contacts.push(contact);
  }
  return { contacts, skipped };
}

/**
 * A cell a spreadsheet would run as a formula (= + - @, tab, CR first) gets a leading apostrophe
 * (OWASP "CSV injection"); numbers such as +82 10-1234-5678 are left as they are.
 */
function defuse(value: string): string {
  if (/^[=@\t\r]/.test(value) || (/^[+-]/.test(value) && !/^[+-][0-9 ().:*#+-]*$/.test(value))) return `'${value}`;
  return value;
}

function csvField(value: string): string {
  const v = defuse(value);
  return /[",\r\n]|^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

// Outlook's column names for the numbers, so its import and ours both read them.
export const CSV_HEADER = ['Name', 'SIP URI', 'Mobile Phone', 'Business Phone', 'Home Phone', 'Other Phone', 'Favorite', 'Watch'];

export function serializeContactsCsv(contacts: readonly ParsedContact[]): string {
  const lines = [CSV_HEADER.join(',')];
  for (const c of contacts) {
    const of = (type: NumberType) => c.numbers.filter((n) => n.type === type).map((n) => n.number).join(' ::: ');
    const cells = [c.name, c.sipUri, of('mobile'), of('work'), of('home'), of('other'), c.favorite ? 'yes' : '', c.watch ? 'yes' : ''];
    lines.push(cells.map(csvField).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
