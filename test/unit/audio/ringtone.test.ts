// The generated ringtones checked by Goertzel: classic 440 + 480 Hz in a 0.4/0.2/0.4/2 s cadence, "long"
// 2 s on / 4 s off, "trill" 1200/1600 Hz for 1 s, "chime" 880 then 660 Hz fading; the worker's
// validation of the choice (issue 11).
import { describe, expect, it } from 'vitest';
import { BUILTIN_RINGTONES, Ringtone, type BuiltinRingtone } from '../../../src-main/audio/ringtone';
import { goertzelPower } from '../../../src-main/audio/tone-analysis';
import { checkOpenOptions, checkRingtoneChoice } from '../../../src-main/rtp/media-worker-protocol';

function render(name: BuiltinRingtone, seconds: number): Int16Array {
  const r = new Ringtone(name, 8000);
  const s = new Int16Array(8000 * seconds);
  const frame = new Int16Array(160);
  for (let i = 0; i < s.length; i += 160) {
    r.fill(frame);
    s.set(frame, i);
  }
  return s;
}

/** Per 100 ms window: '#' when `freqs` all carry the window and `other` does not, '.' for silence. */
function timeline(s: Int16Array, freqs: number[], other = 1000): string {
  const on: string[] = [];
  for (let w = 0; w < s.length / 800; w++) {
    const p = (f: number) => goertzelPower(s, w * 800, 800, f, 8000);
    const all = freqs.every((f) => p(f) > 1e6) && p(other) * 100 < p(freqs[0] as number);
    on.push(all ? '#' : freqs.reduce((a, f) => a + p(f), 0) < 1 ? '.' : '?');
  }
  return on.join('');
}

describe('Ringtone', () => {
  it('classic rings 440 + 480 Hz, 0.4 s on, 0.2 s off, 0.4 s on, 2 s off, and again', () => {
    expect(timeline(render('classic', 6), [440, 480])).toBe(`${'####..####'}${'.'.repeat(20)}${'####..####'}${'.'.repeat(20)}`);
  });

  it('long rings the same pair 2 s on, 4 s off', () => {
    expect(timeline(render('long', 12), [440, 480])).toBe(`${'#'.repeat(20)}${'.'.repeat(40)}${'#'.repeat(20)}${'.'.repeat(40)}`);
  });

  it('trill warbles 1200 and 1600 Hz for 1 s, then 2 s of silence', () => {
    expect(timeline(render('trill', 3), [1200, 1600], 440)).toBe(`${'#'.repeat(10)}${'.'.repeat(20)}`);
  });

  it('chime strikes 880 Hz then 660 Hz, each fading, then silence', () => {
    const s = render('chime', 3);
    const p = (f: number, from: number, ms: number) => goertzelPower(s, (from * 8000) / 1000, (ms * 8000) / 1000, f, 8000);
    expect(p(880, 0, 100)).toBeGreaterThan(100 * p(660, 0, 100));
    expect(p(660, 400, 100)).toBeGreaterThan(100 * p(880, 400, 100));
    // Fading: the end of a note is much quieter than its start.
    expect(p(660, 400, 100)).toBeGreaterThan(10 * p(660, 900, 100));
    expect(timeline(s.subarray(8000 * 1.1, 8000 * 2.8), [660, 880])).toBe('.'.repeat(17));
  });

  it('the worker takes a built-in name or a WAV path, nothing else', () => {
    for (const name of BUILTIN_RINGTONES) expect(checkRingtoneChoice({ name })).toEqual({ ok: true, value: { name } });
    expect(checkRingtoneChoice({ file: '/home/me/ring.wav' })).toEqual({ ok: true, value: { file: '/home/me/ring.wav' } });
    expect(checkRingtoneChoice({ name: 'disco' }).ok).toBe(false);
    expect(checkRingtoneChoice({ file: 'a\nb.wav' }).ok).toBe(false);
    expect(checkRingtoneChoice({ file: '' }).ok).toBe(false);
    const base = { audio: { kind: 'null' }, bindAddress: '127.0.0.1', portMin: 10000, portMax: 10100, ringtone: true };
    expect(checkOpenOptions({ ...base, ringtoneSound: { name: 'trill' } })).toMatchObject({ ok: true, value: { ringtoneSound: { name: 'trill' } } });
    expect(checkOpenOptions({ ...base, ringtoneSound: 'trill' }).ok).toBe(false);
  });
});
