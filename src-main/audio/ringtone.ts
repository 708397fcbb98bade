// The ringtones of an incoming call (issue 11), generated rather than bundled, frame by frame for the
// media tick: "classic" (440 + 480 Hz double ring, the default), "long" (the same pair, 2 s on, 4 s off),
// "trill" (a desk phone's 1200/1600 Hz warble) and "chime" (two fading notes). A WAV file is the other
// choice (read by the media worker, with the classic ring when it cannot be played). Pure.

export const RING_FREQS = [440, 480] as const;
export const BUILTIN_RINGTONES = ['classic', 'long', 'trill', 'chime'] as const;
export type BuiltinRingtone = (typeof BUILTIN_RINGTONES)[number];

/** What rings: a built-in ringtone, or a WAV file (any rate and channel count; looped). */
export type RingtoneChoice = { name: BuiltinRingtone } | { file: string };

export function isBuiltinRingtone(name: unknown): name is BuiltinRingtone {
  return typeof name === 'string' && (BUILTIN_RINGTONES as readonly string[]).includes(name);
}

/** One step of a cadence: `freqs` sound together for `ms` (none: silence); `fade` makes a bell-like decay. */
interface Step {
  ms: number;
  freqs: readonly number[];
  fade?: boolean;
}

/** A desk phone's trill: 1200 and 1600 Hz swapped every 25 ms for a second, then 2 s of silence. */
function trill(): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < 40; i++) steps.push({ ms: 25, freqs: [i % 2 === 0 ? 1200 : 1600] });
  steps.push({ ms: 2000, freqs: [] });
  return steps;
}

const CADENCES: Record<BuiltinRingtone, readonly Step[]> = {
  // 0.4 s on, 0.2 s off, 0.4 s on, 2 s off.
  classic: [
    { ms: 400, freqs: RING_FREQS },
    { ms: 200, freqs: [] },
    { ms: 400, freqs: RING_FREQS },
    { ms: 2000, freqs: [] },
  ],
  long: [
    { ms: 2000, freqs: RING_FREQS },
    { ms: 4000, freqs: [] },
  ],
  trill: trill(),
  chime: [
    { ms: 400, freqs: [880], fade: true },
    { ms: 600, freqs: [660], fade: true },
    { ms: 1800, freqs: [] },
  ],
};

/** Each tone at 0.2 of full scale: audible, not startling, a pair below clipping. */
const AMPLITUDE = 0.2 * 32767;

export class Ringtone {
  private step = 0;
  private left: number;
  /** Samples since start (the sine phase runs on through the pauses). */
  private t = 0;
  private readonly cadence: readonly Step[];

  constructor(
    readonly name: BuiltinRingtone = 'classic',
    private readonly sampleRate = 8000,
  ) {
    this.cadence = CADENCES[name] ?? CADENCES.classic;
    this.left = this.samples(0);
  }

  private samples(step: number): number {
    return Math.round(((this.cadence[step]?.ms ?? 0) * this.sampleRate) / 1000);
  }

  /** Writes the next samples of the ring into `frame`. */
  fill(frame: Int16Array): void {
    for (let i = 0; i < frame.length; i++) {
      while (this.left === 0) {
        this.step = (this.step + 1) % this.cadence.length;
        this.left = this.samples(this.step);
      }
      const step = this.cadence[this.step];
      let v = 0;
      if (step && step.freqs.length > 0) {
        for (const f of step.freqs) v += Math.sin((2 * Math.PI * f * this.t) / this.sampleRate);
        // A struck bell: full at the start of the step, about 5 % at its end.
        if (step.fade) v *= Math.exp((-3 * (this.samples(this.step) - this.left)) / this.samples(this.step)) * 1.5;
      }
      frame[i] = Math.max(-32768, Math.min(32767, Math.round(AMPLITUDE * v)));
      this.left--;
      this.t++;
    }
  }
}
