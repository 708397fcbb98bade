// Puts an echo canceller between the sound card and the call: every frame sent to the speaker is its
// reference, every microphone frame leaves with that echo (and steady noise) removed. Pure: the
// canceller comes in as an interface (speexdsp through native/ in the product).
import { DEVICE_RATE, type AudioInput, type AudioOutput } from './audio-device';
import { EchoReference } from './echo-reference';
import { SteadyEchoDelay } from './steady-echo-delay';
import { EchoDelayEstimator, EchoOffsetTracker } from './echo-delay-estimator';

/** Far-end history kept for the reference: the delay estimator's window (0.5 s) and reach (1 s), and more. */
const HISTORY_SECONDS = 2;
/** Frames between two delay estimates (a quarter second). */
const ESTIMATE_EVERY = 12;
/** The reference leads the echo by this much, so the adaptive filter finds it a little past its first tap. */
const LEAD_SECONDS = 0.005;

export interface EchoCanceller {
  /** The far end's frame, as it goes to the speaker. */
  playback(far: Int16Array): void;
  /** The microphone's frame in, the frame to send out. */
  capture(mic: Int16Array, out: Int16Array): void;
  /**
   * The microphone's frame and the far-end frame aligned to it (see echo-reference.ts), the frame to
   * send out. When present it is used instead of playback/capture.
   */
  cancel?(mic: Int16Array, far: Int16Array, out: Int16Array): void;
  destroy(): void;
}

/**
 * Wraps a sound card's input and output. speexdsp's playback/capture pair keeps its own queue of
 * reference frames, so the two sides may be driven by the same 20 ms tick in either order; frames the
 * microphone did not deliver (silence) are not fed to the canceller, which would adapt to nothing.
 * Issue 13: a wideband call switches both devices to its rate (setSampleRate); the canceller, built for
 * one rate and frame size, is then made anew by `recreate` at that rate. Until both sides run at the
 * canceller's rate (or without `recreate`), frames pass through uncancelled rather than garbled.
 */
export function withEchoCancellation(
  input: AudioInput,
  output: AudioOutput,
  first: EchoCanceller,
  recreate?: (rate: number) => EchoCanceller | null,
): { input: AudioInput; output: AudioOutput } {
  let canceller = first;
  let cancellerRate = DEVICE_RATE;
  let active = true;
  let mic: Int16Array | null = null;
  let far: Int16Array | null = null;
  let reference = new EchoReference(Math.round(DEVICE_RATE * HISTORY_SECONDS));
  const delay = new SteadyEchoDelay();
  let estimator = new EchoDelayEstimator(DEVICE_RATE);
  const tracker = new EchoOffsetTracker();
  let frames = 0;
  let destroyed = false;
  const settle = () => {
    const rate = input.sampleRate ?? DEVICE_RATE;
    active = rate === (output.sampleRate ?? DEVICE_RATE);
    if (!active || rate === cancellerRate || destroyed) return;
    const next = recreate?.(rate) ?? null;
    if (!next) {
      active = false;
      return;
    }
    canceller.destroy();
    canceller = next;
    cancellerRate = rate;
    reference = new EchoReference(Math.round(rate * HISTORY_SECONDS));
    delay.reset();
    estimator = new EchoDelayEstimator(rate);
    tracker.reset();
  };
  /**
   * The far end aligned to this microphone frame: at the offset found in the signals once the estimator
   * is sure of it (echo-delay-estimator.ts), until then at the buffers' fill, held steady against the
   * card's block-by-block jitter (steady-echo-delay.ts).
   */
  const cutReference = (far: Int16Array, mic: Int16Array) => {
    const held = delay.update((output.bufferedSamples ?? 0) + (input.bufferedSamples ?? 0), mic.length);
    const micIndex = estimator.micIndex;
    estimator.pushMic(mic);
    if (++frames % ESTIMATE_EVERY === 0) tracker.propose(estimator.estimate(reference));
    const offset = tracker.offset;
    if (offset === null) reference.cut(far, held, 0);
    else reference.read(far, micIndex + offset + Math.round(LEAD_SECONDS * cancellerRate));
  };
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    canceller.destroy();
  };
  const cancelledInput: AudioInput = {
    get name() {
      return input.name;
    },
    get sampleRate() {
      return input.sampleRate;
    },
    setSampleRate(rate: number): boolean {
      const ok = input.setSampleRate?.(rate) ?? false;
      settle();
      return ok;
    },
    start: () => input.start(),
    read(frame: Int16Array): boolean {
      if (destroyed || !active) return input.read(frame);
      if (!mic || mic.length !== frame.length) mic = new Int16Array(frame.length);
      const got = input.read(mic);
      if (!got) {
        frame.fill(0);
        return false;
      }
      if (canceller.cancel) {
        if (!far || far.length !== frame.length) far = new Int16Array(frame.length);
        cutReference(far, mic);
        canceller.cancel(mic, far, frame);
      } else canceller.capture(mic, frame);
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
    get sampleRate() {
      return output.sampleRate;
    },
    setSampleRate(rate: number): boolean {
      const ok = output.setSampleRate?.(rate) ?? false;
      settle();
      return ok;
    },
    start: () => output.start(),
    write(frame: Int16Array): void {
      if (!destroyed && active) {
        if (canceller.cancel) reference.push(frame);
        else canceller.playback(frame);
      }
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
