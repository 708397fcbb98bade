// The sound card through PortAudio (naudiodon; this is its only importer). Capture and playback are two
// separate streams (one full-duplex stream ran at ~69 % of real time through ALSA's pulse plugin), at a
// rate the device accepts, resampled to/from the call's rate (8 kHz, 16 kHz for G.722: setSampleRate),
// with a ring buffer between the card and the tick.
//
// naudiodon's native binding is loaded directly, and only in the media thread: its addon keeps its
// stream constructor in a process-wide static, so a second thread loading it breaks stream creation in
// the first; and its JavaScript wrapper also loads segfault-handler (not loadable twice in a process)
// and prints to stdout. Other threads list devices by asking the media thread (listAudioDevices()).

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import type { NativeAudioIO, NativeDeviceInfo, NaudiodonBinding } from 'naudiodon/build/Release/naudiodon.node';
import { Resampler } from '../codec/resampler';
import type { AudioDeviceInfo } from './audio-config';
import { DEVICE_RATE, type AudioInput, type AudioOutput, type DeviceBufferStats } from './audio-device';
import { deviceStalled } from './device-watchdog';
import { PlayoutRing } from './playout-ring';
import { SampleRing } from './sample-ring';

let binding: NaudiodonBinding | null = null;

function native(): NaudiodonBinding {
  if (binding) return binding;
  const errors: string[] = [];
  try {
    const req = createRequire(__filename);
    const dir = dirname(req.resolve('naudiodon/package.json'));
    // In the packaged desktop app the addon and its PortAudio library are unpacked next to app.asar
    // (electron-builder.yml asarUnpack): try that real folder first rather than rely on Electron mapping
    // the archive path for a native load in a worker thread.
    const unpacked = dir.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
    const dirs = unpacked === dir ? [dir] : [unpacked, dir];
    for (const base of dirs) {
      for (const build of ['Release', 'Debug']) {
        try {
          binding = req(join(base, 'build', build, 'naudiodon.node')) as NaudiodonBinding;
          return binding;
        } catch (err) {
          errors.push((err as Error).message);
        }
      }
    }
  } catch (err) {
    errors.push((err as Error).message);
  }
  throw new Error(`PortAudio is not available (naudiodon not built?): ${errors.join('; ')}`);
}

function toInfo(d: NativeDeviceInfo): AudioDeviceInfo {
  return {
    id: d.id,
    name: d.name,
    hostApi: d.hostAPIName,
    maxInputChannels: d.maxInputChannels,
    maxOutputChannels: d.maxOutputChannels,
    defaultSampleRate: d.defaultSampleRate,
  };
}

/** The devices PortAudio sees, listed in the calling thread (only the media thread may do this). */
export function listAudioDevicesInThisThread(): AudioDeviceInfo[] {
  return native().getDevices().map(toInfo);
}

/** The default host API's default output device id (what `outputDevice: undefined` opens), in this thread. */
export function defaultOutputIdInThisThread(): number | undefined {
  const apis = native().getHostAPIs();
  const id = apis.HostAPIs[apis.defaultHostAPI]?.defaultOutput;
  return id !== undefined && id >= 0 ? id : undefined;
}

/**
 * The sound devices PortAudio sees (ids are what AudioConfig.inputDevice/outputDevice take). From the
 * main thread this asks the media worker, which owns PortAudio (starting it if needed).
 */
export async function listAudioDevices(): Promise<AudioDeviceInfo[]> {
  if (!isMainThread) return listAudioDevicesInThisThread();
  const { listAudioDevicesViaMediaThread } = await import('../rtp/media-session.node');
  return listAudioDevicesViaMediaThread();
}

/** The widest call rate the card should carry without loss (G.722, issue 13); G.711 calls take it down 2:1. */
const WIDEBAND_RATE = 16000;

/**
 * Rates tried in order: 16 kHz (a G.722 call's own; the card is opened before the codec is known), then
 * 8 kHz, then what cards commonly run at.
 */
