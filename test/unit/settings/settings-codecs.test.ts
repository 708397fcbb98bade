// The account's codec list (issue 13) in settings.json: optional (older files offer every codec), kept in
// its order, checked (known names, each once), and handed to the user agent with the account.
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

describe('account codec list', () => {
  it('round-trips in its order, is optional, and refuses unknown or repeated codecs', () => {
    const s = { ...defaultSettings(), account: { ...account, codecs: ['PCMA' as const, 'PCMU' as const] } };
    expect(decodeSettings(encodeSettings(s))).toEqual({ ok: true, settings: s, migratedFrom: null });
    const old = migrateSettings({ version: 2, account, preferences: DEFAULT_PREFERENCES, turnPasswordBlob: '' });
    expect(old.ok && old.settings.account?.codecs).toBeUndefined();
    for (const codecs of [['GSM'], ['PCMU', 'PCMU'], []]) {
      const bad = migrateSettings({ version: 2, account: { ...account, codecs }, preferences: DEFAULT_PREFERENCES, turnPasswordBlob: '' });
      expect(bad.ok).toBe(false);
    }
  });

  it('is handed to the user agent with the account', () => {
    expect(toAccountSettings({ ...account, codecs: ['PCMA'] }, 'pw')).toMatchObject({ codecs: ['PCMA'] });
  });
});
