// Issue 13, the jitter buffer's delay changes heard through a MediaStream under a fake clock: the same
// packets with the old whole-frame adaptation and with time-stretching. Clean path: identical audio.
// A 60 ms delay step up and back down: no click when stretched (a re-buffer and dropped frames click).
// Jitter and loss: the stretched output is at least as close to the original (segmental SNR).
import { describe, expect, it } from 'vitest';
import { voicedMultiTone } from '../../support/aligned-snr';
import { simulatePath } from '../../support/jitter-sim';

const FS = 8000;

function maxJump(x: Int16Array, from = 1): number {
  let m = 0;
  for (let i = Math.max(1, from); i < x.length; i++) m = Math.max(m, Math.abs((x[i] as number) - (x[i - 1] as number)));
  return m;
}

describe('MediaStream jitter buffer adaptation (issue 13)', () => {
  it('on a clean path plays exactly what the whole-frame mode plays, in 20 ms frames, 40 ms target', () => {
    const signal = voicedMultiTone(2);
    const frame = simulatePath({ signal, adapt: 'frame', lossRate: 0, maxJitterMs: 0 });
    const stretch = simulatePath({ signal, adapt: 'stretch', lossRate: 0, maxJitterMs: 0 });
    expect(stretch.fixedFrames).toBe(true);
    // Nothing to adapt: the stretcher passes the audio through untouched (up to the end of the stream).
    const n = signal.length;
    expect(Array.from(stretch.output.subarray(0, n))).toEqual(Array.from(frame.output.subarray(0, n)));
    // Packets arrive 1 ms after their time and the tick comes 9 ms later: 40 ms target + 9 ms phase.
    expect(stretch.stats.jitterBuffer).toMatchObject({ mode: 'stretch', targetMs: 40, meanDelayMs: 49, grownMs: 0, shrunkMs: 0 });
    expect(stretch.snrAll).toBeGreaterThan(30);
  });

  it('a 60 ms delay step up and back down: no click when stretched, clicks with whole frames', () => {
    const signal = Int16Array.from({ length: 6 * FS }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / FS)));
    const own = maxJump(signal);
    const step = (p: number) => (p >= 50 && p < 150 ? 60 : 0);
    const frame = simulatePath({ signal, adapt: 'frame', lossRate: 0, maxJitterMs: 0, shiftMs: step, noSnr: true });
    const stretch = simulatePath({ signal, adapt: 'stretch', lossRate: 0, maxJitterMs: 0, shiftMs: step, noSnr: true });
    const from = 0.1 * FS; // after the start of play-out
    console.log(`60 ms step: max step frame mode ${maxJump(frame.output, from)}, stretch ${maxJump(stretch.output, from)} (signal ${own}); concealed ${frame.stats.concealedMs} vs ${stretch.stats.concealedMs} ms; buffer ${JSON.stringify(frame.stats.jitterBuffer)} vs ${JSON.stringify(stretch.stats.jitterBuffer)}`);
    // The old way: silence while re-buffering, then frames dropped to give the delay back.
    expect(maxJump(frame.output, from)).toBeGreaterThan(2 * own);
    // Stretched: the delay went up (a concealed wait for the late packets) and back down (compressed),
    // and no step between samples is bigger than the sine's own (G.711 adds a little).
    expect(stretch.stats.jitterBuffer?.shrunkMs).toBeGreaterThan(0);
    expect(maxJump(stretch.output, from)).toBeLessThanOrEqual(own * 1.05);
    expect(stretch.stats.concealedMs).toBeLessThan(frame.stats.concealedMs ?? 0);
    expect(stretch.fixedFrames).toBe(true);
  });

  for (const jitter of [30, 60]) {
    it(`with 5 % loss and ${jitter} ms jitter the stretched multi-tone is at least as close to the original`, () => {
      const signal = voicedMultiTone(4);
      const path = { signal, lossRate: 0.05, maxJitterMs: jitter, seed: 777 };
      const frame = simulatePath({ ...path, adapt: 'frame' });
      const stretch = simulatePath({ ...path, adapt: 'stretch' });
      console.log(`${jitter} ms jitter, 5 % loss: segSNR frame ${frame.snrAll.toFixed(1)} / lost ${frame.snrLost.toFixed(1)} dB, stretch ${stretch.snrAll.toFixed(1)} / ${stretch.snrLost.toFixed(1)} dB; delay ${frame.stats.jitterBuffer?.meanDelayMs} vs ${stretch.stats.jitterBuffer?.meanDelayMs} ms`);
      expect(frame.dropped.length).toBeGreaterThanOrEqual(5);
      expect(stretch.snrAll).toBeGreaterThanOrEqual(frame.snrAll);
      expect(stretch.snrLost).toBeGreaterThanOrEqual(frame.snrLost);
      expect(stretch.stats.jitterBuffer?.targetMs).toBeGreaterThan(40);
      expect(stretch.fixedFrames).toBe(true);
    });
  }
});
