// The app core with the real user agent and media engine against another real UserAgent on loopback
// (direct IP, no server): call.changed sequences, history, the SIP ladder, meters, and the tone the
// core's WAV "microphone" sends arriving at the peer, and the peer's tone arriving in the core's recording.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { asSoftphoneApi, createAppCore, type AppCore } from '../../src-main/app-core/app-core';
import type { CallSnapshot, EventChannel, EventMap, SoftphoneApi } from '../../src-main/ipc/contract';
import { createMediaSession } from '../../src-main/rtp/media-session.node';
import { createPlainSecretBox } from '../../src-main/settings/secret-box';
import { createFileSettingsStore } from '../../src-main/settings/settings-store.node';
import type { Call, UserAgent } from '../../src-main/sip/user-agent-api';
import { createUserAgent } from '../../src-main/sip/user-agent.node';
import { describeReport, makeTempDir, removeDir, TONE_A_HZ, TONE_B_HZ, toneReport, writeToneWav } from '../support/audio-check';
import { freePortRange, freeUdpPort } from '../support/free-port';

/** Collects a core's events and waits for one matching a predicate (bounded). */
function eventLog(core: Pick<AppCore, 'on'>) {
  const seen: Array<{ event: EventChannel; payload: unknown }> = [];
  const waiters: Array<() => void> = [];
  const names: EventChannel[] = ['registration.changed', 'call.changed', 'flow.message', 'audio.level', 'history.changed', 'dial.prefill', 'app.problem'];
  for (const name of names) {
    core.on(name, (payload) => {
      seen.push({ event: name, payload });
      for (const w of [...waiters]) w();
    });
  }
  const of = <E extends EventChannel>(e: E): Array<EventMap[E]> => seen.filter((s) => s.event === e).map((s) => s.payload as EventMap[E]);
  const waitFor = <E extends EventChannel>(e: E, match: (p: EventMap[E]) => boolean, ms = 10_000): Promise<EventMap[E]> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const hit = of(e).find(match);
        if (!hit) return false;
        clearTimeout(timer);
        waiters.splice(waiters.indexOf(check), 1);
        resolve(hit);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(check), 1);
        reject(new Error(`no ${e} event matching within ${ms} ms; saw ${JSON.stringify(of(e)).slice(0, 600)}`));
      }, ms);
      if (!check()) waiters.push(check);
    });
  return { of, waitFor };
}

interface Peer {
  ua: UserAgent;
  port: number;
  calls: Call[];
}

