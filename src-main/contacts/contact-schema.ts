// The address book's record (name, SIP URI, phone numbers, favourite, watched for presence/BLF) as the
// contract, contacts.json and the import parsers share it; validated with zod wherever it enters.
import { z } from 'zod';

export const CONTACTS_CAP = 2000;
export const NUMBER_TYPES = ['mobile', 'work', 'home', 'other'] as const;
export type NumberType = (typeof NUMBER_TYPES)[number];

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

const line = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !hasControlCharacter(s), 'no control characters');

/** sip:/sips: URI (RFC 3261 §19.1) without spaces or angle brackets; '' = none. */
export const contactUriSchema = z
  .string()
  .max(500)
  .regex(/^$|^sips?:[^\s<>"]+$/i, 'a SIP address starts with sip: (sip:alice@example.com)');

/** A dialable number: digits with the usual separators, + * # and pause characters. */
export const phoneNumberSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[0-9+*#().\- /pwPW]+$/, 'a number has digits, +, *, #, spaces, dots, dashes or brackets');

export const contactNumberSchema = z.object({ type: z.enum(NUMBER_TYPES), number: phoneNumberSchema });
export type ContactNumber = z.infer<typeof contactNumberSchema>;

const contactFields = {
  name: line(200),
  sipUri: contactUriSchema,
  numbers: z.array(contactNumberSchema).max(20),
  favorite: z.boolean(),
  /** Subscribe to its presence and dialog state (BLF, RFC 3856 / RFC 4235); absent = no. */
  watch: z.boolean().optional(),
  /**
   * Issue 11 (several accounts): the account whose user agent subscribes to it; absent = the running
   * account whose domain is the SIP address's host, else the default account (presence-accounts.ts).
   */
  watchAccount: z.string().min(1).max(100).optional(),
};

const hasSomething = (c: { name: string; sipUri: string; numbers: unknown[] }) => c.name.trim() !== '' || c.sipUri !== '' || c.numbers.length > 0;
const NOTHING = 'a contact needs a name, a SIP address or a number';

export const contactSchema = z.object({ id: z.string().min(1).max(100), ...contactFields }).refine(hasSomething, NOTHING);
export type Contact = z.infer<typeof contactSchema>;

/** contacts.save: without an id it is a new contact, with one it replaces that contact. */
export const contactInputSchema = z
  .object({ id: z.string().min(1).max(100).optional(), ...contactFields })
  .refine(hasSomething, NOTHING);
export type ContactInput = z.infer<typeof contactInputSchema>;

export const CONTACT_FORMATS = ['vcard', 'csv'] as const;
export type ContactFormat = (typeof CONTACT_FORMATS)[number];

/** A contact as a parser found it, before it gets an id (its fields may still fail the schema). */
export type ParsedContact = Omit<Contact, 'id'>;

/** Equal keys = the same person twice: same name (case-insensitive), same SIP URI and same numbers. */
export function contactKey(c: ParsedContact): string {
  const digits = c.numbers.map((x) => x.number.replace(/[^0-9+*#]/g, '')).sort().join(',');
  return `${c.name.trim().toLowerCase()}\u0000${c.sipUri.toLowerCase()}\u0000${digits}`;
}

/** Keeps the parsed contacts the schema accepts; the others are counted as skipped. */
export function validParsed(list: readonly ParsedContact[]): { contacts: ParsedContact[]; skipped: number } {
  const contacts: ParsedContact[] = [];
  let skipped = 0;
  for (const c of list) {
    const r = contactSchema.safeParse({ id: 'x', ...c });
    if (r.success) {
      const { id: _id, ...rest } = r.data;
      contacts.push(rest);
    } else skipped += 1;
  }
  return { contacts, skipped };
}

/** Trims what people type around numbers and URIs; a bare user@host becomes sip:user@host. */
export function tidyUri(text: string): string {
  const t = text.trim().replace(/^<(.*)>$/, '$1');
  if (t === '') return '';
  if (/^sips?:/i.test(t)) return t.replace(/^sip(s?):/i, (_m, s: string) => `sip${s.toLowerCase()}:`);
  if (/^[^\s@:<>"]+@[^\s@:<>"]+$/.test(t)) return `sip:${t}`;
  return t;
}
