// One stream's RTCP XR bookkeeping (RFC 3611 §4.7): the burst/gap model of its play-out, the largest
// jitter buffer target, and the levels of what it plays (signal and noise in dBm0; 0 dBov is +6.18 dBm0
// for mu-law, RFC 3389 §3), told apart by the same VAD as for sending. Pure.

import { dbov } from './comfort-noise';
import type { ReceiverMeasurements } from './e-model';
import type { VoipMetricsBlock } from './rtcp-xr';
import { VoiceActivityDetector } from './voice-activity';
import { BurstGapTracker, voipMetricsBlock } from './xr-voip-metrics';

const DBOV_TO_DBM0 = 6.18;
/** The speech level follows speech frames with this weight per frame (~0.4 s time constant). */
const SIGNAL_SMOOTHING = 0.05;

class HeardLevels {
  private readonly vad = new VoiceActivityDetector();
  private signalPower = Number.NaN;

  /** One 20 ms frame as played. */
  frame(pcm: Int16Array, nowMs: number): void {
    if (!this.vad.process(pcm, nowMs)) return;
    const p = 10 ** (dbov(pcm) / 10);
    this.signalPower = Number.isNaN(this.signalPower) ? p : this.signalPower + SIGNAL_SMOOTHING * (p - this.signalPower);
  }

  /** Speech level in dBm0, when speech was heard. */
  get signalDbm0(): number | undefined {
    return Number.isNaN(this.signalPower) ? undefined : 10 * Math.log10(this.signalPower) + DBOV_TO_DBM0;
  }

  /** Background level in dBm0: the peer's comfort noise level (-dBov) while it plays, else what the VAD heard. */
  noiseDbm0(comfortNoiseLevel: number | undefined): number | undefined {
    const db = comfortNoiseLevel !== undefined ? -comfortNoiseLevel : this.vad.noiseDbov;
    return db > -127 ? db + DBOV_TO_DBM0 : undefined;
  }
}

export class StreamXr {
  private readonly burstGap = new BurstGapTracker();
  private readonly levels = new HeardLevels();
  private jbMaxMs = 0;

  constructor(private readonly jbAbsMaxMs: number) {}

  /** A packet's turn in the play-out: played from a packet, or concealed. */
  observe(lost: boolean): void {
    this.burstGap.observe(lost);
  }

  /** One 20 ms frame as played (`audio`: received audio has started), and the buffer's target now. */
  played(pcm: Int16Array, nowMs: number, audio: boolean, targetDelayMs: number): void {
    if (targetDelayMs > this.jbMaxMs) this.jbMaxMs = targetDelayMs;
    if (audio) this.levels.frame(pcm, nowMs);
  }

  /** Our block about the peer's stream; `comfortNoiseLevel`: the CN level (-dBov) being played, if any. */
  block(remoteSsrc: number, measurements: ReceiverMeasurements, targetDelayMs: number, comfortNoiseLevel: number | undefined): VoipMetricsBlock {
    const signalDbm0 = this.levels.signalDbm0;
    const noiseDbm0 = this.levels.noiseDbm0(comfortNoiseLevel);
    return voipMetricsBlock({
      remoteSsrc,
      measurements,
      burstGap: this.burstGap,
      jitterBuffer: { nominalMs: targetDelayMs, maximumMs: Math.max(this.jbMaxMs, targetDelayMs), absMaxMs: this.jbAbsMaxMs },
      ...(signalDbm0 !== undefined ? { signalDbm0 } : {}),
      ...(noiseDbm0 !== undefined ? { noiseDbm0 } : {}),
    });
  }
}
