// Volume as gain: percent to gain, scaling with saturation at full scale.
import { describe, expect, it } from 'vitest';
import { applyGain, gainFromPercent } from '../../../src-main/audio/gain';
import { volumeGains } from '../../../src-main/app-core/incoming-policy';
import { DEFAULT_PREFERENCES } from '../../../src-main/settings/settings-schema';

describe('gain', () => {
  it('maps percent to a gain, clamped to 0..4, absent = unchanged', () => {
    expect(gainFromPercent(undefined)).toBe(1);
    expect(gainFromPercent(50)).toBe(0.5);
    expect(gainFromPercent(200)).toBe(2);
    expect(gainFromPercent(1000)).toBe(4);
    expect(gainFromPercent(-5)).toBe(0);
    expect(gainFromPercent(Number.NaN)).toBe(1);
  });

  it('scales in place and clips instead of wrapping around', () => {
    const f = Int16Array.from([1000, -1000, 20000, -20000, 32767, -32768, 3]);
    applyGain(f, 2);
    expect([...f]).toEqual([2000, -2000, 32767, -32768, 32767, -32768, 6]);
    applyGain(f, 0);
    expect([...f].every((v) => v === 0)).toBe(true);
  });

  it('gives the media engine gains only when a volume differs from 100 %', () => {
    expect(volumeGains(DEFAULT_PREFERENCES)).toBeUndefined();
    expect(volumeGains({ ...DEFAULT_PREFERENCES, micVolume: 100, speakerVolume: 100 })).toBeUndefined();
    expect(volumeGains({ ...DEFAULT_PREFERENCES, speakerVolume: 50 })).toEqual({ input: 1, output: 0.5 });
    expect(volumeGains({ ...DEFAULT_PREFERENCES, micVolume: 0 })).toEqual({ input: 0, output: 1 });
  });
});
