// Issue 13: 20 ms frames between rates (8 <-> 16 <-> 48 kHz, 44.1 kHz): every frame in gives exactly one
// frame out, a tone keeps its frequency, and a tone above the lower rate's band does not fold back.
import { describe, expect, it } from 'vitest';
import { FrameResampler, frameSamplesAt } from '../../../src-main/audio/frame-resampler';
import { generateTone, rmsLevel, toneCoverage } from '../../../src-main/audio/tone-analysis';

function run(from: number, to: number, hz: number, seconds = 1): Int16Array {
  const rs = new FrameResampler(from, to);
  const tone = generateTone(hz, seconds, from, 0.5);
  const inFrame = frameSamplesAt(from);
  const outFrame = frameSamplesAt(to);
  const frames = Math.floor(tone.length / inFrame);
  const out = new Int16Array(frames * outFrame);
  for (let i = 0; i < frames; i++) rs.process(tone.subarray(i * inFrame, (i + 1) * inFrame), out.subarray(i * outFrame, (i + 1) * outFrame));
  return out;
}

describe('FrameResampler', () => {
  it.each([
    [8000, 16000, 1000],
    [16000, 8000, 1000],
    [16000, 48000, 5000],
    [44100, 16000, 5000],
  ])('%i -> %i Hz keeps a %i Hz tone in every frame after the first', (from, to, hz) => {
    const out = run(from, to, hz);
    expect(toneCoverage(out.subarray(frameSamplesAt(to)), to, hz)).toBe(1);
  });

  it('drops a 5 kHz tone going to 8 kHz instead of folding it to 3 kHz', () => {
    const out = run(16000, 8000, 5000);
    expect(rmsLevel(out.subarray(160))).toBeLessThan(0.001);
    expect(toneCoverage(out, 8000, 3000)).toBe(0);
  });
});
