import { describe, expect, it } from 'vitest';
import { FIRST_DATA_MS, STALL_MS, STARTUP_BLOCKS, deviceStalled } from '../../../src-main/audio/device-watchdog';

describe('deviceStalled', () => {
  it('gives a device that never delivers FIRST_DATA_MS, then fails it', () => {
    expect(deviceStalled(1000 + FIRST_DATA_MS, 1000, 0)).toBe(false);
    expect(deviceStalled(1001 + FIRST_DATA_MS, 1000, 0)).toBe(true);
  });

  it('tolerates a long pause after the first blocks (pulse starting a stream on a busy machine)', () => {
    // One block, then 3 s of nothing: still starting up.
    expect(deviceStalled(4000, 1000, 1)).toBe(false);
    expect(deviceStalled(4000, 1000, STARTUP_BLOCKS - 1)).toBe(false);
    // ...but not for ever.
    expect(deviceStalled(1001 + FIRST_DATA_MS, 1000, 1)).toBe(true);
  });

  it('fails a steady device that goes quiet for more than STALL_MS', () => {
    expect(deviceStalled(1000 + STALL_MS, 1000, STARTUP_BLOCKS)).toBe(false);
    expect(deviceStalled(1001 + STALL_MS, 1000, STARTUP_BLOCKS)).toBe(true);
    expect(deviceStalled(4000, 1000, 500)).toBe(true);
  });
});
