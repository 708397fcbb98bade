// Puts an echo canceller between the sound card and the call: every frame sent to the speaker is its
// reference, every microphone frame leaves with that echo (and steady noise) removed. Pure: the
// canceller comes in as an interface (speexdsp through native/ in the product).
import type { AudioInput, AudioOutput } from './audio-device';

export interface EchoCanceller {
  /** The far end's frame, as it goes to the speaker. */
  playback(far: Int16Array): void;
  /** The microphone's frame in, the frame to send out. */
  capture(mic: Int16Array, out: Int16Array): void;
  destroy(): void;
}

/**
 * Wraps a sound card's input and output. speexdsp's playback/capture pair keeps its own queue of
 * reference frames, so the two sides may be driven by the same 20 ms tick in either order; frames the
 * microphone did not deliver (silence) are not fed to the canceller, which would adapt to nothing.
 */
export function withEchoCancellation(input: AudioInput, output: AudioOutput, canceller: EchoCanceller): { input: AudioInput; output: AudioOutput } {
  let mic: Int16Array | null = null;
  let destroyed = false;
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    canceller.destroy();
  };
  const cancelledInput: AudioInput = {
    get name() {
      return input.name;
    },
    start: () => input.start(),
    read(frame: Int16Array): boolean {
      if (destroyed) return input.read(frame);
      if (!mic || mic.length !== frame.length) mic = new Int16Array(frame.length);
      const got = input.read(mic);
      if (!got) {
        frame.fill(0);
        return false;
      }
      canceller.capture(mic, frame);
      return true;
    },
    close: async () => {
      destroy();
      await input.close();
    },
    set onError(fn: ((error: Error) => void) | undefined) {
      input.onError = fn;
    },
    get onError() {
      return input.onError;
    },
  };
  const referencedOutput: AudioOutput = {
    get name() {
      return output.name;
    },
    start: () => output.start(),
    write(frame: Int16Array): void {
      if (!destroyed) canceller.playback(frame);
      output.write(frame);
    },
    close: async () => {
      destroy();
      await output.close();
    },
    set onError(fn: ((error: Error) => void) | undefined) {
      output.onError = fn;
    },
    get onError() {
      return output.onError;
    },
  };
  // Buffer statistics of the real devices stay readable through the wrappers (closeDevices logs them).
  for (const [wrapper, real] of [[cancelledInput, input], [referencedOutput, output]] as const) {
    Object.defineProperty(wrapper, 'bufferStats', { get: () => (real as Partial<{ bufferStats: unknown }>).bufferStats, enumerable: false });
  }
  return { input: cancelledInput, output: referencedOutput };
}
