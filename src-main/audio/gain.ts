// Volume as a gain on 16-bit frames (issue 11: microphone and speaker volume), saturating instead of
// wrapping around. Pure; runs in the media tick, so no allocation.

/** Highest gain we apply: +12 dB (a quiet microphone); 1 = unchanged, 0 = silence. */
export const MAX_GAIN = 4;

/** Volume in percent (0-400, 100 = unchanged) as a gain; anything else is clamped. */
export function gainFromPercent(percent: number | undefined): number {
  if (percent === undefined || !Number.isFinite(percent)) return 1;
  return Math.max(0, Math.min(MAX_GAIN, percent / 100));
}

/** Multiplies `frame` in place by `gain`, clipping at full scale. */
export function applyGain(frame: Int16Array, gain: number): void {
  if (gain === 1) return;
  for (let i = 0; i < frame.length; i++) {
    const v = Math.round((frame[i] as number) * gain);
    frame[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
}
