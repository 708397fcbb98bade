// The media worker's issue 11 additions per call: recording both directions to a stereo WAV (written
// asynchronously, off the tick) and the ringtone on an incoming call's output device until it starts:
// the chosen built-in one, or a WAV file looped (one that cannot be played is reported, and the classic
// ring plays instead).
import type { AudioOutput } from '../audio/audio-device';
import { FRAME_SAMPLES } from '../audio/audio-device';
import { StereoInterleaver } from '../audio/call-recording';
import { FileInput, FileOutput } from '../audio/file-device.node';
import { applyGain } from '../audio/gain';
import { Ringtone } from '../audio/ringtone';
import type { MediaStream } from './media-stream';
import type { FromWorker, WorkerOpenOptions } from './media-worker-protocol';

/** What these helpers need of a worker session. */
export interface WorkerCallExtras {
  id: number;
  options: WorkerOpenOptions;
  stream: MediaStream | null;
  closing: boolean;
  recording: { file: FileOutput; tap: StereoInterleaver } | null;
  ring: { tone: RingSource; output: AudioOutput | null } | null;
}

type Post = (msg: FromWorker) => void;

/** What rings: a generated ringtone, or a WAV file read frame by frame. */
interface RingSource {
  fill(frame: Int16Array): void;
  close?(): void;
}

/** The chosen ringtone; a WAV that cannot be opened or decoded is reported and the classic ring used. */
async function ringSource(s: WorkerCallExtras, post: Post): Promise<RingSource> {
  const sound = s.options.ringtoneSound;
  if (!sound || 'name' in sound) return new Ringtone(sound?.name ?? 'classic');
  const file = new FileInput(sound.file, true);
  try {
    await file.start();
  } catch (err) {
    post({ type: 'error', session: s.id, message: `ringtone: ${(err as Error).message}; the classic ring plays instead` });
    return new Ringtone('classic');
  }
  return {
    fill: (frame) => void file.read(frame),
    close: () => void file.close().catch(() => {}),
  };
}

/** Opens the WAV (its header written) before the tap starts, so a bad path fails the request. */
export async function startRecording(s: WorkerCallExtras, path: string, post: Post): Promise<void> {
  const file = new FileOutput(path, 2);
  await file.start();
  file.onError = (err) => post({ type: 'error', session: s.id, message: err.message });
  const tap = new StereoInterleaver(file);
  s.recording = { file, tap };
  s.stream?.setTap(tap);
}

/** Detaches the tap and finishes the file (pending audio written, header sizes patched). */
export async function stopRecording(s: WorkerCallExtras, post: Post): Promise<void> {
  const rec = s.recording;
  if (!rec) return;
  s.recording = null;
  s.stream?.setTap(null);
  try {
    await rec.file.close();
  } catch (err) {
    post({ type: 'error', session: s.id, message: (err as Error).message });
  }
}

/** The ringtone goes to the call's own output device once it is open, on the media clock. */
export function startRinging(s: WorkerCallExtras, output: Promise<AudioOutput>, ready: () => void, post: Post): void {
  const ring: { tone: RingSource; output: AudioOutput | null } = { tone: new Ringtone(), output: null };
  s.ring = ring;
  void Promise.all([output, ringSource(s, post)]).then(([out, tone]) => {
    if (s.ring !== ring || s.closing || s.stream) {
      tone.close?.();
      return;
    }
    ring.tone = tone;
    ring.output = out;
    ready();
  });
}

/** The ringing stops (answered, or the session closes): a WAV being played is closed. */
export function stopRinging(s: WorkerCallExtras): void {
  s.ring?.tone.close?.();
  s.ring = null;
}

const ringFrame = new Int16Array(FRAME_SAMPLES);
/** One tick of ring for a session that is ringing and not started. */
export function ringTick(s: WorkerCallExtras): void {
  const ring = s.ring;
  if (!ring?.output) return;
  ring.tone.fill(ringFrame);
  applyGain(ringFrame, s.options.gain?.output ?? 1); // the speaker volume applies to the ring too
  ring.output.write(ringFrame);
}

