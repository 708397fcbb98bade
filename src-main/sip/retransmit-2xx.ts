// The UAS core's 2xx retransmission (RFC 3261 §13.3.1.4): our 2xx to an INVITE is sent again, T1
// doubling up to T2, until its ACK arrives; after 64*T1 without one the caller is told to end the call.

import { T1, T2 } from './call-context';
import type { Clock, TimerId } from './sip-clock';
import type { SipResponse } from './sip-message';
import type { LocalMediaOffer } from './sdp-negotiate';

interface Pending {
  seq: number;
  timer: TimerId;
  /** Late offer: the ACK carries the answer to the offer in our 2xx. */
  offer?: LocalMediaOffer;
}

export class Retransmit2xx {
  private pending: Pending | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly send: (res: SipResponse) => void,
    /** 64*T1 passed without ACK. */
    private readonly onNoAck: () => void,
  ) {}

  /** True while a 2xx waits for its ACK (the INVITE transaction is, for the peer, still open). */
  get waiting(): boolean {
    return this.pending !== undefined;
  }

  start(res: SipResponse, offer?: LocalMediaOffer): void {
    this.stop();
    const started = this.clock.now();
    const seq = res.headers.cseq.seq;
    let interval = T1;
    const tick = (): void => {
      if (!this.pending || this.pending.seq !== seq) return;
      if (this.clock.now() - started >= 64 * T1) {
        this.pending = undefined;
        this.onNoAck();
        return;
      }
      this.send(res);
      interval = Math.min(interval * 2, T2);
      this.pending.timer = this.clock.setTimeout(tick, Math.min(interval, started + 64 * T1 - this.clock.now()));
    };
    this.pending = { seq, timer: this.clock.setTimeout(tick, T1), ...(offer ? { offer } : {}) };
  }

  /**
   * An ACK with CSeq `seq`: when it is the one awaited, retransmissions stop and the result says whether
   * it must carry the answer to our offer. Undefined for any other ACK.
   */
  acked(seq: number): { offer?: LocalMediaOffer } | undefined {
    const p = this.pending;
    if (!p || p.seq !== seq) return undefined;
    this.stop();
    return p.offer ? { offer: p.offer } : {};
  }

  stop(): void {
    if (this.pending) this.clock.clearTimeout(this.pending.timer);
    this.pending = undefined;
  }
}
