// The echo's place in the microphone, found from the signals (GCC-PHAT): the exact offset of a delayed,
// attenuated, noisy copy of speech; nothing when the far end is silent or the microphone hears
// something else.
import { describe, expect, it } from 'vitest';
import { EchoDelayEstimator, EchoOffsetTracker } from '../../../src-main/audio/echo-delay-estimator';
import { EchoReference } from '../../../src-main/audio/echo-reference';
import { speechLike } from '../../support/speech-like';

const FRAME = 160;

/** Feeds `seconds` of far end and of microphone (far delayed by `delay` samples, scaled) frame by frame. */
function run(delay: number, opts: { gain?: number; noise?: number; farSilent?: boolean; other?: boolean } = {}) {
  const seconds = 3;
  let seed = 7;
  const far = opts.farSilent ? new Int16Array(seconds * 8000) : speechLike(seconds);
  // Another talker: noise under the same syllable rhythm, unrelated to the far end.
  const other = Int16Array.from({ length: seconds * 8000 }, (_, n) => {
    seed = (seed * 48271) % 2147483647;
    return Math.round(((seed / 2147483647) - 0.5) * 8000 * (0.5 + 0.5 * Math.sin((2 * Math.PI * 3 * n) / 8000)));
  });
  const ref = new EchoReference(16000);
  const est = new EchoDelayEstimator(8000);
  const results = [];
  for (let f = 0; f < seconds * 50; f++) {
    ref.push(far.subarray(f * FRAME, (f + 1) * FRAME));
    const mic = new Int16Array(FRAME);
    for (let i = 0; i < FRAME; i++) {
      const n = f * FRAME + i;
      seed = (seed * 16807) % 2147483647;
      const echo = opts.other ? (other[n] as number) : n - delay >= 0 ? (far[n - delay] as number) : 0;
      mic[i] = Math.round(echo * (opts.gain ?? 0.5) + ((seed / 2147483647) - 0.5) * (opts.noise ?? 0));
    }
    est.pushMic(mic);
    if (f % 12 === 11) results.push(est.estimate(ref));
  }
  return results;
}

describe('EchoDelayEstimator', () => {
  it('finds the far-to-microphone offset to the sample, under noise', () => {
    const all = run(1234, { noise: 400 });
    const sure = all.filter((r) => r !== null);
    expect(sure.length).toBeGreaterThan(5);
    for (const r of sure) expect(r!.offset).toBe(-1234);
  });

  it('says nothing when the far end is silent or the microphone hears another talker', () => {
    expect(run(1234, { farSilent: true, noise: 2000 }).filter((r) => r !== null)).toEqual([]);
    expect(run(1234, { other: true }).filter((r) => r !== null)).toEqual([]);
  });
});

describe('EchoOffsetTracker', () => {
  it('takes the first estimate, and a new one only when the next estimate agrees', () => {
    const t = new EchoOffsetTracker();
    t.propose(null);
    expect(t.offset).toBeNull();
    t.propose({ offset: -1000, peak: 0.5 });
    expect(t.offset).toBe(-1000);
    t.propose({ offset: -3000, peak: 0.5 }); // one stray peak
    expect(t.offset).toBe(-1000);
    t.propose({ offset: -1001, peak: 0.5 }); // within a sample: kept
    expect(t.offset).toBe(-1000);
    t.propose({ offset: -1160, peak: 0.5 });
    t.propose({ offset: -1160, peak: 0.5 });
    expect(t.offset).toBe(-1160);
  });
});
