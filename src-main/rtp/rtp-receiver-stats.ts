// Receive statistics of one RTP source: RFC 3550 A.1 sequence validation, A.3 loss, A.8 jitter.

import type { ReportBlock } from './rtcp';

const RTP_SEQ_MOD = 1 << 16;
/** A.1: a jump ahead of more than this restarts the source (after two sequential packets). */
const MAX_DROPOUT = 3000;
/** A.1: packets up to this far behind the highest are reordered/duplicates, beyond it a restart. */
const MAX_MISORDER = 100;
/** A.1: packets in sequence needed before a new source counts as valid. */
const MIN_SEQUENTIAL = 2;
/** Remembered extended sequence numbers for duplicate detection (> MAX_MISORDER, a power of two). */
const SEEN_WINDOW = 256;

export type SeqVerdict = 'ok' | 'duplicate' | 'invalid';

export class RtpReceiverStats {
  private readonly clockRate: number;
  private initialised = false;
  private probation = MIN_SEQUENTIAL;
  private maxSeq = 0;
  private cycles = 0;
  private baseSeq = 0;
  private badSeq = RTP_SEQ_MOD + 1;
  private received = 0;
  private receivedPrior = 0;
  private expectedPrior = 0;
  private dups = 0;
  private readonly seen = new Float64Array(SEEN_WINDOW).fill(-1);
  // A.8 state: jitter in timestamp units, kept as a float (the RFC's integer version scales by 16).
  private jitterTs = 0;
  private haveTransit = false;
  private lastArrivalMs = 0;
  private lastTimestamp = 0;

  constructor(clockRate = 8000) {
    this.clockRate = clockRate > 0 ? clockRate : 8000;
  }

  /**
   * Feeds one received packet of this source. 'invalid' = not (yet) a valid part of the stream (source
   * in probation, or a big jump awaiting confirmation): do not play it. 'duplicate' = seen before.
   */
  update(seq: number, rtpTimestamp: number, arrivalMs: number): SeqVerdict {
    seq &= 0xffff;
    if (!this.initialised) {
      // A.1: on the first packet, init_seq then max_seq = seq - 1 and probation = MIN_SEQUENTIAL.
      this.initSeq(seq);
      this.maxSeq = (seq - 1) & 0xffff;
      this.probation = MIN_SEQUENTIAL;
      this.initialised = true;
    }
    const udelta = (seq - this.maxSeq) & 0xffff;
    let ext: number;
    if (this.probation > 0) {
      if (seq === ((this.maxSeq + 1) & 0xffff)) {
        this.probation--;
        this.maxSeq = seq;
        if (this.probation === 0) {
          this.initSeq(seq);
          return this.accept(seq, rtpTimestamp, arrivalMs);
        }
      } else {
        this.probation = MIN_SEQUENTIAL - 1;
        this.maxSeq = seq;
      }
      return 'invalid';
    } else if (udelta < MAX_DROPOUT) {
      // In order, with a permissible gap; a smaller seq than the maximum means the 16 bits wrapped.
      if (udelta === 0) return this.duplicate();
      if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD;
      this.maxSeq = seq;
      ext = this.cycles + seq;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      // A very large jump: the sender restarted. Only believe it when the next packet follows it.
      if (seq === this.badSeq) {
        this.initSeq(seq);
        this.haveTransit = false;
        return this.accept(seq, rtpTimestamp, arrivalMs);
      }
      this.badSeq = (seq + 1) & 0xffff;
      return 'invalid';
    } else {
      // Duplicate or reordered packet, at most MAX_MISORDER behind the highest.
      ext = seq > this.maxSeq ? this.cycles - RTP_SEQ_MOD + seq : this.cycles + seq;
      if (this.seen[ext & (SEEN_WINDOW - 1)] === ext) return this.duplicate();
    }
    this.seen[ext & (SEEN_WINDOW - 1)] = ext;
    this.received++;
    this.updateJitter(rtpTimestamp, arrivalMs);
    return 'ok';
  }

