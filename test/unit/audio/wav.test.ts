// WAV parsing of every supported encoding (bytes built here, as sox writes them) and PCM16 writing.
import { describe, expect, it } from 'vitest';
import { encodeWav, parseWav, wavHeader } from '../../../src-main/audio/wav';
import { linearToAlaw, linearToUlaw } from '../../../src-main/codec/g711';

/** Builds a RIFF/WAVE file from chunks (adds the RIFF pad byte after odd-sized chunks). */
function riff(chunks: [string, Uint8Array][]): Uint8Array {
  const parts: number[] = [];
  for (const [id, body] of chunks) {
    parts.push(...[...id].map((c) => c.charCodeAt(0)), ...u32(body.length), ...body);
    if (body.length & 1) parts.push(0);
  }
  return Uint8Array.from([...'RIFF'].map((c) => c.charCodeAt(0)).concat(u32(parts.length + 4), [...'WAVE'].map((c) => c.charCodeAt(0)), parts));
}
const u32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
const u16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];
function fmt(tag: number, channels: number, rate: number, bits: number, extra: number[] = []): Uint8Array {
  const block = (channels * bits) / 8;
  return Uint8Array.from([...u16(tag), ...u16(channels), ...u32(rate), ...u32(rate * block), ...u16(block), ...u16(bits), ...extra]);
}

const pcm = Int16Array.from([0, 1000, -1000, 32767, -32768, 12345]);