function candidateRates(device: NativeDeviceInfo): number[] {
  return [...new Set([WIDEBAND_RATE, DEVICE_RATE, 48000, 44100, Math.round(device.defaultSampleRate)])].filter((r) => r >= DEVICE_RATE);
}

/** The device to open: the id asked for (must exist and have channels that way) or the default. */
function pickDevice(id: number | undefined, input: boolean): NativeDeviceInfo {
  const pa = native();
  const devices = pa.getDevices();
  const kind = input ? 'input' : 'output';
  const channelsOf = (d: NativeDeviceInfo) => (input ? d.maxInputChannels : d.maxOutputChannels);
  if (id !== undefined) {
    const d = devices.find((x) => x.id === id);
    if (!d) throw new Error(`audio ${kind} device ${id} does not exist (${devices.length} devices: ${devices.map((x) => `${x.id} '${x.name}'`).join(', ') || 'none'})`);
    if (channelsOf(d) < 1) throw new Error(`audio device ${id} '${d.name}' has no ${kind} channels`);
    return d;
  }
  const apis = pa.getHostAPIs();
  const api = apis.HostAPIs[apis.defaultHostAPI];
  const defId = api ? (input ? api.defaultInput : api.defaultOutput) : -1;
  const d = devices.find((x) => x.id === defId && channelsOf(x) > 0) ?? devices.find((x) => channelsOf(x) > 0);
  if (!d) throw new Error(`no audio ${kind} device found`);
  return d;
}

interface Opened {
  io: NativeAudioIO;
  rate: number;
  channels: number;
}

/** Opens an input-only or output-only stream, trying each rate (mono first, then stereo) until PortAudio accepts one. */
function openStream(device: NativeDeviceInfo, input: boolean): Opened {
  const errors: string[] = [];
  const maxCh = input ? device.maxInputChannels : device.maxOutputChannels;
  for (const rate of candidateRates(device)) {
    for (const channels of maxCh >= 2 ? [1, 2] : [1]) {
      const options = {
        deviceId: device.id,
        sampleRate: rate,
        channelCount: channels,
        sampleFormat: 16 as const,
        framesPerBuffer: rate / 50, // 20 ms blocks, like the media tick
        // Capture: room for 320 ms of blocks before PortAudio's callback would block. Playback: 60 ms
        // queued at the card, which is what keeps it fed while the media thread is held up (the playout
        // ring's cushion lives in that thread); an empty queue blocks PortAudio's callback = a dropout.
        maxQueue: input ? 16 : 3,
        // true would tear the stream down on a mere underflow status from the card.
        closeOnError: false,
      };
      try {
        return { io: native().create(input ? { inOptions: options } : { outOptions: options }), rate, channels };
      } catch (err) {
        errors.push(`${rate} Hz x${channels}: ${(err as Error).message}`);
      }
    }
  }
  throw new Error(`cannot open audio ${input ? 'input' : 'output'} '${device.name}': ${errors.join('; ')}`);
}


abstract class DeviceBase {
  onError?: (error: Error) => void;
  abstract name: string;
  protected io: NativeAudioIO | null = null;
  protected failed = false;
  protected closed = false;

  protected fail(message: string): void {
    if (this.failed || this.closed) return;
    this.failed = true;
    this.onError?.(new Error(message));
  }

  async close(): Promise<void> {
    this.closed = true;
    const io = this.io;
    this.io = null;
    if (io) await quit(io);
  }
}

/** The microphone: an input-only stream read 20 ms at a time into a ring; the tick takes 20 ms at sampleRate. */
export class PortAudioInput extends DeviceBase implements AudioInput {
  name: string;
  private resampler: Resampler | null = null;
  private converted = new Int16Array(0);
  /** The rate of read()'s frames (the call's), and the card's own rate and channels once open. */
  private rate = DEVICE_RATE;
  private card: { rate: number; channels: number } | null = null;
  /** At most 200 ms; reads keep it under ~80 ms so the microphone adds little delay. */
  private ring = new SampleRing(DEVICE_RATE / 5);
  private startedAt = 0;
  private lastDataAt = 0;
  private blocksRead = 0;

