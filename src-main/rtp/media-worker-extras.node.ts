// The media worker's issue 11 additions per call: recording both directions to a stereo WAV (written
// asynchronously, off the tick) and the ringtone on an incoming call's output device until it starts.
import type { AudioOutput } from '../audio/audio-device';
import { FRAME_SAMPLES } from '../audio/audio-device';
import { StereoInterleaver } from '../audio/call-recording';
import { FileOutput } from '../audio/file-device.node';
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
  ring: { tone: Ringtone; output: AudioOutput | null } | null;
}

type Post = (msg: FromWorker) => void;

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
export function startRinging(s: WorkerCallExtras, output: Promise<AudioOutput>, ready: () => void): void {
  const ring = { tone: new Ringtone(), output: null as AudioOutput | null };
  s.ring = ring;
  void output.then((out) => {
    if (s.ring !== ring || s.closing || s.stream) return;
    ring.output = out;
    ready();
  });
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

