// The codecs this softphone speaks, looked up by SDP name or RTP payload type (a registry entry is only
// glue around the codec functions, as in baresip's modules/g711).

import type { CodecName } from '../rtp/media-session';
import type { AudioCodec } from './audio-codec';
import { decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw } from './g711';

// RFC 3551 §4.5.14: PCMU is static payload type 0, PCMA is 8, both 8000 Hz mono.
const PCMU: AudioCodec = Object.freeze({
  name: 'PCMU' as const,
  payloadType: 0,
  clockRate: 8000,
  encode: encodeUlaw,
  decode: decodeUlaw,
});

const PCMA: AudioCodec = Object.freeze({
  name: 'PCMA' as const,
  payloadType: 8,
  clockRate: 8000,
  encode: encodeAlaw,
  decode: decodeAlaw,
});

const byName: Record<CodecName, AudioCodec> = { PCMU, PCMA };

/** All supported codecs, in our order of preference for SDP offers. */
export const supportedCodecs: readonly AudioCodec[] = Object.freeze([PCMU, PCMA]);

/** The codec for a name from the CodecName union (SDP rtpmap names, upper case). */
export function getCodec(name: CodecName): AudioCodec {
  const codec = byName[name];
  // Names arrive from typed code, but a bad cast from SDP must fail loudly rather than send garbage.
  if (!codec) throw new Error(`unsupported codec: ${String(name)}`);
  return codec;
}

/** The codec with a static payload type (0 = PCMU, 8 = PCMA), or undefined for anything else. */
export function codecForPayloadType(pt: number): AudioCodec | undefined {
  if (pt === 0) return PCMU;
  if (pt === 8) return PCMA;
  return undefined;
}

/** Case-insensitive lookup of an SDP rtpmap encoding name; undefined if we do not support it. */
export function codecByEncodingName(name: string): AudioCodec | undefined {
  const upper = name.toUpperCase();
  return upper === 'PCMU' || upper === 'PCMA' ? byName[upper] : undefined;
}
