// The media worker's issue 11 additions per call: recording both directions to a stereo WAV (written
// asynchronously, off the tick) and the ringtone until the call starts, on the "Ring on" device or the call's speaker:
// the chosen built-in one, or a WAV file looped (one that cannot be played is reported, and the classic
// ring plays instead).
import type { AudioOutput } from '../audio/audio-device';
import { FRAME_SAMPLES } from '../audio/audio-device';
import { StereoInterleaver } from '../audio/call-recording';
import { FileInput, FileOutput } from '../audio/file-device.node';
import { applyGain } from '../audio/gain';
import { chooseRingOutput, ringFallbackWarning } from '../audio/ring-device';
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
  ring: Ringing | null;
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

/** Ringing: the tone, the output it goes to once open, and that output when it is the ring device's own. */
export interface Ringing {
  tone: RingSource;
  output: AudioOutput | null;
  /** A stream opened for the ring alone (issue 11, "Ring on"): closed when the ringing stops. */
  own: AudioOutput | null;
}

/**
 * The output the ring goes to: the chosen ring device (issue 11) opened for the ring alone, or the call's
 * speaker when none is chosen, the choice is the speaker, or the device is missing or does not open (then
 * with a warning). Never rejects: a ring device must not cost the call.
 */
async function ringOutput(s: WorkerCallExtras, speaker: Promise<AudioOutput>, post: Post): Promise<{ output: AudioOutput; own: AudioOutput | null }> {
  const audio = s.options.audio;
  if (audio.kind !== 'portaudio' || !audio.ringDevice) return { output: await speaker, own: null };
  const name = audio.ringDevice;
  const warn = (message: string) => post({ type: 'error', session: s.id, message });
  let own: AudioOutput | null = null;
  try {
    // Loaded on first use (file and null sessions never touch the native module); this is the media thread.
    const pa = await import('../audio/portaudio-device.node');
    const choice = chooseRingOutput(name, pa.listAudioDevicesInThisThread(), audio.outputDevice, pa.defaultOutputIdInThisThread());
    if (choice.use === 'speaker') {
      if (choice.warning) warn(choice.warning);
      return { output: await speaker, own: null };
    }
    own = new pa.PortAudioOutput(choice.id);
    await own.start();
    return { output: own, own };
  } catch (err) {
    void own?.close().catch(() => {});
    warn(ringFallbackWarning(name, `cannot be opened (${(err as Error).message})`));
    return { output: await speaker, own: null };
  }
}

/**
 * The ringtone goes to the ring device, or the call's own output device, once it is open, on the media
 * clock. A ring device that fails while ringing (unplugged) hands the ring over to the speaker.
 */
export function startRinging(s: WorkerCallExtras, speaker: Promise<AudioOutput>, ready: () => void, post: Post): void {
  const ring: Ringing = { tone: new Ringtone(), output: null, own: null };
  s.ring = ring;
  void Promise.all([ringOutput(s, speaker, post), ringSource(s, post)]).then(([out, tone]) => {
    if (s.ring !== ring || s.closing || s.stream) {
      tone.close?.();
      void out.own?.close().catch(() => {});
      return;
    }
    ring.tone = tone;
    ring.output = out.output;
    ring.own = out.own;
    if (out.own) {
      const own = out.own;
      own.onError = (err) => {
        if (s.ring !== ring || ring.own !== own) return;
        const name = s.options.audio.kind === 'portaudio' ? (s.options.audio.ringDevice ?? '') : '';
        post({ type: 'error', session: s.id, message: ringFallbackWarning(name, `failed (${err.message})`) });
        ring.own = null;
        ring.output = null;
        void own.close().catch(() => {});
        void speaker.then((output) => {
          if (s.ring === ring) ring.output = output;
        });
      };
    }
    ready();
  });
}

/** The ringing stops (answered, or the session closes): a WAV being played and a ring-only stream are closed. */
export function stopRinging(s: WorkerCallExtras): void {
  s.ring?.tone.close?.();
  void s.ring?.own?.close().catch(() => {});
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

