// contacts.json: versioned layout and validation. Any invalid entry makes the whole file suspect, so
// the store keeps it aside (never trims it and overwrites the rest).
import { z } from 'zod';
import { CONTACTS_CAP, contactSchema, type Contact } from './contact-schema';

export const CONTACTS_VERSION = 1;

const contactsFileSchema = z.object({
  version: z.literal(CONTACTS_VERSION),
  contacts: z.array(contactSchema).max(CONTACTS_CAP),
});

export type ContactsDecode = { ok: true; contacts: Contact[] } | { ok: false; reason: string };

export function decodeContacts(text: string): ContactsDecode {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not valid JSON (${(err as Error).message.slice(0, 100)})` };
  }
  if (typeof raw === 'object' && raw !== null && 'version' in raw && typeof raw.version === 'number' && raw.version > CONTACTS_VERSION) {
    return { ok: false, reason: `written by a newer version of the app (contacts version ${raw.version})` };
  }
  const parsed = contactsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, reason: first ? `${first.path.join('.') || 'file'}: ${first.message}` : 'invalid contacts' };
  }
  const ids = new Set<string>();
  for (const c of parsed.data.contacts) {
    if (ids.has(c.id)) return { ok: false, reason: `contacts: id ${c.id.slice(0, 40)} appears twice` };
    ids.add(c.id);
  }
  return { ok: true, contacts: parsed.data.contacts };
}

export function encodeContacts(contacts: readonly Contact[]): string {
  return JSON.stringify({ version: CONTACTS_VERSION, contacts }, null, 1) + '\n';
}
