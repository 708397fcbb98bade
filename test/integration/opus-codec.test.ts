// Issue 13: the addon's libopus binding (native/src/opus_napi.c) and the Opus AudioCodec on top of it:
// arguments checked, a 12 kHz tone survives a 48 kHz round trip, a lost packet is rebuilt from the
// next one's in-band FEC, DTX stops sending in silence. No real-time audio (pure computation, < 1 s).
import { describe, expect, it } from 'vitest';
import { generateTone, goertzelPower, toneCoverage } from '../../src-main/audio/tone-analysis';
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

  it('rebuilds a lost packet from the next packet\'s in-band FEC (RFC 7587 §3.3), where concealment can only guess', () => {
    // 1 kHz, then 2.5 kHz from frame 30 on; frame 30 is lost. Its FEC copy (in packet 31) holds 2.5 kHz,
    // while concealment continues the 1 kHz it heard last. 24 kbit/s speech-band coding carries FEC.
    const pcm = new Int16Array(50 * FRAME);
    pcm.set(generateTone(1000, 30 * 0.02, 48000, 0.3));
    pcm.set(generateTone(2500, 20 * 0.02, 48000, 0.3), 30 * FRAME);
    const enc = api.createOpusEncoder(48000, 1, 24000, true, false, 20);
    if (!enc) throw new Error('no encoder');
    const buf = new Uint8Array(1500);
    const packets: Uint8Array[] = [];
    for (let i = 0; i < 50; i++) packets.push(buf.slice(0, api.opusEncode(enc, pcm.subarray(i * FRAME, (i + 1) * FRAME), buf)));
    api.destroyOpus(enc);
    const lost = 30;
    const run = (useFec: boolean): Int16Array => {
      const dec = api.createOpusDecoder(48000, 1);
      if (!dec) throw new Error('no decoder');
      const out = new Int16Array(FRAME);
      for (let i = 0; i < lost; i++) api.opusDecode(dec, packets[i] as Uint8Array, out, false);
      expect(api.opusDecode(dec, useFec ? (packets[lost + 1] as Uint8Array) : null, out, useFec)).toBe(FRAME);
      api.destroyOpus(dec);
      return out;
    };
    // The second half of the rebuilt frame (past the cross-fade from the last good one): which tone leads.
    const ratio = (x: Int16Array) => goertzelPower(x, FRAME / 2, FRAME / 2, 2500, 48000) / goertzelPower(x, FRAME / 2, FRAME / 2, 1000, 48000);
    expect(ratio(run(true)), 'FEC: the new 2.5 kHz').toBeGreaterThan(5);
    expect(ratio(run(false)), 'PLC: the old 1 kHz').toBeLessThan(0.2);
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
