// Issue 11 (several accounts) in the app core, against scripted user agents: one user agent per enabled
// account (the others on free ports), registration per account, calls tagged with their account,
// call.dial's accountId, account.get/save still the default one, each password in its own slot;
// messages and message-waiting per account.
import { beforeEach, describe, expect, it } from 'vitest';
import { asSoftphoneApi, createAppCore } from '../../../src-main/app-core/app-core';
import type { AccountForm, AccountsView, CallSnapshot, EventMap, SoftphoneApi } from '../../../src-main/ipc/contract';
import { createPlainSecretBox, type SecretBox } from '../../../src-main/settings/secret-box';
import { createMemoryStore } from '../../../src-main/settings/settings-store';
import { FakeMedia, FakeUserAgent } from './fake-user-agent';

const alice: AccountForm = {
  accountName: 'Work',
  userId: 'alice',
  domain: 'pbx.test',
  password: 'alice-pw',
  displayName: 'Alice',
  authorizationName: '',
  registerWithDomain: true,
  sendOutboundVia: 'domain',
  proxyAddress: '',
  dialPlan: '',
  registerExpires: 600,
};
const bob: AccountForm = { ...alice, accountName: 'Home', userId: 'bob', domain: 'home.test', password: 'bob-pw', displayName: 'Bob' };

const ok = async <T,>(p: Promise<{ ok: true; value: T } | { ok: false; error: unknown }>): Promise<T> => {
  const r = await p;
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
};

function setup() {
  const agents: FakeUserAgent[] = [];
  const store = createMemoryStore();
  const plain = createPlainSecretBox();
  const slots: string[] = [];
  // Records which slot each password went to (the headless box keeps one entry per slot).
  const secretBox: SecretBox = { ...plain, encrypt: (text, slot) => (slots.push(slot), plain.encrypt(text, slot)) };
  const core = createAppCore({
    store,
    secretBox,
    createUserAgent: (config) => {
      const ua = new FakeUserAgent(config);
      agents.push(ua);
      return ua;
    },
    createMedia: (o) => new FakeMedia(o),
    listAudioDevices: () => [],
    version: 't',
  });
  const changes: AccountsView[] = [];
  const calls: CallSnapshot[] = [];
  core.on('accounts.changed', (v) => changes.push(v));
  core.on('call.changed', (c) => calls.push(c));
  const live = () => agents.filter((a) => a.started && !a.shutDown);
  return { core, agents, store, slots, changes, calls, live };
}

/** Waits until the core's restarts settled (fake agents start synchronously, restarts chain promises). */
async function settle(api: SoftphoneApi): Promise<void> {
  for (let i = 0; i < 20; i++) await ok(api.request('app.snapshot', {}));
}

