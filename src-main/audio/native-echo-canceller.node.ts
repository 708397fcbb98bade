// The speexdsp echo canceller of the project's addon (native/), as an EchoCanceller; null with the
// reason when the addon is missing or was built without speexdsp.
import { loadNativeAddon } from '../native/native-addon.node';
import type { EchoCanceller } from './echo-cancelled-devices';

/** The echo path is the room plus both sound-card buffers (PortAudio, the sound server): about 300 ms through PulseAudio here, so 500 ms. */
const TAIL_MS = 500;

export function createNativeEchoCanceller(frameSamples: number, sampleRate: number, denoise = true): EchoCanceller | { error: string } {
  const load = loadNativeAddon();
  if (!load.addon) return { error: `native addon not loaded: ${load.error}` };
  const a = load.addon;
  if (!a.echoCancellerAvailable?.() || !a.createEchoCanceller || !a.echoPlayback || !a.echoCapture || !a.destroyEchoCanceller) {
    return { error: 'the native addon was built without speexdsp (install libspeexdsp-dev and run npm ci again)' };
  }
  const handle = a.createEchoCanceller(frameSamples, Math.round((sampleRate * TAIL_MS) / 1000), sampleRate, denoise);
  if (!handle) return { error: 'speexdsp could not create an echo canceller' };
  const { echoPlayback, echoCapture, echoCancel, destroyEchoCanceller } = a;
  return {
    playback: (far) => echoPlayback(handle, far),
    capture: (mic, out) => echoCapture(handle, mic, out),
    // An addon built before issue 13's alignment has no echoCancel: speexdsp's own pairing then.
    ...(echoCancel ? { cancel: (mic: Int16Array, far: Int16Array, out: Int16Array) => echoCancel(handle, mic, far, out) } : {}),
    destroy: () => destroyEchoCanceller(handle),
  };
}
