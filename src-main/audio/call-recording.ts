// Per-call recording (issue 11): both directions as one stereo WAV (left = what we send, right = what
// we hear), interleaved in the media tick with no allocation, and the file's name (date, direction,
// peer). Pure: the interleaved frames go to a sink that writes them off the real-time path.
import { FRAME_SAMPLES } from './audio-device';

/** Where interleaved stereo frames go (FileOutput with 2 channels: buffered, written asynchronously). */
export interface StereoSink {
  write(frame: Int16Array): void;
}

/**
 * Pairs the tick's sent frame (microphone after mute, in-band keys) with its played frame. The media
 * tick hands `sent` first, then `heard`; a tick without a sent frame records silence on the left.
 */
export class StereoInterleaver {
  private readonly sentFrame = new Int16Array(FRAME_SAMPLES);
  private haveSent = false;
  private readonly stereo = new Int16Array(FRAME_SAMPLES * 2);

  constructor(private readonly sink: StereoSink) {}

  sent(frame: Int16Array): void {
    this.sentFrame.set(frame.subarray(0, FRAME_SAMPLES));
    this.haveSent = true;
  }

  heard(frame: Int16Array): void {
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      this.stereo[2 * i] = this.haveSent ? (this.sentFrame[i] as number) : 0;
      this.stereo[2 * i + 1] = frame[i] ?? 0;
    }
    this.haveSent = false;
    this.sink.write(this.stereo);
  }
}

/** "2026-12-03_15-06-12_in_bob@pbx.example.wav": local time, direction, the peer's user@host (safe characters only). */
export function recordingFileName(startedAt: Date, direction: 'incoming' | 'outgoing', peerUri: string): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const d = startedAt;
  const stamp = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}_${two(d.getHours())}-${two(d.getMinutes())}-${two(d.getSeconds())}`;
  // The user@host part of the URI: no scheme, parameters, headers or port; nothing a file system or a
  // shell could take as a path or an option (the peer chose this text).
  const bare = peerUri.replace(/^<|>$/g, '').replace(/^sips?:/i, '').split(/[;?>]/)[0] ?? '';
  const peer = bare.replace(/:\d+$/, '').replace(/[^A-Za-z0-9@._+-]/g, '_').replace(/^[.-]+/, '').slice(0, 64) || 'unknown';
  return `${stamp}_${direction === 'incoming' ? 'in' : 'out'}_${peer}.wav`;
}
