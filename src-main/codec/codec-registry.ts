// The codecs this softphone speaks, looked up by SDP name or RTP payload type (a registry entry is only
// glue around the codec functions, as in baresip's modules/g711).

import type { CodecName } from '../rtp/media-session';
import type { AudioCodec } from './audio-codec';
import { decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw } from './g711';
import { G722Decoder, G722Encoder } from './g722';

// RFC 3551 §4.5.14: PCMU is static payload type 0, PCMA is 8, both 8000 Hz mono.
const PCMU: AudioCodec = Object.freeze({
  name: 'PCMU' as const,
  payloadType: 0,
  clockRate: 8000,
  sampleRate: 8000,
  encode: encodeUlaw,
  decode: decodeUlaw,
});

const PCMA: AudioCodec = Object.freeze({
  name: 'PCMA' as const,
  payloadType: 8,
  clockRate: 8000,
  sampleRate: 8000,
  encode: encodeAlaw,
  decode: decodeAlaw,
});

/**
 * RFC 3551 §4.5.2: G.722 is static payload type 9 with an RTP clock of 8000 although it samples at
 * 16 kHz (an error in RFC 1890 kept for compatibility): a 20 ms packet is 160 octets, 320 samples and
 * 160 timestamp units. Its ADPCM state lives in the codec, so every call (and direction) gets its own.
 */
function newG722(): AudioCodec {
  const enc = new G722Encoder();
  const dec = new G722Decoder();
  return {
    name: 'G722',
    payloadType: 9,
    clockRate: 8000,
    sampleRate: 16000,
    encode: (pcm, out) => enc.encode(pcm, out),
    decode: (payload, out) => dec.decode(payload, out),
  };
}

/** Codecs backed by native code (Opus through native/), registered by a *.node.ts module when they load. */
const nativeCodecs = new Map<CodecName, () => AudioCodec>();
/** Why a native codec is missing (the addon was built without its library), for one warning. */
const missing = new Map<CodecName, string>();
let warnMissing: ((name: CodecName, why: string) => void) | null = null;

/** A codec whose implementation loaded (`factory`), or the reason it did not. */
export function registerNativeCodec(name: CodecName, impl: { factory: () => AudioCodec } | { error: string }): void {
  if ('factory' in impl) {
    nativeCodecs.set(name, impl.factory);
    missing.delete(name);
  } else {
    nativeCodecs.delete(name);
    missing.set(name, impl.error);
  }
}

/** Where the "not offered" warning goes (once per codec and process). */
export function onMissingCodec(warn: (name: CodecName, why: string) => void): void {
  warnMissing = warn;
}

/**
 * Can this process code `name` now? A native codec without its library is not offered: the first time a
 * call would have offered it, the reason is warned once.
 */
export function codecAvailable(name: CodecName): boolean {
  if (name === 'PCMU' || name === 'PCMA' || name === 'G722') return true;
  if (nativeCodecs.has(name)) return true;
  const why = missing.get(name) ?? 'not loaded in this process';
  if (warnMissing && !warned.has(name)) {
    warned.add(name);
    warnMissing(name, why);
  }
  return false;
}
const warned = new Set<CodecName>();

/** All supported codecs (stateless ones shared, stateful ones as a fresh instance), in our order of preference for SDP offers. */
export const supportedCodecs: readonly AudioCodec[] = Object.freeze([PCMU, PCMA]);

/**
 * The codec for a name from the CodecName union (SDP rtpmap names, upper case). A stateful codec
 * (G.722) comes as a new instance on every call: one per stream and direction.
 */
export function getCodec(name: CodecName): AudioCodec {
  if (name === 'PCMU') return PCMU;
  if (name === 'PCMA') return PCMA;
  if (name === 'G722') return newG722();
  const native = nativeCodecs.get(name);
  if (native) return native();
  // Names arrive from typed code, but a bad cast from SDP must fail loudly rather than send garbage.
  throw new Error(`unsupported codec: ${String(name)}`);
}

/** The codec name of a static payload type (0 = PCMU, 8 = PCMA, 9 = G722), or undefined for anything else. */
function nameForPayloadType(pt: number): CodecName | undefined {
  return pt === 0 ? 'PCMU' : pt === 8 ? 'PCMA' : pt === 9 ? 'G722' : undefined;
}

/** The codec with a static payload type (0 = PCMU, 8 = PCMA, 9 = G722), or undefined for anything else. */
export function codecForPayloadType(pt: number): AudioCodec | undefined {
  const name = nameForPayloadType(pt);
  return name ? getCodec(name) : undefined;
}

/** Case-insensitive lookup of an SDP rtpmap encoding name; undefined if we do not support it. */
export function codecByEncodingName(name: string): AudioCodec | undefined {
  const upper = name.toUpperCase();
  if (upper === 'PCMU' || upper === 'PCMA' || upper === 'G722') return getCodec(upper);
  return upper === 'OPUS' && nativeCodecs.has('OPUS') ? getCodec('OPUS') : undefined;
}
