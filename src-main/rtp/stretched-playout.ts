// Between the jitter buffer and the speaker FIFO (issue 13): decoded frames are played longer or shorter
// when the buffer wants its delay to change (time-stretch), and each frame's play-out delay is measured.

import { TimeStretcher } from '../audio/time-stretch';
import type { SampleRing } from '../audio/sample-ring';
import type { JitterBuffer } from './jitter-buffer';
import type { JitterBufferReport } from './media-session';

export class StretchedPlayout {
  private readonly stretcher: TimeStretcher;
  private readonly out: Int16Array;
  /** Play-out delay of each received frame, summed (meanDelayMs), and the last one. */
  private delaySumMs = 0;
  private delayFrames = 0;
  private delayNowMs = 0;

  constructor(
    private readonly jitter: JitterBuffer,
    private readonly fifo: SampleRing,
    private readonly sampleRate: number,
    maxFrameSamples: number,
    /** The buffer's RTP clock: G.722 plays 16 kHz samples on an 8000 clock (RFC 3551 §4.5.2). */
    private readonly clockRate: number = sampleRate,
  ) {
    this.stretcher = new TimeStretcher({ sampleRate });
    this.out = new Int16Array(this.stretcher.maxOutput(maxFrameSamples));
  }

  /** A received frame was just popped: it plays after what the FIFO still holds, so it waited this long. */
  noteReceived(): void {
    this.delayNowMs = this.jitter.stats.playoutDelayMs + (this.fifo.available * 1000) / this.sampleRate;
    this.delaySumMs += this.delayNowMs;
    this.delayFrames++;
  }

  /**
   * Queues n decoded (or concealed) samples for the speaker, lengthened or shortened as the jitter
   * buffer asks; the FIFO keeps the residue beyond whole ticks, so the speaker, the recording and a
   * conference partner still get fixed 20 ms frames. Unchanged audio goes through the stretcher too:
   * it keeps what was played, to lengthen from later.
   */
  queue(pcm: Int16Array, n: number): void {
    // The buffer asks and is told in its RTP units; the stretcher works in samples of the call's rate.
    const request = Math.round((this.jitter.stretchRequest * this.sampleRate) / this.clockRate);
    const m = this.stretcher.process(pcm, n, request, this.out);
    if (m !== n) this.jitter.stretched(Math.round(((m - n) * this.clockRate) / this.sampleRate));
    this.fifo.push(this.out, m);
  }

  /** A new remote source: never lengthen it with the old one's audio. */
  reset(): void {
    this.stretcher.reset();
  }

  report(): JitterBufferReport {
    const r = (x: number): number => Math.round(x * 10) / 10;
    const s = this.jitter.stats;
    return {
      mode: this.jitter.adapt,
      delayMs: r(this.delayNowMs),
      meanDelayMs: this.delayFrames ? r(this.delaySumMs / this.delayFrames) : 0,
      targetMs: r(s.targetDelayMs),
      grownMs: r(s.grownMs),
      shrunkMs: r(s.shrunkMs),
    };
  }
}
