// Issue 13: the addon's libopus binding (native/src/opus_napi.c) and the Opus AudioCodec on top of it:
// arguments checked, a 12 kHz tone survives a 48 kHz round trip, a lost packet is rebuilt from the
// next one's in-band FEC, DTX stops sending in silence. No real-time audio (pure computation, < 1 s).
import { describe, expect, it } from 'vitest';
import { generateTone, toneCoverage } from '../../src-main/audio/tone-analysis';
import { createOpusCodec, loadOpus } from '../../src-main/codec/opus-codec.node';
import { skipWithoutRealPeer } from '../support/real-peer-gate';

const load = loadOpus();
const skip = skipWithoutRealPeer('opus-codec.test.ts (the native addon built with libopus-dev)', 'error' in load ? load.error : null);
const api = 'api' in load ? load.api : (null as never);
const FRAME = 960; // 20 ms at 48 kHz

/** Encodes `pcm` in 20 ms frames with a fresh codec (our settings: 64 kbit/s, FEC for 5 % loss); returns the packets. */
function encodeAll(pcm: Int16Array): Uint8Array[] {
  const codec = createOpusCodec(api);
  const out: Uint8Array[] = [];
  const buf = new Uint8Array(1500);
  for (let i = 0; i + FRAME <= pcm.length; i += FRAME) {
    const n = codec.encode(pcm.subarray(i, i + FRAME), buf);
    expect(n).toBeGreaterThan(0);
    out.push(buf.slice(0, n));
  }
  codec.destroy?.();
  return out;
}

describe.skipIf(skip)('Opus through libopus', () => {
  it('checks its arguments: rates, channels, frame sizes, handle kinds, destroyed handles', () => {
    expect(() => api.createOpusEncoder(44100, 1, 32000, true, false, 0)).toThrow(RangeError);
    expect(() => api.createOpusEncoder(48000, 3, 32000, true, false, 0)).toThrow(RangeError);
    expect(() => api.createOpusDecoder(22050, 1)).toThrow(RangeError);
    const enc = api.createOpusEncoder(48000, 1, 32000, true, false, 0);
    const dec = api.createOpusDecoder(48000, 1);
    if (!enc || !dec) throw new Error('no codec');
    expect(() => api.opusEncode(enc, new Int16Array(1000), new Uint8Array(1500))).toThrow(/2.5, 5, 10, 20, 40 or 60 ms/);
    expect(() => api.opusEncode(dec, new Int16Array(FRAME), new Uint8Array(1500))).toThrow(/encoder handle/);
    expect(() => api.opusEncode(enc, new Uint8Array(FRAME) as unknown as Int16Array, new Uint8Array(1500))).toThrow(TypeError);
    expect(() => api.opusDecode(dec, null, new Int16Array(1000), false)).toThrow(/concealed Opus frame/);
    expect(api.opusPacketSamples(new Uint8Array([0xff]), 48000)).toBeLessThan(0); // code 3 without a count byte
    api.destroyOpus(enc);
    expect(() => api.opusEncode(enc, new Int16Array(FRAME), new Uint8Array(1500))).toThrow(/destroyed/);
    api.destroyOpus(dec);
  });

  it('carries a 12 kHz and a 5 kHz tone through 48 kHz Opus (beyond any 8 or 16 kHz codec)', () => {
    for (const hz of [12000, 5000]) {
      const packets = encodeAll(generateTone(hz, 1.5, 48000, 0.3));
      expect(api.opusPacketSamples(packets[0] as Uint8Array, 48000)).toBe(FRAME);
      const codec = createOpusCodec(api);
      const out = new Int16Array(packets.length * FRAME);
      packets.forEach((p, i) => expect(codec.decode(p, out.subarray(i * FRAME, (i + 1) * FRAME))).toBe(FRAME));
      codec.destroy?.();
      // The encoder starts in a narrower mode and widens its band within a few hundred ms.
      expect(toneCoverage(out.subarray(25 * FRAME), 48000, hz), `${hz} Hz`).toBeGreaterThan(0.95);
    }
  });

  it('rebuilds a lost packet from the next packet\'s in-band FEC (RFC 7587 §3.3), and conceals without it', () => {
    const packets = encodeAll(generateTone(1000, 1, 48000, 0.3));
    const lost = 30;
    const run = (useFec: boolean): Int16Array => {
      const dec = api.createOpusDecoder(48000, 1);
      if (!dec) throw new Error('no decoder');
      const out = new Int16Array(packets.length * FRAME);
      for (let i = 0; i < packets.length; i++) {
        const frame = out.subarray(i * FRAME, (i + 1) * FRAME);
        if (i !== lost) expect(api.opusDecode(dec, packets[i] as Uint8Array, frame, false)).toBe(FRAME);
        else expect(api.opusDecode(dec, useFec ? (packets[i + 1] as Uint8Array) : null, frame, useFec)).toBe(FRAME);
      }
      api.destroyOpus(dec);
      return out.subarray(lost * FRAME, (lost + 1) * FRAME);
    };
    // Either way the gap holds the tone (not silence); FEC is the real audio at a lower bitrate.
    expect(toneCoverage(run(true), 48000, 1000)).toBe(1);
    expect(toneCoverage(run(false), 48000, 1000)).toBe(1);
  });

  it('with DTX on, the codec sends nothing for most frames of silence (RFC 7587 §3.4)', () => {
    const codec = createOpusCodec(api, { dtx: true });
    const out = new Uint8Array(1500);
    const silence = new Int16Array(FRAME);
    const sizes = Array.from({ length: 50 }, () => codec.encode(silence, out));
    codec.setDtx(false);
    const withoutDtx = Array.from({ length: 50 }, () => codec.encode(silence, out));
    codec.destroy?.();
    expect(sizes.filter((n) => n === 0).length).toBeGreaterThan(30);
    expect(withoutDtx.every((n) => n > 0)).toBe(true);
  });
});
