// Our own presence through the app core (issue 11, part 6): presence.set keeps the choice in the
// preferences and publishes it while registered (else at the next registration); the publication's
// fate comes back as 'presence.own'; a later preferences.save with an old copy does not undo it.
import { describe, expect, it } from 'vitest';
import { asSoftphoneApi, createAppCore } from '../../../src-main/app-core/app-core';
import type { OwnPresenceStatus } from '../../../src-main/ipc/contract';
import { createPlainSecretBox } from '../../../src-main/settings/secret-box';
import { defaultSettings } from '../../../src-main/settings/settings-schema';
import { createMemoryStore } from '../../../src-main/settings/settings-store';
import { FakeMedia, FakeUserAgent } from './fake-user-agent';

async function setup(registerWithDomain: boolean) {
  const settings = defaultSettings();
  const store = createMemoryStore({
    settings: { ...settings, account: { accountName: 'a', userId: 'alice', domain: 'example.com', passwordBlob: '', displayName: '', authorizationName: '', registerWithDomain, sendOutboundVia: 'domain', proxyAddress: '', dialPlan: '', registerExpires: 3600 } },
  });
  let ua: FakeUserAgent | null = null;
  const core = createAppCore({
    store,
    secretBox: createPlainSecretBox(),
    createUserAgent: (config) => (ua = new FakeUserAgent(config, null)),
    createMedia: (options) => new FakeMedia(options),
    listAudioDevices: () => [],
    version: '1',
  });
  const own: OwnPresenceStatus[] = [];
  core.on('presence.own', (s) => own.push(s));
  await core.start();
  if (!ua) throw new Error('no user agent');
  return { store, core, api: asSoftphoneApi(core), own, ua: ua as FakeUserAgent };
}

describe('own presence', () => {
  it('publishes the chosen status while registered and reports what the server did', async () => {
    const { api, core, own, store, ua } = await setup(true);
    await expect.poll(() => ua.registration.state).toBe('registered');
    expect(ua.published).toEqual([]);
    const r = await api.request('presence.set', { status: 'busy' });
    expect(r).toEqual({ ok: true, value: { status: 'busy', state: 'publishing' } });
    expect(ua.published).toEqual(['busy']);
    expect(store.saved.settings.preferences.ownPresence).toBe('busy');
    ua.events.emit('publication', { state: 'failed', presence: 'busy', reason: '489 Bad Event' });
    expect(own.at(-1)).toEqual({ status: 'busy', state: 'failed', reason: '489 Bad Event' });
    expect(core.snapshot().ownPresence).toEqual({ status: 'busy', state: 'failed', reason: '489 Bad Event' });
    // The preferences form still holds no (or an older) status: saving it keeps the chosen one.
    const prefs = core.snapshot().preferences;
    const { hasTurnPassword: _h, ...form } = { ...prefs, ownPresence: 'available' as const };
    void _h;
    expect(await api.request('preferences.save', form)).toMatchObject({ ok: true });
    expect(store.saved.settings.preferences.ownPresence).toBe('busy');
    expect(await api.request('presence.set', { status: 'idle' } as never)).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it('a choice made while not registered is published at the next registration', async () => {
    const { api, ua, own } = await setup(false);
    expect(await api.request('presence.set', { status: 'away' })).toEqual({ ok: true, value: { status: 'away', state: 'off' } });
    expect(ua.published).toEqual([]);
    await api.request('registration.register', {});
    expect(ua.published).toEqual(['away']);
    ua.events.emit('publication', { state: 'published', presence: 'away', expires: 3600 });
    expect(own.at(-1)).toEqual({ status: 'away', state: 'published' });
  });
});
