// In-band DTMF synthesis checked by Goertzel: each key is its Q.23 pair for its duration, then silence.
import { describe, expect, it } from 'vitest';
import { InbandDtmf, dtmfFrequencies } from '../../../src-main/audio/dtmf-tone';
import { goertzelPower } from '../../../src-main/audio/tone-analysis';

const ALL = [697, 770, 852, 941, 1209, 1336, 1477, 1633];

function render(keys: string, ms: number, frames: number): Int16Array {
  const g = new InbandDtmf(8000);
  g.enqueue(keys, ms);
  const out = new Int16Array(frames * 160);
  const frame = new Int16Array(160);
  for (let f = 0; f < frames; f++) {
    frame.fill(1234); // the "voice" the tones replace
    if (!g.fill(frame)) frame.fill(0);
    out.set(frame, f * 160);
  }
  return out;
}

describe('InbandDtmf', () => {
  it.each(['1', '5', '9', '0', '*', '#', 'A', 'D'])('key %s: its two frequencies and none of the other six', (key) => {
    const [low, high] = dtmfFrequencies(key) as [number, number];
    const s = render(key, 100, 5); // 100 ms of tone = 800 samples
    const p = (f: number) => goertzelPower(s, 0, 800, f, 8000);
    for (const f of ALL.filter((x) => x !== low && x !== high)) {
      expect(p(f) * 100, `${f} Hz in key ${key}`).toBeLessThan(p(low));
      expect(p(f) * 100, `${f} Hz in key ${key}`).toBeLessThan(p(high));
    }
    // Both tones at the same level (no twist), each ~0.3 of full scale.
    expect(p(low) / p(high)).toBeGreaterThan(0.8);
    expect(p(low) / p(high)).toBeLessThan(1.25);
    expect(Math.sqrt(2 * p(low)) / 32767).toBeCloseTo(0.3, 1);
  });

  it('plays each key for its duration, then a silent gap, then the next key; then hands the frame back', () => {
    const s = render('15', 80, 20);
    const at = (ms: number, f: number, win = 160) => goertzelPower(s, ms * 8, win, f, 8000);
    expect(at(0, 697)).toBeGreaterThan(1e6); // key 1: 697 + 1209 for 80 ms
    expect(at(60, 1209)).toBeGreaterThan(1e6);
    // 80 .. 140 ms: the gap, silence (not the voice).
    expect(s.subarray(81 * 8, 139 * 8).every((v) => v === 0)).toBe(true);
    expect(at(140, 770)).toBeGreaterThan(1e6); // key 5 from 140 ms
    // Over 40 ms the neighbouring row (697 Hz, 73 Hz away) is far below key 5's row.
    expect(at(140, 697, 320) * 10).toBeLessThan(at(140, 770, 320));
    // After 2 keys x (80 + 60) ms = 280 ms, nothing queued: the generator leaves frames alone (zeroed here).
    expect(s.subarray(280 * 8).every((v) => v === 0)).toBe(true);
    expect(dtmfFrequencies('x')).toBeUndefined();
  });

  it('pauses 500 ms for "," and skips characters that are not keys', () => {
    const g = new InbandDtmf(8000);
    expect(g.enqueue('1,x', 40)).toBe(2);
    const frame = new Int16Array(160);
    let frames = 0;
    while (g.fill(frame)) frames++;
    // 40 ms + 60 ms gap + 500 ms pause = 600 ms = 30 frames.
    expect(frames).toBe(30);
  });
});
