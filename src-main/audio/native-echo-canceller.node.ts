// The speexdsp echo canceller of the project's addon (native/), as an EchoCanceller; null with the
// reason when the addon is missing or was built without speexdsp.
import { loadNativeAddon } from '../native/native-addon.node';
import type { EchoCanceller } from './echo-cancelled-devices';

/**
 * The room's echo after the bulk delay is taken out (echo-delay-estimator.ts finds the sound server's
 * ~135 ms here): 250 ms also covers that delay before the first estimate. A shorter filter converges
 * faster: the lab's ERLE rose from 33-41 dB to 38-52 dB when the tail went from 500 to 250 ms.
 */
const TAIL_MS = 250;

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
