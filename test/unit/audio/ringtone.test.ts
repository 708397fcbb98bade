// The generated ringtone checked by Goertzel: 440 + 480 Hz in a 0.4/0.2/0.4/2 s cadence.
import { describe, expect, it } from 'vitest';
import { Ringtone } from '../../../src-main/audio/ringtone';
import { goertzelPower } from '../../../src-main/audio/tone-analysis';

describe('Ringtone', () => {
  it('rings 440 + 480 Hz, 0.4 s on, 0.2 s off, 0.4 s on, 2 s off, and again', () => {
    const r = new Ringtone(8000);
    const s = new Int16Array(8000 * 6);
    const frame = new Int16Array(160);
    for (let i = 0; i < s.length; i += 160) {
      r.fill(frame);
      s.set(frame, i);
    }
    // Per 100 ms window: is the ring there?
    const on: string[] = [];
    for (let w = 0; w < 60; w++) {
      const p = (f: number) => goertzelPower(s, w * 800, 800, f, 8000);
      on.push(p(440) > 1e6 && p(480) > 1e6 && p(1000) * 100 < p(440) ? '#' : p(440) + p(480) < 1 ? '.' : '?');
    }
    expect(on.join('')).toBe(`${'####..####'}${'.'.repeat(20)}${'####..####'}${'.'.repeat(20)}`);
  });
});
