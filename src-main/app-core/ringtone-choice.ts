// The ringtone preference (issue 11): a built-in ringtone or a WAV file, checked when it is saved or
// previewed (a file that cannot be played is a field error, and "classic" rings meanwhile); the preview
// plays a few seconds on a session of its own, through the "Ring on" device (or the speaker), as a call
// would ring. Pure: files and media injected.
import type { AudioConfig } from '../audio/audio-config';
import type { RingtoneChoice } from '../audio/ringtone';
import type { Preferences } from '../ipc/contract';
import type { MediaSession, MediaSessionOptions } from '../rtp/media-session';
import { ApiFailure } from './api-error';

/** How long "Preview" rings. */
export const PREVIEW_MS = 4000;

/** Why `path` cannot be played as a ringtone, or null when it can (app-core.node.ts reads the file). */
export type RingtoneFileCheck = (path: string) => Promise<string | null>;

/** The ringtone to play for `prefs`: absent = classic; a file without a path rings classic. */
export function ringtoneChoiceOf(prefs: Pick<Preferences, 'ringtone' | 'ringtoneFile'>): RingtoneChoice {
  if (prefs.ringtone === 'file') return prefs.ringtoneFile ? { file: prefs.ringtoneFile } : { name: 'classic' };
  return { name: prefs.ringtone ?? 'classic' };
}

/** Field problems of the ringtone choice: a WAV file needs a path that plays. */
export async function ringtoneProblems(prefs: Pick<Preferences, 'ringtone' | 'ringtoneFile'>, check: RingtoneFileCheck | undefined): Promise<Record<string, string>> {
  if (prefs.ringtone !== 'file') return {};
  const path = prefs.ringtoneFile?.trim() ?? '';
  if (path === '') return { ringtoneFile: 'choose a WAV file for the ringtone' };
  const problem = check ? await check(path) : null;
  return problem ? { ringtoneFile: problem } : {};
}

export interface PreviewDeps {
  createMedia: (options: MediaSessionOptions) => MediaSession;
  /** The speaker and ports as a call would use them. */
  media: () => { audio: AudioConfig; portMin: number; portMax: number; bindAddress?: string; gain?: { input: number; output: number } };
  checkFile?: RingtoneFileCheck;
  /** A call is in progress: the sound card is the call's (the preview waits). */
  busy: () => boolean;
  setTimer: (fn: () => void, ms: number) => unknown;
  /** What the preview's media reports (e.g. the ring device is missing: it rings on the speaker). */
  report?: (message: string) => void;
}

/** The 'audio.ringtonePreview' handler: rings the chosen ringtone for PREVIEW_MS, one preview at a time. */
export function createRingtonePreview(deps: PreviewDeps) {
  let playing: MediaSession | null = null;
  return async (prefs: Pick<Preferences, 'ringtone' | 'ringtoneFile'>): Promise<{ seconds: number }> => {
    const fields = await ringtoneProblems(prefs, deps.checkFile);
    if (Object.keys(fields).length > 0) throw new ApiFailure('invalid-request', fields.ringtoneFile ?? 'invalid ringtone', fields);
    if (deps.busy()) throw new ApiFailure('failed', 'the ringtone can be previewed when no call is in progress');
    void playing?.close().catch(() => undefined);
    const { audio, portMin, portMax, bindAddress, gain } = deps.media();
    const media = deps.createMedia({ audio, portMin, portMax, ...(bindAddress ? { bindAddress } : {}), ...(gain ? { gain } : {}), ringtone: true, ringtoneSound: ringtoneChoiceOf(prefs) });
    playing = media;
    const report = deps.report;
    if (report) media.on('error', ({ message }) => report(message));
    try {
      await media.open();
    } catch (err) {
      playing = null;
      void media.close().catch(() => undefined);
      throw new ApiFailure('failed', `the ringtone cannot be played: ${(err as Error).message}`);
    }
    deps.setTimer(() => {
      if (playing === media) playing = null;
      void media.close().catch(() => undefined);
    }, PREVIEW_MS);
    return { seconds: PREVIEW_MS / 1000 };
  };
}
