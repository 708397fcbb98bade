// Which sources may feed a call's audio, and where our RTP goes (RFC 4961 symmetric RTP, made strict for
// issue 9). A public signalled address: only that address and port. A private one (the peer is behind a
// NAT and cannot know its public port): learn the source from the first in-sequence packets, then lock.

import { canonicalIp } from '../nat/transport-address';

export interface TransportAddress {
  address: string;
  port: number;
}

export type LatchVerdict =
  /** From the source we send to (or latched onto it just now): play it. */
  | 'accept'
  /** From an unknown source that has not (yet) proven itself: drop it. */
  | 'reject';

/**
 * 'strict': the SDP address is public, so only it (address and port) is accepted and nothing is learned.
 * 'learn': the SDP address is private / unspecified: Asterisk's strictrtp, learn at the start then lock.
 * 'open': ICE checked the source already (the worker reports its packets as from the signalled address).
 */
export type LatchMode = 'strict' | 'learn' | 'open';

export interface RtpLatchOptions {
  /** Follow the peer's source address (RFC 4961); false = ICE vets the sources (the 'open' mode). */
  symmetric: boolean;
  /** In-sequence packets (same SSRC) a new source must send before we latch onto it; default 2. */
  probation?: number;
  /**
   * 'learn' mode: for this long after the media started, a source on the learned address that comes from
   * the signalled port may still replace the learned one (it is the better guess: a port-preserving NAT).
   * After that the learned source is locked. Default 5000 ms.
   */
  learnMs?: number;
}

/** RFC 1918, RFC 6598 (CGN), link-local, loopback-free unique-local IPv6, and "no address" (hold). */
export function isPrivateAddress(address: string): boolean {
  const a = normalise(address);
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(a);
  if (v4) {
    const x = Number(v4[1]);
    const y = Number(v4[2]);
    return x === 10 || x === 0 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168) || (x === 100 && y >= 64 && y <= 127) || (x === 169 && y === 254);
  }
  return a === '::' || /^f[cd][0-9a-f]{2}:/.test(a) || /^fe[89ab][0-9a-f]:/.test(a);
}

export function latchModeFor(signalled: TransportAddress, symmetric: boolean): LatchMode {
  if (!symmetric) return 'open';
  return isPrivateAddress(signalled.address) ? 'learn' : 'strict';
}

export class RtpLatch {
  private target: TransportAddress;
  private latched: TransportAddress | null = null;
  private candidate: { address: string; port: number; ssrc: number; seq: number; count: number } | null = null;
  private readonly probation: number;
  private readonly learnMs: number;
  private mode: LatchMode;
  private startMs: number;

  constructor(
    private signalled: TransportAddress,
    private readonly opts: RtpLatchOptions,
    nowMs = 0,
  ) {
    this.target = { ...signalled };
    this.probation = Math.max(1, opts.probation ?? 2);
    this.learnMs = opts.learnMs ?? 5000;
    this.mode = latchModeFor(signalled, opts.symmetric);
    this.startMs = nowMs;
  }

  /** Where RTP goes now. */
  get remote(): TransportAddress {
    return this.target;
  }

  get isLatched(): boolean {
    return this.latched !== null;
  }

  get latchMode(): LatchMode {
    return this.mode;
  }

  /** New SDP (re-INVITE): start over from the signalled address, learning again if it is private. */
  reset(signalled: TransportAddress, nowMs = this.startMs): void {
    this.signalled = { ...signalled };
    this.target = { ...signalled };
    this.latched = null;
    this.candidate = null;
    this.mode = latchModeFor(signalled, this.opts.symmetric);
    this.startMs = nowMs;
  }

  /**
   * Judges one valid RTP packet (already parsed, payload type checked). Returns the verdict and, when
   * this packet made us latch onto a new address, that address in `latchedOnto`.
   */
  observe(from: TransportAddress, ssrc: number, seq: number, nowMs: number): { verdict: LatchVerdict; latchedOnto?: TransportAddress } {
    if (this.mode === 'open') return { verdict: 'accept' };
    // The address and port SDP gave us are the peer's word: always accepted, and preferred.
    if (same(from, this.signalled)) {
      if (this.latched && same(this.latched, from)) return { verdict: 'accept' };
      return { verdict: 'accept', ...this.latchOnto(from) };
    }
    // Strict: a public address in SDP is where the peer is; another port on its host is someone else
    // (the issue 9 race: another device behind the same NAT spraying RTP before the caller's first packet).
    if (this.mode === 'strict') return { verdict: 'reject' };
    if (this.latched && same(from, this.latched)) {
      this.candidate = null;
      return { verdict: 'accept' };
    }
    if (this.latched && !this.mayReplace(this.latched, from, nowMs)) return { verdict: 'reject' };
    const c = this.candidate;
    if (c && same(from, c) && c.ssrc === ssrc && seq === ((c.seq + 1) & 0xffff)) {
      c.seq = seq;
      c.count++;
    } else {
      this.candidate = { address: from.address, port: from.port, ssrc, seq, count: 1 };
    }
    if ((this.candidate?.count ?? 0) >= this.probation) return { verdict: 'accept', ...this.latchOnto(from) };
    return { verdict: 'reject' };
  }

  /**
   * RTCP (RFC 3550 §11): from the signalled RTCP address, the signalled RTP address (RFC 5761 mux), or in
   * 'learn' mode the learned host (a NAT maps the RTCP port its own way). 'open': ICE checked it.
   */
  acceptsRtcp(from: TransportAddress, signalledRtcp: TransportAddress): boolean {
    if (this.mode === 'open') return true;
    if (same(from, signalledRtcp) || same(from, this.signalled)) return true;
    return this.mode === 'learn' && this.latched !== null && normalise(from.address) === normalise(this.latched.address);
  }

  /**
   * While learning, a source on the learned host that uses the signalled port replaces one that does not
   * (the attacker of the race sprays from another port of the peer's NAT). Never after the window.
   */
  private mayReplace(latched: TransportAddress, from: TransportAddress, nowMs: number): boolean {
    if (nowMs - this.startMs > this.learnMs) return false;
    return normalise(from.address) === normalise(latched.address) && from.port === this.signalled.port && latched.port !== this.signalled.port;
  }

  private latchOnto(from: TransportAddress): { latchedOnto?: TransportAddress } {
    this.latched = { address: from.address, port: from.port };
    this.candidate = null;
    if (same(from, this.target)) return {};
    this.target = { ...this.latched };
    return { latchedOnto: { ...this.latched } };
  }
}

function same(a: TransportAddress, b: TransportAddress): boolean {
  return a.port === b.port && normalise(a.address) === normalise(b.address);
}

/**
 * "::ffff:127.0.0.1" (dual-stack sockets) is the same host as "127.0.0.1", and an SDP's
 * "2001:DB8:0:0::1" the same as the socket's "2001:db8::1" (RFC 5952 canonical form, issue 10).
 */
function normalise(address: string): string {
  const a = address.includes(':') ? canonicalIp(address).toLowerCase() : address;
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}
