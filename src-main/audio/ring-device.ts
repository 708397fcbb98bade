// Where the ringtone plays (issue 11, X-Lite's and MicroSIP's "Ring on"): the chosen output device, or
// the call's speaker when none is chosen, when the choice is the speaker itself, or when the chosen one is
// missing (then with a warning the user can read). Pure: the media worker passes the device list in.
import type { AudioDeviceInfo } from './audio-config';

/** The longest device name kept (PortAudio names are short; a bound keeps a hostile file small). */
export const MAX_RING_DEVICE_NAME = 256;

export type RingOutputChoice =
  /** Ring on the call's own output device (no second stream). `warning`: why not on the chosen one. */
  | { use: 'speaker'; warning?: string }
  /** Open this output device for the ring alone. */
  | { use: 'device'; id: number; name: string };

/**
 * The ring device is kept by name, not by PortAudio id: ids are positions in the current device list and
 * shift when a USB headset is plugged in or out, so a stored id could silently ring on another device.
 * Names may repeat across host APIs (Windows lists a card under MME, DirectSound and WASAPI): the first
 * output device of that name wins, one on the speaker's host API first.
 *
 * `speakerId`: the call's output device id (undefined = the system default, `defaultOutputId`).
 */
export function chooseRingOutput(
  ringDevice: string | undefined,
  devices: readonly AudioDeviceInfo[],
  speakerId: number | undefined,
  defaultOutputId?: number,
): RingOutputChoice {
  const wanted = ringDevice?.trim() ?? '';
  if (wanted === '') return { use: 'speaker' };
  const speaker = speakerId ?? defaultOutputId;
  const named = devices.filter((d) => d.name === wanted);
  if (named.length === 0) return { use: 'speaker', warning: ringFallbackWarning(wanted, 'is not connected') };
  const outputs = named.filter((d) => d.maxOutputChannels > 0);
  if (outputs.length === 0) return { use: 'speaker', warning: ringFallbackWarning(wanted, 'has no output channels') };
  // The speaker itself: the call's stream carries the ring (a second stream on one card may be refused).
  if (speaker !== undefined && outputs.some((d) => d.id === speaker)) return { use: 'speaker' };
  const hostApi = devices.find((d) => d.id === speaker)?.hostApi;
  const first = (outputs.find((d) => d.hostApi === hostApi) ?? outputs[0]) as AudioDeviceInfo;
  return { use: 'device', id: first.id, name: first.name };
}

/** The warning when the ring cannot go to `name`: what happened, and where it rings instead. */
export function ringFallbackWarning(name: string, why: string): string {
  return `the ring device '${name}' ${why}; the ringtone plays on the speaker instead`;
}
