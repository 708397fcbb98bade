// The audio device interfaces the media clock drives: 20 ms frames of mono PCM16 in and out, at 8 kHz
// unless the device says otherwise (issue 13: a wideband call runs at its codec's rate).

/** Sample rate of frames exchanged with a device that does not state its own (G.711's rate). */
export const DEVICE_RATE = 8000;
/** Samples per 20 ms tick at DEVICE_RATE. */
export const FRAME_SAMPLES = 160;

export interface AudioInput {
  /** Human-readable device name, used in error messages ("microphone 'pulse' stopped"). */
  readonly name: string;
  /** The rate of its frames (known once started); absent: DEVICE_RATE. A frame is 20 ms: rate / 50 samples. */
  readonly sampleRate?: number;
  /** As AudioOutput.setSampleRate: frames at `rate` from now on, or false (the caller resamples). */
  setSampleRate?(rate: number): boolean;
  /** Opens the device; rejects with a clear Error when it does not exist or cannot be opened. */
  start(): Promise<void>;
  /**
   * Fills `frame` (20 ms at sampleRate) with the next 20 ms. Never blocks: returns false when no audio is
   * available (the frame is then silence).
   */
  read(frame: Int16Array): boolean;
  /** Samples (at sampleRate) captured and not yet read; the echo canceller aligns its reference by it. */
  readonly bufferedSamples?: number;
  close(): Promise<void>;
  /** Called (at most once) when the device fails after start, e.g. unplugged mid-call. */
  onError?: (error: Error) => void;
}

export interface AudioOutput {
  readonly name: string;
  /** The rate of the frames it takes; absent: DEVICE_RATE. */
  readonly sampleRate?: number;
  /**
   * Asks the device to take frames at `rate` from now on (a call's codec rate); false if it cannot (the
   * caller then resamples to sampleRate). Optional: a device without it keeps its rate.
   */
  setSampleRate?(rate: number): boolean;
  start(): Promise<void>;
  /** Plays one 20 ms frame (at sampleRate). Never blocks; the device buffers or drops. */
  write(frame: Int16Array): void;
  /** Samples (at sampleRate) written and not yet handed to the card; the echo canceller aligns by it. */
  readonly bufferedSamples?: number;
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
