// Issue 13: `--comfort-noise on|off` (RFC 3389 CN offered, silence sent as comfort noise); off by default.
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../../src-main/cli/cli-args';

describe('--comfort-noise', () => {
  it('is off unless turned on, for call and listen', () => {
    expect(parseCliArgs(['call', 'sip:b@127.0.0.1'])).toMatchObject({ ok: true, args: { comfortNoise: false } });
    expect(parseCliArgs(['call', 'sip:b@127.0.0.1', '--comfort-noise', 'on'])).toMatchObject({ ok: true, args: { comfortNoise: true } });
    expect(parseCliArgs(['listen', '--comfort-noise', 'on'])).toMatchObject({ ok: true, args: { comfortNoise: true } });
    expect(parseCliArgs(['listen', '--comfort-noise', 'off'])).toMatchObject({ ok: true, args: { comfortNoise: false } });
  });

  it('refuses anything but on or off', () => {
    expect(parseCliArgs(['listen', '--comfort-noise', 'yes'])).toEqual({ ok: false, error: expect.stringContaining('--comfort-noise must be on or off') });
  });
});
