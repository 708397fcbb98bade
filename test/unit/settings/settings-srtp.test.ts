// The account's SRTP setting (issue 10) in settings.json: absent in older files (off), kept when set, checked;
// and it reaches the user agent's account as is.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PREFERENCES, decodeSettings, defaultSettings, encodeSettings, migrateSettings } from '../../../src-main/settings/settings-schema';
import { toAccountSettings } from '../../../src-main/app-core/account-mapping';

const account = {
  accountName: 'Work',
  userId: 'alice',
  domain: 'pbx.example.com',
  displayName: 'Alice',
  authorizationName: '',
  registerWithDomain: true,
  sendOutboundVia: 'domain' as const,
  proxyAddress: '',
  dialPlan: '',
  registerExpires: 600,
  passwordBlob: 'plain:c2VjcmV0',
};

describe('account SRTP setting', () => {
  it('round-trips, is optional, and refuses unknown modes', () => {
    const s = { ...defaultSettings(), account: { ...account, srtp: 'mandatory' as const, srtpOverUdp: true } };
    expect(decodeSettings(encodeSettings(s))).toEqual({ ok: true, settings: s, migratedFrom: null });
    const old = migrateSettings({ version: 2, account, preferences: DEFAULT_PREFERENCES, turnPasswordBlob: '' });
    expect(old.ok && old.settings.account?.srtp).toBeUndefined();
    const bad = migrateSettings({ version: 2, account: { ...account, srtp: 'always' }, preferences: DEFAULT_PREFERENCES, turnPasswordBlob: '' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toContain('account.srtp');
  });

  it('is handed to the user agent with the account', () => {
    expect(toAccountSettings({ ...account, srtp: 'optional', srtpOverUdp: true }, 'pw')).toMatchObject({ srtp: 'optional', srtpOverUdp: true });
  });
});
