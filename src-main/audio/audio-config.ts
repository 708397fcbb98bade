// Which audio device a call uses: the sound card (PortAudio), WAV files (headless/tests), or nothing.

export type AudioConfig =
  /** WAV as the microphone (`play`) and the speaker recorded to a WAV (`record`), paced by the media clock. */
  | { kind: 'file'; play?: string; record?: string; loop?: boolean }
  /** The sound card through naudiodon. Device ids come from `listAudioDevices()`; absent = system default. */
  | {
      kind: 'portaudio';
      inputDevice?: number;
      outputDevice?: number;
      /** Echo cancellation and noise suppression on the microphone (speexdsp); default on when available. */
      echoCancellation?: boolean;
    }
  /** Silence out, received audio discarded. */
  | { kind: 'null' };

export interface AudioDeviceInfo {
  id: number;
  name: string;
  hostApi: string;
  maxInputChannels: number;
  maxOutputChannels: number;
  defaultSampleRate: number;
}
