// Issue 11: each account's password in its own slot of the headless box (secrets.json, mode 0600):
// two accounts never overwrite each other's password, a slot name from settings.json is checked, and
// old "plain:" blobs of the other accounts move into their own slots at start like the default one's.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAppCore } from '../../../src-main/app-core/app-core';
import { createPlainSecretBox, sipPasswordSlot } from '../../../src-main/settings/secret-box';
import { defaultSettings, type StoredAccount } from '../../../src-main/settings/settings-schema';
import { createHeadlessSecretBox } from '../../../src-main/settings/secret-store.node';
import { createMemoryStore } from '../../../src-main/settings/settings-store';
import { FakeMedia, FakeUserAgent } from '../app-core/fake-user-agent';

const tempDir = () => mkdtempSync(join(tmpdir(), 'softphone-account-secrets-'));

const stored = (user: string, passwordBlob: string): StoredAccount => ({
  accountName: user, userId: user, domain: 'pbx.test', displayName: '', authorizationName: '', registerWithDomain: true,
  sendOutboundVia: 'domain', proxyAddress: '', dialPlan: '', registerExpires: 600, passwordBlob,
});

describe('a password slot per account', () => {
  it('keeps both passwords in secrets.json and refuses slot names that are not account slots', () => {
    const box = createHeadlessSecretBox({ dir: tempDir(), keyring: null });
    const a = box.encrypt('alice-pw', sipPasswordSlot('account-1'));
    const b = box.encrypt('bob-pw', sipPasswordSlot('account-2'));
    expect([a, b]).toEqual(['file:sip-password', 'file:sip-password.account-2']);
    expect([box.decrypt(a), box.decrypt(b)]).toEqual(['alice-pw', 'bob-pw']);
    expect(() => box.decrypt('file:sip-password.../../x')).toThrow('unknown password format');
    expect(() => box.decrypt('file:__proto__')).toThrow('unknown password format');
  });

  it('moves the other accounts\u2019 plain: blobs into their own slots at start and runs them with their own passwords', async () => {
    const dir = tempDir();
    const plain = createPlainSecretBox();
    const store = createMemoryStore({
      settings: {
        ...defaultSettings(),
        account: stored('alice', plain.encrypt('alice-pw', 'sip-password')),
        otherAccounts: [{ ...stored('bob', plain.encrypt('bob-pw', 'sip-password')), id: 'account-2' }],
      },
    });
    const agents: FakeUserAgent[] = [];
    const core = createAppCore({
      store,
      secretBox: createHeadlessSecretBox({ dir, keyring: null }),
      createUserAgent: (config) => {
        const ua = new FakeUserAgent(config);
        agents.push(ua);
        return ua;
      },
      createMedia: (o) => new FakeMedia(o),
      listAudioDevices: () => [],
      version: '1',
    });
    await core.start();
    expect(store.saved.settings.account?.passwordBlob).toBe('file:sip-password');
    expect(store.saved.settings.otherAccounts?.[0]?.passwordBlob).toBe('file:sip-password.account-2');
    expect(JSON.stringify(store.saved.settings)).not.toContain('plain:');
    const secrets = JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')) as { secrets: Record<string, string> };
    expect(secrets.secrets).toEqual({ 'sip-password': 'alice-pw', 'sip-password.account-2': 'bob-pw' });
    expect(agents.map((a) => [a.config.account?.userId, a.config.account?.password])).toEqual([
      ['alice', 'alice-pw'],
      ['bob', 'bob-pw'],
    ]);
    await core.shutdown();
  });
});
