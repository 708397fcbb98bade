// Environment variables meant for development and tests only. A packaged (signed, microphone-entitled) app
// must not honour them: SOFTPHONE_MEDIA_WORKER would run any script as the media thread, the audio
// overrides would replace the microphone or write the call to a file, the dev URL would load another page.
// Pure; electron-main removes them from process.env before anything (the core, the worker) reads them.

export const DEV_ONLY_ENV = [
  'SOFTPHONE_MEDIA_WORKER',
  'SOFTPHONE_DEV_URL',
  'SOFTPHONE_AUDIO',
  'SOFTPHONE_AUDIO_PLAY',
  'SOFTPHONE_AUDIO_RECORD',
  'SOFTPHONE_AUDIO_LOOP',
  'SOFTPHONE_START_MARKER',
] as const;

/** Deletes the development-only variables from `env` when packaged; returns the names it removed. */
export function refuseDevOverrides(env: NodeJS.ProcessEnv, isPackaged: boolean): string[] {
  if (!isPackaged) return [];
  const removed = DEV_ONLY_ENV.filter((name) => env[name] !== undefined);
  for (const name of removed) delete env[name];
  return removed;
}
