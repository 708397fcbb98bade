// Contacts for the dial field and the history search: which contacts a typed text matches (name, SIP
// address or number), what to dial for a contact, a typed name turned into its address, and which
// contact a call's URI belongs to.
import type { Contact } from './api';

const digitsOf = (text: string) => text.replace(/[^0-9*#]/g, '');

/** The SIP address, else the first number. */
export function contactTarget(c: Contact): string {
  return c.sipUri || c.numbers[0]?.number || '';
}

/** Contacts whose name, SIP address or a number contains the query (case-insensitive; digits ignore separators). */
export function matchContacts(list: readonly Contact[], query: string, limit = Number.POSITIVE_INFINITY): Contact[] {
  const q = query.trim().toLowerCase();
  if (q === '') return list.slice(0, limit);
  const digits = /^[0-9+*#().\- ]+$/.test(q) ? digitsOf(q) : '';
  const out: Contact[] = [];
  for (const c of list) {
    const hit =
      c.name.toLowerCase().includes(q) ||
      c.sipUri.toLowerCase().includes(q) ||
      c.numbers.some((n) => n.number.toLowerCase().includes(q) || (digits !== '' && digitsOf(n.number).includes(digits)));
    if (hit) out.push(c);
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * What to dial for the text in the dial field: a contact's exact name (any case) dials its address or
 * number; anything else is dialled as typed.
 */
export function resolveDialTarget(list: readonly Contact[], text: string): string {
  const t = text.trim();
  const key = t.toLowerCase();
  if (key === '') return t;
  const named = list.filter((c) => c.name.trim().toLowerCase() === key && contactTarget(c) !== '');
  return named.length === 1 && named[0] ? contactTarget(named[0]) : t;
}

/** "sip:Alice@Example.com;transport=udp" -> { user: "Alice", host: "example.com" }. */
function uriParts(uri: string): { user: string; host: string } {
  const bare = uri.trim().replace(/^<|>$/g, '').replace(/^sips?:|^tel:/i, '').split(/[;?>]/)[0] ?? '';
  const at = bare.lastIndexOf('@');
  return at < 0 ? { user: bare, host: '' } : { user: bare.slice(0, at), host: bare.slice(at + 1).toLowerCase().replace(/:\d+$/, '') };
}

/** The contact a call's remote URI belongs to: same SIP user@host, or the user part is one of its numbers. */
export function contactForUri(list: readonly Contact[], uri: string): Contact | null {
  const { user, host } = uriParts(uri);
  if (user === '') return null;
  const digits = /^[0-9+*#().\- ]+$/.test(user) ? digitsOf(user) : '';
  for (const c of list) {
    if (c.sipUri) {
      const p = uriParts(c.sipUri);
      if (p.user === user && p.host === host) return c;
    }
    if (digits !== '' && c.numbers.some((n) => digitsOf(n.number) === digits)) return c;
  }
  return null;
}