describe('WAV', () => {
  it('round-trips PCM16 through encodeWav/parseWav, with a canonical 44-byte header', () => {
    const file = encodeWav(pcm, 8000);
    expect(file.length).toBe(44 + 12);
    expect(String.fromCharCode(...file.subarray(0, 4))).toBe('RIFF');
    expect(new DataView(file.buffer).getUint32(4, true)).toBe(36 + 12);
    expect(new DataView(file.buffer).getUint32(40, true)).toBe(12);
    const w = parseWav(file);
    expect(w).toEqual({ sampleRate: 8000, channels: 1, samples: pcm });
  });

  it('writes headers a recorder can patch, and reads an unpatched (size 0) data chunk to the end', () => {
    expect(wavHeader(48000, 2, 0)).toHaveLength(44);
    const h = new DataView(wavHeader(48000, 2, 1000).buffer);
    expect([h.getUint16(22, true), h.getUint32(24, true), h.getUint32(28, true), h.getUint16(32, true)]).toEqual([2, 48000, 192000, 4]);
    const body = new Uint8Array(8);
    new DataView(body.buffer).setInt16(0, 111, true);
    new DataView(body.buffer).setInt16(6, -222, true);
    const file = new Uint8Array(52);
    file.set(wavHeader(48000, 2, 0));
    file.set(body, 44);
    expect(Array.from(parseWav(file).samples)).toEqual([111, 0, 0, -222]);
  });

  it('parses 8-bit unsigned, 24-bit, 32-bit and float PCM to 16-bit', () => {
    const u8 = riff([['fmt ', fmt(1, 1, 8000, 8)], ['data', Uint8Array.from([128, 255, 0])]]); // odd size
    expect(Array.from(parseWav(u8).samples)).toEqual([0, 127 << 8, -32768]);
    const s24 = riff([['fmt ', fmt(1, 1, 16000, 24)], ['data', Uint8Array.from([0xff, 0xe8, 0x03, 0x00, 0x18, 0xfc])]]);
    expect(Array.from(parseWav(s24).samples)).toEqual([1000, -1000]);
    const s32 = riff([['fmt ', fmt(1, 1, 8000, 32)], ['data', Uint8Array.from([0, 0, 0xe8, 0x03])]]);
    expect(Array.from(parseWav(s32).samples)).toEqual([1000]);
    const f = new Uint8Array(12);
    const fv = new DataView(f.buffer);
    fv.setFloat32(0, 0.5, true);
    fv.setFloat32(4, -1.5, true);
    fv.setFloat32(8, Number.NaN, true);
    const f32 = riff([['fmt ', fmt(3, 1, 8000, 32)], ['fact', Uint8Array.from(u32(3))], ['data', f]]);
    expect(Array.from(parseWav(f32).samples)).toEqual([16384, -32768, 0]);
  });

  it('parses μ-law (tag 7) and A-law (tag 6) as G.711-decoded samples', () => {
    const codesU = Uint8Array.from([...pcm].map(linearToUlaw));
    const codesA = Uint8Array.from([...pcm].map(linearToAlaw));
    // sox writes an 18-byte fmt (cbSize = 0) and a fact chunk for these
    const u = parseWav(riff([['fmt ', fmt(7, 1, 8000, 8, [0, 0])], ['fact', Uint8Array.from(u32(6))], ['data', codesU]]));
    const a = parseWav(riff([['fmt ', fmt(6, 1, 8000, 8, [0, 0])], ['data', codesA]]));
    expect(Array.from(u.samples)).toEqual([0, 988, -988, 32124, -32124, 12412]);
    expect(Array.from(a.samples)).toEqual([8, 1008, -1008, 32256, -32256, 12544]);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE, skips unknown chunks (odd sizes padded), finds fmt after data', () => {
    // cbSize 22, 16 valid bits, channel mask FL|FR, SubFormat KSDATAFORMAT_SUBTYPE_PCM {00000001-0000-0010-8000-00aa00389b71}
    const ext = [...u16(22), ...u16(16), ...u32(3), ...u32(1), 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71];
    const stereo = new Uint8Array(8);
    const sv = new DataView(stereo.buffer);
    [10, -10, 20, -20].forEach((v, i) => sv.setInt16(2 * i, v, true));
    const file = riff([
      ['LIST', Uint8Array.from([1, 2, 3])], // odd: padded
      ['fmt ', fmt(0xfffe, 2, 44100, 16, ext)],
      ['junk', new Uint8Array(5)],
      ['data', stereo],
    ]);
    expect(parseWav(file)).toEqual({ sampleRate: 44100, channels: 2, samples: Int16Array.from([10, -10, 20, -20]) });
    const dataFirst = riff([['data', stereo], ['fmt ', fmt(1, 2, 8000, 16)]]);
    expect(parseWav(dataFirst).samples).toHaveLength(4);
  });

  it('drops a torn last frame and clamps a data size past the end of the file', () => {
    const body = Uint8Array.from([1, 0, 2, 0, 3, 0]); // stereo: 1.5 frames
    const file = riff([['fmt ', fmt(1, 2, 8000, 16)], ['data', body]]);
    new DataView(file.buffer).setUint32(file.length - 6 - 4, 1000, true); // claims 1000 bytes
    expect(Array.from(parseWav(file).samples)).toEqual([1, 2]);
  });

  it('throws a clear error on bad input', () => {
    const bad: [Uint8Array, RegExp][] = [
      [new Uint8Array(0), /not a WAV file/],
      [new TextEncoder().encode('ID3\u0004 this is an mp3 file......'), /not a WAV file: missing RIFF/],
      [riff([['data', new Uint8Array(4)]]), /not a WAV file: no fmt/],
      [riff([['fmt ', fmt(1, 1, 8000, 16)]]), /not a WAV file: no data/],
      [riff([['fmt ', fmt(2, 1, 8000, 4)], ['data', new Uint8Array(4)]]), /unsupported format tag 2/],
      [riff([['fmt ', fmt(1, 0, 8000, 16)], ['data', new Uint8Array(4)]]), /unsupported 0 channels/],
      [riff([['fmt ', fmt(1, 1, 8000, 16).subarray(0, 10)], ['data', new Uint8Array(4)]]), /truncated fmt/],
    ];
    for (const [bytes, re] of bad) expect(() => parseWav(bytes)).toThrow(re);
    // random corruption throws only our errors, never a RangeError from reading past the end
    const good = encodeWav(pcm, 8000);
    let seed = 3;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
    for (let i = 0; i < 2000; i++) {
      const b = good.slice(0, Math.floor(rnd() * good.length) + 1);
      b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      try {
        parseWav(b);
      } catch (e) {
        expect((e as Error).message).toMatch(/^not a WAV file: /);
      }
    }
  });
});
