// The registry maps names and static payload types to working G.711 codecs.
import { describe, expect, it } from 'vitest';
import { codecByEncodingName, codecForPayloadType, getCodec, supportedCodecs } from '../../../src-main/codec/codec-registry';
import type { CodecName } from '../../../src-main/rtp/media-session';

describe('codec registry', () => {
  it('maps names and payload types (RFC 3551: PCMU=0, PCMA=8, 8 kHz)', () => {
    expect(getCodec('PCMU').payloadType).toBe(0);
    expect(getCodec('PCMA').payloadType).toBe(8);
    expect(getCodec('PCMU').clockRate).toBe(8000);
    expect(codecForPayloadType(0)?.name).toBe('PCMU');
    expect(codecForPayloadType(8)?.name).toBe('PCMA');
    expect(codecForPayloadType(101)).toBeUndefined();
    expect(codecForPayloadType(-1)).toBeUndefined();
    expect(codecByEncodingName('pcma')?.name).toBe('PCMA');
    expect(codecByEncodingName('opus')).toBeUndefined();
    expect(supportedCodecs.map((c) => c.name)).toEqual(['PCMU', 'PCMA']);
    expect(() => getCodec('G729' as CodecName)).toThrow(/unsupported codec/);
  });

  it('encodes and decodes a 20 ms frame through each codec', () => {
    const pcm = new Int16Array(160);
    for (let i = 0; i < 160; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 8000));
    for (const name of ['PCMU', 'PCMA'] as const) {
      const codec = getCodec(name);
      const payload = new Uint8Array(160);
      expect(codec.encode(pcm, payload)).toBe(160);
      const out = new Int16Array(160);
      expect(codec.decode(payload, out)).toBe(160);
      // Below 8192 the coarsest G.711 step is 256, so every sample is within half a step (+ rounding).
      let maxErr = 0;
      for (let i = 0; i < 160; i++) maxErr = Math.max(maxErr, Math.abs((out[i] as number) - (pcm[i] as number)));
      expect(maxErr).toBeLessThanOrEqual(132);
      expect(out[2]).toBeGreaterThan(5000); // sin(π/2) * 8000 region, decoded with the right sign
    }
  });
});
