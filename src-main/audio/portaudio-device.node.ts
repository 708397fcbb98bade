// The sound card through PortAudio (naudiodon; this is its only importer). Capture and playback are two
// separate streams (one full-duplex stream ran at ~69 % of real time through ALSA's pulse plugin), at a
// rate the device accepts, resampled to/from 8 kHz, with a ring buffer between the card and the tick.

import { AudioIO, getDevices, getHostAPIs, type DeviceInfo, type IoStreamRead, type IoStreamWrite } from 'naudiodon';
import { Resampler } from '../codec/resampler';
import type { AudioDeviceInfo } from './audio-config';
import { DEVICE_RATE, FRAME_SAMPLES, type AudioInput, type AudioOutput, type DeviceBufferStats } from './audio-device';
import { SampleRing } from './sample-ring';

/** The sound devices PortAudio sees (ids are what AudioConfig.inputDevice/outputDevice take). */
export function listAudioDevices(): AudioDeviceInfo[] {
  return getDevices().map((d) => ({
    id: d.id,
    name: d.name,
    hostApi: d.hostAPIName,
    maxInputChannels: d.maxInputChannels,
    maxOutputChannels: d.maxOutputChannels,
    defaultSampleRate: d.defaultSampleRate,
  }));
}

/** Rates tried in order: G.711's own (no resampling), then what cards commonly run at. */
function candidateRates(device: DeviceInfo): number[] {
  return [...new Set([DEVICE_RATE, 48000, 44100, Math.round(device.defaultSampleRate)])].filter((r) => r >= DEVICE_RATE);
}

/** The device to open: the id asked for (must exist and have channels that way) or the default. */
function pickDevice(id: number | undefined, input: boolean): DeviceInfo {
  const devices = getDevices();
  const kind = input ? 'input' : 'output';
  const channelsOf = (d: DeviceInfo) => (input ? d.maxInputChannels : d.maxOutputChannels);
  if (id !== undefined) {
    const d = devices.find((x) => x.id === id);
    if (!d) throw new Error(`audio ${kind} device ${id} does not exist (${devices.length} devices: ${devices.map((x) => `${x.id} '${x.name}'`).join(', ') || 'none'})`);
    if (channelsOf(d) < 1) throw new Error(`audio device ${id} '${d.name}' has no ${kind} channels`);
    return d;
  }
  const apis = getHostAPIs();
  const api = apis.HostAPIs[apis.defaultHostAPI];
  const defId = api ? (input ? api.defaultInput : api.defaultOutput) : -1;
  const d = devices.find((x) => x.id === defId) ?? devices.find((x) => channelsOf(x) > 0);
  if (!d) throw new Error(`no audio ${kind} device found`);
  return d;
}

interface Opened<S> {
  stream: S;
  rate: number;
  channels: number;
}

/** Tries each rate (mono first, then stereo) until PortAudio accepts the format. */
function openStream<S>(device: DeviceInfo, input: boolean, make: (rate: number, channels: number) => S): Opened<S> {
  const errors: string[] = [];
  const maxCh = input ? device.maxInputChannels : device.maxOutputChannels;
  for (const rate of candidateRates(device)) {
    for (const channels of maxCh >= 2 ? [1, 2] : [1]) {
      try {
        return { stream: make(rate, channels), rate, channels };
      } catch (err) {
        errors.push(`${rate} Hz x${channels}: ${(err as Error).message}`);
      }
    }
  }
  throw new Error(`cannot open audio ${input ? 'input' : 'output'} '${device.name}': ${errors.join('; ')}`);
}

/** No audio for this long from a running device means it is gone (unplugged, server died). */
const STALL_MS = 1500;
/** A device that never delivers within this long after start has failed (pulse may take ~2 s). */
const FIRST_DATA_MS = 6000;

abstract class DeviceBase {
  onError?: (error: Error) => void;
  protected failed = false;
  protected closed = false;

  protected fail(message: string): void {
    if (this.failed || this.closed) return;
    this.failed = true;
    this.onError?.(new Error(message));
  }
}