  constructor(private readonly deviceId?: number) {
    super();
    this.name = deviceId === undefined ? 'default microphone' : `microphone ${deviceId}`;
  }

  get bufferStats(): DeviceBufferStats {
    return { overflows: this.ring.overflows, underflows: this.ring.underflows };
  }

  get sampleRate(): number {
    return this.rate;
  }

  get bufferedSamples(): number {
    return this.ring.available;
  }

  /** Issue 13: frames at `rate` from now on (the card keeps its rate; what is buffered is dropped). */
  setSampleRate(rate: number): boolean {
    if (!Number.isInteger(rate) || rate < DEVICE_RATE || rate > 48000 || rate % 50 !== 0) return false;
    if (rate === this.rate) return true;
    const { overflows, underflows } = this.ring;
    this.rate = rate;
    this.ring = new SampleRing(rate / 5);
    this.ring.overflows = overflows;
    this.ring.underflows = underflows;
    if (this.card) this.resampler = this.converterFor(this.card.rate, this.card.channels);
    return true;
  }

  private converterFor(cardRate: number, channels: number): Resampler | null {
    return cardRate === this.rate && channels === 1 ? null : new Resampler(cardRate, this.rate, channels);
  }

  async start(): Promise<void> {
    const device = pickDevice(this.deviceId, true);
    this.name = `microphone '${device.name}'`;
    const { io, rate, channels } = openStream(device, true);
    this.io = io;
    this.card = { rate, channels };
    this.resampler = this.converterFor(rate, channels);
    try {
      io.start();
    } catch (err) {
      throw new Error(`cannot start ${this.name}: ${(err as Error).message}`);
    }
    this.startedAt = performance.now();
    void this.readLoop(io, (rate / 50) * channels * 2, channels);
  }

  read(frame: Int16Array): boolean {
    if (!this.io || this.failed) {
      frame.fill(0);
      return false;
    }
    if (deviceStalled(performance.now(), this.lastDataAt || this.startedAt, this.blocksRead)) {
      this.fail(`${this.name} stopped delivering audio`);
      frame.fill(0);
      return false;
    }
    if (this.lastDataAt === 0) {
      frame.fill(0); // not flowing yet: not an underflow
      return false;
    }
    // Keep the capture latency bounded: drift between the card and our clock must not pile up.
    this.ring.trimTo(4 * frame.length);
    return this.ring.read(frame);
  }

  /** One blocking 20 ms read at a time on libuv's pool; each block goes into the ring. */
  private async readLoop(io: NativeAudioIO, bytes: number, channels: number): Promise<void> {
    while (!this.closed && !this.failed) {
      let r;
      try {
        r = await io.read(bytes);
      } catch (err) {
        this.fail(`${this.name} failed: ${(err as Error).message}`);
        return;
      }
      if (this.closed) return;
      if (r.err) return this.fail(`${this.name} failed: ${r.err}`);
      if (r.buf && r.buf.length >= 2) this.onData(r.buf, channels);
      if (r.finished) return this.fail(`${this.name} stopped`);
    }
  }

  private onData(chunk: Buffer, channels: number): void {
    this.lastDataAt = performance.now();
    this.blocksRead++;
    const usable = chunk.length - (chunk.length % (2 * channels));
    // PortAudio delivers native-endian int16; copy when the chunk is not 2-byte aligned.
    const pcm = chunk.byteOffset % 2 === 0 ? new Int16Array(chunk.buffer, chunk.byteOffset, usable / 2) : new Int16Array(chunk.subarray(0, usable).slice().buffer);
    if (!this.resampler) {
      this.ring.push(pcm);
      return;
    }
    const need = this.resampler.maxOutput(pcm.length / channels);
    if (this.converted.length < need) this.converted = new Int16Array(need);
    const n = this.resampler.processInto(pcm, this.converted);
    this.ring.push(this.converted, n);
  }
}

/**
 * The speaker: an output-only stream fed by a pump that writes one 20 ms block at a time (the native
 * queue blocks when full, so the card paces the pump); the tick's frames wait in a ring meanwhile.
 */
