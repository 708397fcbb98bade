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

  it('has G.722 on static PT 9 with an 8000 RTP clock and 16 kHz audio, a fresh state per instance (RFC 3551 §4.5.2)', () => {
    const g = getCodec('G722');
    expect(g).toMatchObject({ name: 'G722', payloadType: 9, clockRate: 8000, sampleRate: 16000 });
    expect(codecForPayloadType(9)?.name).toBe('G722');
    expect(codecByEncodingName('g722')?.name).toBe('G722');
    expect(getCodec('G722')).not.toBe(g);
    // 20 ms = 320 samples -> 160 octets -> 320 samples; the ADPCM state carries over between frames.
    const tone = new Int16Array(3200);
    for (let i = 0; i < tone.length; i++) tone[i] = Math.round(8000 * Math.sin((2 * Math.PI * 5000 * i) / 16000));
    const enc = getCodec('G722');
    const dec = getCodec('G722');
    const payload = new Uint8Array(160);
    const out = new Int16Array(320);
    let err = 0;
    let sig = 0;
    for (let f = 0; f < 10; f++) {
      expect(enc.encode(tone.subarray(f * 320, f * 320 + 320), payload)).toBe(160);
      expect(dec.decode(payload, out)).toBe(320);
      if (f < 5) continue;
      // The QMF pair delays the signal by 22 samples: compare against the input that far back.
      for (let i = 0; i < 320; i++) {
        const ref = tone[f * 320 + i - 22] as number;
        err += ((out[i] as number) - ref) ** 2;
        sig += ref ** 2;
      }
    }
    expect(10 * Math.log10(sig / err)).toBeGreaterThan(15);
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
