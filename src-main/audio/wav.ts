// WAV (RIFF WAVE) in memory: parse PCM/float/G.711 files to 16-bit samples, build PCM16 headers and files.

import { alawToLinear, ulawToLinear } from '../codec/g711';

export interface WavAudio {
  sampleRate: number;
  channels: number;
  /** Interleaved 16-bit samples (frames x channels). */
  samples: Int16Array;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_ALAW = 6;
const WAVE_FORMAT_MULAW = 7;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

interface Format {
  tag: number;
  channels: number;
  sampleRate: number;
  bits: number;
}

/**
 * Parses a WAV file: PCM 8-bit (unsigned), 16/24/32-bit, 32-bit float, μ-law (tag 7) and A-law (tag 6),
 * also inside WAVE_FORMAT_EXTENSIBLE. Unknown chunks are skipped (with RIFF's odd-size padding byte);
 * a data chunk whose size is 0, 0xFFFFFFFF or past the end (a recorder that never patched it) runs to
 * the end of the file. Throws Error('not a WAV file: …') (unsupported encodings included) on bad input.
 */
export function parseWav(data: Uint8Array): WavAudio {
  const h = parseWavHeader(data, data.length);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { sampleRate: h.sampleRate, channels: h.channels, samples: decodeSamples(view, h.dataStart, h.dataBytes, h.format) };
}

/** Where a WAV's samples are and how they are encoded (for reading a long file piece by piece). */
export interface WavLayout {
  sampleRate: number;
  channels: number;
  /** Bytes per frame (all channels). */
  frameBytes: number;
  /** Offset of the first sample byte in the file, and how many bytes of samples follow. */
  dataStart: number;
  dataBytes: number;
  format: WavFormat;
}

/** The encoding, opaque to callers: hand it back to decodeWavData. */
export type WavFormat = Readonly<Format>;

/**
 * Reads the chunk layout from the start of a file (`head`, which must reach the data chunk's header)
 * of `fileSize` bytes; the same rules and errors as parseWav.
 */
export function parseWavHeader(head: Uint8Array, fileSize: number): WavLayout {
  const data = head;
  if (data.length < 12 || ascii(data, 0) !== 'RIFF' || ascii(data, 8) !== 'WAVE') {
    throw new Error('not a WAV file: missing RIFF/WAVE header');
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let fmt: Format | undefined;
  let dataStart = -1;
  let dataLen = 0;
  let o = 12;
  while (o + 8 <= data.length) {
    const id = ascii(data, o);
    const size = view.getUint32(o + 4, true);
    const body = o + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > data.length) throw new Error('not a WAV file: truncated fmt chunk');
      fmt = readFormat(view, body, size);
    } else if (id === 'data') {
      dataStart = body;
      const rest = fileSize - body;
      dataLen = size === 0 || size === 0xffffffff || size > rest ? rest : size;
      if (fmt) break; // the usual order; otherwise keep looking for fmt after the data
    }
    const next = body + size + (size & 1);
    if (next <= o) break;
    o = next;
  }
  if (!fmt) throw new Error('not a WAV file: no fmt chunk');
  if (dataStart < 0) throw new Error('not a WAV file: no data chunk');
  return { sampleRate: fmt.sampleRate, channels: fmt.channels, frameBytes: (fmt.bits / 8) * fmt.channels, dataStart, dataBytes: Math.max(0, dataLen), format: fmt };
}

/** Decodes a run of whole frames of sample bytes (as laid out by `layout`) to interleaved 16-bit samples. */
export function decodeWavData(bytes: Uint8Array, layout: WavLayout): Int16Array {
  return decodeSamples(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, bytes.length, layout.format);
}