export class PortAudioOutput extends DeviceBase implements AudioOutput {
  name: string;
  private resampler: Resampler | null = null;
  /** The rate of write()'s frames (the call's), and the card's once open. */
  private rate = DEVICE_RATE;
  private cardRate = 0;
  private ring: PlayoutRing | null = null;
  private block = 0; // samples (all channels) per 20 ms at the device rate
  private channels = 1;
  private upsampled = new Int16Array(0);
  private interleaved = new Int16Array(0);
  private writeStartedAt = 0;
  private writing = false;
  private blocksWritten = 0;
  private playing = false;

  constructor(private readonly deviceId?: number) {
    super();
    this.name = deviceId === undefined ? 'default speaker' : `speaker ${deviceId}`;
  }

  get bufferStats(): DeviceBufferStats {
    return { overflows: this.ring?.overflows ?? 0, underflows: this.ring?.underflows ?? 0 };
  }

  get sampleRate(): number {
    return this.rate;
  }

  /** The ring holds the card's samples (rate, channels): counted back in the call's. */
  get bufferedSamples(): number {
    if (!this.ring || !this.cardRate) return 0;
    return Math.round(((this.ring.available / this.channels) * this.rate) / this.cardRate);
  }

  /** Issue 13: takes frames at `rate` from now on (converted to the card's rate, which stays). */
  setSampleRate(rate: number): boolean {
    if (!Number.isInteger(rate) || rate < DEVICE_RATE || rate > 48000 || rate % 50 !== 0) return false;
    if (rate === this.rate) return true;
    this.rate = rate;
    if (this.cardRate) this.resampler = this.cardRate === rate ? null : new Resampler(rate, this.cardRate, 1);
    return true;
  }

  async start(): Promise<void> {
    const device = pickDevice(this.deviceId, false);
    this.name = `speaker '${device.name}'`;
    const { io, rate, channels } = openStream(device, false);
    this.io = io;
    this.channels = channels;
    this.block = (rate / 50) * channels;
    // A 40 ms cushion on top of the card's own queue (see playout-ring.ts for why a cushion, not a cap).
    this.ring = new PlayoutRing({ block: this.block, targetBlocks: 2, maxBlocks: 10 });
    this.cardRate = rate;
    this.resampler = rate === this.rate ? null : new Resampler(this.rate, rate, 1);
    try {
      io.start();
    } catch (err) {
      throw new Error(`cannot start ${this.name}: ${(err as Error).message}`);
    }
    void this.pump(io);
  }

  write(frame: Int16Array): void {
    if (!this.io || !this.ring || this.failed) return;
    // The first few blocks only fill PortAudio's queue; the one after may wait while the sound server
    // starts the stream (pulse: ~2 s, more when loaded). Only once the card is consuming does a wait mean a stall.
    if (this.writing && deviceStalled(performance.now(), this.writeStartedAt, this.blocksWritten)) {
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
    this.playing = true;
  }

  /** Hands the card one block at a time (silence until the call's audio starts). */
  private async pump(io: NativeAudioIO): Promise<void> {
    const ring = this.ring;
    while (ring && !this.closed && !this.failed) {
      const out = new Int16Array(this.block);
      // Before the first frame arrives the card gets silence, which is not an underflow.
      if (this.playing) ring.read(out);
      this.writing = true;
      this.writeStartedAt = performance.now();
      let err: string | undefined;
      try {
        err = await io.write(Buffer.from(out.buffer, 0, out.byteLength));
      } catch (e) {
        err = (e as Error).message;
      }
      this.writing = false;
      this.blocksWritten++;
      // The card took nothing for 5 blocks' time (starting up: pulse takes ~1.5 s; or the sound server
      // stalled): what piled up meanwhile is stale, play from the newest audio on.
      if (performance.now() - this.writeStartedAt > 100) ring.cardStalled();
      if (err && !this.closed) return this.fail(`${this.name} failed: ${err}`);
    }
  }
}

/** Stops a stream, giving up after 2 s (a dead device may never confirm). */
function quit(io: NativeAudioIO): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 2000);
    timer.unref();
    io.quit('ABORT').then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    );
  });
}