describe('app core with several accounts', () => {
  let t: ReturnType<typeof setup>;
  let api: SoftphoneApi;
  beforeEach(async () => {
    t = setup();
    api = asSoftphoneApi(t.core);
    await t.core.start();
  });

  it('with no account: one direct-IP user agent and an empty list (as before)', async () => {
    expect(t.live()).toHaveLength(1);
    expect(t.live()[0]?.config.account).toBeUndefined();
    expect(await ok(api.request('accounts.list', {}))).toEqual({ accounts: [] });
    expect(t.core.snapshot().accounts).toEqual({ accounts: [] });
  });

  it('runs one user agent per enabled account, each registering with its own credentials; the others on a free port', async () => {
    await ok(api.request('account.save', alice));
    const saved = await ok(api.request('accounts.save', bob));
    expect(saved).toMatchObject({ id: 'account-2', enabled: true, isDefault: false, account: { userId: 'bob', hasPassword: true } });
    await settle(api);
    const live = t.live();
    expect(live.map((a) => [a.config.account?.userId, a.config.account?.password, a.config.port])).toEqual([
      ['alice', 'alice-pw', 5060],
      ['bob', 'bob-pw', 0],
    ]);
    expect(live.every((a) => a.registerCalls === 1)).toBe(true);
    // Adding bob left alice's user agent (and registration) alone: the direct-IP one, alice's, bob's.
    expect(t.agents.map((a) => a.config.account?.userId)).toEqual([undefined, 'alice', 'bob']);
    // Changing bob restarts bob's only.
    await ok(api.request('accounts.save', { ...bob, id: 'account-2', displayName: 'Robert' }));
    await settle(api);
    expect(t.agents.map((a) => a.config.account?.userId)).toEqual([undefined, 'alice', 'bob', 'bob']);
    expect(t.live().map((a) => a.config.account?.displayName)).toEqual(['Alice', 'Robert']);
    // Each password has its own slot; the first account keeps the one it always had.
    expect(t.slots).toEqual(['sip-password', 'sip-password.account-2', 'sip-password.account-2']);
    const list = await ok(api.request('accounts.list', {}));
    expect(list.accounts.map((a) => [a.id, a.isDefault, a.account.userId, a.registration.state])).toEqual([
      ['account-1', true, 'alice', 'registered'],
      ['account-2', false, 'bob', 'registered'],
    ]);
    expect(t.changes.at(-1)).toEqual(list);
    // The password never leaves the core.
    expect(JSON.stringify(list)).not.toContain('bob-pw');
    // account.get keeps meaning the default account.
    expect(await ok(api.request('account.get', {}))).toMatchObject({ userId: 'alice' });
    // The Network view: the default socket, and bob's own (the fake binds port 0 as 40000) under accounts.
    const net = t.core.snapshot().network;
    expect(net.sipLocal).toEqual({ address: '127.0.0.1', port: 5060 });
    expect(net.accounts?.map((a) => [a.accountId, a.name, a.sipLocal?.port])).toEqual([['account-2', 'Home', 40000]]);
    // bob's registrar reports where it sees him: only his entry changes.
    t.live()[1]?.events.emit('publicAddress', { address: '203.0.113.7', port: 61000, local: { address: '127.0.0.1', port: 40000 }, behindNat: true });
    expect(t.core.snapshot().network.accounts?.[0]?.publicAddress).toMatchObject({ address: '203.0.113.7', port: 61000 });
    expect(t.core.snapshot().network.publicAddress).toBeNull();
    await ok(api.request('accounts.enable', { id: 'account-2', enabled: false }));
    await settle(api);
    expect(t.core.snapshot().network.accounts).toBeUndefined();
  });

  it('tags incoming calls with the account that received them and dials through the chosen account', async () => {
    await ok(api.request('account.save', alice));
    await ok(api.request('accounts.save', bob));
    await settle(api);
    const [uaAlice, uaBob] = t.live();
    uaBob?.incoming('sip:carol@home.test', 'Carol');
    expect(t.calls.at(-1)).toMatchObject({ direction: 'incoming', remoteDisplayName: 'Carol', account: { id: 'account-2', name: 'Home' } });
    // Fake call ids count per user agent (real ones are random): move alice's past bob's "in-1".
    uaAlice?.call('sip:nobody@pbx.test');
    uaAlice?.incoming('sip:dave@pbx.test');
    expect(t.calls.at(-1)).toMatchObject({ direction: 'incoming', account: { id: 'account-1', name: 'Work' } });

    const viaBob = await ok(api.request('call.dial', { target: 'sip:erin@home.test', accountId: 'account-2' }));
    expect(viaBob.account).toEqual({ id: 'account-2', name: 'Home' });
    expect(uaBob?.calls.at(-1)?.remoteUri).toBe('sip:erin@home.test');
    const viaDefault = await ok(api.request('call.dial', { target: 'sip:frank@pbx.test' }));
    expect(viaDefault.account).toEqual({ id: 'account-1', name: 'Work' });
    expect(uaAlice?.calls.at(-1)?.remoteUri).toBe('sip:frank@pbx.test');

    const unknown = await api.request('call.dial', { target: 'x', accountId: 'account-9' });
    expect(unknown).toEqual({ ok: false, error: { code: 'not-found', message: 'no account account-9' } });
    const bad = await api.request('call.dial', { target: 'x', accountId: 'NOT AN ID' });
    expect(bad.ok || bad.error.code).toBe('invalid-request');
  });

  it('an account with a call in progress is not restarted under it; it follows once the call ends', async () => {
    await ok(api.request('account.save', alice));
    await ok(api.request('accounts.save', bob));
    await settle(api);
    const uaBob = t.live()[1];
    const call = uaBob?.incoming('sip:carol@home.test');
    await ok(api.request('accounts.enable', { id: 'account-2', enabled: false }));
    await settle(api);
    expect(t.live().map((a) => a.config.account?.userId)).toEqual(['alice', 'bob']);
    expect(call?.state).toBe('ringing');
    await call?.hangup();
    await settle(api);
    expect(t.live().map((a) => a.config.account?.userId)).toEqual(['alice']);
  });

  it('disabling, making default and removing accounts restart the right user agents', async () => {
    await ok(api.request('account.save', alice));
    await ok(api.request('accounts.save', bob));
    await settle(api);
    await ok(api.request('accounts.enable', { id: 'account-2', enabled: false }));
    await settle(api);
    expect(t.live().map((a) => a.config.account?.userId)).toEqual(['alice']);
    const disabled = await ok(api.request('accounts.list', {}));
    expect(disabled.accounts[1]).toMatchObject({ enabled: false, registration: { state: 'unregistered' } });
    const dial = await api.request('call.dial', { target: 'x', accountId: 'account-2' });
    expect(dial.ok || dial.error.message).toContain('disabled');

    await ok(api.request('accounts.enable', { id: 'account-2', enabled: true }));
    const swapped = await ok(api.request('accounts.setDefault', { id: 'account-2' }));
    expect(swapped.accounts.map((a) => [a.id, a.isDefault])).toEqual([
      ['account-2', true],
      ['account-1', false],
    ]);
    await settle(api);
    // The default account owns the Transport tab's port.
    expect(t.live().map((a) => [a.config.account?.userId, a.config.port])).toEqual([
      ['bob', 5060],
      ['alice', 0],
    ]);
    expect(await ok(api.request('account.get', {}))).toMatchObject({ userId: 'bob' });
    // account.save on the new default writes bob's slot, never alice's.
    await ok(api.request('account.save', { ...bob, password: 'bob-pw-2' }));
    expect(t.slots.at(-1)).toBe('sip-password.account-2');

    const after = await ok(api.request('accounts.delete', { id: 'account-2' }));
    expect(after.accounts.map((a) => [a.id, a.isDefault, a.account.userId])).toEqual([['account-1', true, 'alice']]);
    await settle(api);
    expect(t.live().map((a) => [a.config.account?.userId, a.config.account?.password, a.config.port])).toEqual([['alice', 'alice-pw', 5060]]);
    expect(t.store.saved.settings.otherAccounts).toBeUndefined();
    expect(await api.request('accounts.delete', { id: 'account-2' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('a MESSAGE to either account is kept with that account; a reply goes out from it unless another is chosen', async () => {
    await ok(api.request('account.save', alice));
    await ok(api.request('accounts.save', bob));
    await settle(api);
    const [uaAlice, uaBob] = t.live();
    const received: Array<EventMap['message.received']> = [];
    t.core.on('message.received', (m) => received.push(m));
    uaBob?.events.emit('message', { from: 'sip:carol@home.test', displayName: 'Carol', text: 'hi bob' });
    expect(received.at(-1)).toMatchObject({ from: 'sip:carol@home.test', text: 'hi bob', account: { id: 'account-2', name: 'Home' } });
    const peer = 'sip:carol@home.test';
    expect(await ok(api.request('messages.get', { peer }))).toMatchObject({ unread: 1, messages: [{ direction: 'in', text: 'hi bob', accountId: 'account-2' }] });
    expect((await ok(api.request('messages.list', {})))[0]).toMatchObject({ peer, accountId: 'account-2' });
    // The reply: from bob's user agent, the account carol wrote to.
    await ok(api.request('message.send', { to: peer, text: 'hi carol' }));
    expect(uaBob?.sent).toEqual([{ target: peer, text: 'hi carol' }]);
    expect(uaAlice?.sent).toEqual([]);
    // Chosen: from alice's.
    await ok(api.request('message.send', { to: peer, text: 'from work', accountId: 'account-1' }));
    expect(uaAlice?.sent).toEqual([{ target: peer, text: 'from work' }]);
    expect((await ok(api.request('messages.get', { peer }))).messages.map((m) => [m.direction, m.text, m.accountId])).toEqual([
      ['in', 'hi bob', 'account-2'],
      ['out', 'hi carol', 'account-2'],
      ['out', 'from work', 'account-1'],
    ]);
    // The default account's user agent: tagged with it; a new conversation goes out from the default.
    uaAlice?.events.emit('message', { from: 'sip:dave@pbx.test', displayName: '', text: 'hi alice' });
    expect(received.at(-1)?.account).toEqual({ id: 'account-1', name: 'Work' });
    await ok(api.request('message.send', { to: 'erin', text: 'new one' }));
    expect(uaAlice?.sent.at(-1)).toEqual({ target: 'erin', text: 'new one' });
    expect(t.store.saved.messages.find((c) => c.peer === 'sip:erin@pbx.test')?.messages[0]).toMatchObject({ accountId: 'account-1', status: 'sent' });
    // Bob's account disabled: carol's conversation is answered from the default; choosing bob is refused.
    await ok(api.request('accounts.enable', { id: 'account-2', enabled: false }));
    await settle(api);
    await ok(api.request('message.send', { to: peer, text: 'bob is off' }));
    expect(uaAlice?.sent.at(-1)).toEqual({ target: peer, text: 'bob is off' });
    const refused = await api.request('message.send', { to: peer, text: 'x', accountId: 'account-2' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'failed', message: expect.stringContaining('disabled') } });
    expect(await api.request('message.send', { to: peer, text: 'x', accountId: 'Bad Id' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it('message-waiting per account: a NOTIFY on bob\'s user agent changes bob\'s counts only, the total follows', async () => {
    await ok(api.request('account.save', alice));
    await ok(api.request('accounts.save', bob));
    await settle(api);
    const [uaAlice, uaBob] = t.live();
    const summary = (text: string) => ({ id: '', resource: 'sip:x@y', event: 'message-summary' as const, state: 'active' as const, unsolicited: true, body: { contentType: 'application/simple-message-summary', text } });
    uaBob?.events.emit('subscription', summary('Messages-Waiting: yes\r\nVoice-Message: 3/5\r\n'));
    const vm = () => t.core.snapshot().voicemail;
    expect(vm()?.accounts?.map((a) => [a.accountId, a.name, a.waiting, a.newMessages, a.oldMessages])).toEqual([
      ['account-1', 'Work', null, 0, 0],
      ['account-2', 'Home', true, 3, 5],
    ]);
    expect(vm()).toMatchObject({ waiting: true, newMessages: 3, oldMessages: 5 });
    uaAlice?.events.emit('subscription', summary('Messages-Waiting: yes\r\nVoice-Message: 1/0\r\n'));
    expect(vm()?.accounts?.map((a) => a.newMessages)).toEqual([1, 3]);
    expect(vm()).toMatchObject({ waiting: true, newMessages: 4, oldMessages: 5 });
    // Bob disabled: his mailbox leaves the list and the total.
    await ok(api.request('accounts.enable', { id: 'account-2', enabled: false }));
    await settle(api);
    expect(vm()?.accounts?.map((a) => a.accountId)).toEqual(['account-1']);
    expect(vm()).toMatchObject({ newMessages: 1, oldMessages: 0 });
  });

  it('presence and BLF per account: each contact is watched through the account of its domain, its chosen one, else the default', async () => {
    await ok(api.request('account.save', alice));
    await ok(api.request('accounts.save', bob));
    await settle(api);
    const [uaAlice, uaBob] = t.live();
    if (!uaAlice || !uaBob) throw new Error('two user agents expected');
    const targets = (ua: FakeUserAgent) => [...ua.subscriptions.values()].map((s) => `${s.event} ${s.target}`).sort();
    const carol = await ok(api.request('contacts.save', { name: 'Carol', sipUri: 'sip:carol@home.test', numbers: [], favorite: false, watch: true }));
    const dave = await ok(api.request('contacts.save', { name: 'Dave', sipUri: 'sip:dave@pbx.test', numbers: [], favorite: false, watch: true }));
    await ok(api.request('contacts.save', { name: 'Erin', sipUri: '', numbers: [{ type: 'work', number: '2001' }], favorite: false, watch: true, watchAccount: 'account-2' }));
    // carol@home.test through Home (bob), dave@pbx.test through the default (Work), Erin through her chosen Home.
    expect(targets(uaBob)).toEqual(['dialog 2001', 'dialog sip:carol@home.test', 'presence 2001', 'presence sip:carol@home.test']);
    expect(targets(uaAlice)).toEqual(['dialog sip:dave@pbx.test', 'presence sip:dave@pbx.test']);
    // A NOTIFY on Home's user agent sets Carol's status, not Dave's.
    const carolPresence = [...uaBob.subscriptions].find(([, s]) => s.event === 'presence' && s.target.includes('carol'))?.[0] ?? '';
    const pidf = '<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:carol@home.test"><tuple id="t"><status><basic>open</basic></status></tuple></presence>';
    uaBob.events.emit('subscription', { id: carolPresence, resource: 'sip:carol@home.test', event: 'presence', state: 'active', unsolicited: false, body: { contentType: 'application/pidf+xml', text: pidf } });
    const presence = () => t.core.snapshot().presence ?? {};
    expect(presence()[carol.id]?.availability).toBe('available');
    expect(presence()[dave.id]?.availability).toBe('unknown');
    // Home disabled: Carol falls back to the default account; Erin's chosen account is off, and the window says so.
    await ok(api.request('accounts.enable', { id: 'account-2', enabled: false }));
    await settle(api);
    expect(targets(uaAlice)).toEqual(['dialog sip:carol@home.test', 'dialog sip:dave@pbx.test', 'presence sip:carol@home.test', 'presence sip:dave@pbx.test']);
    const erin = Object.entries(presence()).find(([id]) => id !== carol.id && id !== dave.id)?.[1];
    expect(erin).toEqual({ availability: 'unknown', line: 'unknown', problem: 'its account is not running' });
  });

  it('our own presence is published by every registered account; a refusal names its account', async () => {
    await ok(api.request('account.save', alice));
    await ok(api.request('accounts.save', bob));
    await settle(api);
    const [uaAlice, uaBob] = t.live();
    if (!uaAlice || !uaBob) throw new Error('two user agents expected');
    expect(await ok(api.request('presence.set', { status: 'busy' }))).toEqual({ status: 'busy', state: 'publishing' });
    expect([uaAlice.published, uaBob.published]).toEqual([['busy'], ['busy']]);
    uaAlice.events.emit('publication', { state: 'published', presence: 'busy', expires: 3600 });
    expect(t.core.snapshot().ownPresence).toEqual({ status: 'busy', state: 'publishing' });
    uaBob.events.emit('publication', { state: 'failed', presence: 'busy', reason: '489 Bad Event' });
    expect(t.core.snapshot().ownPresence).toEqual({ status: 'busy', state: 'failed', reason: 'Home: 489 Bad Event' });
    // Home disabled: only the default account's publication is left, and it is published.
    await ok(api.request('accounts.enable', { id: 'account-2', enabled: false }));
    await settle(api);
    expect(t.core.snapshot().ownPresence).toEqual({ status: 'busy', state: 'published' });
    // Home back: it publishes the chosen status at its registration.
    await ok(api.request('accounts.enable', { id: 'account-2', enabled: true }));
    await settle(api);
    expect(t.live().at(-1)?.published).toEqual(['busy']);
  });
});
