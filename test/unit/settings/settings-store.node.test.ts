// The file store in a temp folder: round trip, corrupt files kept aside and reported (other data kept),
// atomic writes that leave no partial or temp file.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../../src-main/ipc/contract';
import { writeFileAtomic } from '../../../src-main/settings/atomic-file.node';
import { defaultSettings } from '../../../src-main/settings/settings-schema';
import { createFileSettingsStore } from '../../../src-main/settings/settings-store.node';

const tempDir = () => mkdtempSync(join(tmpdir(), 'softphone-settings-'));
const fixedNow = () => new Date('2026-11-25T10:20:15.123Z');

const call: HistoryEntry = {
  id: 'abc',
  direction: 'outgoing',
  missed: false,
  remoteUri: 'sip:bob@127.0.0.1',
  remoteDisplayName: 'Bob',
  startedAt: 1_700_000_000_000,
  durationSeconds: 12,
  endReason: 'hung up',
};

describe('file settings store', () => {
  it('starts with defaults in an empty folder and reads back what it wrote', async () => {
    const dir = join(tempDir(), 'nested', 'softphone');
    const store = createFileSettingsStore({ dir });
    const first = await store.load();
    expect(first).toEqual({ settings: defaultSettings(), history: [], contacts: [], messages: [], problems: [] });
    const settings = { ...defaultSettings(), preferences: { ...defaultSettings().preferences, language: 'ko' as const, sipPort: 5070 } };
    await store.saveSettings(settings);
    await store.saveHistory([call]);
    const again = await createFileSettingsStore({ dir }).load();
    expect(again.settings.preferences.language).toBe('ko');
    expect(again.settings.preferences.sipPort).toBe(5070);
    expect(again.history).toEqual([call]);
    expect(statSync(join(dir, 'settings.json')).mode & 0o077).toBe(0);
  });

  it('keeps a corrupt settings.json aside, reports it, and keeps the history', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.json'), '{"version": 1, "account": nul');
    writeFileSync(join(dir, 'history.json'), JSON.stringify({ version: 1, entries: [call] }));
    const store = createFileSettingsStore({ dir, now: fixedNow });
    const loaded = await store.load();
    expect(loaded.settings).toEqual(defaultSettings());
    expect(loaded.history).toEqual([call]);
    expect(loaded.problems).toHaveLength(1);
    expect(loaded.problems[0]).toMatch(/settings\.json could not be used: not valid JSON/);
    const aside = 'settings.json.corrupt-2026-11-25T10-20-15-123Z';
    expect(loaded.problems[0]).toContain(aside);
    expect(readFileSync(join(dir, aside), 'utf8')).toBe('{"version": 1, "account": nul');
    expect(readdirSync(dir)).not.toContain('settings.json');
    // A second corrupt file in the same millisecond does not overwrite the first one kept aside.
    writeFileSync(join(dir, 'settings.json'), 'again broken');
    const second = await createFileSettingsStore({ dir, now: fixedNow }).load();
    expect(second.problems[0]).toContain(`${aside}-1`);
    expect(readFileSync(join(dir, aside), 'utf8')).toBe('{"version": 1, "account": nul');
  });

  it('keeps a history with a damaged entry aside and the settings intact', async () => {
    const dir = tempDir();
    const store = createFileSettingsStore({ dir, now: fixedNow });
    await store.load();
    const settings = { ...defaultSettings(), preferences: { ...defaultSettings().preferences, sipPort: 5099 } };
    await store.saveSettings(settings);
    writeFileSync(join(dir, 'history.json'), JSON.stringify({ version: 1, entries: [{ ...call, durationSeconds: -5 }] }));
    const loaded = await createFileSettingsStore({ dir, now: fixedNow }).load();
    expect(loaded.settings.preferences.sipPort).toBe(5099);
    expect(loaded.history).toEqual([]);
    expect(loaded.problems[0]).toMatch(/history\.json could not be used: entries\.0\.durationSeconds/);
    expect(readdirSync(dir)).toContain('history.json.corrupt-2026-11-25T10-20-15-123Z');
  });

  it('writes atomically: the old content survives a failed write and no temp file is left', async () => {
    const dir = tempDir();
    const path = join(dir, 'settings.json');
    await writeFileAtomic(path, 'old');
    // A directory where the target file should be makes the rename fail after the temp file was written.
    const blocked = join(dir, 'blocked');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(blocked);
    writeFileSync(join(blocked, 'x'), 'keeps the dir non-empty');
    await expect(writeFileAtomic(blocked, 'new')).rejects.toThrow();
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(readFileSync(path, 'utf8')).toBe('old');
    await writeFileAtomic(path, 'x'.repeat(100_000));
    expect(readFileSync(path, 'utf8')).toHaveLength(100_000);
    expect(readdirSync(dir).sort()).toEqual(['blocked', 'settings.json']);
  });

  it('coalesces concurrent saves and the file always holds one complete version', async () => {
    const dir = tempDir();
    const store = createFileSettingsStore({ dir });
    await store.load();
    const saves = Array.from({ length: 20 }, (_, n) => store.saveHistory(Array.from({ length: n + 1 }, (_, k) => ({ ...call, id: `c${k}` }))));
    await Promise.all(saves);
    await store.flush();
    const loaded = await createFileSettingsStore({ dir }).load();
    expect(loaded.history).toHaveLength(20);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('removes temp files left by a crashed write once they are old', async () => {
    const dir = tempDir();
    const stale = join(dir, '.settings.json.1234.deadbeef.tmp');
    const fresh = join(dir, '.settings.json.1235.deadbeef.tmp');
    writeFileSync(stale, 'partial');
    writeFileSync(fresh, 'another process is writing');
    const old = new Date(Date.now() - 10 * 60_000);
    utimesSync(stale, old, old);
    await createFileSettingsStore({ dir }).load();
    expect(readdirSync(dir)).toEqual(['.settings.json.1235.deadbeef.tmp']);
  });
});
