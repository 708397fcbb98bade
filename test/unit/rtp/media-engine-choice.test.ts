// Which engine carries a call (issue 12), and the parameters the native engine is started with.
import { describe, expect, it } from 'vitest';
import type { MediaSessionOptions, MediaStartParams } from '../../../src-main/rtp/media-session';
import { chooseMediaEngine, preferenceFromEnv } from '../../../src-main/rtp/media-engine-choice';
import { nativeStartParams, nativeUnsupported } from '../../../src-main/rtp/native-start-params';
import { portCandidates } from '../../../src-main/rtp/native-media-session.node';

const file: MediaSessionOptions = { audio: { kind: 'file', play: 'a.wav' }, bindAddress: '127.0.0.1' };
const start: MediaStartParams = { remoteAddress: '203.0.113.5', remotePort: 4000, codec: 'PCMA', payloadType: 8, ptime: 20 };

describe('chooseMediaEngine', () => {
  it('runs plain-RTP calls with file or no audio natively when asked; the worker is the default', () => {
    expect(chooseMediaEngine(file, 'native', null)).toEqual({ engine: 'native', warn: false });
    expect(chooseMediaEngine({ audio: { kind: 'null' } }, 'native', null).engine).toBe('native');
    expect(chooseMediaEngine(file, 'auto', null)).toMatchObject({ engine: 'worker', warn: false, reason: expect.stringMatching(/default/) });
  });

  it('keeps ICE/STUN and sound cards on the worker, warning only when native was forced', () => {
    const ice = { ...file, nat: { ice: true } };
    expect(chooseMediaEngine(ice, 'auto', null)).toMatchObject({ engine: 'worker', warn: false });
    expect(chooseMediaEngine(ice, 'native', null)).toMatchObject({ engine: 'worker', warn: true });
    expect(chooseMediaEngine({ audio: { kind: 'portaudio' } }, 'native', null)).toMatchObject({ engine: 'worker', warn: true, reason: expect.stringMatching(/sound card/) });
  });

  it('falls back to the worker with a warning when the addon did not load', () => {
    expect(chooseMediaEngine(file, 'native', 'not built')).toEqual({ engine: 'worker', reason: 'native media engine unavailable: not built', warn: true });
  });

  it('obeys --media-engine worker, and reads SOFTPHONE_MEDIA_ENGINE', () => {
    expect(chooseMediaEngine(file, 'worker', null)).toMatchObject({ engine: 'worker', warn: false });
    expect(preferenceFromEnv('native')).toBe('native');
    expect(preferenceFromEnv('worker')).toBe('worker');
    expect(preferenceFromEnv('fast')).toBe('auto');
    expect(preferenceFromEnv(undefined)).toBe('auto');
  });
});

describe('nativeStartParams / nativeUnsupported', () => {
  it('maps codec, receive formats, direction and the latch rule of rtp-latch.ts', () => {
    const p = nativeStartParams({ ...start, receiveCodecs: [{ payloadType: 8, codec: 'PCMA' }, { payloadType: 0, codec: 'PCMU' }], telephoneEventPayloadType: 101, direction: 'sendonly' }, { ssrc: 2 ** 32 - 1, seq: 70000, timestamp: 5 });
    expect(p).toEqual({
      remoteAddress: '203.0.113.5', remotePort: 4000, remoteRtcpPort: 4001, law: 1, payloadType: 8,
      receive: [{ payloadType: 8, law: 1 }, { payloadType: 0, law: 0 }], telephoneEventPayloadType: 101, ptime: 20,
      latchMode: 0, direction: 1, ssrc: 2 ** 32 - 1, seq: 70000 & 0xffff, timestamp: 5,
    });
    // A private SDP address is learned (NAT), symmetric off means ICE vetted the source.
    expect(nativeStartParams({ ...start, remoteAddress: '192.168.1.20' }, { ssrc: 1, seq: 1, timestamp: 1 }).latchMode).toBe(1);
    expect(nativeStartParams({ ...start, symmetric: false }, { ssrc: 1, seq: 1, timestamp: 1 }).latchMode).toBe(2);
    expect(nativeStartParams(start, { ssrc: 1, seq: 1, timestamp: 1 }).receive).toEqual([{ payloadType: 8, law: 1 }]);
  });

  it('sends SRTP, ICE and odd ptimes to the worker', () => {
    expect(nativeUnsupported(start)).toBeNull();
    expect(nativeUnsupported({ ...start, ptime: 30 })).toMatch(/ptime 30/);
    expect(nativeUnsupported({ ...start, comfortNoisePayloadType: 13, silenceSuppression: true })).toBe('comfort noise (RFC 3389)');
    expect(nativeUnsupported({ ...start, xrVoipMetrics: true })).toBeNull();
    expect(nativeUnsupported({ ...start, srtp: { suite: 'AES_CM_128_HMAC_SHA1_80', localKey: 'x', remoteKey: 'y' } })).toBe('SRTP');
    // Issue 13: the native engine codes G.711 only; a G.722 call (sent or only received) runs on the worker.
    expect(nativeUnsupported({ ...start, codec: 'G722', payloadType: 9 })).toMatch(/codec G722/);
    expect(nativeUnsupported({ ...start, receiveCodecs: [{ payloadType: 8, codec: 'PCMA' }, { payloadType: 9, codec: 'G722' }] })).toMatch(/codec G722/);
  });
});

describe('portCandidates', () => {
  it('walks every even port of the range once, from a random start, leaving room for RTCP', () => {
    const ports = [...portCandidates(10001, 10010, () => 0.5)];
    expect(ports).toEqual([10006, 10008, 10002, 10004]);
    expect([...portCandidates(10000, 10000, () => 0)]).toEqual([]);
  });
});
