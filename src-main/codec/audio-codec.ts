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
  /**
   * Encodes PCM into `out`; returns the payload bytes written (never more than out.length); 0 = nothing
   * to send this time (Opus DTX in silence, or a frame the codec refused).
   */
  encode(pcm: Int16Array, out: Uint8Array): number;
  /** Decodes a payload into `out`; returns the samples written (never more than out.length). */
  decode(payload: Uint8Array, out: Int16Array): number;
  /** RTP timestamp units a received payload covers; absent: one per octet (G.711, G.722 at 64 kbit/s). Negative: malformed. */
  packetDuration?(payload: Uint8Array): number;
  /** The codec's own loss concealment of `samples` samples into `out` (Opus PLC); absent: G.711 Appendix I. */
  conceal?(out: Int16Array, samples: number): number;
  /** Rebuilds a lost frame of `samples` from the in-band FEC of the packet after it (Opus, RFC 7587 §3.3); 0 if it has none. */
  recover?(next: Uint8Array, out: Int16Array, samples: number): number;
  /** RFC 7587 §6.1 usedtx: stop sending in silence (Opus); absent: the codec has no DTX. */
  setDtx?(on: boolean): void;
  /** Frees native state (Opus); absent for codecs without any. */
  destroy?(): void;
}
