// The contacts.* channels through the app core (issue 11): validated payloads, save/replace/delete saved
// to the store and pushed as 'contacts.changed', import with counts, export of what is stored, and a
// store that refuses to write leaves the list unchanged.
import { describe, expect, it } from 'vitest';
import { asSoftphoneApi, createAppCore } from '../../../src-main/app-core/app-core';
import type { Contact } from '../../../src-main/contacts/contact-schema';
import { createPlainSecretBox } from '../../../src-main/settings/secret-box';
import { createMemoryStore } from '../../../src-main/settings/settings-store';
import { FakeMedia, FakeUserAgent } from './fake-user-agent';

async function setup(contacts: Contact[] = []) {
  const store = createMemoryStore({ contacts });
  const core = createAppCore({
    store,
    secretBox: createPlainSecretBox(),
    createUserAgent: (config) => new FakeUserAgent(config, null),
    createMedia: (options) => new FakeMedia(options),
    listAudioDevices: () => [],
    version: '1',
  });
  const changed: Contact[][] = [];
  core.on('contacts.changed', (list) => changed.push(list));
  await core.start();
  return { store, core, api: asSoftphoneApi(core), changed };
}

const bob: Contact = { id: 'b1', name: 'Bob', sipUri: 'sip:bob@example.com', numbers: [{ type: 'work', number: '2001' }], favorite: false };

describe('contacts channels', () => {
  it('lists the stored contacts; saves a new one (fresh id), replaces it, deletes it', async () => {
    const { api, store, changed } = await setup([bob]);
    expect(await api.request('contacts.list', {})).toEqual({ ok: true, value: [bob] });
    const saved = await api.request('contacts.save', { name: '이서연', sipUri: 'sip:seoyeon@example.kr', numbers: [], favorite: true, watch: true });
    if (!saved.ok) throw new Error(saved.error.message);
    expect(saved.value.id).toMatch(/^c-[0-9a-f]{18}$/);
    expect(store.saved.contacts.map((c) => c.name)).toEqual(['이서연', 'Bob']);
    expect(changed.at(-1)?.map((c) => c.name)).toEqual(['이서연', 'Bob']);
    await api.request('contacts.save', { ...bob, name: 'Robert' });
    expect(store.saved.contacts.find((c) => c.id === 'b1')?.name).toBe('Robert');
    expect(await api.request('contacts.delete', { id: 'b1' })).toEqual({ ok: true, value: null });
    expect(store.saved.contacts.map((c) => c.id)).toEqual([saved.value.id]);
  });

  it('refuses invalid contacts with per-field messages and unknown ids as not-found', async () => {
    const { api } = await setup();
    const bad = await api.request('contacts.save', { name: 'x', sipUri: 'tel:123', numbers: [], favorite: false });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-request', fields: { sipUri: expect.stringContaining('sip:') } } });
    const unknown = await api.request('contacts.save', { id: 'nope', name: 'x', sipUri: '', numbers: [], favorite: false });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('imports vCard and CSV with counts, and exports what is stored', async () => {
    const { api, store } = await setup([bob]);
    const vcf = 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob\r\nTEL;TYPE=WORK:2001\r\nIMPP:sip:bob@example.com\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Carol\r\nEND:VCARD\r\n';
    expect(await api.request('contacts.import', { format: 'vcard', text: vcf })).toEqual({ ok: true, value: { added: 1, duplicates: 1, skipped: 0 } });
    expect(await api.request('contacts.import', { format: 'csv', text: 'Name,Mobile Phone\r\n"Kim, Dave",010-1\r\n' })).toEqual({ ok: true, value: { added: 1, duplicates: 0, skipped: 0 } });
    expect(store.saved.contacts.map((c) => c.name)).toEqual(['Bob', 'Carol', 'Kim, Dave']);
    const csv = await api.request('contacts.export', { format: 'csv' });
    expect(csv).toMatchObject({ ok: true, value: { fileName: 'contacts.csv', text: expect.stringContaining('"Kim, Dave",,010-1') } });
    const v3 = await api.request('contacts.export', { format: 'vcard', version: '3.0' });
    expect(v3).toMatchObject({ ok: true, value: { fileName: 'contacts.vcf', text: expect.stringContaining('VERSION:3.0\r\nFN:Carol\r\n') } });
  });

  it('a refused write leaves the list as it was and says why', async () => {
    const { api, store } = await setup([bob]);
    store.saveContacts = async () => {
      throw new Error('disk full');
    };
    const r = await api.request('contacts.delete', { id: 'b1' });
    expect(r).toMatchObject({ ok: false, error: { code: 'failed', message: expect.stringContaining('disk full') } });
    expect(await api.request('contacts.list', {})).toEqual({ ok: true, value: [bob] });
  });
});
