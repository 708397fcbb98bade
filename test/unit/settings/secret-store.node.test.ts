// Issue 9: web/CLI passwords go to the OS keyring when one works, else to secrets.json (mode 0600, said
// to be unencrypted); settings.json then holds only a reference, and old "plain:" blobs move out of it.
import { mkdtempSync, readFileSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAppCore } from '../../../src-main/app-core/app-core';
import type { AccountForm } from '../../../src-main/ipc/contract';
import { createPlainSecretBox } from '../../../src-main/settings/secret-box';
import { defaultSettings } from '../../../src-main/settings/settings-schema';
import { createMemoryStore } from '../../../src-main/settings/settings-store';
import { createHeadlessSecretBox, loadKeyring, type KeyringFactory } from '../../../src-main/settings/secret-store.node';
import { FakeMedia, FakeUserAgent } from '../app-core/fake-user-agent';

const tempDir = () => mkdtempSync(join(tmpdir(), 'softphone-secrets-'));

/** An in-memory keyring standing in for Secret Service / Keychain. */
function memoryKeyring(): { factory: KeyringFactory; entries: Map<string, string> } {
  const entries = new Map<string, string>();
  const factory: KeyringFactory = (service, account) => ({
    setPassword: (p) => void entries.set(`${service}/${account}`, p),
    getPassword: () => entries.get(`${service}/${account}`) ?? null,
    deletePassword: () => entries.delete(`${service}/${account}`),
  });
  return { factory, entries };
}

describe('headless secret box without a keyring', () => {
  it('keeps passwords in secrets.json (0600, saying it is unencrypted) and only a reference in the blob', () => {
    const dir = tempDir();
    const box = createHeadlessSecretBox({ dir, keyring: null });
    expect(box.storage).toBe('file');
    expect(box.available).toBe(false);
    const sip = box.encrypt('s3cret-sip', 'sip-password');
    const turn = box.encrypt('s3cret-turn', 'turn-password');
    expect([sip, turn]).toEqual(['file:sip-password', 'file:turn-password']);
    const file = join(dir, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('Passwords stored unencrypted (file readable only by you)');
    expect(text).not.toMatch(/encoded/);
    expect(box.decrypt(sip)).toBe('s3cret-sip');
    expect(box.decrypt(turn)).toBe('s3cret-turn');
    // A new password replaces the old one: the old one is not left in the file.
    expect(box.encrypt('n3w', 'sip-password')).toBe('file:sip-password');
    expect(readFileSync(file, 'utf8')).not.toContain('s3cret-sip');
    expect(createHeadlessSecretBox({ dir, keyring: null }).decrypt(sip)).toBe('n3w');
  });

  it('opens legacy plain: blobs and refuses what it cannot open, saying why', () => {
    const box = createHeadlessSecretBox({ dir: tempDir(), keyring: null });
    expect(box.decrypt(createPlainSecretBox().encrypt('old', 'sip-password'))).toBe('old');
    expect(() => box.decrypt('file:sip-password')).toThrow('secrets.json has no such password');
    expect(() => box.decrypt('safe:AAAA')).toThrow(/desktop app/);
    expect(() => box.decrypt('keyring:sip-password')).toThrow('the system keyring is not available');
  });
});

describe('headless secret box with a keyring', () => {
  it('stores in the keyring, per data folder, and writes no secrets file', () => {
    const dir = tempDir();
    const { factory, entries } = memoryKeyring();
    const box = createHeadlessSecretBox({ dir, keyring: factory });
    expect(box.storage).toBe('keyring');
    expect(box.encrypt('s3cret', 'sip-password')).toBe('keyring:sip-password');
    expect(entries.get(`softphone/sip-password@${dir}`)).toBe('s3cret');
    expect(existsSync(join(dir, 'secrets.json'))).toBe(false);
    expect(box.decrypt('keyring:sip-password')).toBe('s3cret');
    expect([...entries.keys()].some((k) => k.includes('probe'))).toBe(false); // the probe cleaned up
  });

  it('falls back to the file when the keyring fails on use, as a Linux box without Secret Service does', () => {
    const dir = tempDir();
    const broken: KeyringFactory = () => ({
      setPassword: () => {
        throw new Error("Couldn't access platform storage: AccessDenied");
      },
      getPassword: () => null,
      deletePassword: () => false,
    });
    const box = createHeadlessSecretBox({ dir, keyring: broken });
    expect(box.storage).toBe('file');
    expect(box.keyringProblem).toBe("Couldn't access platform storage: AccessDenied");
    expect(box.encrypt('pw', 'sip-password')).toBe('file:sip-password');
  });

  it('uses the real @napi-rs/keyring binding when it works here, and the file when it does not', () => {
    expect(loadKeyring()).not.toBeInstanceOf(Error); // the binding installs and loads on this platform
    const box = createHeadlessSecretBox({ dir: tempDir() });
    if (box.storage === 'keyring') {
      const blob = box.encrypt('probe-pw', 'turn-password');
      expect(box.decrypt(blob)).toBe('probe-pw');
    } else {
      // This CI machine has no Secret Service daemon: the binding loads but cannot store.
      expect(box.keyringProblem).toMatch(/\S/);
      expect(box.encrypt('pw', 'turn-password')).toBe('file:turn-password');
    }
  });
});

describe('migration of plain: blobs at start', () => {
  it('moves the SIP and TURN passwords out of settings.json into the file and tells the UI where they are', async () => {
    const dir = tempDir();
    const plain = createPlainSecretBox();
    const form: AccountForm = {
      accountName: 'Work', userId: 'alice', domain: 'pbx.test', displayName: 'Alice', authorizationName: '', registerWithDomain: true,
      sendOutboundVia: 'domain', proxyAddress: '', dialPlan: '', registerExpires: 600,
    };
    const store = createMemoryStore({
      settings: { ...defaultSettings(), account: { ...form, passwordBlob: plain.encrypt('sip-pw', 'sip-password') }, turnPasswordBlob: plain.encrypt('turn-pw', 'turn-password') },
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
    expect(store.saved.settings.turnPasswordBlob).toBe('file:turn-password');
    const saved = JSON.stringify(store.saved.settings);
    expect(saved).not.toContain('plain:');
    expect(saved).not.toContain(Buffer.from('sip-pw').toString('base64'));
    expect(readFileSync(join(dir, 'secrets.json'), 'utf8')).toContain('"sip-password": "sip-pw"');
    expect(agents[0]?.config.account?.password).toBe('sip-pw');
    expect(core.snapshot().account).toMatchObject({ hasPassword: true, passwordStorage: 'file' });
    await core.shutdown();
  });
});
