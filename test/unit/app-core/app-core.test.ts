// The app core against a scripted user agent: validation first, typed errors, account changes
// re-creating the user agent, call snapshots and history, traces, meters, deferred restarts.
import { beforeEach, describe, expect, it } from 'vitest';
import { asSoftphoneApi, createAppCore, type AppCore } from '../../../src-main/app-core/app-core';
import type { AccountForm, EventChannel, EventMap, SoftphoneApi } from '../../../src-main/ipc/contract';
import type { MediaSessionOptions } from '../../../src-main/rtp/media-session';
import { createPlainSecretBox } from '../../../src-main/settings/secret-box';
import { defaultSettings } from '../../../src-main/settings/settings-schema';
import { createMemoryStore } from '../../../src-main/settings/settings-store';
import type { SipTraceEntry, UserAgentConfig } from '../../../src-main/sip/user-agent-api';
import { FakeMedia, FakeUserAgent } from './fake-user-agent';

const form: AccountForm = {
  accountName: 'Work',
  userId: 'alice',
  domain: 'pbx.test',
  password: 'secret',
  displayName: 'Alice',
  authorizationName: '',
  registerWithDomain: true,
  sendOutboundVia: 'domain',
  proxyAddress: '',
  dialPlan: '',
  registerExpires: 600,
};

const sender = { transport: 'internal' as const, id: 'test' };

function setup(opts: { store?: ReturnType<typeof createMemoryStore>; startError?: (config: UserAgentConfig) => Error | null } = {}) {
  const agents: FakeUserAgent[] = [];
  const media: FakeMedia[] = [];
  const store = opts.store ?? createMemoryStore();
  let clock = 1_000_000;
  const core = createAppCore({
    store,
    secretBox: createPlainSecretBox(),
    createUserAgent: (config) => {
      const ua = new FakeUserAgent(config, opts.startError?.(config) ?? null);
      agents.push(ua);
      return ua;
    },
    createMedia: (options: MediaSessionOptions) => {
      const m = new FakeMedia(options);
      media.push(m);
      return m;
    },
    listAudioDevices: () => [{ id: 3, name: 'USB headset', hostApi: 'ALSA', maxInputChannels: 1, maxOutputChannels: 2, defaultSampleRate: 48000 }],
    version: '9.9.9',
    now: () => clock,
  });
  const seen: Array<{ event: EventChannel; payload: unknown }> = [];
  const events = ['registration.changed', 'call.changed', 'flow.message', 'audio.level', 'history.changed', 'dial.prefill', 'app.problem'] as const;
  for (const e of events) core.on(e, (payload: EventMap[typeof e]) => seen.push({ event: e, payload }));
  const of = <E extends EventChannel>(e: E) => seen.filter((s) => s.event === e).map((s) => s.payload as EventMap[E]);
  return { core, agents, media, store, seen, of, tick: (ms: number) => (clock += ms) };
}

