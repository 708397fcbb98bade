// SRTP and SRTCP packet protection (RFC 3711 §3.3, §3.4) for one master key in one direction: encrypt
// + tag on the way out; replay check, authentication, then decryption on the way in. Pure; in place.

import { RTCP_TAG_LENGTH, authTag, deriveKeys, packetIv, rtpTagLength, tagMatches, type SessionKeys, type SrtpSuite } from './srtp-crypto';
import { ReplayWindow } from './srtp-replay';

/** Why a received packet was dropped (negative results of unprotect). */
export const SRTP_MALFORMED = -1;
export const SRTP_AUTH_FAILED = -2;
export const SRTP_REPLAYED = -3;

/** A peer restarting its stream gets a new SSRC; a few are remembered, the oldest forgotten first. */
const MAX_SOURCES = 8;
const SRTCP_E_BIT = 0x80000000;
const MAX_SRTCP_INDEX = 0x7fffffff;

/** The receiver's RFC 3711 §3.3.1 state of one SSRC: rollover counter, highest SEQ (s_l) and replay list. */
interface RtpSource {
  roc: number;
  sl: number;
  replay: ReplayWindow;
}

/** Offset of the payload (§3.1: the encrypted portion starts after CSRCs and the header extension), or -1. */
function rtpHeaderLength(data: Uint8Array, length: number): number {
  if (length < 12 || (data[0] as number) >> 6 !== 2) return -1;
  let offset = 12 + 4 * ((data[0] as number) & 0x0f);
  if ((data[0] as number) & 0x10) {
    if (offset + 4 > length) return -1;
    offset += 4 + 4 * (((data[offset + 2] as number) << 8) | (data[offset + 3] as number));
  }
  return offset <= length ? offset : -1;
}

function u32(data: Uint8Array, o: number): number {
  return (((data[o] as number) << 24) | ((data[o + 1] as number) << 16) | ((data[o + 2] as number) << 8) | (data[o + 3] as number)) >>> 0;
}

/** The MKI the peer puts before the tag (RFC 3711 §3.1), when its SDES key declared one (RFC 4568 §9.2). */
export interface Mki {
  value: number;
  length: number;
}

function mkiMatches(data: Uint8Array, at: number, mki: Mki | undefined): boolean {
  if (!mki) return true;
  let v = 0;
  for (let i = 0; i < mki.length; i++) v = v * 256 + (data[at + i] as number);
  return v === mki.value;
}

/** SRTP for RTP packets under one master key||salt. */
export class SrtpContext {
  private readonly keys: SessionKeys;
  private readonly tagLength: number;
  private readonly iv = new Uint8Array(16);
  /** Sending: ROC and last SEQ per SSRC (we send under one SSRC, but a context may serve more). */
  private readonly out = new Map<number, { roc: number; last: number }>();
  private readonly sources = new Map<number, RtpSource>();

  constructor(
    master: Uint8Array,
    suite: SrtpSuite,
    private readonly mki?: Mki,
  ) {
    this.keys = deriveKeys(master, false);
    this.tagLength = rtpTagLength(suite);
  }

  /** Octets protect() adds to a packet. */
  get overhead(): number {
    return this.tagLength;
  }

  /**
   * Encrypts the payload of the RTP packet in buf[0, length) in place and appends the tag; returns the
   * SRTP length, or 0 when the packet is malformed or buf has no room for the tag.
   */
  protect(buf: Uint8Array, length: number): number {
    const start = rtpHeaderLength(buf, length);
    if (start < 0 || buf.length < length + this.tagLength) return 0;
    const seq = ((buf[2] as number) << 8) | (buf[3] as number);
    const ssrc = u32(buf, 8);
    let s = this.out.get(ssrc);
    if (!s) {
      if (this.out.size >= MAX_SOURCES) this.out.delete(this.out.keys().next().value as number);
      s = { roc: 0, last: seq };
      this.out.set(ssrc, s);
    } else if (seq < s.last && s.last - seq > 0x8000) {
      s.roc = (s.roc + 1) >>> 0; // §3.3.1: the sender's ROC counts the wraps of its SEQ
    }
    if (((seq - s.last) & 0xffff) < 0x8000) s.last = seq;
    packetIv(this.iv, this.keys.salt, ssrc, s.roc, seq);
    this.keys.cipher.xor(this.iv, buf, start, length);
    const tag = authTag(this.keys.authKey, buf, length, s.roc);
    buf.set(tag.subarray(0, this.tagLength), length);
    return length + this.tagLength;
  }

  /**
   * Checks and decrypts the SRTP packet in buf[0, length) in place; returns the RTP length, or
   * SRTP_MALFORMED / SRTP_AUTH_FAILED / SRTP_REPLAYED. Nothing of a failed packet is kept (§3.3).
   */
  unprotect(buf: Uint8Array, length: number): number {
    const mkiLength = this.mki?.length ?? 0;
    const end = length - this.tagLength - mkiLength;
    const start = rtpHeaderLength(buf, end);
    if (start < 0) return SRTP_MALFORMED;
    const seq = ((buf[2] as number) << 8) | (buf[3] as number);
    const ssrc = u32(buf, 8);
    const known = this.sources.get(ssrc);
    // §3.3.1: s_l starts at the first SEQ seen; a new source is stored only once a packet authenticates.
    const src = known ?? { roc: 0, sl: seq, replay: new ReplayWindow() };
    const v = estimateRoc(src.roc, src.sl, seq);
    if (v < 0) return SRTP_REPLAYED; // from before the first packet of the stream
    const index = v * 0x10000 + seq;
    if (!src.replay.check(index)) return SRTP_REPLAYED;
    if (!mkiMatches(buf, end, this.mki)) return SRTP_AUTH_FAILED;
    const tag = authTag(this.keys.authKey, buf, end, v);
    if (!tagMatches(tag, buf.subarray(end + mkiLength, length), this.tagLength)) return SRTP_AUTH_FAILED;
    packetIv(this.iv, this.keys.salt, ssrc, v, seq);
    this.keys.cipher.xor(this.iv, buf, start, end);
    // §3.3.1: ROC and s_l move only after authentication.
    if (v === src.roc + 1) {
      src.roc = v;
      src.sl = seq;
    } else if (v === src.roc && seq > src.sl) {
      src.sl = seq;
    }
    src.replay.accept(index);
    if (!known) {
      if (this.sources.size >= MAX_SOURCES) this.sources.delete(this.sources.keys().next().value as number);
      this.sources.set(ssrc, src);
    }
    return end;
  }
}