function readFormat(view: DataView, at: number, size: number): Format {
  let tag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const bits = view.getUint16(at + 14, true);
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    // cbSize(2) validBits(2) channelMask(4) then the SubFormat GUID, whose first 2 bytes are the tag.
    if (size < 40 || at + 26 > view.byteLength) throw new Error('not a WAV file: truncated extensible fmt');
    tag = view.getUint16(at + 24, true);
  }
  if (channels < 1 || channels > 32) throw new Error(`not a WAV file: unsupported ${channels} channels`);
  if (sampleRate < 1000 || sampleRate > 384000) throw new Error(`not a WAV file: unsupported sample rate ${sampleRate}`);
  const ok =
    (tag === WAVE_FORMAT_PCM && (bits === 8 || bits === 16 || bits === 24 || bits === 32)) ||
    (tag === WAVE_FORMAT_IEEE_FLOAT && bits === 32) ||
    ((tag === WAVE_FORMAT_ALAW || tag === WAVE_FORMAT_MULAW) && bits === 8);
  if (!ok) throw new Error(`not a WAV file: unsupported format tag ${tag} with ${bits} bits per sample`);
  return { tag, channels, sampleRate, bits };
}

function decodeSamples(view: DataView, start: number, len: number, fmt: Format): Int16Array {
  const bytes = fmt.bits / 8;
  const frames = Math.floor(len / (bytes * fmt.channels)); // a torn last frame is dropped
  const n = frames * fmt.channels;
  const out = new Int16Array(n);
  switch (fmt.tag) {
    case WAVE_FORMAT_ALAW:
      for (let i = 0; i < n; i++) out[i] = alawToLinear(view.getUint8(start + i));
      break;
    case WAVE_FORMAT_MULAW:
      for (let i = 0; i < n; i++) out[i] = ulawToLinear(view.getUint8(start + i));
      break;
    case WAVE_FORMAT_IEEE_FLOAT:
      for (let i = 0; i < n; i++) {
        const v = view.getFloat32(start + 4 * i, true);
        out[i] = v !== v ? 0 : Math.max(-32768, Math.min(32767, Math.round(v * 32768)));
      }
      break;
    default:
      if (fmt.bits === 8) for (let i = 0; i < n; i++) out[i] = (view.getUint8(start + i) - 128) << 8;
      else if (fmt.bits === 16) for (let i = 0; i < n; i++) out[i] = view.getInt16(start + 2 * i, true);
      else if (fmt.bits === 24) for (let i = 0; i < n; i++) out[i] = view.getInt16(start + 3 * i + 1, true);
      else for (let i = 0; i < n; i++) out[i] = view.getInt32(start + 4 * i, true) >> 16;
  }
  return out;
}

/**
 * The 44-byte header of a PCM 16-bit WAV with `dataBytes` of samples. A recorder writes it first with
 * the size it knows (0 is fine) and overwrites it with the final size when it stops.
 */
export function wavHeader(sampleRate: number, channels: number, dataBytes: number): Uint8Array {
  const h = new Uint8Array(44);
  const v = new DataView(h.buffer);
  const size = Math.max(0, Math.min(0xffffffff - 36, Math.floor(dataBytes)));
  const ch = Math.max(1, Math.floor(channels));
  h.set([0x52, 0x49, 0x46, 0x46], 0); // RIFF
  v.setUint32(4, 36 + size, true);
  h.set([0x57, 0x41, 0x56, 0x45, 0x66, 0x6d, 0x74, 0x20], 8); // WAVEfmt<space>
  v.setUint32(16, 16, true);
  v.setUint16(20, WAVE_FORMAT_PCM, true);
  v.setUint16(22, ch, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * ch * 2, true);
  v.setUint16(32, ch * 2, true);
  v.setUint16(34, 16, true);
  h.set([0x64, 0x61, 0x74, 0x61], 36); // data
  v.setUint32(40, size, true);
  return h;
}

/** A complete PCM 16-bit WAV file of interleaved `samples`. */
export function encodeWav(samples: Int16Array, sampleRate: number, channels = 1): Uint8Array {
  const out = new Uint8Array(44 + samples.length * 2);
  out.set(wavHeader(sampleRate, channels, samples.length * 2), 0);
  const v = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) v.setInt16(44 + 2 * i, samples[i] as number, true);
  return out;
}

function ascii(data: Uint8Array, at: number): string {
  if (at + 4 > data.length) return '';
  return String.fromCharCode(data[at] as number, data[at + 1] as number, data[at + 2] as number, data[at + 3] as number);
}