const ok = async <T,>(p: Promise<{ ok: true; value: T } | { ok: false; error: unknown }>): Promise<T> => {
  const r = await p;
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.error)}`);
  return r.value;
};

describe('app core', () => {
  let t: ReturnType<typeof setup>;
  let core: AppCore;
  let api: SoftphoneApi;
  beforeEach(async () => {
    t = setup();
    core = t.core;
    api = asSoftphoneApi(core);
    await core.start();
  });

  it('starts a direct-IP user agent (no account) on the preferred SIP port and answers a snapshot', async () => {
    expect(t.agents).toHaveLength(1);
    expect(t.agents[0]?.config.account).toBeUndefined();
    expect(t.agents[0]?.config.port).toBe(5060);
    expect(t.agents[0]?.started).toBe(true);
    const snap = await ok(api.request('app.snapshot', {}));
    expect(snap).toMatchObject({ account: null, registration: { state: 'unregistered' }, calls: [], version: '9.9.9', problems: [] });
  });

  it('validates every request first: unknown channel, bad payload with field messages', async () => {
    expect(await core.handle('nope', {}, sender)).toEqual({ ok: false, error: { code: 'unknown-channel', message: 'unknown channel: nope' } });
    const bad = await core.handle('call.dtmf', { callId: 'x', digits: '12x' }, sender);
    expect(bad).toEqual({ ok: false, error: { code: 'invalid-request', message: 'invalid request', fields: { digits: 'DTMF digits are 0-9 * # A-D' } } });
    const badAccount = await core.handle('account.save', { ...form, domain: 'bad domain', registerExpires: 5 }, sender);
    expect(badAccount.ok).toBe(false);
    if (badAccount.ok) return;
    expect(badAccount.error.code).toBe('invalid-request');
    expect(Object.keys(badAccount.error.fields ?? {}).sort()).toEqual(['domain', 'registerExpires']);
    expect(await core.handle('call.hangup', { callId: 'missing' }, sender)).toEqual({ ok: false, error: { code: 'not-found', message: 'no call missing' } });
  });

  it('saves the account (password encrypted, never returned), re-creates the user agent and registers', async () => {
    const view = await ok(api.request('account.save', form));
    expect(view).toEqual({ ...form, password: undefined, hasPassword: true, passwordStorage: 'plain' });
    expect(Object.keys(view)).not.toContain('password');
    await core.handle('app.snapshot', {}, sender);
    await new Promise((r) => setTimeout(r, 0));
    expect(t.agents).toHaveLength(2);
    expect(t.agents[0]?.shutDown).toBe(true);
    const ua = t.agents[1];
    expect(ua?.config.account).toMatchObject({ userId: 'alice', domain: 'pbx.test', password: 'secret' });
    expect(ua?.registerCalls).toBe(1);
    expect(t.of('registration.changed').at(-1)).toMatchObject({ state: 'registered' });
    const stored = t.store.saved.settings.account;
    expect(stored?.passwordBlob.startsWith('plain:')).toBe(true);
    expect(JSON.stringify(t.store.saved.settings)).not.toContain('secret');
    // Saving again without a password keeps the stored one.
    await ok(api.request('account.save', { ...form, password: '', displayName: 'Alice B' }));
    await new Promise((r) => setTimeout(r, 0));
    expect(t.agents[2]?.config.account).toMatchObject({ displayName: 'Alice B', password: 'secret' });
    expect(t.agents[1]?.unregistered).toBe(true);
  });

  it('reports cross-field account problems next to the field', async () => {
    const r = await core.handle('account.save', { ...form, sendOutboundVia: 'proxy', proxyAddress: '' }, sender);
    expect(r).toEqual({ ok: false, error: { code: 'invalid-request', message: 'invalid account', fields: { proxyAddress: expect.stringContaining('proxy address') } } });
  });

  it('follows an outgoing call calling -> ringing -> connected -> ended and writes history', async () => {
    const snap = await ok(api.request('call.dial', { target: ' bob@127.0.0.1:5070 ' }));
    expect(snap).toMatchObject({ direction: 'outgoing', state: 'calling', remoteUri: 'sip:bob@127.0.0.1:5070', end: null, connectedAt: null });
    const call = t.agents[0]?.calls[0];
    if (!call) throw new Error('no call');
    call.setState('ringing');
    t.tick(1000);
    call.setState('connected');
    expect((await ok(api.request('app.snapshot', {}))).calls).toEqual([expect.objectContaining({ state: 'connected', connectedAt: 1_001_000 })]);
    const muted = await ok(api.request('call.mute', { callId: call.id, muted: true }));
    expect(muted.muted).toBe(true);
    expect(call.muted).toBe(true);
    expect(await ok(api.request('call.dtmf', { callId: call.id, digits: '12#' }))).toBeNull();
    expect(call.dtmf).toEqual(['12#']);
    const ended = await ok(api.request('call.hangup', { callId: call.id }));
    expect(ended).toMatchObject({ state: 'ended', end: { reason: 'hung up', by: 'local', durationSeconds: 3 } });
    expect(t.of('call.changed').map((c) => c.state)).toEqual(['calling', 'ringing', 'connected', 'connected', 'ended']);
    const history = await ok(api.request('history.list', {}));
    expect(history).toEqual([{ id: call.id, direction: 'outgoing', missed: false, remoteUri: 'sip:bob@127.0.0.1:5070', remoteDisplayName: '', startedAt: 1_000_000, durationSeconds: 3, endReason: 'hung up' }]);
    expect(t.store.saved.history).toEqual(history);
    expect(t.of('history.changed').at(-1)).toEqual(history);
    expect((await ok(api.request('app.snapshot', {}))).calls).toEqual([]);
    // The ended call still answers (idempotent hang-up), but DTMF is refused with a reason.
    expect(await ok(api.request('call.hangup', { callId: call.id }))).toMatchObject({ state: 'ended' });
    expect(await core.handle('call.dtmf', { callId: call.id, digits: '1' }, sender)).toEqual({ ok: false, error: { code: 'failed', message: 'the call has already ended' } });
  });

  it('turns a user agent exception into a typed failure, never a throw', async () => {
    const r = await core.handle('call.dial', { target: 'bad target' }, sender);
    expect(r).toEqual({ ok: false, error: { code: 'failed', message: 'cannot dial "bad target"' } });
  });

  it('shows an incoming call, answers it, and counts an unanswered one as missed', async () => {
    const ua = t.agents[0];
    if (!ua) throw new Error('no ua');
    const first = ua.incoming('sip:carol@10.0.0.1', 'Carol');
    expect(t.of('call.changed').at(-1)).toMatchObject({ id: first.id, direction: 'incoming', state: 'ringing', remoteDisplayName: 'Carol' });
    await ok(api.request('call.answer', { callId: first.id }));
    expect(t.of('call.changed').at(-1)).toMatchObject({ state: 'connected' });
    // The media made for the INVITE belongs to that call: its levels are forwarded at <= 10 Hz.
    const media = first.media as FakeMedia;
    for (let i = 0; i < 5; i++) {
      media.events.emit('level', { input: 0.5, output: 0.25 });
      t.tick(30);
    }
    expect(t.of('audio.level')).toEqual([
      { callId: first.id, input: 0.5, output: 0.25 },
      { callId: first.id, input: 0.5, output: 0.25 },
    ]);
    first.end({ reason: 'hung up by remote', by: 'remote', durationSeconds: 7 });
    const second = ua.incoming('sip:dave@10.0.0.2');
    await ok(api.request('call.reject', { callId: second.id, status: 603 }));
    const history = await ok(api.request('history.list', {}));
    expect(history.map((h) => [h.remoteUri, h.missed, h.durationSeconds, h.endReason])).toEqual([
      ['sip:dave@10.0.0.2', true, 0, '603 Decline'],
      ['sip:carol@10.0.0.1', false, 7, 'hung up by remote'],
    ]);
    // One entry out (issue 11): saved, and every window is told; an unknown id changes nothing.
    expect(await ok(api.request('history.delete', { id: history[0]?.id ?? '' }))).toBeNull();
    expect(t.store.saved.history?.map((h) => h.remoteUri)).toEqual(['sip:carol@10.0.0.1']);
    expect(t.of('history.changed').at(-1)?.map((h) => h.remoteUri)).toEqual(['sip:carol@10.0.0.1']);
    expect(await ok(api.request('history.delete', { id: 'no-such-entry' }))).toBeNull();
    expect(t.store.saved.history).toHaveLength(1);
    expect(await ok(api.request('history.clear', {}))).toBeNull();
    expect(t.store.saved.history).toEqual([]);
  });

  it('ties each media session levels to its own call when two calls are up', async () => {
    const ua = t.agents[0];
    if (!ua) throw new Error('no ua');
    // The incoming call connects first, so "the latest connected call" would be the wrong guess for it.
    const incoming = ua.incoming('sip:carol@10.0.0.1');
    await ok(api.request('call.answer', { callId: incoming.id }));
    t.tick(1000);
    const out = await ok(api.request('call.dial', { target: 'bob@127.0.0.1' }));
    ua.calls[1]?.setState('connected');
    (incoming.media as FakeMedia).events.emit('level', { input: 0.9, output: 0.1 });
    (ua.calls[1]?.media as FakeMedia).events.emit('level', { input: 0.2, output: 0.3 });
    expect(t.of('audio.level')).toEqual([
      { callId: incoming.id, input: 0.9, output: 0.1 },
      { callId: out.id, input: 0.2, output: 0.3 },
    ]);
  });

  it('keeps SIP traces per call for the ladder and picks the current call by default', async () => {
    const ua = t.agents[0];
    if (!ua) throw new Error('no ua');
    const trace = (callId: string, summary: string, cseq: string): SipTraceEntry => ({ direction: 'out', time: 1, remote: '127.0.0.1:5070', callId, summary, raw: `${summary} sip:x SIP/2.0\r\nCSeq: ${cseq}\r\n\r\n` });
    const call = await ok(api.request('call.dial', { target: 'bob@127.0.0.1' }));
    ua.events.emit('trace', trace(call.id, 'INVITE', '1 INVITE'));
    ua.events.emit('trace', trace('reg-1', 'REGISTER', '5 REGISTER'));
    ua.events.emit('trace', trace(call.id, '180 Ringing', '1 INVITE'));
    expect(t.of('flow.message')).toHaveLength(3);
    const flow = await ok(api.request('flow.get', {}));
    expect(flow.map((e) => e.summary)).toEqual(['INVITE', '180 Ringing']);
    expect((await ok(api.request('flow.get', { callId: 'reg-1' }))).map((e) => e.summary)).toEqual(['REGISTER']);
    expect((await core.handle('flow.get', { callId: 'unknown' }, sender)).ok).toBe(false);
  });

  it('applies chosen devices and RTP ports to the next call, and validates the port range', async () => {
    const prefs = await ok(api.request('preferences.get', {}));
    const bad = await core.handle('preferences.save', { ...prefs, rtpPortMin: 30000, rtpPortMax: 20000 }, sender);
    expect(bad).toEqual({ ok: false, error: { code: 'invalid-request', message: 'invalid preferences', fields: { rtpPortMax: expect.any(String) } } });
    await ok(api.request('preferences.save', { ...prefs, inputDevice: 3, outputDevice: 4, rtpPortMin: 30000, rtpPortMax: 30100 }));
    await ok(api.request('call.dial', { target: 'bob@127.0.0.1' }));
    expect(t.media.at(-1)?.options).toMatchObject({ audio: { kind: 'portaudio', inputDevice: 3, outputDevice: 4 }, portMin: 30000, portMax: 30100 });
    expect(t.agents).toHaveLength(1);
    expect(await ok(api.request('audio.devices', {}))).toEqual([expect.objectContaining({ id: 3, name: 'USB headset' })]);
  });

  it('waits for the call to end before re-creating the user agent for a new account', async () => {
    await ok(api.request('call.dial', { target: 'bob@127.0.0.1' }));
    await ok(api.request('account.save', form));
    await new Promise((r) => setTimeout(r, 0));
    expect(t.agents).toHaveLength(1);
    const call = t.agents[0]?.calls[0];
    call?.end({ reason: 'hung up by remote', by: 'remote', durationSeconds: 1 });
    await new Promise((r) => setTimeout(r, 0));
    expect(t.agents).toHaveLength(2);
    expect(t.agents[1]?.config.account?.userId).toBe('alice');
  });

  it('hands a sip: link to the UI as an event and in the snapshot until a dial', async () => {
    core.prefillDial('sip:bob@example.com');
    expect(t.of('dial.prefill')).toEqual([{ target: 'sip:bob@example.com' }]);
    expect((await ok(api.request('app.snapshot', {}))).dialPrefill).toBe('sip:bob@example.com');
    await ok(api.request('call.dial', { target: 'sip:bob@example.com' }));
    expect((await ok(api.request('app.snapshot', {}))).dialPrefill).toBeUndefined();
  });

  it('shuts down: hangs up, un-registers, and refuses further requests', async () => {
    await ok(api.request('account.save', form));
    await new Promise((r) => setTimeout(r, 0));
    await ok(api.request('call.dial', { target: 'bob' }));
    await core.shutdown();
    const ua = t.agents.at(-1);
    expect(ua?.shutDown).toBe(true);
    expect(ua?.unregistered).toBe(true);
    expect(ua?.calls[0]?.state).toBe('ended');
    expect(await core.handle('app.snapshot', {}, sender)).toEqual({ ok: false, error: { code: 'failed', message: 'the softphone is shutting down' } });
  });
});

describe('app core start-up problems', () => {
  it('reports store problems and falls back to a free SIP port when 5060 is taken', async () => {
    const store = createMemoryStore({ settings: defaultSettings(), problems: ['settings.json could not be used: not valid JSON'] });
    const t = setup({ store, startError: (config) => (config.port === 5060 ? new Error('EADDRINUSE') : null) });
    await t.core.start();
    expect(t.agents.map((a) => a.config.port)).toEqual([5060, 0]);
    expect(t.agents[1]?.started).toBe(true);
    const problems = t.core.snapshot().problems;
    expect(problems[0]).toContain('not valid JSON');
    expect(problems[1]).toContain('SIP port 5060 is not available (EADDRINUSE)');
    expect(t.of('app.problem').map((p) => p.message)).toEqual(problems);
  });

  it('shows registration failed with the reason when SIP cannot start at all', async () => {
    const t = setup({ startError: () => new Error('EACCES') });
    await t.core.start();
    expect(t.core.snapshot().registration).toEqual({ state: 'failed', reason: 'SIP could not start: EACCES' });
    const r = await t.core.handle('call.dial', { target: 'bob@127.0.0.1' }, sender);
    expect(r).toEqual({ ok: false, error: { code: 'failed', message: 'SIP could not start: EACCES' } });
  });

  it('moves a headless (plain) password into a real keychain when one is available', async () => {
    const plain = createPlainSecretBox();
    const settings = { ...defaultSettings(), account: { ...form, password: undefined, passwordBlob: plain.encrypt('secret', 'sip-password') } };
    delete (settings.account as { password?: string }).password;
    const store = createMemoryStore({ settings });
    const keychain = { available: true, storage: 'keychain' as const, encrypt: (s: string) => `safe:${[...s].reverse().join('')}`, decrypt: (b: string) => [...b.slice(5)].reverse().join('') };
    const agents: FakeUserAgent[] = [];
    const core = createAppCore({
      store,
      secretBox: keychain,
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
    expect(store.saved.settings.account?.passwordBlob).toBe('safe:terces');
    expect(agents[0]?.config.account?.password).toBe('secret');
    await core.shutdown();
  });
});
