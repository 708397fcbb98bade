// Per-call recording (issue 11): both directions as one stereo WAV (left = what we send, right = what
// we hear), interleaved in the media tick with no allocation, and the file's name (date, direction,
// peer). Pure: the interleaved frames go to a sink that writes them off the real-time path.
import { DEVICE_RATE } from './audio-device';
import { FrameResampler, frameSamplesAt } from './frame-resampler';

/** Where interleaved stereo frames go (FileOutput with 2 channels: buffered, written asynchronously). */
export interface StereoSink {
  write(frame: Int16Array): void;
  /** Its rate (absent: 8 kHz), and whether it can switch to a call's rate (only before the first sample). */
  readonly sampleRate?: number;
  setSampleRate?(rate: number): boolean;
}

/**
 * Pairs the tick's sent frame (microphone after mute, in-band keys) with its played frame. The media
 * tick hands `sent` first, then `heard`; a tick without a sent frame records silence on the left.
 * Frames come at the call's rate (setSampleRate); the file takes that rate when it is still empty,
 * otherwise (the codec changed mid-call) both sides are resampled to the file's rate.
 */
export class StereoInterleaver {
  private rate = DEVICE_RATE;
  private frame = frameSamplesAt(DEVICE_RATE);
  private sentFrame = new Int16Array(this.frame);
  private heardFrame = new Int16Array(this.frame);
  private haveSent = false;
  private stereo = new Int16Array(this.frame * 2);
  private resample: { sent: FrameResampler; heard: FrameResampler } | null = null;

  constructor(private readonly sink: StereoSink) {}

  /** The rate of the frames sent() and heard() will get from now on. */
  setSampleRate(rate: number): void {
    if (rate === this.rate) return;
    this.rate = rate;
    const sinkRate = this.sink.setSampleRate?.(rate) ? rate : (this.sink.sampleRate ?? DEVICE_RATE);
    this.resample = sinkRate === rate ? null : { sent: new FrameResampler(rate, sinkRate), heard: new FrameResampler(rate, sinkRate) };
    this.frame = frameSamplesAt(sinkRate);
    this.sentFrame = new Int16Array(this.frame);
    this.heardFrame = new Int16Array(this.frame);
    this.stereo = new Int16Array(this.frame * 2);
    this.haveSent = false;
  }

  sent(frame: Int16Array): void {
    if (this.resample) this.resample.sent.process(frame, this.sentFrame);
    else this.sentFrame.set(frame.subarray(0, this.frame));
    this.haveSent = true;
  }

  heard(frame: Int16Array): void {
    let heard = frame;
    if (this.resample) {
      this.resample.heard.process(frame, this.heardFrame);
      heard = this.heardFrame;
    }
    for (let i = 0; i < this.frame; i++) {
      this.stereo[2 * i] = this.haveSent ? (this.sentFrame[i] as number) : 0;
      this.stereo[2 * i + 1] = heard[i] ?? 0;
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
