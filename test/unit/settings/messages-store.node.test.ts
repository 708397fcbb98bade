// messages.json in the file store (issue 11, part 6): written atomically and read back; a broken file is
// renamed aside with a warning, the chat starts empty, and settings, history and contacts stay intact.
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../../src-main/messages/chat-log';
import { createFileSettingsStore } from '../../../src-main/settings/settings-store.node';

const tempDir = () => mkdtempSync(join(tmpdir(), 'softphone-messages-'));
const chat: Conversation = {
  peer: 'sip:minjun@example.kr',
  displayName: '김민준',
  unread: 1,
  updatedAt: 20,
  messages: [
    { id: 'm1', direction: 'out', text: 'hello', time: 10, status: 'sent' },
    { id: 'm2', direction: 'in', text: '안녕하세요', time: 20, status: 'received' },
  ],
};

describe('messages.json', () => {
  it('reads back what it wrote, mode 0600', async () => {
    const dir = tempDir();
    const store = createFileSettingsStore({ dir });
    expect((await store.load()).messages).toEqual([]);
    await store.saveMessages?.([chat]);
    await store.flush();
    expect(readFileSync(join(dir, 'messages.json'), 'utf8')).toContain('안녕하세요');
    expect(statSync(join(dir, 'messages.json')).mode & 0o077).toBe(0);
    expect((await createFileSettingsStore({ dir }).load()).messages).toEqual([chat]);
  });

  it('renames a broken messages.json aside, warns, starts empty, and keeps the contacts and settings', async () => {
    const dir = tempDir();
    const first = createFileSettingsStore({ dir });
    const loaded0 = await first.load();
    await first.saveSettings({ ...loaded0.settings, preferences: { ...loaded0.settings.preferences, sipPort: 5099 } });
    await first.saveContacts([{ id: 'c1', name: 'Bob', sipUri: 'sip:bob@x', numbers: [], favorite: false }]);
    await first.flush();
    const broken = '{"version":1,"conversations":[{"peer":';
    writeFileSync(join(dir, 'messages.json'), broken);
    const loaded = await createFileSettingsStore({ dir, now: () => new Date('2026-12-03T10:00:00.000Z') }).load();
    expect(loaded.messages).toEqual([]);
    expect(loaded.problems).toHaveLength(1);
    expect(loaded.problems[0]).toMatch(/^messages\.json could not be used: not valid JSON.*kept as .*messages\.json\.corrupt-/);
    const aside = readdirSync(dir).find((f) => f.startsWith('messages.json.corrupt-'));
    expect(readFileSync(join(dir, aside as string), 'utf8')).toBe(broken);
    expect(loaded.settings.preferences.sipPort).toBe(5099);
    expect(loaded.contacts.map((c) => c.name)).toEqual(['Bob']);
  });
});