/** RFC 3711 §3.3.1 / Appendix A: the ROC a packet was sent under, from ours (roc) and the highest SEQ (s_l). */
export function estimateRoc(roc: number, sl: number, seq: number): number {
  if (sl < 0x8000) return seq - sl > 0x8000 ? roc - 1 : roc;
  return sl - 0x8000 > seq ? roc + 1 : roc;
}

/** SRTCP (§3.4) under one master key||salt: every packet encrypted (E = 1), with an 80-bit tag. */
export class SrtcpContext {
  private readonly keys: SessionKeys;
  private readonly iv = new Uint8Array(16);
  /** §3.4: the SRTCP index is a 31-bit packet counter, starting at 0. */
  private index = 0;
  private readonly sources = new Map<number, ReplayWindow>();

  constructor(
    master: Uint8Array,
    private readonly mki?: Mki,
  ) {
    this.keys = deriveKeys(master, true);
  }

  /** Octets protect() adds: E||index and the tag. */
  static readonly overhead = 4 + RTCP_TAG_LENGTH;

  /** A new buffer with the SRTCP packet for the (compound) RTCP packet in data[0, length); null if malformed. */
  protect(data: Uint8Array, length: number): Uint8Array | null {
    if (length < 8 || (data[0] as number) >> 6 !== 2) return null;
    const out = new Uint8Array(length + SrtcpContext.overhead);
    out.set(data.subarray(0, length), 0);
    const index = this.index;
    // §3.4: the index must not wrap under one key; past 2^31 packets (years of RTCP) we stop sending.
    if (index > MAX_SRTCP_INDEX) return null;
    this.index++;
    const ssrc = u32(out, 4);
    packetIv(this.iv, this.keys.salt, ssrc, 0, 0);
    // The 31-bit index sits in the low bits of the 48-bit i: octets 10-13 of the IV.
    xorIndex(this.iv, index);
    this.keys.cipher.xor(this.iv, out, 8, length);
    const word = (SRTCP_E_BIT | index) >>> 0;
    writeU32(out, length, word);
    const tag = authTag(this.keys.authKey, out, length + 4, null);
    out.set(tag.subarray(0, RTCP_TAG_LENGTH), length + 4);
    return out;
  }

  /** Checks and decrypts in place; the RTCP length, or SRTP_MALFORMED / SRTP_AUTH_FAILED / SRTP_REPLAYED. */
  unprotect(buf: Uint8Array, length: number): number {
    const mkiLength = this.mki?.length ?? 0;
    const wordAt = length - RTCP_TAG_LENGTH - mkiLength - 4;
    if (wordAt < 8 || (buf[0] as number) >> 6 !== 2) return SRTP_MALFORMED;
    const word = u32(buf, wordAt);
    const index = word & MAX_SRTCP_INDEX;
    const ssrc = u32(buf, 4);
    const known = this.sources.get(ssrc);
    const replay = known ?? new ReplayWindow();
    if (!replay.check(index)) return SRTP_REPLAYED;
    if (!mkiMatches(buf, wordAt + 4, this.mki)) return SRTP_AUTH_FAILED;
    // §3.4: the tag covers the header, the encrypted portion and E||index.
    const tag = authTag(this.keys.authKey, buf, wordAt + 4, null);
    if (!tagMatches(tag, buf.subarray(wordAt + 4 + mkiLength, length), RTCP_TAG_LENGTH)) return SRTP_AUTH_FAILED;
    if (word & SRTCP_E_BIT) {
      packetIv(this.iv, this.keys.salt, ssrc, 0, 0);
      xorIndex(this.iv, index);
      this.keys.cipher.xor(this.iv, buf, 8, wordAt);
    }
    replay.accept(index);
    if (!known) {
      if (this.sources.size >= MAX_SOURCES) this.sources.delete(this.sources.keys().next().value as number);
      this.sources.set(ssrc, replay);
    }
    return wordAt;
  }
}

function xorIndex(iv: Uint8Array, index: number): void {
  iv[10] = (iv[10] as number) ^ ((index >>> 24) & 0xff);
  iv[11] = (iv[11] as number) ^ ((index >>> 16) & 0xff);
  iv[12] = (iv[12] as number) ^ ((index >>> 8) & 0xff);
  iv[13] = (iv[13] as number) ^ (index & 0xff);
}

function writeU32(out: Uint8Array, o: number, v: number): void {
  out[o] = (v >>> 24) & 0xff;
  out[o + 1] = (v >>> 16) & 0xff;
  out[o + 2] = (v >>> 8) & 0xff;
  out[o + 3] = v & 0xff;
}
