// The "no audio" devices: the microphone gives silence, the speaker discards what it is given.

import type { AudioInput, AudioOutput } from './audio-device';

export class NullInput implements AudioInput {
  readonly name = 'null';
  onError?: (error: Error) => void;

  async start(): Promise<void> {}

  read(frame: Int16Array): boolean {
    frame.fill(0);
    return false;
  }

  async close(): Promise<void> {}
}

export class NullOutput implements AudioOutput {
  readonly name = 'null';
  onError?: (error: Error) => void;
  /** Frames handed to the speaker so far (lets a headless caller see that playout runs). */
  framesWritten = 0;

  async start(): Promise<void> {}

  write(_frame: Int16Array): void {
    this.framesWritten++;
  }

  async close(): Promise<void> {}
}
