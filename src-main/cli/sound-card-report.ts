// What the CLI tells the user when it is to use the sound card but the PC has none (or none that
// PortAudio can see): the call still runs, so say plainly what the other side will and will not get. Pure.
import type { AudioDeviceInfo } from '../audio/audio-config';

export const NO_SOUND_CARD = 'no sound card: sending silence, discarding received audio; use --play/--record';
export const NO_MICROPHONE = 'no microphone: sending silence; use --play FILE.wav';
export const NO_SPEAKER = 'no speaker: discarding received audio; use --record FILE.wav';

/** The warning for these devices (or for the error listing them gave), or null when both halves exist. */
export function soundCardWarning(devices: readonly AudioDeviceInfo[] | Error): string | null {
  if (devices instanceof Error) return NO_SOUND_CARD;
  const input = devices.some((d) => d.maxInputChannels > 0);
  const output = devices.some((d) => d.maxOutputChannels > 0);
  if (!input && !output) return NO_SOUND_CARD;
  if (!input) return NO_MICROPHONE;
  if (!output) return NO_SPEAKER;
  return null;
}
