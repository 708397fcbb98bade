// Symmetric RTP (RFC 4961) source latching: which peer address our RTP goes to, and which sources'
// packets are accepted. A stranger must send a short in-sequence run before we switch to it.

export interface TransportAddress {
  address: string;
  port: number;
}

export type LatchVerdict =
  /** From the source we send to (or latched onto it just now): play it. */
  | 'accept'
  /** From an unknown source that has not (yet) proven itself: drop it. */
  | 'reject';

export interface RtpLatchOptions {
  /** Follow the peer's source address (RFC 4961); false = send where SDP said and accept any source. */
  symmetric: boolean;
  /** In-sequence packets (same SSRC) a new source must send before we latch onto it; default 2. */
  probation?: number;
  /** A latched source silent this long may be replaced by a new one (NAT rebinding); default 2000 ms. */
  idleMs?: number;
}

export class RtpLatch {
  private target: TransportAddress;
  private latched: TransportAddress | null = null;
  private lastFromLatchedMs = 0;
  private candidate: { address: string; port: number; ssrc: number; seq: number; count: number } | null = null;
  private readonly probation: number;
  private readonly idleMs: number;

  constructor(
    private signalled: TransportAddress,
    private readonly opts: RtpLatchOptions,
  ) {
    this.target = { ...signalled };
    this.probation = Math.max(1, opts.probation ?? 2);
    this.idleMs = opts.idleMs ?? 2000;
  }

  /** Where RTP goes now. */
  get remote(): TransportAddress {
    return this.target;
  }

  get isLatched(): boolean {
    return this.latched !== null;
  }

  /** New SDP (re-INVITE): start over from the signalled address. */
  reset(signalled: TransportAddress): void {
    this.signalled = { ...signalled };
    this.target = { ...signalled };
    this.latched = null;
    this.candidate = null;
  }

  /**
   * Judges one valid RTP packet (already parsed, payload type checked). Returns the verdict and, when
   * this packet made us latch onto a new address, that address in `latchedOnto`.
   */
  observe(from: TransportAddress, ssrc: number, seq: number, nowMs: number): { verdict: LatchVerdict; latchedOnto?: TransportAddress } {
    if (!this.opts.symmetric) return { verdict: 'accept' };
    if (this.latched && same(from, this.latched)) {
      this.lastFromLatchedMs = nowMs;
      this.candidate = null;
      return { verdict: 'accept' };
    }
    const latchedIdle = this.latched !== null && nowMs - this.lastFromLatchedMs > this.idleMs;
    if (this.latched && !latchedIdle) return { verdict: 'reject' };
    // The address SDP gave us is trusted at once: it is where we already send.
    if (!this.latched && same(from, this.signalled)) return { verdict: 'accept', ...this.latchOnto(from, nowMs) };
    const c = this.candidate;
    if (c && same(from, c) && c.ssrc === ssrc && seq === ((c.seq + 1) & 0xffff)) {
      c.seq = seq;
      c.count++;
    } else {
      this.candidate = { address: from.address, port: from.port, ssrc, seq, count: 1 };
    }
    if ((this.candidate?.count ?? 0) >= this.probation) return { verdict: 'accept', ...this.latchOnto(from, nowMs) };
    return { verdict: 'reject' };
  }

  private latchOnto(from: TransportAddress, nowMs: number): { latchedOnto?: TransportAddress } {
    this.latched = { address: from.address, port: from.port };
    this.lastFromLatchedMs = nowMs;
    this.candidate = null;
    if (same(from, this.target)) return {};
    this.target = { ...this.latched };
    return { latchedOnto: { ...this.latched } };
  }
}

function same(a: TransportAddress, b: TransportAddress): boolean {
  return a.port === b.port && normalise(a.address) === normalise(b.address);
}

/** "::ffff:127.0.0.1" (dual-stack sockets) is the same host as "127.0.0.1". */
function normalise(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address.toLowerCase();
}
