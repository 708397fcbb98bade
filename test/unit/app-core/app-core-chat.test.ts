// The chat channels through the app core (issue 11, part 6): a sent message is recorded "sending", then
// "sent" on 2xx or "failed" with the reason; a received one is unread in its peer's conversation (the
// same one a reply by user name goes to); markRead clears it; everything is saved and pushed as events.
import { describe, expect, it } from 'vitest';
import { asSoftphoneApi, createAppCore } from '../../../src-main/app-core/app-core';
import type { EventMap } from '../../../src-main/ipc/contract';
import type { MessageSendResult } from '../../../src-main/sip/pager';
import { createPlainSecretBox } from '../../../src-main/settings/secret-box';
import { defaultSettings } from '../../../src-main/settings/settings-schema';
import { createMemoryStore } from '../../../src-main/settings/settings-store';
import { FakeMedia, FakeUserAgent } from './fake-user-agent';

async function setup() {
  const settings = defaultSettings();
  const store = createMemoryStore({
    settings: { ...settings, account: { accountName: 'a', userId: 'alice', domain: 'example.com', passwordBlob: '', displayName: '', authorizationName: '', registerWithDomain: false, sendOutboundVia: 'domain', proxyAddress: '', dialPlan: '', registerExpires: 3600 } },
  });
  let ua: FakeUserAgent | null = null;
  const core = createAppCore({
    store,
    secretBox: createPlainSecretBox(),
    createUserAgent: (config) => (ua = new FakeUserAgent(config, null)),
    createMedia: (options) => new FakeMedia(options),
    listAudioDevices: () => [],
    version: '1',
    now: () => 1_000,
  });
  const events: EventMap['messages.changed'][] = [];
  core.on('messages.changed', (e) => events.push(e));
  await core.start();
  if (!ua) throw new Error('no user agent');
  return { store, core, api: asSoftphoneApi(core), events, ua: ua as FakeUserAgent };
}

describe('chat channels', () => {
  it('records a sent message as sending then sent, in the conversation of the resolved address', async () => {
    const { api, events, store, ua } = await setup();
    const r = await api.request('message.send', { to: 'bob', text: 'hi Bob' });
    expect(r).toEqual({ ok: true, value: { status: 200, peer: 'sip:bob@example.com', id: expect.stringMatching(/^m-/) } });
    expect(ua.sent).toEqual([{ target: 'bob', text: 'hi Bob' }]);
    expect(events.map((e) => e.message?.status)).toEqual(['sending', 'sent']);
    expect(store.saved.messages[0]).toMatchObject({ peer: 'sip:bob@example.com', unread: 0, messages: [{ text: 'hi Bob', status: 'sent', direction: 'out' }] });
  });

  it('a refused message is failed with the server reason, and the request fails too', async () => {
    const { api, store, ua } = await setup();
    const refuse = async (): Promise<MessageSendResult> => ({ ok: false, status: 404, reason: '404 Not Found' });
    (ua as unknown as { sendMessage: typeof refuse }).sendMessage = refuse;
    const r = await api.request('message.send', { to: 'sip:nobody@example.com', text: 'x' });
    expect(r).toMatchObject({ ok: false, error: { code: 'failed', message: 'message not delivered: 404 Not Found' } });
    expect(store.saved.messages[0]?.messages[0]).toMatchObject({ status: 'failed', reason: '404 Not Found' });
  });

  it('a received message is unread in the conversation a reply goes to; markRead clears it', async () => {
    const { api, core, events, ua } = await setup();
    ua.events.emit('message', { from: 'sip:bob@Example.com;transport=udp', displayName: 'Bob', text: '안녕' });
    expect(events.at(-1)).toMatchObject({ summary: { peer: 'sip:bob@example.com', unread: 1, displayName: 'Bob' }, unreadTotal: 1 });
    expect(core.snapshot().messagesUnread).toBe(1);
    await api.request('message.send', { to: 'bob', text: 'reply' });
    const list = await api.request('messages.list', {});
    expect(list).toMatchObject({ ok: true, value: [{ peer: 'sip:bob@example.com', unread: 1, last: { direction: 'out', text: 'reply', status: 'sent' } }] });
    const one = await api.request('messages.get', { peer: 'sip:bob@example.com' });
    expect(one.ok && one.value.messages.map((m) => m.text)).toEqual(['안녕', 'reply']);
    await api.request('messages.markRead', { peer: 'sip:bob@example.com' });
    expect(events.at(-1)).toMatchObject({ summary: { unread: 0 }, unreadTotal: 0 });
    expect(events.at(-1)?.message).toBeUndefined();
    expect(await api.request('messages.get', { peer: 'sip:carol@example.com' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    await api.request('messages.delete', { peer: 'sip:bob@example.com' });
    expect(await api.request('messages.list', {})).toEqual({ ok: true, value: [] });
  });

  it('validates the new channels like every other', async () => {
    const { api } = await setup();
    expect(await api.request('messages.markRead', {} as never)).toMatchObject({ ok: false, error: { code: 'invalid-request', fields: { peer: expect.any(String) } } });
    expect(await api.request('messages.get', { peer: 'x'.repeat(301) })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });
});
