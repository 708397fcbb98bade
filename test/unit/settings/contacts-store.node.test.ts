// contacts.json in the file store (issue 11): written atomically and read back; a damaged file is kept
// aside with a problem reported, never overwritten silently, and settings and history stay intact.
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Contact } from '../../../src-main/contacts/contact-schema';
import { createFileSettingsStore } from '../../../src-main/settings/settings-store.node';

const tempDir = () => mkdtempSync(join(tmpdir(), 'softphone-contacts-'));
const minjun: Contact = { id: 'c1', name: '김민준', sipUri: 'sip:minjun@example.kr', numbers: [{ type: 'mobile', number: '+82 10-1234-5678' }], favorite: true, watch: true };

describe('contacts.json', () => {
  it('reads back what it wrote (Korean included), mode 0600', async () => {
    const dir = tempDir();
    const store = createFileSettingsStore({ dir });
    expect((await store.load()).contacts).toEqual([]);
    await store.saveContacts([minjun]);
    await store.flush();
    expect(readFileSync(join(dir, 'contacts.json'), 'utf8')).toContain('김민준');
    expect(statSync(join(dir, 'contacts.json')).mode & 0o077).toBe(0);
    expect((await createFileSettingsStore({ dir }).load()).contacts).toEqual([minjun]);
  });

  it('keeps a damaged contacts.json aside, reports it, and loads the history untouched', async () => {
    const dir = tempDir();
    const damaged = JSON.stringify({ version: 1, contacts: [minjun, { id: 'c2', name: 'x', sipUri: 'mailto:x', numbers: [], favorite: false }] });
    writeFileSync(join(dir, 'contacts.json'), damaged);
    writeFileSync(join(dir, 'history.json'), JSON.stringify({ version: 1, entries: [] }));
    const loaded = await createFileSettingsStore({ dir, now: () => new Date('2026-12-03T10:00:00.000Z') }).load();
    expect(loaded.contacts).toEqual([]);
    expect(loaded.problems).toHaveLength(1);
    expect(loaded.problems[0]).toMatch(/contacts\.json could not be used: contacts\.1\.sipUri/);
    const aside = readdirSync(dir).find((f) => f.startsWith('contacts.json.corrupt-'));
    expect(aside).toBeDefined();
    expect(readFileSync(join(dir, aside as string), 'utf8')).toBe(damaged);
  });
});
