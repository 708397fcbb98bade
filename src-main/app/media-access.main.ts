// Asks the OS for the microphone before the first call (macOS: the system prompt with
// NSMicrophoneUsageDescription) and turns a refusal (macOS privacy consent, Windows' microphone privacy
// switch) into a clear answer to the request, instead of a call that silently sends nothing.
import { app, systemPreferences } from 'electron';
import type { AppCore } from '../app-core/app-core';
import { MICROPHONE_CHANNELS, microphoneDenied, type MediaAccessStatus } from './media-access';

/** Null when the microphone may be used; otherwise what to tell the user. */
export async function microphoneProblem(): Promise<string | null> {
  // Linux has no per-app microphone permission for a native (non-sandboxed) app.
  if (process.platform !== 'darwin' && process.platform !== 'win32') return null;
  let status = systemPreferences.getMediaAccessStatus('microphone') as MediaAccessStatus;
  if (process.platform === 'darwin' && status === 'not-determined') {
    // Resolves once the user answered the system prompt (asked once; later calls return the answer).
    status = (await systemPreferences.askForMediaAccess('microphone')) ? 'granted' : 'denied';
  }
  return microphoneDenied(status, process.platform, app.getLocale());
}

/** The core as the IPC layer sees it, with the microphone checked before a call starts sending. */
export function withMicrophoneCheck(core: Pick<AppCore, 'handle' | 'on'>, problem = microphoneProblem): Pick<AppCore, 'handle' | 'on'> {
  return {
    on: core.on.bind(core),
    handle: async (channel, payload, sender) => {
      if (MICROPHONE_CHANNELS.has(channel)) {
        const message = await problem();
        if (message) return { ok: false, error: { code: 'failed', message } };
      }
      return core.handle(channel, payload, sender);
    },
  };
}
