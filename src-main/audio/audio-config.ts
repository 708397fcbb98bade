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
      /**
       * Issue 11: the output device an incoming call rings on, by name (ring-device.ts says why a name);
       * absent = the speaker. A missing one rings on the speaker, with a warning.
       */
      ringDevice?: string;
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
