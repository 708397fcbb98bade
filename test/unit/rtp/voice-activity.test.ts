// The energy VAD with hangover and the SID schedule of silence suppression, under a fake clock.
import { describe, expect, it } from 'vitest';
import { VoiceActivityDetector } from '../../../src-main/rtp/voice-activity';
import { DtxPolicy } from '../../../src-main/rtp/dtx-policy';
import { ComfortNoiseGenerator } from '../../../src-main/rtp/comfort-noise-generator';
import { generateTone } from '../../../src-main/audio/tone-analysis';

const tone = generateTone(440, 1, 8000, 0.3);
const noiseAt = (level: number, seed = 1) => {
  const g = new ComfortNoiseGenerator(seed);
  g.set({ level, coefficients: [] });
  return (frame: Int16Array) => g.fill(frame);
};

/** Feeds `ms` of 20 ms frames from `fill` at the fake clock; returns the decisions. */
function feed(vad: VoiceActivityDetector, clock: { now: number }, ms: number, fill: (f: Int16Array, i: number) => void): boolean[] {
  const out: boolean[] = [];
  const frame = new Int16Array(160);
  for (let t = 0; t < ms; t += 20) {
    fill(frame, t / 20);
    out.push(vad.process(frame, clock.now));
    clock.now += 20;
  }
  return out;
}

describe('VoiceActivityDetector', () => {
  it('calls a tone speech and digital silence silence once the 200 ms hangover has run out', () => {
    const vad = new VoiceActivityDetector();
    const clock = { now: 5000 };
    const speech = feed(vad, clock, 1000, (f, i) => f.set(tone.subarray((i * 160) % 7840, (i * 160) % 7840 + 160)));
    expect(speech.every(Boolean)).toBe(true);
    const after = feed(vad, clock, 600, (f) => f.fill(0));
    // The frames 20-180 ms after the last loud one still count as speech; from 200 ms on, silence.
    expect(after.slice(0, 9).every(Boolean)).toBe(true);
    expect(after.slice(9).some(Boolean)).toBe(false);
    expect(vad.noiseDbov).toBe(-127);
  });

  it('learns steady background noise and still hears speech above it', () => {
    const vad = new VoiceActivityDetector();
    const clock = { now: 0 };
    const noise = noiseAt(50);
    // -50 dBov is 20 dB above the initial floor: speech at first, then learnt within seconds (3 dB/s).
    const d = feed(vad, clock, 10_000, (f) => noise(f));
    expect(d.slice(-50).some(Boolean)).toBe(false);
    expect(vad.floorDbov).toBeGreaterThan(-52);
    expect(vad.noiseDbov).toBeGreaterThan(-51);
    expect(vad.noiseDbov).toBeLessThan(-49);
    const speech = feed(vad, clock, 200, (f, i) => f.set(tone.subarray(i * 160, i * 160 + 160)));
    expect(speech.every(Boolean)).toBe(true);
  });

  it('keeps quiet noise below its floor margin as silence from the start', () => {
    const vad = new VoiceActivityDetector();
    const clock = { now: 0 };
    const noise = noiseAt(75);
    expect(feed(vad, clock, 1000, (f) => noise(f)).some(Boolean)).toBe(false);
    expect(vad.noiseDbov).toBeCloseTo(-75, 0);
  });
});

describe('DtxPolicy', () => {
  it('sends a SID at the start of silence, then every second, and at once after speech', () => {
    const p = new DtxPolicy();
    expect(p.decide(true, 60, 0)).toEqual({ kind: 'speech' });
    expect(p.decide(false, 60, 20)).toEqual({ kind: 'sid', level: 60 });
    const kinds: string[] = [];
    for (let t = 40; t <= 2020; t += 20) kinds.push(p.decide(false, 60, t).kind);
    // Refreshes at 1020 and 2020 ms only.
    expect(kinds.filter((k) => k === 'sid')).toHaveLength(2);
    expect(kinds[kinds.length - 1]).toBe('sid');
    expect(p.decide(true, 60, 2040).kind).toBe('speech');
    expect(p.decide(false, 60, 2060).kind).toBe('sid');
  });

  it('updates early when the noise level moves by 3 dB, but not more often than every 200 ms', () => {
    const p = new DtxPolicy();
    expect(p.decide(false, 60, 0).kind).toBe('sid');
    expect(p.decide(false, 62, 100).kind).toBe('skip');
    expect(p.decide(false, 55, 100).kind).toBe('skip');
    expect(p.decide(false, 55, 200)).toEqual({ kind: 'sid', level: 55 });
    expect(p.decide(false, 56, 400).kind).toBe('skip');
  });
});
