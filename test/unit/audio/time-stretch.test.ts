// Time-stretch by content: a sine and a multi-tone made 20 ms longer then 20 ms shorter keep their
// tones, have no jump bigger than the signal's own, and come out the intended length; silence and
// noise stretch too; the voiced rate stays bounded.
import { describe, expect, it } from 'vitest';
import { goertzelPower } from '../../../src-main/audio/tone-analysis';
import { TimeStretcher } from '../../../src-main/audio/time-stretch';

const FS = 8000;
const FRAME = 160;

function tones(freqs: number[], amps: number[], samples: number): Int16Array {
  return Int16Array.from({ length: samples }, (_, i) => Math.round(freqs.reduce((s, f, k) => s + (amps[k] as number) * Math.sin((2 * Math.PI * f * i) / FS + k), 0)));
}

interface Plan {
  /** At this input frame, ask for a change of `samples` (like the jitter buffer's request). */
  at: number;
  samples: number;
}

/** Feeds `signal` frame by frame, paying off each requested change as the jitter buffer does. */
function stretch(signal: Int16Array, plans: Plan[], st = new TimeStretcher()): { out: Int16Array; lengthAfter: number[] } {
  const frames = Math.floor(signal.length / FRAME);
  const chunks: Int16Array[] = [];
  const buf = new Int16Array(st.maxOutput(FRAME));
  let debt = 0;
  const lengthAfter: number[] = [];
  let total = 0;
  for (let f = 0; f < frames; f++) {
    for (const p of plans) if (p.at === f) debt = p.samples;
    const n = st.process(signal.subarray(f * FRAME, (f + 1) * FRAME), FRAME, debt, buf);
    const change = n - FRAME;
    if (change !== 0) debt = Math.sign(debt - change) === Math.sign(debt) ? debt - change : 0; // overshoot: done
    chunks.push(buf.slice(0, n));
    total += n;
    lengthAfter.push(total - (f + 1) * FRAME);
  }
  const out = new Int16Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return { out, lengthAfter };
}

function maxJump(x: Int16Array, from = 1, to = x.length): number {
  let m = 0;
  for (let i = Math.max(1, from); i < to; i++) m = Math.max(m, Math.abs((x[i] as number) - (x[i - 1] as number)));
  return m;
}

/**
 * Worst SNR (dB) over 50 ms blocks between the signal and its projection on the given tones: the ideal
 * reference is the same tones at whatever amplitude and phase fit the block best, so only distortion,
 * clicks and off-frequency energy count as error. 50 ms holds a whole number of cycles of each tone.
 */
function worstToneSnr(x: Int16Array, freqs: number[], from: number, to: number): number {
  const B = 400;
  let worst = Infinity;
  for (let s = from; s + B <= to; s += B / 2) {
    const fit = new Float64Array(B);
    for (const f of freqs) {
      let c = 0;
      let d = 0;
      for (let i = 0; i < B; i++) {
        const ph = (2 * Math.PI * f * i) / FS;
        c += (x[s + i] as number) * Math.cos(ph);
        d += (x[s + i] as number) * Math.sin(ph);
      }
      for (let i = 0; i < B; i++) {
        const ph = (2 * Math.PI * f * i) / FS;
        fit[i] = (fit[i] as number) + (2 / B) * (c * Math.cos(ph) + d * Math.sin(ph));
      }
    }
    let sig = 0;
    let err = 0;
    for (let i = 0; i < B; i++) {
      sig += (fit[i] as number) ** 2;
      err += ((x[s + i] as number) - (fit[i] as number)) ** 2;
    }
    worst = Math.min(worst, 10 * Math.log10(sig / Math.max(err, 1e-9)));
  }
  return worst;
}

/** The frequency (0.25 Hz steps) with the most power within ±span Hz of `around`. */
function peakFrequency(x: Int16Array, from: number, to: number, around: number, span = 20): number {
  let best = around;
  let bestP = -1;
  for (let f = around - span; f <= around + span; f += 0.25) {
    const p = goertzelPower(x, from, to - from, f, FS);
    if (p > bestP) {
      bestP = p;
      best = f;
    }
  }
  return best;
}