/** The microphone: an input-only stream; the tick takes 160 samples at 8 kHz from the ring. */
export class PortAudioInput extends DeviceBase implements AudioInput {
  name: string;
  private stream: IoStreamRead | null = null;
  private resampler: Resampler | null = null;
  private converted = new Int16Array(0);
  /** At most 200 ms; reads keep it under ~60 ms so the microphone adds little delay. */
  private readonly ring = new SampleRing(DEVICE_RATE / 5);
  private odd: number | null = null; // a byte left over from a chunk of odd length
  private startedAt = 0;
  private lastDataAt = 0;

  constructor(private readonly deviceId?: number) {
    super();
    this.name = deviceId === undefined ? 'default microphone' : `microphone ${deviceId}`;
  }

  get bufferStats(): DeviceBufferStats {
    return { overflows: this.ring.overflows, underflows: this.ring.underflows };
  }

  async start(): Promise<void> {
    const device = pickDevice(this.deviceId, true);
    this.name = `microphone '${device.name}'`;
    const opened = openStream(device, true, (rate, channels) =>
      AudioIO({
        inOptions: {
          deviceId: this.deviceId ?? -1,
          sampleRate: rate,
          channelCount: channels,
          sampleFormat: 16,
          // 20 ms blocks: naudiodon's reads wait for a whole highwaterMark, so it sets the latency.
          framesPerBuffer: rate / 50,
          highwaterMark: (rate / 50) * channels * 2,
          maxQueue: 16,
          // true would tear the stream down on a mere overflow status from the card.
          closeOnError: false,
        },
      }),
    );
    const { stream, rate, channels } = opened;
    this.stream = stream;
    this.resampler = rate === DEVICE_RATE && channels === 1 ? null : new Resampler(rate, DEVICE_RATE, channels);
    stream.on('data', (chunk: Buffer) => this.onData(chunk, channels));
    stream.on('error', (err: Error) => this.fail(`${this.name} failed: ${err.message}`));
    stream.on('end', () => this.fail(`${this.name} stopped`));
    try {
      stream.start();
    } catch (err) {
      throw new Error(`cannot start ${this.name}: ${(err as Error).message}`);
    }
    this.startedAt = performance.now();
  }

  read(frame: Int16Array): boolean {
    if (!this.stream || this.failed) {
      frame.fill(0);
      return false;
    }
    const now = performance.now();
    if (this.lastDataAt === 0 ? now - this.startedAt > FIRST_DATA_MS : now - this.lastDataAt > STALL_MS) {
      this.fail(`${this.name} stopped delivering audio`);
      frame.fill(0);
      return false;
    }
    if (this.lastDataAt === 0) {
      frame.fill(0); // not flowing yet: not an underflow
      return false;
    }
    // Keep the capture latency bounded: drift between the card and our clock must not pile up.
    this.ring.trimTo(3 * FRAME_SAMPLES + frame.length);
    return this.ring.read(frame);
  }

  async close(): Promise<void> {
    this.closed = true;
    const stream = this.stream;
    this.stream = null;
    if (stream) await quit(stream);
  }

  private onData(chunk: Buffer, channels: number): void {
    if (this.closed) return;
    this.lastDataAt = performance.now();
    let bytes: Uint8Array = chunk;
    if (this.odd !== null) {
      const joined = new Uint8Array(chunk.length + 1);
      joined[0] = this.odd;
      joined.set(chunk, 1);
      bytes = joined;
      this.odd = null;
    }
    const usable = bytes.length - (bytes.length % 2);
    if (usable < bytes.length) this.odd = bytes[usable] as number;
    // PortAudio delivers native-endian int16; copy when the chunk is not 2-byte aligned.
    const pcm = bytes.byteOffset % 2 === 0 ? new Int16Array(bytes.buffer, bytes.byteOffset, usable / 2) : new Int16Array(bytes.slice(0, usable).buffer);
    if (!this.resampler) {
      this.ring.push(pcm);
      return;
    }
    const need = this.resampler.maxOutput(Math.floor(pcm.length / channels));
    if (this.converted.length < need) this.converted = new Int16Array(need);
    const n = this.resampler.processInto(pcm, this.converted);
    this.ring.push(this.converted, n);
  }
}

/**
 * The speaker: an output-only stream fed by a pump that writes one 20 ms block at a time (naudiodon's
 * native queue blocks when full, so the card paces the pump); the tick's frames wait in a ring.
 */
