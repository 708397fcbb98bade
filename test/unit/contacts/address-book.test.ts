// The address book's operations: save new / replace / unknown id, delete, import that skips duplicates
// and unusable cards, sort favourites first, and the contacts.json decoder that refuses a bad file.
import { describe, expect, it } from 'vitest';
import { deleteContact, exportContacts, importContacts, saveContact } from '../../../src-main/contacts/address-book';
import { contactInputSchema, type Contact } from '../../../src-main/contacts/contact-schema';
import { decodeContacts, encodeContacts } from '../../../src-main/contacts/contacts-file';

let n = 0;
const newId = () => `id${++n}`;
const alice: Contact = { id: 'a', name: 'Alice', sipUri: 'sip:alice@example.com', numbers: [], favorite: false };
const bob: Contact = { id: 'b', name: 'bob', sipUri: '', numbers: [{ type: 'work', number: '2001' }], favorite: true };

describe('address book', () => {
  it('adds with a new id, replaces by id, refuses an unknown id; favourites sort first', () => {
    const added = saveContact([alice], { name: 'Zed', sipUri: '', numbers: [{ type: 'mobile', number: '1' }], favorite: true }, () => 'z');
    if ('error' in added) throw new Error(added.error);
    expect(added.list.map((c) => c.id)).toEqual(['z', 'a']);
    const replaced = saveContact(added.list, { id: 'a', name: 'Alice B', sipUri: 'sip:ab@example.com', numbers: [], favorite: false }, newId);
    if ('error' in replaced) throw new Error(replaced.error);
    expect(replaced.list.find((c) => c.id === 'a')?.name).toBe('Alice B');
    expect(saveContact([alice], { id: 'nope', name: 'x', sipUri: '', numbers: [], favorite: false }, newId)).toEqual({ error: 'no contact nope' });
  });

  it('deletes by id; an unknown id changes nothing', () => {
    expect(deleteContact([alice, bob], 'a')).toEqual([bob]);
    expect(deleteContact([alice], 'zzz')).toBeNull();
  });

  it('the schema refuses an empty contact, a non-SIP URI and letters in a number', () => {
    expect(contactInputSchema.safeParse({ name: ' ', sipUri: '', numbers: [], favorite: false }).success).toBe(false);
    expect(contactInputSchema.safeParse({ name: 'x', sipUri: 'http://x', numbers: [], favorite: false }).success).toBe(false);
    expect(contactInputSchema.safeParse({ name: 'x', sipUri: '', numbers: [{ type: 'work', number: '12ab' }], favorite: false }).success).toBe(false);
    expect(contactInputSchema.safeParse({ name: 'x\u0007', sipUri: '', numbers: [], favorite: false }).success).toBe(false);
  });

  it('imports, counting duplicates of existing contacts and empty cards', () => {
    const vcf = exportContacts([alice, bob], 'vcard') + 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:New One\r\nEND:VCARD\r\nBEGIN:VCARD\r\nEND:VCARD\r\n';
    const r = importContacts([alice, bob], vcf, 'vcard', newId);
    expect(r).toMatchObject({ added: 1, duplicates: 2, skipped: 1 });
    expect(r.list.map((c) => c.name)).toEqual(['bob', 'Alice', 'New One']);
  });

  it('contacts.json round-trips; a bad entry, a duplicate id or a newer version is refused', () => {
    const text = encodeContacts([alice, bob]);
    expect(decodeContacts(text)).toEqual({ ok: true, contacts: [alice, bob] });
    expect(decodeContacts('{"version":1,"contacts":[{"id":"a"}]}').ok).toBe(false);
    expect(decodeContacts(encodeContacts([alice, alice]))).toMatchObject({ ok: false, reason: expect.stringContaining('twice') });
    expect(decodeContacts('{"version":9,"contacts":[]}')).toMatchObject({ ok: false, reason: expect.stringContaining('newer') });
    expect(decodeContacts('{')).toMatchObject({ ok: false });
  });
});