describe('TimeStretcher', () => {
  it('passes audio through unchanged when no change is asked for', () => {
    const x = tones([440], [10000], 20 * FRAME);
    const { out } = stretch(x, []);
    expect(Array.from(out)).toEqual(Array.from(x));
  });

  it('makes a 440 Hz sine 20 ms longer then 20 ms shorter with no click and the tone intact', () => {
    const x = tones([440], [12000], 100 * FRAME); // 2 s
    const own = maxJump(x);
    const st = new TimeStretcher();
    const { out, lengthAfter } = stretch(x, [{ at: 20, samples: 160 }, { at: 60, samples: -160 }], st);
    // Length: at least the 20 ms asked for (a whole number of periods, so perhaps a little more) ...
    const grown = lengthAfter[50] as number;
    expect(grown).toBeGreaterThanOrEqual(160);
    expect(grown).toBeLessThan(160 + st.maxLag);
    // ... reached within a few frames (at most 5 ms per 20 ms frame on average, plus one period) ...
    const framesToGrow = lengthAfter.findIndex((d, f) => f >= 20 && d >= 160) - 20 + 1;
    expect(framesToGrow).toBeGreaterThanOrEqual(1);
    expect(framesToGrow).toBeLessThanOrEqual(6);
    // ... then given back.
    const back = lengthAfter[99] as number;
    expect(back).toBeLessThanOrEqual(grown - 160);
    expect(back).toBeGreaterThan(-st.maxLag);
    expect(st.added).toBe(grown);
    expect(out.length).toBe(x.length + back);
    // No discontinuity: no sample-to-sample step beyond the sine's own (2A sin(pi f / fs)), give or
    // take 2 % (a 440 Hz period is 18.18 samples, a lag a whole number: the seam glides by a fraction of
    // a sample). Dropping a whole frame the old way makes a step of several times that.
    expect(maxJump(out)).toBeLessThanOrEqual(own * 1.02);
    const spliced = new Int16Array(x.length - FRAME);
    spliced.set(x.subarray(0, 60 * FRAME));
    spliced.set(x.subarray(61 * FRAME + 37), 60 * FRAME); // a frame (and a bit) dropped
    expect(maxJump(spliced)).toBeGreaterThan(own * 1.5);
    // The tone stays a clean 440 Hz sine in every 50 ms block, the stretched ones included.
    const snr = worstToneSnr(out, [440], 0, out.length);
    console.log(`sine: +${grown} then ${back - grown} samples in ${framesToGrow} frames; max step ${maxJump(out)} (signal ${own}); worst block SNR vs ideal sine ${snr.toFixed(1)} dB`);
    expect(snr).toBeGreaterThan(30);
    expect(Math.abs(peakFrequency(out, 15 * FRAME, 75 * FRAME, 440) - 440)).toBeLessThanOrEqual(2);
  });

  it('keeps the three tones of a multi-tone (300, 700, 1100 Hz) in level and frequency through both changes', () => {
    const freqs = [300, 700, 1100];
    const amps = [7000, 5000, 3000];
    const x = tones(freqs, amps, 100 * FRAME);
    const own = maxJump(x);
    const { out, lengthAfter } = stretch(x, [{ at: 20, samples: 160 }, { at: 60, samples: -160 }]);
    expect(lengthAfter[50]).toBeGreaterThanOrEqual(160);
    expect(Math.abs(lengthAfter[99] as number)).toBeLessThan(100);
    expect(maxJump(out)).toBeLessThanOrEqual(own * 1.02);
    const snr = worstToneSnr(out, freqs, 0, out.length);
    console.log(`multi-tone: worst block SNR vs ideal ${snr.toFixed(1)} dB, max step ${maxJump(out)} (signal ${own})`);
    expect(snr).toBeGreaterThan(25);
    // Over the stretched stretch of output, each tone keeps its level (±0.5 dB) and frequency (±2 Hz).
    const from = 18 * FRAME;
    const to = 70 * FRAME;
    freqs.forEach((f, k) => {
      const p = goertzelPower(out, from, to - from, f, FS);
      const ref = ((amps[k] as number) ** 2) / 2;
      expect(Math.abs(10 * Math.log10(p / ref))).toBeLessThan(0.5);
      expect(Math.abs(peakFrequency(out, from, to, f) - f)).toBeLessThanOrEqual(2);
    });
  });

  it('stretches a voiced signal at most 25 % on average, however much is asked for', () => {
    const x = tones([118, 236, 354], [6000, 4000, 2000], 50 * FRAME);
    const st = new TimeStretcher();
    const { out } = stretch(x, [{ at: 0, samples: 100_000 }], st);
    const added = out.length - x.length;
    expect(added).toBeGreaterThan(0.15 * x.length);
    expect(added).toBeLessThanOrEqual(0.25 * x.length + st.maxLag);
    const short = stretch(x, [{ at: 0, samples: -100_000 }], new TimeStretcher());
    expect(x.length - short.out.length).toBeLessThanOrEqual(0.25 * x.length + st.maxLag);
    expect(x.length - short.out.length).toBeGreaterThan(0.15 * x.length);
  });

  it('changes silence fast: a whole frame longer at once, a frame shorter in two', () => {
    const quiet = Int16Array.from({ length: 30 * FRAME }, (_, i) => Math.round(40 * Math.sin(i * 0.3)));
    const up = stretch(quiet, [{ at: 5, samples: 160 }]);
    expect(up.lengthAfter[5]).toBe(160);
    const down = stretch(quiet, [{ at: 5, samples: -160 }]);
    expect(down.lengthAfter[5]).toBe(-100);
    expect(down.lengthAfter[6]).toBe(-160);
    expect(maxJump(up.out)).toBeLessThanOrEqual(maxJump(quiet) + 2);
  });

  it('stretches noise too, after waiting a little for a good match', () => {
    let seed = 1;
    const noise = Int16Array.from({ length: 40 * FRAME }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 8000);
    const { lengthAfter } = stretch(noise, [{ at: 2, samples: 160 }]);
    expect(lengthAfter[39]).toBeGreaterThanOrEqual(160);
  });
});
