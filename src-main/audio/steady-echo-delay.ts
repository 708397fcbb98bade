// The distance from the speaker to the microphone, as the two sound-card buffers report it, held steady
// for the echo canceller while those buffers only breathe, and moved when they really change (issue 13).
// Pure.
//
// Why: the buffers' fill is read at the 20 ms tick, but the card fills and drains them in blocks on its
// own clock, so each reading is early or late by up to a block: in the PulseAudio lab the reading
// alternated between two values one frame apart in runs of about four frames. Cutting the reference at
// each reading made the echo jump by 20 ms under the adaptive filter every few frames (a linear fit of
// the echo explained 4.5 dB of it; per frame the right delay correlated at 0.98), which capped the
// cancellation near 20 dB. The mean over half a second sits between the two values; the delay is held
// at it and moves only when the mean leaves it by most of a frame, which a real change does (the
// speaker's cushion given back, the microphone's ring trimmed: a block or more at once). Each move is
// re-centred half a second later, when the window holds only readings from after the change, and so is
// the start of a call, whose buffers settle over its first seconds: a delay left off-centre would be
// moved by the beat alone, and every move costs the adaptive filter seconds of convergence.

/** Readings averaged: half a second of 20 ms frames, several periods of the block-versus-tick beat. */
const WINDOW_FRAMES = 25;
/** The mean must leave the held delay by this much (in frames) to move it: past the beat, short of a block. */
const TOLERANCE_FRAMES = 0.75;
/** Re-centre at each half second of the call's first two seconds. */
const SETTLING_FRAMES = 4 * WINDOW_FRAMES;

export class SteadyEchoDelay {
  private readonly readings = new Float64Array(WINDOW_FRAMES);
  private count = 0;
  private next = 0;
  private sum = 0;
  private frames = 0;
  private held: number | null = null;
  private recentreAt = WINDOW_FRAMES;

  /**
   * One reading (samples the speaker still holds plus those the microphone holds newer than its frame)
   * per microphone frame of `frameSamples`; returns the delay to cut the reference at.
   */
  update(reading: number, frameSamples: number): number {
    const r = Math.max(0, reading);
    if (this.count === WINDOW_FRAMES) this.sum -= this.readings[this.next] as number;
    else this.count++;
    this.readings[this.next] = r;
    this.sum += r;
    this.next = (this.next + 1) % WINDOW_FRAMES;
    const n = this.frames++;
    const mean = this.sum / this.count;
    if (this.held === null) this.held = r;
    else if (Math.abs(mean - this.held) > TOLERANCE_FRAMES * frameSamples) {
      this.held = Math.round(mean);
      this.recentreAt = n + WINDOW_FRAMES;
    } else if (n === this.recentreAt) {
      this.held = Math.round(mean);
      if (n < SETTLING_FRAMES) this.recentreAt = n + WINDOW_FRAMES;
    }
    return this.held;
  }

  reset(): void {
    this.count = 0;
    this.next = 0;
    this.sum = 0;
    this.frames = 0;
    this.held = null;
    this.recentreAt = WINDOW_FRAMES;
  }
}
