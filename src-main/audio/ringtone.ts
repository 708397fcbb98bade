// The ringtone of an incoming call (issue 11), generated rather than bundled: a 440 + 480 Hz pair in a
// double-ring cadence (0.4 s on, 0.2 s off, 0.4 s on, 2 s off), frame by frame for the media tick. Pure.

export const RING_FREQS = [440, 480] as const;
/** On/off steps in ms; the pattern repeats. */
const CADENCE: ReadonlyArray<{ on: boolean; ms: number }> = [
  { on: true, ms: 400 },
  { on: false, ms: 200 },
  { on: true, ms: 400 },
  { on: false, ms: 2000 },
];
/** Each tone at 0.2 of full scale: audible, not startling, the pair below clipping. */
const AMPLITUDE = 0.2 * 32767;

export class Ringtone {
  private step = 0;
  private left: number;
  /** Samples since start (the sine phase runs on through the pauses). */
  private t = 0;

  constructor(private readonly sampleRate = 8000) {
    this.left = this.samples(0);
  }

  private samples(step: number): number {
    return Math.round(((CADENCE[step]?.ms ?? 0) * this.sampleRate) / 1000);
  }

  /** Writes the next samples of the ring into `frame`. */
  fill(frame: Int16Array): void {
    const w1 = (2 * Math.PI * RING_FREQS[0]) / this.sampleRate;
    const w2 = (2 * Math.PI * RING_FREQS[1]) / this.sampleRate;
    for (let i = 0; i < frame.length; i++) {
      while (this.left === 0) {
        this.step = (this.step + 1) % CADENCE.length;
        this.left = this.samples(this.step);
      }
      frame[i] = CADENCE[this.step]?.on ? Math.round(AMPLITUDE * (Math.sin(w1 * this.t) + Math.sin(w2 * this.t))) : 0;
      this.left--;
      this.t++;
    }
  }
}