export class PortAudioOutput extends DeviceBase implements AudioOutput {
  name: string;
  private stream: IoStreamWrite | null = null;
  private resampler: Resampler | null = null;
  private ring: SampleRing | null = null;
  private block = 0; // samples (all channels) per 20 ms at the device rate
  private channels = 1;
  private upsampled = new Int16Array(0);
  private interleaved = new Int16Array(0);
  private writing = false;
  private writeStartedAt = 0;
  private playing = false;

  constructor(private readonly deviceId?: number) {
    super();
    this.name = deviceId === undefined ? 'default speaker' : `speaker ${deviceId}`;
  }

  get bufferStats(): DeviceBufferStats {
    return { overflows: this.ring?.overflows ?? 0, underflows: this.ring?.underflows ?? 0 };
  }

  async start(): Promise<void> {
    const device = pickDevice(this.deviceId, false);
    this.name = `speaker '${device.name}'`;
    const { stream, rate, channels } = openStream(device, false, (r, ch) =>
      AudioIO({
        outOptions: {
          deviceId: this.deviceId ?? -1,
          sampleRate: r,
          channelCount: ch,
          sampleFormat: 16,
          framesPerBuffer: r / 50,
          maxQueue: 2,
          closeOnError: false,
        },
      }),
    );
    this.stream = stream;
    this.channels = channels;
    this.block = (rate / 50) * channels;
    this.ring = new SampleRing(this.block * 10);
    this.resampler = rate === DEVICE_RATE ? null : new Resampler(DEVICE_RATE, rate, 1);
    stream.on('error', (err: Error) => this.fail(`${this.name} failed: ${err.message}`));
    try {
      stream.start();
    } catch (err) {
      throw new Error(`cannot start ${this.name}: ${(err as Error).message}`);
    }
    this.pump();
  }

  write(frame: Int16Array): void {
    if (!this.stream || !this.ring || this.failed) return;
    if (this.writing && performance.now() - this.writeStartedAt > STALL_MS) {
      this.fail(`${this.name} stopped playing`);
      return;
    }
    let pcm = frame;
    let n = frame.length;
    if (this.resampler) {
      const need = this.resampler.maxOutput(frame.length);
      if (this.upsampled.length < need) this.upsampled = new Int16Array(need);
      n = this.resampler.processInto(frame, this.upsampled);
      pcm = this.upsampled;
    }
    if (this.channels > 1) {
      if (this.interleaved.length < n * this.channels) this.interleaved = new Int16Array(n * this.channels);
      for (let i = 0; i < n; i++) for (let c = 0; c < this.channels; c++) this.interleaved[i * this.channels + c] = pcm[i] as number;
      pcm = this.interleaved;
      n *= this.channels;
    }
    this.ring.push(pcm, n);
    // Playback latency cap: ~80 ms waiting here on top of the card's own buffer.
    this.ring.trimTo(this.block * 4);
    this.playing = true;
  }

  async close(): Promise<void> {
    this.closed = true;
    const stream = this.stream;
    this.stream = null;
    if (stream) await quit(stream);
  }

  /** Hands the card one block, then the next when naudiodon has queued it (silence if none is ready). */
  private pump(): void {
    const stream = this.stream;
    const ring = this.ring;
    if (!stream || !ring || this.closed || this.failed) return;
    const out = new Int16Array(this.block);
    // Before the first frame arrives the card gets silence, which is not an underflow.
    if (this.playing) ring.read(out);
    this.writing = true;
    this.writeStartedAt = performance.now();
    try {
      stream.write(Buffer.from(out.buffer, 0, out.byteLength), (err?: Error | null) => {
        this.writing = false;
        if (err) this.fail(`${this.name} failed: ${err.message}`);
        else this.pump();
      });
    } catch (err) {
      this.writing = false;
      this.fail(`${this.name} failed: ${(err as Error).message}`);
    }
  }
}

/** Stops a naudiodon stream, giving up after 2 s (a dead device may never confirm). */
function quit(stream: IoStreamRead | IoStreamWrite): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 2000);
    timer.unref();
    try {
      stream.quit(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}