  /** Packets accepted (duplicates and invalid packets excluded). */
  get packetsReceived(): number {
    return this.received;
  }

  /** A.3 cumulative number of packets lost: expected minus received (can dip below 0 only briefly). */
  get packetsLost(): number {
    return this.initialised && this.probation === 0 ? this.expected() - this.received : 0;
  }

  get duplicates(): number {
    return this.dups;
  }

  /** A.3 extended highest sequence number received (cycles * 65536 + max_seq). */
  get extendedHighestSeq(): number {
    return this.cycles + this.maxSeq;
  }

  /** A.8 interarrival jitter in timestamp units (what an RTCP report block carries). */
  get jitter(): number {
    return this.jitterTs;
  }

  get jitterMs(): number {
    return (this.jitterTs * 1000) / this.clockRate;
  }

  /**
   * A.3 fraction lost since the previous call, as the 8-bit fixed-point value of an RTCP report block
   * (0..255, i.e. x/256); 0 when nothing was expected or duplicates outnumber losses.
   */
  fractionLostSinceLastReport(): number {
    if (!this.initialised || this.probation > 0) return 0;
    const expected = this.expected();
    const expectedInterval = expected - this.expectedPrior;
    this.expectedPrior = expected;
    const receivedInterval = this.received - this.receivedPrior;
    this.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    if (expectedInterval <= 0 || lostInterval <= 0) return 0;
    return Math.min(255, Math.floor((lostInterval * 256) / expectedInterval));
  }

  /**
   * The RTCP report block for this source (RFC 3550 §6.4.1); consumes the fraction-lost interval.
   * `lastSr` is the middle 32 bits of the NTP timestamp of the last SR from the source (0 if none),
   * `delaySinceLastSr` the time since then in 1/65536 s (0 if none).
   */
  reportBlock(ssrc: number, lastSr = 0, delaySinceLastSr = 0): ReportBlock {
    const lost = this.packetsLost;
    return {
      ssrc: ssrc >>> 0,
      fractionLost: this.fractionLostSinceLastReport(),
      // The cumulative count is a signed 24-bit field: clamp rather than wrap (A.3).
      cumulativeLost: Math.max(-0x800000, Math.min(0x7fffff, lost)),
      extendedHighestSeq: this.extendedHighestSeq >>> 0,
      jitter: Math.min(0xffffffff, Math.floor(this.jitterTs)),
      lastSr: lastSr >>> 0,
      delaySinceLastSr: delaySinceLastSr >>> 0,
    };
  }

  private expected(): number {
    return this.cycles + this.maxSeq - this.baseSeq + 1;
  }

  private initSeq(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = RTP_SEQ_MOD + 1; // so that seq === badSeq is false
    this.cycles = 0;
    this.received = 0;
    this.receivedPrior = 0;
    this.expectedPrior = 0;
    this.seen.fill(-1);
  }

  private accept(seq: number, rtpTimestamp: number, arrivalMs: number): SeqVerdict {
    this.seen[(this.cycles + seq) & (SEEN_WINDOW - 1)] = this.cycles + seq;
    this.received++;
    this.updateJitter(rtpTimestamp, arrivalMs);
    return 'ok';
  }

  private duplicate(): SeqVerdict {
    this.dups++;
    return 'duplicate';
  }

  /** A.8: J += (|D(i-1,i)| - J) / 16, with D the change in transit time, in timestamp units. */
  private updateJitter(rtpTimestamp: number, arrivalMs: number): void {
    const ts = rtpTimestamp >>> 0;
    if (this.haveTransit) {
      const arrivalDelta = ((arrivalMs - this.lastArrivalMs) * this.clockRate) / 1000;
      const tsDelta = (ts - this.lastTimestamp) | 0; // signed 32-bit difference survives wrap-around
      const d = Math.abs(arrivalDelta - tsDelta);
      if (Number.isFinite(d)) this.jitterTs += (d - this.jitterTs) / 16;
    }
    this.haveTransit = true;
    this.lastArrivalMs = arrivalMs;
    this.lastTimestamp = ts;
  }
}
