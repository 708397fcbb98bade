import { describe, expect, it } from 'vitest';
import { checkFromWorker, checkStartParams, checkToWorker, emptyStats } from '../../../src-main/rtp/media-worker-protocol';

const params = { remoteAddress: '127.0.0.1', remotePort: 4000, codec: 'PCMU', payloadType: 0, ptime: 20 };

describe('media worker protocol validation', () => {
  it('passes the answer\'s receive formats through, without extra fields', () => {
    const r = checkStartParams({ ...params, receiveCodecs: [{ payloadType: 0, codec: 'PCMU', x: 1 }, { payloadType: 8, codec: 'PCMA' }] });
    expect(r).toEqual({ ok: true, value: { ...params, receiveCodecs: [{ payloadType: 0, codec: 'PCMU' }, { payloadType: 8, codec: 'PCMA' }] } });
  });

  it('accepts well-formed requests and keeps only known fields', () => {
    const r = checkToWorker({ type: 'start', session: 1, req: 2, params: { ...params, telephoneEventPayloadType: 101, direction: 'sendonly', extra: 'x' } });
    expect(r).toEqual({ ok: true, value: { type: 'start', session: 1, req: 2, params: { ...params, telephoneEventPayloadType: 101, direction: 'sendonly' } } });
    const open = checkToWorker({ type: 'open', session: 3, req: 4, options: { audio: { kind: 'file', play: '/tmp/a.wav', loop: true }, bindAddress: '0.0.0.0', portMin: 10000, portMax: 20000 } });
    expect(open.ok).toBe(true);
    expect(checkToWorker({ type: 'dtmf', session: 1, digits: '12#*A,', durationMs: 100 }).ok).toBe(true);
  });

  it.each([
    [{ ...params, remotePort: 0 }, /remotePort/],
    [{ ...params, remotePort: 70000 }, /remotePort/],
    [{ ...params, remoteAddress: 'a b' }, /remoteAddress/],
    [{ ...params, codec: 'G729' }, /codec/],
    [{ ...params, payloadType: 128 }, /payloadType/],
    [{ ...params, ptime: 5 }, /ptime/],
    [{ ...params, direction: 'sideways' }, /direction/],
    [{ ...params, telephoneEventPayloadType: -1 }, /telephoneEvent/],
    [{ ...params, receiveCodecs: 'PCMA' }, /receiveCodecs/],
    [{ ...params, receiveCodecs: [{ payloadType: 8, codec: 'G729' }] }, /receiveCodecs/],
    [{ ...params, receiveCodecs: [{ payloadType: 200, codec: 'PCMA' }] }, /receiveCodecs/],
    [{ ...params, receiveCodecs: [{ payloadType: 8, codec: 'PCMA' }, { payloadType: 8, codec: 'PCMU' }] }, /twice/],
    [{ ...params, receiveCodecs: Array.from({ length: 17 }, (_, i) => ({ payloadType: i, codec: 'PCMU' })) }, /receiveCodecs/],
    [null, /object/],
  ])('rejects bad start params %#', (bad, why) => {
    const r = checkStartParams(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(why);
  });

  it('rejects malformed messages with a reason', () => {
    const cases: unknown[] = [
      null,
      'open',
      { type: 'open', session: 1 },
      { type: 'open', session: 1, req: 1, options: { audio: { kind: 'alsa' }, bindAddress: '0.0.0.0', portMin: 10000, portMax: 20000 } },
      { type: 'open', session: 1, req: 1, options: { audio: { kind: 'null' }, bindAddress: '0.0.0.0', portMin: 20000, portMax: 10000 } },
      { type: 'open', session: 1, req: 1, options: { audio: { kind: 'portaudio', inputDevice: -1 }, bindAddress: '0.0.0.0', portMin: 10000, portMax: 20000 } },
      { type: 'dtmf', session: 1, digits: '1; rm -rf', durationMs: 100 },
      { type: 'dtmf', session: 1, digits: '1', durationMs: 1e9 },
      { type: 'mute', session: 1, muted: 'yes' },
      { type: 'levels', session: 1, enabled: 1 },
      { type: 'stats', session: -1, req: 1 },
      { type: 'explode', session: 1 },
    ];
    for (const c of cases) expect(checkToWorker(c).ok, JSON.stringify(c)).toBe(false);
  });

  it('issue 11: the ring device name passes, a control character or an overlong name does not', () => {
    const open = (audio: unknown) => checkToWorker({ type: 'open', session: 1, req: 1, options: { audio, bindAddress: '0.0.0.0', portMin: 10000, portMax: 20000 } });
    expect(open({ kind: 'portaudio', outputDevice: 0, ringDevice: 'ringer' })).toMatchObject({ ok: true, value: { options: { audio: { kind: 'portaudio', outputDevice: 0, ringDevice: 'ringer' } } } });
    // '' is "the speaker": no ring device at all.
    const none = open({ kind: 'portaudio', ringDevice: '' });
    expect(none.ok && none.value.type === 'open' && none.value.options.audio).toEqual({ kind: 'portaudio' });
    expect(open({ kind: 'portaudio', ringDevice: 'a\u0000b' }).ok).toBe(false);
    expect(open({ kind: 'portaudio', ringDevice: 'x'.repeat(257) }).ok).toBe(false);
    expect(open({ kind: 'portaudio', ringDevice: 3 }).ok).toBe(false);
  });

  it('passes the level-meter switch through', () => {
    expect(checkToWorker({ type: 'levels', session: 3, enabled: true })).toEqual({ ok: true, value: { type: 'levels', session: 3, enabled: true } });
    expect(checkToWorker({ type: 'levels', session: 3, enabled: false, extra: 'x' })).toEqual({ ok: true, value: { type: 'levels', session: 3, enabled: false } });
  });

  it('validates what comes back from the worker', () => {
    expect(checkFromWorker({ type: 'opened', req: 1, endpoint: { address: '0.0.0.0', rtpPort: 10000, rtcpPort: 10001 } }).ok).toBe(true);
    expect(checkFromWorker({ type: 'stats', req: 1, stats: emptyStats() }).ok).toBe(true);
    expect(checkFromWorker({ type: 'level', session: 1, input: 0.5, output: 0 }).ok).toBe(true);
    expect(checkFromWorker({ type: 'log', level: 'warn', scope: 'media-worker', msg: 'x', data: { a: 1 } }).ok).toBe(true);
    expect(checkFromWorker({ type: 'level', session: 1, input: 2, output: 0 }).ok).toBe(false);
    expect(checkFromWorker({ type: 'stats', req: 1, stats: { ...emptyStats(), packetsSent: 'many' } }).ok).toBe(false);
    // Issue 10: the RTCP count and the TURN relay's problem pass when well-formed, are refused otherwise.
    expect(checkFromWorker({ type: 'stats', req: 1, stats: { ...emptyStats(), rtcpReceived: 3 } }).ok).toBe(true);
    expect(checkFromWorker({ type: 'stats', req: 1, stats: { ...emptyStats(), rtcpReceived: -1 } }).ok).toBe(false);
    expect(checkFromWorker({ type: 'stats', req: 1, stats: { ...emptyStats(), quality: { r: 93.2, mos: 4.41 } } }).ok).toBe(true);
    expect(checkFromWorker({ type: 'stats', req: 1, stats: { ...emptyStats(), quality: { r: 120, mos: 4.41 } } }).ok).toBe(false);
    expect(checkFromWorker({ type: 'stats', req: 1, stats: { ...emptyStats(), quality: { r: 50 } } }).ok).toBe(false);
    // Issue 13: the jitter buffer's delay report.
    const jb = { mode: 'stretch', delayMs: 61.1, meanDelayMs: 59.6, targetMs: 74.5, grownMs: 5, shrunkMs: 0 };
    expect(checkFromWorker({ type: 'stats', req: 1, stats: { ...emptyStats(), jitterBuffer: jb } })).toMatchObject({ ok: true, value: { stats: { jitterBuffer: jb } } });
    expect(checkFromWorker({ type: 'stats', req: 1, stats: { ...emptyStats(), jitterBuffer: { ...jb, mode: 'drop' } } }).ok).toBe(false);
    expect(checkFromWorker({ type: 'stats', req: 1, stats: { ...emptyStats(), jitterBuffer: { ...jb, meanDelayMs: -1 } } }).ok).toBe(false);
    expect(checkFromWorker({ type: 'stats', req: 1, stats: { ...emptyStats(), jitterBuffer: { ...jb, targetMs: 'x' } } }).ok).toBe(false);
    const relayLost = { state: 'completed', relayProblem: '437 Allocation Mismatch' };
    expect(checkFromWorker({ type: 'stats', req: 1, stats: { ...emptyStats(), ice: relayLost } })).toMatchObject({ ok: true, value: { stats: { ice: relayLost } } });
    expect(checkFromWorker({ type: 'stats', req: 1, stats: { ...emptyStats(), ice: { state: 'completed', relayProblem: 'x'.repeat(400) } } }).ok).toBe(false);
    expect(checkFromWorker({ type: 'opened', req: 1, endpoint: { address: '0.0.0.0', rtpPort: 0, rtcpPort: 1 } }).ok).toBe(false);
    expect(checkFromWorker({ type: 'log', level: 'fatal', scope: 's', msg: 'x' }).ok).toBe(false);
    expect(checkFromWorker(undefined).ok).toBe(false);
  });
});

describe('issue 11 messages', () => {
  it('in-band keys, call recording and received keys are checked both ways', () => {
    expect(checkToWorker({ type: 'dtmf', session: 1, digits: '5', durationMs: 100, inband: true })).toEqual({ ok: true, value: { type: 'dtmf', session: 1, digits: '5', durationMs: 100, inband: true } });
    expect(checkToWorker({ type: 'dtmf', session: 1, digits: '5', durationMs: 100, inband: 'yes' }).ok).toBe(false);
    expect(checkToWorker({ type: 'record', session: 1, req: 2, path: '/tmp/x.wav' })).toEqual({ ok: true, value: { type: 'record', session: 1, req: 2, path: '/tmp/x.wav' } });
    expect(checkToWorker({ type: 'record', session: 1, req: 2, path: null }).ok).toBe(true);
    for (const path of ['', 'a\nb', 42, undefined, 'x'.repeat(5000)]) expect(checkToWorker({ type: 'record', session: 1, req: 2, path }).ok, String(path).slice(0, 9)).toBe(false);
    expect(checkToWorker({ type: 'record', session: 1, path: '/tmp/x.wav' }).ok).toBe(false);
    expect(checkFromWorker({ type: 'dtmf', session: 1, digit: '#' })).toEqual({ ok: true, value: { type: 'dtmf', session: 1, digit: '#' } });
    for (const digit of ['', '55', 'E', 5, 'a']) expect(checkFromWorker({ type: 'dtmf', session: 1, digit }).ok, String(digit)).toBe(false);
  });
});

describe('volume messages (issue 11)', () => {
  it('takes gains 0..4 at open and at run time, nothing else', () => {
    const open = checkToWorker({ type: 'open', session: 3, req: 4, options: { audio: { kind: 'null' }, bindAddress: '0.0.0.0', portMin: 10000, portMax: 20000, gain: { input: 0.5, output: 2 } } });
    expect(open.ok && open.value.type === 'open' && open.value.options.gain).toEqual({ input: 0.5, output: 2 });
    expect(checkToWorker({ type: 'open', session: 3, req: 4, options: { audio: { kind: 'null' }, bindAddress: '0.0.0.0', portMin: 10000, portMax: 20000, gain: { input: 5, output: 1 } } }).ok).toBe(false);
    expect(checkToWorker({ type: 'gain', session: 1, input: 0, output: 4 })).toEqual({ ok: true, value: { type: 'gain', session: 1, input: 0, output: 4 } });
    for (const bad of [{ input: -1, output: 1 }, { input: 1, output: Number.NaN }, { input: '1', output: 1 }]) {
      expect(checkToWorker({ type: 'gain', session: 1, ...bad }).ok).toBe(false);
    }
  });
});

describe('jitter buffer options (issue 13)', () => {
  it('takes the jitter buffer mode at open: stretch or frame, nothing else (issue 13)', () => {
    const options = { audio: { kind: 'null' }, bindAddress: '0.0.0.0', portMin: 10000, portMax: 20000 };
    for (const jitterAdapt of ['stretch', 'frame']) {
      expect(checkToWorker({ type: 'open', session: 1, req: 1, options: { ...options, jitterAdapt } })).toMatchObject({ ok: true, value: { options: { jitterAdapt } } });
    }
    expect(checkToWorker({ type: 'open', session: 1, req: 1, options: { ...options, jitterAdapt: 'drop' } })).toMatchObject({ ok: false, error: expect.stringMatching(/jitterAdapt/) });
    const plain = checkToWorker({ type: 'open', session: 1, req: 1, options });
    expect(plain.ok && plain.value.type === 'open' && 'jitterAdapt' in plain.value.options).toBe(false);
  });
});
