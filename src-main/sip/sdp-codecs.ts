// How each of our audio codecs appears in SDP: RFC 3551 static payload types for G.711 and G.722, and
// RFC 7587 §7 for Opus (a dynamic payload type, always "opus/48000/2", fmtp parameters). Pure.

import type { CodecName } from '../rtp/media-session';

interface SdpFormat {
  /** The payload type in our offers (static, or our choice of dynamic type). */
  pt: number;
  encoding: string;
  rate: number;
  channels?: number;
  /** What we say about receiving it (fmtp), if anything. */
  fmtp?: string;
}

const FORMATS: Record<CodecName, SdpFormat> = {
  PCMU: { pt: 0, encoding: 'PCMU', rate: 8000 },
  PCMA: { pt: 8, encoding: 'PCMA', rate: 8000 },
  // RFC 3551 §4.5.2: the RTP clock is 8000 although G.722 samples at 16 kHz.
  G722: { pt: 9, encoding: 'G722', rate: 8000 },
  // RFC 7587 §7: the media subtype is always opus/48000/2. useinbandfec=1: we decode FEC, send it;
  // usedtx=0: send us every frame (our jitter buffer takes a gap for loss); we send and prefer mono.
  OPUS: { pt: 111, encoding: 'opus', rate: 48000, channels: 2, fmtp: 'useinbandfec=1; usedtx=0; stereo=0; sprop-stereo=0' },
};

export const KNOWN_CODECS = Object.keys(FORMATS) as CodecName[];

/** The payload type of `codec` in our offers. */
export function offerPayloadType(codec: CodecName): number {
  return FORMATS[codec].pt;
}

/** The a=rtpmap (and a=fmtp, for Opus) of `codec` on payload type `pt`, as sdp-transform writes them. */
export function formatLines(codec: CodecName, pt: number): { rtp: { payload: number; codec: string; rate: number; encoding?: number }; fmtp?: { payload: number; config: string } } {
  const f = FORMATS[codec];
  return {
    rtp: { payload: pt, codec: f.encoding, rate: f.rate, ...(f.channels ? { encoding: f.channels } : {}) },
    ...(f.fmtp ? { fmtp: { payload: pt, config: f.fmtp } } : {}),
  };
}

/** The codec a peer's rtpmap (or static type) stands for, when it is ours with the right clock and channels. */
export function codecOfFormat(name: string, rate: number, channels: number): CodecName | null {
  const upper = name.toUpperCase();
  const codec = KNOWN_CODECS.find((k) => k === upper);
  if (!codec) return null;
  const f = FORMATS[codec];
  return rate === f.rate && channels === (f.channels ?? 1) ? codec : null;
}

/**
 * RFC 7587 §6.1: "usedtx=1" in the peer's fmtp says it prefers that we use DTX (stop sending in
 * silence). sdp-transform may hand the config over as text or a number: read as text.
 */
export function peerPrefersDtx(config: unknown): boolean {
  return String(config ?? '')
    .split(';')
    .some((p) => /^\s*usedtx\s*=\s*1\s*$/i.test(p));
}
