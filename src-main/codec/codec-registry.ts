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
  return upper === 'PCMU' || upper === 'PCMA' || upper === 'G722' ? getCodec(upper) : undefined;
}
