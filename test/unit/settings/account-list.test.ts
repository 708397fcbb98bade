// Issue 11 (several accounts): an old single-account settings.json read unchanged, the list operations
// (add, replace, remove, default, enable), the choice of the account a call goes out on, and bad files.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../../src-main/ipc/contract';
import { listAccounts, makeDefault, pickDialAccount, putAccount, removeAccount, setAccountEnabled } from '../../../src-main/settings/account-list';
import { isSecretSlot, sipPasswordSlot } from '../../../src-main/settings/secret-box';
import { decodeSettings, encodeSettings, type SettingsFile, type StoredAccount } from '../../../src-main/settings/settings-schema';
import { createFileSettingsStore } from '../../../src-main/settings/settings-store.node';

const FIXTURE = resolve(__dirname, '../../fixtures/settings/single-account-v2.json');

function oldFile(): SettingsFile {
  const r = decodeSettings(readFileSync(FIXTURE, 'utf8'));
  if (!r.ok) throw new Error(r.reason);
  return r.settings;
}

const bob: StoredAccount = {
  accountName: 'Home',
  userId: 'bob',
  domain: 'sip.example.net',
  displayName: 'Bob',
  authorizationName: '',
  registerWithDomain: true,
  sendOutboundVia: 'domain',
  proxyAddress: '',
  dialPlan: '',
  registerExpires: 3600,
  passwordBlob: 'file:sip-password.account-2',
};

describe('accounts in settings.json', () => {
  it('reads a single-account file from before several accounts unchanged: the account is the default, account-1, enabled', () => {
    const raw = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    const s = oldFile();
    // Everything kept as it was: the account (password blob included), preferences, TURN blob.
    expect(s.account).toEqual(raw.account);
    expect(s.preferences).toMatchObject(raw.preferences);
    expect(s.turnPasswordBlob).toBe('file:turn-password');
    expect(s.otherAccounts).toBeUndefined();
    expect(listAccounts(s)).toEqual([{ id: 'account-1', enabled: true, isDefault: true, stored: raw.account }]);
    // Written back, the file carries no new field until a second account exists.
    expect(JSON.parse(encodeSettings(s))).toEqual(raw);
    // The old password blob still names the slot the first account keeps.
    expect(sipPasswordSlot('account-1')).toBe('sip-password');
  });

  it('adds a second account with its own id and password slot; the default stays where older code reads it', () => {
    const s = oldFile();
    const added = putAccount(s, undefined, bob);
    expect(added.id).toBe('account-2');
    expect(added.settings.account).toEqual(s.account);
    expect(added.settings.otherAccounts).toEqual([{ ...bob, id: 'account-2' }]);
    expect(sipPasswordSlot('account-2')).toBe('sip-password.account-2');
    expect(isSecretSlot(sipPasswordSlot('account-2'))).toBe(true);
    expect(isSecretSlot('sip-password.../x')).toBe(false);
    // Round trip through the file.
    const back = decodeSettings(encodeSettings(added.settings));
    expect(back.ok && back.settings).toEqual(added.settings);
    // Replacing it keeps its id.
    const edited = putAccount(added.settings, 'account-2', { ...bob, displayName: 'Robert' });
    expect(edited.settings.otherAccounts?.[0]).toMatchObject({ id: 'account-2', displayName: 'Robert' });
    expect(() => putAccount(added.settings, 'account-9', bob)).toThrow('no account account-9');
  });

  it('makes another account the default, removes accounts (the next one takes over as default), enables and disables', () => {
    const two = putAccount(oldFile(), undefined, bob).settings;
    const swapped = makeDefault(two, 'account-2');
    expect(listAccounts(swapped).map((a) => [a.id, a.isDefault])).toEqual([
      ['account-2', true],
      ['account-1', false],
    ]);
    expect(swapped.account?.userId).toBe('bob');
    expect(swapped.otherAccounts?.[0]?.passwordBlob).toBe('file:sip-password');
    const removed = removeAccount(swapped, 'account-2');
    expect(removed.account?.userId).toBe('alice');
    expect(removed.account?.id).toBe('account-1');
    expect(removed.otherAccounts).toBeUndefined();
    expect(removeAccount(removed, 'account-1').account).toBeNull();

    const off = setAccountEnabled(two, 'account-1', false);
    expect(off.account?.enabled).toBe(false);
    expect(listAccounts(off)[0]?.enabled).toBe(false);
    expect(setAccountEnabled(off, 'account-1', true).account).toEqual(two.account);
  });

  it('picks the account a call goes out on: the asked one, else the default, else the first enabled, else none', () => {
    const two = putAccount(oldFile(), undefined, bob).settings;
    expect(pickDialAccount(listAccounts(two))?.id).toBe('account-1');
    expect(pickDialAccount(listAccounts(two), 'account-2')?.id).toBe('account-2');
    const defaultOff = setAccountEnabled(two, 'account-1', false);
    expect(pickDialAccount(listAccounts(defaultOff))?.id).toBe('account-2');
    expect(() => pickDialAccount(listAccounts(defaultOff), 'account-1')).toThrow('disabled');
    expect(() => pickDialAccount(listAccounts(two), 'account-7')).toThrow('no account account-7');
    expect(pickDialAccount(listAccounts(setAccountEnabled(defaultOff, 'account-2', false)))).toBeNull();
    expect(pickDialAccount([])).toBeNull();
  });

  it('refuses files whose accounts share an id, or other accounts without a default', () => {
    const two = putAccount(oldFile(), undefined, bob).settings;
    const dup = decodeSettings(encodeSettings({ ...two, otherAccounts: [{ ...bob, id: 'account-1' }] }));
    expect(dup).toEqual({ ok: false, reason: expect.stringContaining('account id account-1 is used twice') });
    const orphan = decodeSettings(encodeSettings({ ...two, account: null }));
    expect(orphan).toEqual({ ok: false, reason: expect.stringContaining('without a default account') });
    const badId = decodeSettings(encodeSettings({ ...two, otherAccounts: [{ ...bob, id: 'Bad Id' }] }));
    expect(badId.ok).toBe(false);
  });

  it('a settings.json with a broken account entry is kept aside; history and contacts are still loaded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'softphone-accounts-'));
    const entry: HistoryEntry = { id: 'h1', direction: 'incoming', missed: true, remoteUri: 'sip:carol@x', remoteDisplayName: '', startedAt: 1, durationSeconds: 0, endReason: 'missed' };
    const two = putAccount(oldFile(), undefined, bob).settings;
    const text = encodeSettings(two).replace('"sip.example.net"', '"has space"');
    writeFileSync(join(dir, 'settings.json'), text);
    writeFileSync(join(dir, 'history.json'), JSON.stringify({ version: 1, entries: [entry] }));
    const loaded = await createFileSettingsStore({ dir, now: () => new Date('2026-12-03T18:00:00Z') }).load();
    expect(loaded.history).toEqual([entry]);
    expect(loaded.settings.account).toBeNull();
    expect(loaded.problems.join('\n')).toContain('otherAccounts.0.domain');
    const aside = readdirSync(dir).find((f) => f.startsWith('settings.json.corrupt'));
    expect(aside && readFileSync(join(dir, aside), 'utf8')).toBe(text);
  });
});
