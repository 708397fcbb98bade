// The audio device interfaces the media clock drives: 20 ms frames of 8 kHz mono PCM16 in and out.

/** Sample rate of every frame exchanged with a device (G.711 rate; devices resample themselves). */
export const DEVICE_RATE = 8000;
/** Samples per 20 ms tick at DEVICE_RATE. */
export const FRAME_SAMPLES = 160;

export interface AudioInput {
  /** Human-readable device name, used in error messages ("microphone 'pulse' stopped"). */
  readonly name: string;
  /** Opens the device; rejects with a clear Error when it does not exist or cannot be opened. */
  start(): Promise<void>;
  /**
   * Fills `frame` (FRAME_SAMPLES) with the next 20 ms. Never blocks: returns false when no audio is
   * available (the frame is then silence).
   */
  read(frame: Int16Array): boolean;
  close(): Promise<void>;
  /** Called (at most once) when the device fails after start, e.g. unplugged mid-call. */
  onError?: (error: Error) => void;
}

export interface AudioOutput {
  readonly name: string;
  start(): Promise<void>;
  /** Plays one 20 ms frame (FRAME_SAMPLES). Never blocks; the device buffers or drops. */
  write(frame: Int16Array): void;
  /** Stops playing and releases the device (a recorder finishes its file here). */
  close(): Promise<void>;
  onError?: (error: Error) => void;
}

/** Buffer health of a real-time device, for logs and tests. */
export interface DeviceBufferStats {
  /** Samples dropped because the buffer was full (the oldest go first). */
  overflows: number;
  /** Reads/writes that found too little audio and used silence instead. */
  underflows: number;
}
