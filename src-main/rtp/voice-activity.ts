// Energy voice activity detector with hangover, for silence suppression with comfort noise (RFC 3389).
// Pure: the caller passes each 20 ms frame and the time (a fake clock in tests).
//
// A frame is speech when its level is more than `marginDb` above the tracked noise floor (or above
// `speechDb` whatever the floor). The floor falls at once to a quieter frame and rises slowly (so steady
// background noise is learnt within seconds, while speech, which has pauses, does not pull it up), and
// never above `maxFloorDb`. After the last speech frame, `hangoverMs` more count as speech so that word
// endings and short pauses are sent as audio.

import { dbov } from './comfort-noise';

export interface VadOptions {
  /** Speech continues this long after the last loud frame; default 200 ms. */
  hangoverMs?: number;
  /** Above the noise floor by this much is speech; default 9 dB. */
  marginDb?: number;
  /** Louder than this is speech whatever the floor; default -30 dBov. */
  speechDb?: number;
  /** The floor before anything is measured; default -70 dBov. */
  initialFloorDb?: number;
  /** The floor never rises above this; default -40 dBov. */
  maxFloorDb?: number;
  /** How fast the floor rises towards louder frames; default 3 dB/s. */
  floorRiseDbPerS?: number;
}

/** Levels of digital silence are taken as this (the lowest a CN packet can say is -127 dBov). */
const SILENT_DB = -127;
/** The noise level for the SID follows silent frames with this weight per frame (~100 ms time constant). */
const NOISE_SMOOTHING = 0.2;

export class VoiceActivityDetector {
  private readonly hangoverMs: number;
  private readonly marginDb: number;
  private readonly speechDb: number;
  private readonly maxFloorDb: number;
  private readonly riseDbPerMs: number;
  private floorDb: number;
  private lastSpeechMs = Number.NEGATIVE_INFINITY;
  private lastMs = Number.NaN;
  /** Mean power (relative to full scale) of the frames judged silent, smoothed. */
  private noisePower = Number.NaN;
  private speaking = false;

  constructor(opts: VadOptions = {}) {
    this.hangoverMs = opts.hangoverMs ?? 200;
    this.marginDb = opts.marginDb ?? 9;
    this.speechDb = opts.speechDb ?? -30;
    this.maxFloorDb = opts.maxFloorDb ?? -40;
    this.riseDbPerMs = (opts.floorRiseDbPerS ?? 3) / 1000;
    this.floorDb = opts.initialFloorDb ?? -70;
  }

  /** Judges one frame at `nowMs`: true while speech (or its hangover) lasts. */
  process(frame: Int16Array, nowMs: number, length = frame.length): boolean {
    const level = Math.max(SILENT_DB, dbov(frame, length));
    const elapsed = Number.isNaN(this.lastMs) ? 0 : Math.max(0, nowMs - this.lastMs);
    this.lastMs = nowMs;
    if (level < this.floorDb) this.floorDb = level;
    else this.floorDb = Math.min(this.maxFloorDb, level, this.floorDb + this.riseDbPerMs * elapsed);
    const loud = level > this.speechDb || level > this.floorDb + this.marginDb;
    if (loud) this.lastSpeechMs = nowMs;
    else {
      const p = 10 ** (level / 10);
      this.noisePower = Number.isNaN(this.noisePower) ? p : this.noisePower + NOISE_SMOOTHING * (p - this.noisePower);
    }
    this.speaking = loud || nowMs - this.lastSpeechMs < this.hangoverMs;
    return this.speaking;
  }

  /** The last decision. */
  get speech(): boolean {
    return this.speaking;
  }

  /** The background noise level in dBov (for the CN packet), -127 before any silent frame. */
  get noiseDbov(): number {
    if (Number.isNaN(this.noisePower) || this.noisePower <= 0) return SILENT_DB;
    return Math.max(SILENT_DB, 10 * Math.log10(this.noisePower));
  }

  /** The tracked noise floor in dBov (what speech must exceed by the margin). */
  get floorDbov(): number {
    return this.floorDb;
  }
}
