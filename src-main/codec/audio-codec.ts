// The interface every audio codec implements: 16-bit PCM frames in, RTP payload bytes out, and back.

import type { CodecName } from '../rtp/media-session';

export interface AudioCodec {
  name: CodecName;
  /** Static RTP payload type (RFC 3551 §6, table 4). */
  payloadType: number;
  /** RTP clock rate in Hz: what timestamps count (8000 for G.722 too, RFC 3551 §4.5.2). */
  clockRate: number;
  /** PCM sample rate of encode()'s input and decode()'s output (16000 for G.722). */
  sampleRate: number;
  /** Encodes PCM into `out`; returns the payload bytes written (never more than out.length). */
  encode(pcm: Int16Array, out: Uint8Array): number;
  /** Decodes a payload into `out`; returns the samples written (never more than out.length). */
  decode(payload: Uint8Array, out: Int16Array): number;
}
