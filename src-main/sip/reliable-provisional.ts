// Reliable provisional responses as callee (RFC 3262 §3): which INVITE gets them, RSeq numbering, the
// retransmission of an unacknowledged 1xx until its PRACK (T1 doubling, 64*T1 at most), and PRACK matching.

import { T1 } from './call-context';
import { headerText, optionTags } from './sip-headers';
import { randomRSeq } from './sip-random';
import type { Clock, TimerId } from './sip-clock';
import type { SipMessage, SipRequest, SipResponse } from './sip-message';

/**
 * True when our 180 must go reliably: the INVITE has Require: 100rel (§3 MUST). An INVITE with only
 * Supported: 100rel gets an ordinary 180 (§3 makes it a MAY): a reliable 1xx must carry the SDP answer
 * (§5, the first reliable non-failure message), and callers such as pjsip-based phones then play that
 * (silent) early media instead of their own ringback tone.
 */
export function wantsReliableProvisional(invite: SipMessage): boolean {
  return optionTags(headerText(invite, 'require')).includes('100rel');
}

/** RAck (§7.2): response-num CSeq-num Method; undefined when absent or malformed. */
export function parseRAck(req: SipMessage): { rseq: number; seq: number; method: string } | undefined {
  const m = /^(\d{1,10})\s+(\d{1,10})\s+([A-Za-z]{1,20})$/.exec(headerText(req, 'rack') ?? '');
  if (!m) return undefined;
  return { rseq: Number(m[1]), seq: Number(m[2]), method: (m[3] ?? '').toUpperCase() };
}

/** What a PRACK did: acknowledged the outstanding 1xx, or matched nothing (§3: 481). */
export type PrackVerdict = 'acknowledged' | 'unknown';

interface Outstanding {
  rseq: number;
  timer: TimerId;
  resolve: (acked: boolean) => void;
}

/**
 * The reliable 1xx of one INVITE transaction. `send` puts a response on the wire through the server
 * transaction; `onGiveUp` runs when 64*T1 passed without PRACK (§3: the UAS SHOULD then reject the
 * INVITE with a 5xx).
 */
export class ReliableProvisionalSender {
  private rseq: number;
  private outstanding: Outstanding | undefined;
  private acked: Promise<boolean> = Promise.resolve(true);

  constructor(
    private readonly invite: SipRequest,
    private readonly clock: Clock,
    private readonly send: (res: SipResponse) => void,
    private readonly onGiveUp: () => void,
    firstRSeq: number = randomRSeq(),
  ) {
    this.rseq = firstRSeq - 1;
  }

  /** True while a reliable 1xx waits for its PRACK. */
  get unacknowledged(): boolean {
    return this.outstanding !== undefined;
  }

  /** Settles when no reliable 1xx is outstanding: true once PRACKed (or none was sent), false if given up or stopped. */
  whenAcknowledged(): Promise<boolean> {
    return this.acked;
  }

  /**
   * Sends `res` (a 101-199) reliably: Require: 100rel and the next RSeq added, retransmitted at T1, 2*T1,
   * 4*T1... until the PRACK. Returns false without sending while an earlier one is unacknowledged (§3:
   * "The UAS MUST NOT send a second reliable provisional response until the first is acknowledged").
   */
  sendReliably(res: SipResponse): boolean {
    if (this.outstanding || res.status <= 100 || res.status >= 200) return false;
    this.rseq += 1;
    const reliable: SipResponse = { ...res, headers: { ...res.headers, require: '100rel', rseq: String(this.rseq) } };
    const started = this.clock.now();
    let interval = T1;
    const tick = (): void => {
      const o = this.outstanding;
      if (!o) return;
      if (this.clock.now() - started >= 64 * T1) {
        this.settle(false);
        this.onGiveUp();
        return;
      }
      this.send(reliable);
      // §3: "an interval that starts at T1 seconds and doubles for each retransmission" (no T2 cap).
      interval *= 2;
      o.timer = this.clock.setTimeout(tick, Math.min(interval, started + 64 * T1 - this.clock.now()));
    };
    const outstanding: Outstanding = { rseq: this.rseq, timer: undefined, resolve: () => {} };
    this.acked = new Promise<boolean>((resolve) => {
      outstanding.resolve = resolve;
    });
    this.outstanding = outstanding;
    this.send(reliable);
    outstanding.timer = this.clock.setTimeout(tick, interval);
    return true;
  }

  /**
   * A PRACK in the INVITE's dialog (§3): it matches when its RAck names the outstanding RSeq and the
   * INVITE's CSeq number and method; then retransmissions stop. Anything else matches nothing.
   */
  prack(req: SipRequest): PrackVerdict {
    const rack = parseRAck(req);
    const o = this.outstanding;
    if (!o || !rack) return 'unknown';
    if (rack.rseq !== o.rseq || rack.seq !== this.invite.headers.cseq.seq || rack.method !== 'INVITE') return 'unknown';
    this.settle(true);
    return 'acknowledged';
  }

  /** The final response went out or the call ended: no more retransmissions (§3 SHOULD NOT continue). */
  stop(): void {
    this.settle(false);
  }

  private settle(acked: boolean): void {
    const o = this.outstanding;
    if (!o) return;
    this.outstanding = undefined;
    this.clock.clearTimeout(o.timer);
    o.resolve(acked);
  }
}
