// settings.json layout: migration of version-less files, defaults for new fields, rejection of bad or newer files.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCES, decodeSettings, defaultSettings, encodeSettings, migrateSettings, SETTINGS_VERSION } from '../../../src-main/settings/settings-schema';

const account = {
  accountName: 'Work',
  userId: 'alice',
  domain: 'pbx.example.com',
  displayName: 'Alice',
  authorizationName: '',
  registerWithDomain: true,
  sendOutboundVia: 'domain',
  proxyAddress: '',
  dialPlan: '',
  registerExpires: 600,
  passwordBlob: 'plain:c2VjcmV0',
};

describe('settings schema', () => {
  it('round-trips the current layout', () => {
    const s = { ...defaultSettings(), account: { ...account, sendOutboundVia: 'domain' as const } };
    const decoded = decodeSettings(encodeSettings(s));
    expect(decoded).toEqual({ ok: true, settings: s, migratedFrom: null });
  });

  it('migrates a file without a version field (version 0) and fills fields added later with defaults', () => {
    const { registerExpires: _drop, ...oldAccount } = account;
    const result = migrateSettings({ account: oldAccount, preferences: { language: 'ko' } });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.migratedFrom).toBe(0);
    expect(result.settings.version).toBe(SETTINGS_VERSION);
    expect(result.settings.account?.userId).toBe('alice');
    expect(result.settings.account?.registerExpires).toBe(3600);
    expect(result.settings.preferences).toEqual({ ...DEFAULT_PREFERENCES, language: 'ko' });
  });

  it('migrates a version 1 file: Topology defaults, no TURN password, the RTP range moved to an even first port', () => {
    const v1 = { version: 1, account, preferences: { language: 'en', inputDevice: 2, outputDevice: null, sipPort: 5070, rtpPortMin: 16385, rtpPortMax: 16483 } };
    const result = migrateSettings(v1);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.migratedFrom).toBe(1);
    expect(result.settings.version).toBe(2);
    expect(result.settings.turnPasswordBlob).toBe('');
    expect(result.settings.account?.passwordBlob).toBe('plain:c2VjcmV0');
    expect(result.settings.preferences).toEqual({
      language: 'en',
      inputDevice: 2,
      outputDevice: null,
      // Issue 13: a file from before echo cancellation gets it on, like a new install.
      echoCancellation: true,
      sipPort: 5070,
      rtpPortMin: 16386,
      rtpPortMax: 16483,
      stunServer: '',
      turnServer: '',
      turnUser: '',
      iceEnabled: false,
      keepAliveMethod: 'options',
      keepAliveSeconds: 25,
    });
  });

  it('gives a version 1 range with no room for an even/odd pair the default range', () => {
    const result = migrateSettings({ version: 1, account: null, preferences: { ...DEFAULT_PREFERENCES, rtpPortMin: 30001, rtpPortMax: 30002 } });
    expect(result.ok && [result.settings.preferences.rtpPortMin, result.settings.preferences.rtpPortMax]).toEqual([10000, 20000]);
    const even = migrateSettings({ version: 1, account: null, preferences: { ...DEFAULT_PREFERENCES, rtpPortMin: 30000, rtpPortMax: 30001 } });
    expect(even.ok && [even.settings.preferences.rtpPortMin, even.settings.preferences.rtpPortMax]).toEqual([30000, 30001]);
  });

  it('keeps the TURN password blob and rejects Topology values out of range', () => {
    const s = { ...defaultSettings(), preferences: { ...DEFAULT_PREFERENCES, turnServer: 'turn.example.com', turnUser: 'alice', iceEnabled: true }, turnPasswordBlob: 'plain:dHVybg==' };
    expect(decodeSettings(encodeSettings(s))).toEqual({ ok: true, settings: s, migratedFrom: null });
    const bad = migrateSettings({ ...s, preferences: { ...s.preferences, keepAliveSeconds: 5 } });
    expect(bad).toEqual({ ok: false, reason: expect.stringContaining('preferences.keepAliveSeconds') });
    const method = migrateSettings({ ...s, preferences: { ...s.preferences, keepAliveMethod: 'stun' } });
    expect(method).toEqual({ ok: false, reason: expect.stringContaining('preferences.keepAliveMethod') });
  });

  it('rejects a file from a newer version instead of guessing', () => {
    const result = migrateSettings({ version: SETTINGS_VERSION + 1, account: null, preferences: DEFAULT_PREFERENCES });
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('newer version') });
  });

  it('names the bad field of an invalid file', () => {
    const result = migrateSettings({ version: 1, account: { ...account, domain: 'has space' }, preferences: DEFAULT_PREFERENCES });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain('account.domain');
  });

  it('issue 9 account options: absent in older files (safe defaults apply), kept when set, checked', () => {
    const withOptions = { ...account, sendOutboundVia: 'domain' as const, authRealms: ['asterisk'], refuseMd5WithoutQop: true, allowDirectCalls: false };
    const s = { ...defaultSettings(), account: withOptions };
    expect(decodeSettings(encodeSettings(s))).toEqual({ ok: true, settings: s, migratedFrom: null });
    const v1 = migrateSettings({ version: 1, account, preferences: DEFAULT_PREFERENCES });
    expect(v1.ok && v1.settings.account).toEqual(account);
    const bad = migrateSettings({ version: 2, account: { ...account, authRealms: ['has space'] }, preferences: DEFAULT_PREFERENCES, turnPasswordBlob: '' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toContain('account.authRealms');
  });

  it('issue 11 "Ring on": absent in older files (rings on the speaker), kept when set, a bad name refused', async () => {
    const { readFileSync } = await import('node:fs');
    const { resolve } = await import('node:path');
    const old = decodeSettings(readFileSync(resolve(__dirname, '../../fixtures/settings/single-account-v2.json'), 'utf8'));
    expect(old.ok && old.migratedFrom).toBe(null);
    expect(old.ok && 'ringDevice' in old.settings.preferences).toBe(false);
    const s = { ...defaultSettings(), preferences: { ...DEFAULT_PREFERENCES, ringDevice: 'USB Headset: Audio (hw:1,0)' } };
    expect(decodeSettings(encodeSettings(s))).toEqual({ ok: true, settings: s, migratedFrom: null });
    const bad = migrateSettings({ ...s, preferences: { ...s.preferences, ringDevice: 'two\nlines' } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toContain('preferences.ringDevice');
    expect(migrateSettings({ ...s, preferences: { ...s.preferences, ringDevice: 'x'.repeat(257) } }).ok).toBe(false);
  });

  it('reports JSON that does not parse and non-objects', () => {
    expect(decodeSettings('{"version": 1,')).toEqual({ ok: false, reason: expect.stringContaining('not valid JSON') });
    expect(decodeSettings('[1,2]')).toEqual({ ok: false, reason: 'not a JSON object' });
    expect(decodeSettings('{"version":"x"}')).toEqual({ ok: false, reason: expect.stringContaining('bad version') });
  });
});
