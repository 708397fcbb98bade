// The address book's pure operations: save (new or replace), delete, merge an import without
// duplicates, export in a format; sorted favourites first, then by name in the user's collation.
import { CONTACTS_CAP, contactKey, validParsed, type Contact, type ContactFormat, type ContactInput, type ParsedContact } from './contact-schema';
import { parseContactsCsv, serializeContactsCsv } from './csv';
import { parseVcards, serializeVcards, type VcardVersion } from './vcard';

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

export function sortContacts(list: readonly Contact[]): Contact[] {
  return [...list].sort((a, b) => Number(b.favorite) - Number(a.favorite) || collator.compare(a.name || a.sipUri, b.name || b.sipUri));
}

/** Replaces the contact with input.id, or adds a new one with a fresh id. */
export function saveContact(list: readonly Contact[], input: ContactInput, newId: () => string): { list: Contact[]; contact: Contact } | { error: string } {
  const { id, ...fields } = input;
  if (id !== undefined) {
    if (!list.some((c) => c.id === id)) return { error: `no contact ${id.slice(0, 40)}` };
    const contact: Contact = { id, ...fields };
    return { list: sortContacts(list.map((c) => (c.id === id ? contact : c))), contact };
  }
  if (list.length >= CONTACTS_CAP) return { error: `the address book is full (${CONTACTS_CAP} contacts)` };
  const contact: Contact = { id: newId(), ...fields };
  return { list: sortContacts([...list, contact]), contact };
}

export function deleteContact(list: readonly Contact[], id: string): Contact[] | null {
  const next = list.filter((c) => c.id !== id);
  return next.length === list.length ? null : next;
}

export interface ImportResult {
  list: Contact[];
  added: number;
  /** Already in the book (same name, SIP URI and numbers). */
  duplicates: number;
  /** Cards or rows that were unusable, or beyond the cap. */
  skipped: number;
}

export function parseContacts(text: string, format: ContactFormat, cap: number): { contacts: ParsedContact[]; skipped: number } {
  return format === 'csv' ? parseContactsCsv(text, cap) : parseVcards(text, cap);
}

export function importContacts(list: readonly Contact[], text: string, format: ContactFormat, newId: () => string): ImportResult {
  const room = Math.max(0, CONTACTS_CAP - list.length);
  // Parse a little past the room so duplicates do not eat into it; the rest count as skipped.
  const parsed = parseContacts(text, format, CONTACTS_CAP);
  const valid = validParsed(parsed.contacts);
  const next = [...list];
  // A set of keys, not pairwise comparison: 2000 cards against 2000 contacts stays linear.
  const seen = new Set(list.map(contactKey));
  let added = 0;
  let duplicates = 0;
  let skipped = parsed.skipped + valid.skipped;
  for (const c of valid.contacts) {
    const key = contactKey(c);
    if (seen.has(key)) duplicates += 1;
    else if (added >= room) skipped += 1;
    else {
      seen.add(key);
      next.push({ id: newId(), ...c });
      added += 1;
    }
  }
  return { list: sortContacts(next), added, duplicates, skipped };
}

export function exportContacts(list: readonly Contact[], format: ContactFormat, version: VcardVersion = '4.0'): string {
  const plain = list.map(({ id: _id, ...rest }) => rest);
  return format === 'csv' ? serializeContactsCsv(plain) : serializeVcards(plain, version);
}
