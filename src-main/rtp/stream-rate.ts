// Issue 13: a call's audio runs at its codec's sample rate (8 kHz G.711, 16 kHz G.722); this joins it to
// whatever else runs at another rate: a device (an 8 kHz WAV in a wideband call), a conference partner's
// call, a received packet in another of the answer's formats. Pure, no allocation per frame once the
// rates are settled.

import { DEVICE_RATE, type AudioInput, type AudioOutput } from '../audio/audio-device';
import { FrameResampler, frameSamplesAt } from '../audio/frame-resampler';
import { Resampler } from '../codec/resampler';

interface Adapter {
  rs: FrameResampler;
  frame: Int16Array;
}

/** A FrameResampler from `from` to `to` and a frame buffer at the device's end, reused while they stay. */
function adapterFor(current: Adapter | null, from: number, to: number, bufferRate: number): Adapter {
  if (current && current.rs.fromRate === from && current.rs.toRate === to) return current;
  return { rs: new FrameResampler(from, to), frame: new Int16Array(frameSamplesAt(bufferRate)) };
}

export class StreamRateBridge {
  private input: Adapter | null = null;
  private output: Adapter | null = null;
  private mixFrom: Adapter | null = null;
  /** Per source rate: the decoded audio of packets in a format of another rate than the call's. */
  private readonly decoders = new Map<number, { rs: Resampler; out: Int16Array }>();

  constructor(private callRate: number) {}

  get rate(): number {
    return this.callRate;
  }

  /** The call's rate changed (a re-INVITE picked a codec of another rate): every conversion starts over. */
  setRate(rate: number): void {
    if (rate === this.callRate) return;
    this.callRate = rate;
    this.input = this.output = this.mixFrom = null;
    this.decoders.clear();
  }

  /** The next 20 ms of `device` into `frame` (at the call's rate); false when it had no audio. */
  read(device: AudioInput, frame: Int16Array): boolean {
    const devRate = device.sampleRate ?? DEVICE_RATE;
    if (devRate === this.callRate) return device.read(frame);
    const a = (this.input = adapterFor(this.input, devRate, this.callRate, devRate));
    const got = device.read(a.frame);
    a.rs.process(a.frame, frame);
    return got;
  }

  /** Plays `frame` (20 ms at the call's rate) on `device`, resampled if it runs at another rate. */
  write(device: AudioOutput, frame: Int16Array): void {
    const devRate = device.sampleRate ?? DEVICE_RATE;
    if (devRate === this.callRate) return device.write(frame);
    const a = (this.output = adapterFor(this.output, this.callRate, devRate, devRate));
    a.rs.process(frame, a.frame);
    device.write(a.frame);
  }

  /** A conference partner's 20 ms frame (its length tells its rate) at the call's rate. */
  mix(frame: Int16Array): Int16Array {
    const from = frame.length * 50;
    if (from === this.callRate) return frame;
    const a = (this.mixFrom = adapterFor(this.mixFrom, from, this.callRate, this.callRate));
    a.rs.process(frame, a.frame);
    return a.frame;
  }

  /**
   * Decoded samples of one packet at `fromRate`: returned as they are when that is the call's rate,
   * else converted (the first packet comes out a few ms short: the filter's delay, once).
   */
  decoded(samples: Int16Array, n: number, fromRate: number): { samples: Int16Array; n: number } {
    if (fromRate === this.callRate) return { samples, n };
    let d = this.decoders.get(fromRate);
    if (!d) {
      d = { rs: new Resampler(fromRate, this.callRate, 1), out: new Int16Array(0) };
      this.decoders.set(fromRate, d);
    }
    const need = d.rs.maxOutput(n);
    if (d.out.length < need) d.out = new Int16Array(need);
    return { samples: d.out, n: d.rs.processInto(samples.subarray(0, n), d.out) };
  }
}