describe('app core over real SIP and RTP (direct IP)', () => {
  let dir: string;
  let toneA: string;
  let toneB: string;
  const cleanups: Array<() => Promise<void>> = [];
  beforeAll(() => {
    dir = makeTempDir('app-core-it-');
    toneA = writeToneWav(dir, TONE_A_HZ);
    toneB = writeToneWav(dir, TONE_B_HZ);
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  });
  afterAll(() => removeDir(dir));

  async function startPeer(name: string, answer: boolean): Promise<Peer> {
    const rtp = await freePortRange(10);
    const calls: Call[] = [];
    const ua = createUserAgent({
      bindAddress: '127.0.0.1',
      port: 0,
      userAgentName: 'peer',
      createMedia: () => createMediaSession({ audio: { kind: 'file', play: toneB, record: join(dir, `${name}-heard.wav`) }, bindAddress: '127.0.0.1', portMin: rtp.min, portMax: rtp.max }),
    });
    const { port } = await ua.start();
    ua.on('incoming', (call) => {
      calls.push(call);
      if (answer) void call.answer();
    });
    cleanups.push(() => ua.shutdown());
    return { ua, port, calls };
  }

  async function startCore(name: string, sipPort = 0): Promise<{ core: AppCore; api: SoftphoneApi; events: ReturnType<typeof eventLog>; recording: string }> {
    const rtp = await freePortRange(10);
    const recording = join(dir, `${name}-core-heard.wav`);
    const core = createAppCore({
      store: createFileSettingsStore({ dir: join(dir, name) }),
      secretBox: createPlainSecretBox(),
      createUserAgent,
      createMedia: createMediaSession,
      listAudioDevices: () => [],
      audioOverride: { kind: 'file', play: toneA, record: recording },
      sipPortOverride: sipPort,
      bindAddress: '127.0.0.1',
      version: 'test',
    });
    const events = eventLog(core);
    await core.start();
    const api = asSoftphoneApi(core);
    const prefs = await api.request('preferences.get', {});
    if (!prefs.ok) throw new Error('no preferences');
    await api.request('preferences.save', { ...prefs.value, rtpPortMin: rtp.min, rtpPortMax: rtp.max });
    cleanups.push(() => core.shutdown());
    return { core, api, events, recording };
  }

  it('dials a peer: calling -> connected -> ended, with history, ladder, meters and a tone each way', async () => {
    const peer = await startPeer('out', true);
    const { api, events, recording } = await startCore('out');
    const dialed = await api.request('call.dial', { target: `sip:bob@127.0.0.1:${peer.port}` });
    if (!dialed.ok) throw new Error(JSON.stringify(dialed.error));
    const id = dialed.value.id;
    expect(dialed.value).toMatchObject({ direction: 'outgoing', state: 'calling', remoteUri: `sip:bob@127.0.0.1:${peer.port}` });
    const connected = await events.waitFor('call.changed', (c) => c.id === id && c.state === 'connected');
    const connectedSeen = performance.now();
    expect(connected.connectedAt).toBeGreaterThanOrEqual(dialed.value.startedAt);
    const level = await events.waitFor('audio.level', (l) => l.callId === id && l.input > 0.1, 5000);
    expect(level.input).toBeLessThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 3000)); // let the tone play: the peer's recording is checked below
    const hung = await api.request('call.hangup', { callId: id });
    // The call's length as this test saw it: from the connected event to the hang-up's answer.
    const talkedSeconds = (performance.now() - connectedSeen) / 1000;
    expect(hung).toMatchObject({ ok: true, value: { id, state: 'ended', end: { by: 'local' } } });

    const states = events.of('call.changed').filter((c) => c.id === id).map((c) => c.state);
    expect(states[0]).toBe('calling');
    expect(states.slice(-2)).toEqual(['connected', 'ended']);
    // Meters stay at or under 10 per second.
    const levels = events.of('audio.level').filter((l) => l.callId === id).length;
    expect(levels).toBeLessThanOrEqual(Math.ceil(((Date.now() - connected.connectedAt!) / 1000) * 10) + 1);

    const history = await events.waitFor('history.changed', (h) => h.some((e) => e.id === id));
    expect(history[0]).toMatchObject({ id, direction: 'outgoing', missed: false, remoteUri: `sip:bob@127.0.0.1:${peer.port}` });
    // History keeps whole seconds: within a second of what the test measured (rounding and event latency).
    expect(history[0]?.durationSeconds, `talked ${talkedSeconds.toFixed(2)} s`).toBeGreaterThanOrEqual(Math.floor(talkedSeconds) - 1);
    expect(history[0]?.durationSeconds, `talked ${talkedSeconds.toFixed(2)} s`).toBeLessThanOrEqual(Math.ceil(talkedSeconds) + 1);
    expect(talkedSeconds).toBeGreaterThanOrEqual(3);

    const flow = await api.request('flow.get', { callId: id });
    if (!flow.ok) throw new Error('no flow');
    const ladder = flow.value.map((m) => `${m.direction} ${m.summary}`);
    expect(ladder[0]).toMatch(/^out INVITE/);
    expect(ladder).toEqual(expect.arrayContaining(['in 200 OK', 'out ACK', 'out BYE', 'in 200 OK']));
    expect(flow.value.every((m) => m.callId === id && m.raw.includes(id))).toBe(true);

    // The peer's "speaker" recorded what the core's WAV "microphone" sent.
    await peer.calls[0]?.hangup().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const heard = toneReport(join(dir, 'out-heard.wav'), TONE_A_HZ, { otherHz: TONE_B_HZ });
    expect(heard.coverage, describeReport('peer heard', heard)).toBeGreaterThanOrEqual(0.85);
    expect(heard.measuredSeconds, describeReport('peer heard', heard)).toBeGreaterThan(1.5);
    // And the other way: the core's WAV "speaker" recorded the peer's tone.
    const coreHeard = toneReport(recording, TONE_B_HZ, { otherHz: TONE_A_HZ });
    expect(coreHeard.coverage, describeReport('core heard', coreHeard)).toBeGreaterThanOrEqual(0.85);
    expect(coreHeard.measuredSeconds, describeReport('core heard', coreHeard)).toBeGreaterThan(1.5);
  });

  it('shows an incoming call, answers it on request, and records who hung up', async () => {
    const sipPort = await freeUdpPort();
    const { api, events } = await startCore('in', sipPort);
    const peer = await startPeer('in-peer', false);
    const outgoing = peer.ua.call(`sip:alice@127.0.0.1:${sipPort}`);
    const ringing = await events.waitFor('call.changed', (c) => c.direction === 'incoming' && c.state === 'ringing');
    expect(ringing.remoteUri).toMatch(/@127\.0\.0\.1/);
    const snap = await api.request('app.snapshot', {});
    expect(snap.ok && snap.value.calls.map((c: CallSnapshot) => c.id)).toEqual([ringing.id]);
    const answered = await api.request('call.answer', { callId: ringing.id });
    expect(answered).toMatchObject({ ok: true, value: { state: 'connected' } });
    await new Promise<void>((resolve) => (outgoing.state === 'connected' ? resolve() : outgoing.on('state', (s) => s === 'connected' && resolve())));
    await new Promise((r) => setTimeout(r, 1000));
    await outgoing.hangup();
    const ended = await events.waitFor('call.changed', (c) => c.id === ringing.id && c.state === 'ended');
    expect(ended.end).toMatchObject({ by: 'remote' });
    const history = await api.request('history.list', {});
    expect(history.ok && history.value[0]).toMatchObject({ id: ringing.id, direction: 'incoming', missed: false });
  });

  it('counts a call the caller gave up on as missed', async () => {
    const sipPort = await freeUdpPort();
    const { api, events } = await startCore('missed', sipPort);
    const peer = await startPeer('missed-peer', false);
    const outgoing = peer.ua.call(`sip:alice@127.0.0.1:${sipPort}`);
    const ringing = await events.waitFor('call.changed', (c) => c.direction === 'incoming' && c.state === 'ringing');
    await outgoing.hangup(); // CANCEL (RFC 3261 §9)
    const history = await events.waitFor('history.changed', (h) => h.some((e) => e.id === ringing.id));
    expect(history[0]).toMatchObject({ id: ringing.id, direction: 'incoming', missed: true, durationSeconds: 0 });
    const flow = await api.request('flow.get', { callId: ringing.id });
    expect(flow.ok && flow.value.map((m) => m.summary)).toEqual(expect.arrayContaining(['INVITE', 'CANCEL']));
  });

  it('answers bad requests with typed errors and keeps working', async () => {
    const { api, core } = await startCore('bad');
    expect(await core.handle('call.dial', { target: '' }, { transport: 'internal', id: 't' })).toMatchObject({ ok: false, error: { code: 'invalid-request', fields: { target: expect.any(String) } } });
    expect(await core.handle('call.answer', { callId: 7 }, { transport: 'internal', id: 't' })).toMatchObject({ ok: false, error: { code: 'invalid-request', fields: { callId: expect.any(String) } } });
    expect(await core.handle('call.hangup', { callId: 'no-such-call' }, { transport: 'internal', id: 't' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await core.handle('__proto__', {}, { transport: 'internal', id: 't' })).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
    const snap = await api.request('app.snapshot', {});
    expect(snap).toMatchObject({ ok: true, value: { version: 'test', calls: [], registration: { state: 'unregistered' } } });
  });
});
