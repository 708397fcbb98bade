// Types for the part of naudiodon we use: its native PortAudio binding, loaded directly (see
// portaudio-device.node.ts for why its JavaScript wrapper is bypassed).

declare module 'naudiodon/build/Release/naudiodon.node' {
  export interface NativeDeviceInfo {
    id: number;
    name: string;
    maxInputChannels: number;
    maxOutputChannels: number;
    defaultSampleRate: number;
    hostAPIName: string;
  }

  export interface NativeHostApis {
    /** Index into HostAPIs of the default host API (negative if PortAudio failed to initialise). */
    defaultHostAPI: number;
    HostAPIs: { id: number; name: string; type: string; deviceCount: number; defaultInput: number; defaultOutput: number }[];
  }

  export interface NativeStreamOptions {
    /** -1 (or absent) = the default device. */
    deviceId?: number;
    sampleRate?: number;
    channelCount?: number;
    /** 16 = paInt16 */
    sampleFormat?: 1 | 8 | 16 | 24 | 32;
    /** Chunks queued between the PortAudio callback and JavaScript before the callback blocks. */
    maxQueue?: number;
    framesPerBuffer?: number;
    /** true turns every PortAudio status flag (an underflow) into a stream error. */
    closeOnError?: boolean;
  }

  export interface NativeReadResult {
    buf?: Buffer;
    finished?: boolean;
    /** Only with closeOnError: the PortAudio status text. */
    err?: string;
  }

  /** One PortAudio stream; read/write/quit run on libuv's thread pool. */
  export interface NativeAudioIO {
    start(): void;
    /** Resolves once `bytes` are captured (or the stream quits: `finished`). */
    read(bytes: number): Promise<NativeReadResult>;
    /** Resolves once the chunk is queued for playback (waits while the queue is full); a string is an error. */
    write(chunk: Buffer): Promise<string | undefined>;
    quit(mode: 'WAIT' | 'ABORT'): Promise<void>;
  }

  export interface NaudiodonBinding {
    getDevices(): NativeDeviceInfo[];
    getHostAPIs(): NativeHostApis;
    /** Opens (but does not start) a stream; throws when the device or format is not supported. */
    create(options: { inOptions?: NativeStreamOptions; outOptions?: NativeStreamOptions }): NativeAudioIO;
  }
}
