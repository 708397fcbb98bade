// Issue 11, "Ring on": which output the ringtone goes to, and the warning when the chosen one is missing.
import { describe, expect, it } from 'vitest';
import type { AudioDeviceInfo } from '../../../src-main/audio/audio-config';
import { chooseRingOutput, ringFallbackWarning } from '../../../src-main/audio/ring-device';

const dev = (id: number, name: string, out: number, hostApi = 'ALSA', inp = 0): AudioDeviceInfo => ({
  id,
  name,
  hostApi,
  maxInputChannels: inp,
  maxOutputChannels: out,
  defaultSampleRate: 48000,
});

// What PortAudio listed here with the test's ALSA config (ring-device.test.ts in test/e2e): the sinks by name.
const devices = [dev(0, 'spk', 2), dev(1, 'ringer', 2), dev(2, 'Webcam mic', 0, 'ALSA', 1), dev(3, 'pulse', 32, 'ALSA', 32), dev(4, 'default', 32, 'ALSA', 32)];

describe('ring device choice', () => {
  it('rings on the speaker when none is chosen (absent, empty or blank), without a warning', () => {
    for (const none of [undefined, '', '   ']) expect(chooseRingOutput(none, devices, 0)).toEqual({ use: 'speaker' });
  });

  it('opens the chosen output device by name', () => {
    expect(chooseRingOutput('ringer', devices, 0)).toEqual({ use: 'device', id: 1, name: 'ringer' });
    expect(chooseRingOutput('ringer', devices, undefined, 4)).toEqual({ use: 'device', id: 1, name: 'ringer' });
  });

  it('uses the call stream when the ring device is the speaker itself (chosen, or the system default)', () => {
    expect(chooseRingOutput('spk', devices, 0)).toEqual({ use: 'speaker' });
    expect(chooseRingOutput('default', devices, undefined, 4)).toEqual({ use: 'speaker' });
    // The default is not known (no host API default): the device is opened on its own.
    expect(chooseRingOutput('default', devices, undefined)).toEqual({ use: 'device', id: 4, name: 'default' });
  });

  it('falls back to the speaker with a readable warning when the device is missing or cannot play', () => {
    expect(chooseRingOutput('USB headset', devices, 0)).toEqual({
      use: 'speaker',
      warning: "the ring device 'USB headset' is not connected; the ringtone plays on the speaker instead",
    });
    expect(chooseRingOutput('Webcam mic', devices, 0)).toEqual({
      use: 'speaker',
      warning: "the ring device 'Webcam mic' has no output channels; the ringtone plays on the speaker instead",
    });
    // Names match exactly: a device renamed or a different case is another device.
    expect(chooseRingOutput('Ringer', devices, 0)).toMatchObject({ use: 'speaker', warning: expect.stringContaining("'Ringer' is not connected") });
    expect(chooseRingOutput('ringer', [], undefined)).toMatchObject({ use: 'speaker', warning: expect.stringContaining('not connected') });
  });

  it('a name listed under several host APIs: the one on the speaker\'s host API', () => {
    const win = [dev(0, 'Speakers', 2, 'MME'), dev(1, 'Headset', 2, 'MME'), dev(5, 'Speakers', 2, 'Windows WASAPI'), dev(6, 'Headset', 2, 'Windows WASAPI')];
    expect(chooseRingOutput('Headset', win, 5)).toEqual({ use: 'device', id: 6, name: 'Headset' });
    expect(chooseRingOutput('Headset', win, 0)).toEqual({ use: 'device', id: 1, name: 'Headset' });
    // The speaker's own name under another host API is still the speaker's card: no second stream on it.
    expect(chooseRingOutput('Speakers', win, 5)).toEqual({ use: 'speaker' });
  });

  it('words the fallback warning with the device and where it rings instead', () => {
    expect(ringFallbackWarning('Dock', 'cannot be opened (busy)')).toBe("the ring device 'Dock' cannot be opened (busy); the ringtone plays on the speaker instead");
  });
});
