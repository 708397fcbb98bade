// G.722 at 64 kbit/s: bit-exact with a reference implementation (spandsp, as in baresip's g722 module)
// on tones, a sweep, speech-like audio, silence and full-scale noise; and a 5 kHz tone (beyond the reach
// of narrowband G.711) survives the codec.
import { describe, expect, it } from 'vitest';
import { goertzelPower } from '../../../src-main/audio/tone-analysis';
import { G722Decoder, G722Encoder } from '../../../src-main/codec/g722';
import { skipWithoutRealPeer } from '../../support/real-peer-gate';
import { spandspG722, spandspMissing } from '../../support/spandsp-g722';
import { speechLike } from '../../support/speech-quality';

function tones(freqs: number[], seconds: number, amp = 6000): Int16Array {
  return Int16Array.from({ length: seconds * 16000 }, (_, i) => Math.round(freqs.reduce((s, f) => s + amp * Math.sin((2 * Math.PI * f * i) / 16000), 0)));
}

function sweep(seconds: number): Int16Array {
  let ph = 0;
  return Int16Array.from({ length: seconds * 16000 }, (_, i) => {
    ph += (2 * Math.PI * (50 + (7900 * i) / (seconds * 16000))) / 16000;
    return Math.round(20000 * Math.sin(ph));
  });
}

function noise(samples: number, seed = 99): Int16Array {
  let s = seed;
  return Int16Array.from({ length: samples }, () => {
    s = (s * 16807) % 2147483647;
    return Math.round((s / 2147483647) * 65535 - 32768);
  });
}

function codec(pcm: Int16Array): { encoded: Uint8Array; decoded: Int16Array } {
  const encoded = new Uint8Array(pcm.length >> 1);
  // In 20 ms packets, as the media path does: the state carries over between calls.
  const enc = new G722Encoder();
  for (let o = 0; o < encoded.length; o += 160) enc.encode(pcm.subarray(2 * o, 2 * o + 320), encoded.subarray(o, o + 160));
  const decoded = new Int16Array(encoded.length * 2);
  const dec = new G722Decoder();
  for (let o = 0; o < encoded.length; o += 160) dec.decode(encoded.subarray(o, o + 160), decoded.subarray(2 * o, 2 * o + 320));
  return { encoded, decoded };
}

describe('G.722', () => {
  it('codes 320 samples of 16 kHz audio into 160 octets (20 ms) and back', () => {
    const out = new Uint8Array(160);
    expect(new G722Encoder().encode(new Int16Array(320), out)).toBe(160);
    expect(new G722Decoder().decode(out, new Int16Array(320))).toBe(320);
  });

  it('carries a 5 kHz tone that narrowband audio cannot', () => {
    const { decoded } = codec(tones([5000], 1));
    const tail = decoded.subarray(1600);
    const at5k = goertzelPower(tail, 0, tail.length, 5000, 16000);
    const at3k = goertzelPower(tail, 0, tail.length, 3000, 16000);
    expect(at5k).toBeGreaterThan(1000 * at3k);
    let e = 0;
    for (const v of tail) e += v * v;
    const rms = Math.sqrt(e / tail.length);
    expect(rms).toBeGreaterThan(0.8 * (6000 / Math.SQRT2));
    expect(rms).toBeLessThan(1.2 * (6000 / Math.SQRT2));
  });

  it('is bit-exact with spandsp (the reference baresip uses), encoding and decoding', () => {
    if (skipWithoutRealPeer('G.722 reference (spandsp)', spandspMissing())) return;
    const speech8k = speechLike(2, 16000);
    const inputs: Array<[string, Int16Array]> = [
      ['tones 440 + 5000 Hz', tones([440, 5000], 1)],
      ['sweep 50 Hz - 7.95 kHz', sweep(2)],
      ['speech-like', speech8k],
      ['silence', new Int16Array(3200)],
      ['full-scale noise', noise(16000)],
    ];
    for (const [name, pcm] of inputs) {
      const ours = codec(pcm);
      const ref = spandspG722(pcm);
      const firstEnc = ours.encoded.findIndex((v, i) => v !== ref.encoded[i]);
      expect(firstEnc, `${name}: first differing octet`).toBe(-1);
      // One known difference: where the receive QMF overflows 16 bits (full-scale noise only), spandsp
      // wraps around (a click of opposite sign) and we saturate, as G.722's fixed-point reference does.
      const firstDec = ours.decoded.findIndex((v, i) => {
        const r = ref.decoded[i] as number;
        const clipped = (v === 32767 && r < 0) || (v === -32768 && r > 0);
        return v !== r && !clipped;
      });
      expect(firstDec, `${name}: first differing sample`).toBe(-1);
    }
  });
});
