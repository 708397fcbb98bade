// WAV files as audio devices (headless use, tests): a WAV as the microphone, the speaker recorded to a
// WAV (mono PCM16, 8 kHz or the call's rate). Both are paced by the media clock's reads and writes, not
// by the file system.

import { open, readFile, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { Resampler } from '../codec/resampler';
import { decodeWavData, parseWav, parseWavHeader, wavHeader, type WavLayout } from './wav';
import { SampleRing } from './sample-ring';
import { DEVICE_RATE, type AudioInput, type AudioOutput } from './audio-device';

/** A WAV with at most this many bytes of samples is decoded at start and played from memory. */
const IN_MEMORY_BYTES = 1 << 20;
/** A longer one is streamed: this many seconds of decoded audio are kept ahead of the player. */
const AHEAD_SECONDS = 4;
/** The header (and any chunks before the samples) is looked for in this much of the file's start. */
const HEAD_BYTES = 64 * 1024;

/**
 * Decoded short files, shared by every call playing the same file (listen answers each call with the
 * --play file): keyed by path, size and modification time, held weakly so the last call to close frees
 * it. Issue 12: each extra call otherwise kept its own copy (a 30 s file is 480 kB decoded).
 */
const decoded = new Map<string, { samples: WeakRef<Int16Array>; rate: number }>();

/** Reading position and decoder state of a streamed file. */
interface Streamed {
  file: FileHandle;
  layout: WavLayout;
  /** Next byte to read, counted from the start of the samples. */
  offset: number;
  resampler: Resampler | null;
  converted: Int16Array;
  ring: SampleRing;
  /** Decoded samples kept ahead (AHEAD_SECONDS at the output rate). */
  ahead: number;
  /** Source bytes per read: 100 ms when resampling (the media thread must not compute long), else 500 ms. */
  chunkBytes: number;
  eof: boolean;
  refilling: Promise<void> | null;
  /** A read failed: the file is treated as ended. */
  error: Error | null;
}

/** Options of a WAV microphone. */
export interface FileInputOptions {
  /**
   * Issue 13: play at the file's own rate (frames of rate / 50 samples; a rate that is not a multiple of
   * 50 Hz is converted to 48 kHz), so a 16 kHz WAV feeds a G.722 call untouched. Default: 8 kHz.
   */
  keepRate?: boolean;
}

/** The rate a file of `rate` Hz plays at. */
function playRate(rate: number, keepRate: boolean): number {
  if (!keepRate) return DEVICE_RATE;
  if (rate % 50 === 0 && rate >= DEVICE_RATE && rate <= 48000) return rate;
  return rate < DEVICE_RATE ? DEVICE_RATE : 48000;
}

/**
 * Plays a WAV file (any rate/channels parseWav accepts) as mono at sampleRate, looped or silent after the end.
 * Short files are decoded at start; long ones are read a little ahead as they play, so memory stays
 * at a few hundred kB whatever the file's length (an hour of 8 kHz audio would be 57 MB decoded).
 */
export class FileInput implements AudioInput {
  readonly name: string;
  onError?: (error: Error) => void;
  private samples: Int16Array = new Int16Array(0);
  private pos = 0;
  private finished = false;
  private closed = false;
  private streamed: Streamed | null = null;
  private rate = DEVICE_RATE;
  private readonly keepRate: boolean;
  /** Identity of the file's content for the shared decoded copy (set by start()). */
  private cacheKey: string | null = null;

  constructor(
    private readonly path: string,
    private readonly loop = false,
    options: FileInputOptions = {},
  ) {
    this.name = `file ${basename(path)}`;
    this.keepRate = options.keepRate === true;
  }

  /** The rate of the frames read() gives (known after start()). */
  get sampleRate(): number {
    return this.rate;
  }

  async start(): Promise<void> {
    let file: FileHandle;
    try {
      file = await open(this.path, 'r');
    } catch (err) {
      throw new Error(`cannot open WAV to play ${this.path}: ${(err as Error).message}`);
    }
    try {
      const st = await file.stat();
      const size = st.size;
      this.cacheKey = `${st.mtimeMs}:${size}:${this.keepRate ? 'own-rate' : DEVICE_RATE}:${this.path}`;
      const head = new Uint8Array(Math.min(size, HEAD_BYTES));
      await file.read(head, 0, head.length, 0);
      let layout: WavLayout | null = null;
      try {
        layout = parseWavHeader(head, size);
      } catch (err) {
        if (size <= head.length) throw err; // the whole file was there: it is not a WAV we can play
      }
      if (layout && layout.dataBytes > IN_MEMORY_BYTES) return await this.startStreaming(file, layout);
      await file.close();
    } catch (err) {
      await file.close().catch(() => {});
      throw new Error(`cannot play ${this.path}: ${(err as Error).message}`);
    }
    await this.startInMemory();
  }

  /** True once a non-looping file has been played to the end. */
  get ended(): boolean {
    return this.finished;
  }

  read(frame: Int16Array): boolean {
    if (this.finished) {
      frame.fill(0);
      return false;
    }
    return this.streamed ? this.readStreamed(this.streamed, frame) : this.readInMemory(frame);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.samples = new Int16Array(0);
    this.finished = true;
    const st = this.streamed;
    this.streamed = null;
    if (st) {
      await st.refilling;
      await st.file.close().catch(() => {});
    }
  }

  private async startInMemory(): Promise<void> {
    const entry = this.cacheKey ? decoded.get(this.cacheKey) : undefined;
    const shared = entry?.samples.deref();
    if (entry && shared) {
      this.samples = shared;
      this.rate = entry.rate;
      this.pos = 0;
      this.finished = shared.length === 0;
      return;
    }
    let data: Buffer;
    try {
      data = await readFile(this.path);
    } catch (err) {
      throw new Error(`cannot open WAV to play ${this.path}: ${(err as Error).message}`);
    }
    try {
      const wav = parseWav(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      this.rate = playRate(wav.sampleRate, this.keepRate);
      const needs = wav.sampleRate !== this.rate || wav.channels !== 1;
      this.samples = needs ? await toRate(wav.samples, wav.sampleRate, wav.channels, this.rate) : wav.samples;
      if (this.cacheKey) {
        for (const [key, entry] of decoded) if (!entry.samples.deref()) decoded.delete(key);
        decoded.set(this.cacheKey, { samples: new WeakRef(this.samples), rate: this.rate });
      }
    } catch (err) {
      throw new Error(`cannot play ${this.path}: ${(err as Error).message}`);
    }
    this.pos = 0;
    this.finished = this.samples.length === 0;
  }

  private async startStreaming(file: FileHandle, layout: WavLayout): Promise<void> {
    this.rate = playRate(layout.sampleRate, this.keepRate);
    const resample = layout.sampleRate !== this.rate || layout.channels !== 1;
    const framesPerChunk = Math.max(1, Math.round(layout.sampleRate / (resample ? 10 : 2)));
    const ahead = AHEAD_SECONDS * this.rate;
    const st: Streamed = {
      file,
      layout,
      offset: 0,
      resampler: resample ? new Resampler(layout.sampleRate, this.rate, layout.channels) : null,
      converted: new Int16Array(0),
      ahead,
      // Room for the look-ahead plus one more chunk (a refill tops up past the mark by up to a chunk).
      ring: new SampleRing(ahead + this.rate),
      chunkBytes: framesPerChunk * layout.frameBytes,
      eof: false,
      refilling: null,
      error: null,
    };
    this.streamed = st;
    this.pos = 0;
    this.finished = false;
    await this.refill(st);
    if (st.error) {
      this.streamed = null;
      throw st.error;
    }
  }

  private readInMemory(frame: Int16Array): boolean {
    let filled = 0;
    while (filled < frame.length) {
      const take = Math.min(frame.length - filled, this.samples.length - this.pos);
      frame.set(this.samples.subarray(this.pos, this.pos + take), filled);
      filled += take;
      this.pos += take;
      if (this.pos >= this.samples.length) {
        if (!this.loop) {
          this.finished = true;
          frame.fill(0, filled);
          break;
        }
        this.pos = 0;
      }
    }
    return true;
  }

  private readStreamed(st: Streamed, frame: Int16Array): boolean {
    const ring = st.ring;
    if (ring.available < st.ahead / 2 && !st.eof && !st.refilling) void this.refill(st);
    if (ring.available >= frame.length) return ring.read(frame);
    if (!st.eof) {
      frame.fill(0); // the disk is behind: a moment of silence rather than a wait in the media tick
      return false;
    }
    // The end of a file that does not loop: what is left, then silence.
    const n = ring.available;
    if (n > 0) ring.read(frame.subarray(0, n));
    frame.fill(0, n);
    this.finished = true;
    return n > 0;
  }

  /** Reads and decodes chunks until the look-ahead is full or the file has ended. */
  private refill(st: Streamed): Promise<void> {
    if (st.refilling) return st.refilling;
    const run = async (): Promise<void> => {
      const { layout } = st;
      while (!this.closed && !st.eof && st.ring.available < st.ahead) {
        if (st.offset + layout.frameBytes > layout.dataBytes) {
          if (this.loop && layout.dataBytes >= layout.frameBytes) st.offset = 0;
          else {
            st.eof = true;
            break;
          }
        }
        const want = Math.min(st.chunkBytes, layout.dataBytes - st.offset);
        const bytes = new Uint8Array(want - (want % layout.frameBytes));
        const from = st.offset;
        const { bytesRead } = await st.file.read(bytes, 0, bytes.length, layout.dataStart + from);
        const usable = bytesRead - (bytesRead % layout.frameBytes);
        // A file cut short since we looked at it ends here (and one with nothing left to loop over, for good).
        st.offset = usable > 0 ? from + usable : layout.dataBytes;
        if (usable === 0 && from === 0) st.eof = true;
        if (usable === 0 || this.closed) continue;
        const pcm = decodeWavData(bytes.subarray(0, usable), layout);
        if (!st.resampler) {
          st.ring.push(pcm);
          continue;
        }
        const need = st.resampler.maxOutput(pcm.length / layout.channels);
        if (st.converted.length < need) st.converted = new Int16Array(need);
        st.ring.push(st.converted, st.resampler.processInto(pcm, st.converted));
      }
    };
    st.refilling = run()
      .catch((err: unknown) => {
        st.eof = true;
        st.error = err instanceof Error ? err : new Error(String(err));
        if (!this.closed) this.onError?.(new Error(`cannot play ${this.path}: ${st.error.message}`));
      })
      .finally(() => {
        st.refilling = null;
      });
    return st.refilling;
  }
}

/**
 * Resamples (and down-mixes) a whole file in 50 ms slices, yielding to the event loop in between: this
 * runs in the media thread, where one long computation would delay every other call's packets.
 */
async function toRate(samples: Int16Array, rate: number, channels: number, toRate: number): Promise<Int16Array> {
  const resampler = new Resampler(rate, toRate, channels);
  const frames = Math.floor(samples.length / channels);
  const out = new Int16Array(Math.ceil((frames * toRate) / rate) + 64);
  const slice = Math.max(1, Math.round(rate / 20)) * channels;
  let written = 0;
  for (let i = 0; i < frames * channels; i += slice) {
    const part = samples.subarray(i, Math.min(i + slice, frames * channels));
    written += resampler.processInto(part, out.subarray(written));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out.subarray(0, written);
}

/** Pending audio is flushed in chunks of this many bytes (one second at 8 kHz mono). */
const BYTES_PER_SECOND = DEVICE_RATE * 2;
/** RIFF sizes are 32-bit: stop recording before the data chunk would overflow them (~74 h at 8 kHz). */
const MAX_DATA_BYTES = 0xffffffff - 36 - 48000 * 4;

/**
 * Records what the speaker plays to a WAV file. The header goes first and its sizes are patched at every
 * flush (each second of audio) and on close, so a killed process still leaves a readable file.
 */
export class FileOutput implements AudioOutput {
  readonly name: string;
  onError?: (error: Error) => void;
  private file: FileHandle | null = null;
  private pending = new Uint8Array(BYTES_PER_SECOND);
  private pendingView = new DataView(this.pending.buffer);
  private pendingBytes = 0;
  private dataBytes = 0;
  /** Writes run one after another; this is the tail of that chain. */
  private chain: Promise<void> = Promise.resolve();
  private failed: Error | null = null;
  private rate = DEVICE_RATE;

  /** `channels` 2: write() takes interleaved stereo frames (a call recording, call-recorder.ts). */
  constructor(
    private readonly path: string,
    private readonly channels: 1 | 2 = 1,
  ) {
    this.name = `file ${basename(path)}`;
  }

  async start(): Promise<void> {
    try {
      this.file = await open(this.path, 'w');
      await this.file.write(wavHeader(this.rate, this.channels, 0), 0, 44, 0);
    } catch (err) {
      await this.file?.close().catch(() => {});
      this.file = null;
      throw new Error(`cannot record to ${this.path}: ${(err as Error).message}`);
    }
  }

  /** The rate of the frames it takes (and of the WAV). */
  get sampleRate(): number {
    return this.rate;
  }

  /**
   * Issue 13: records at `rate` (a wideband call records natively at 16 kHz). Only before the first
   * sample: a WAV has one rate, so afterwards this says no and the caller resamples.
   */
  setSampleRate(rate: number): boolean {
    if (rate === this.rate) return true;
    if (!Number.isInteger(rate) || rate < 8000 || rate > 48000 || this.recordedBytes > 0) return false;
    this.rate = rate;
    const file = this.file;
    if (file) {
      this.chain = this.chain.then(async () => {
        if (this.failed) return;
        try {
          await file.write(wavHeader(rate, this.channels, this.dataBytes), 0, 44, 0);
        } catch (err) {
          this.failed = new Error(`recording to ${this.path} failed: ${(err as Error).message}`);
          this.onError?.(this.failed);
        }
      });
    }
    return true;
  }

  /** Bytes of audio handed to the file so far (flushed or pending). */
  get recordedBytes(): number {
    return this.dataBytes + this.pendingBytes;
  }

  write(frame: Int16Array): void {
    if (!this.file || this.failed) return;
    if (this.dataBytes + this.pendingBytes + frame.length * 2 > MAX_DATA_BYTES) return;
    for (let i = 0; i < frame.length; i++) {
      if (this.pendingBytes + 2 > this.pending.length) this.flush();
      // WAV is little-endian whatever the host is.
      this.pendingView.setInt16(this.pendingBytes, frame[i] as number, true);
      this.pendingBytes += 2;
    }
    if (this.pendingBytes >= this.pending.length) this.flush();
  }

  async close(): Promise<void> {
    if (!this.file) return;
    this.flush();
    const file = this.file;
    this.file = null;
    await this.chain;
    await file.close().catch(() => {});
    if (this.failed) throw this.failed;
  }

  /** Queues the pending audio and a header patch; never blocks the media tick. */
  private flush(): void {
    if (!this.file || this.pendingBytes === 0) return;
    const file = this.file;
    const chunk = this.pending.subarray(0, this.pendingBytes);
    const position = 44 + this.dataBytes;
    this.dataBytes += this.pendingBytes;
    const dataBytes = this.dataBytes;
    // A fresh buffer: the old one stays untouched until its asynchronous write is done.
    this.pending = new Uint8Array(BYTES_PER_SECOND);
    this.pendingView = new DataView(this.pending.buffer);
    this.pendingBytes = 0;
    this.chain = this.chain.then(async () => {
      if (this.failed) return;
      try {
        await file.write(chunk, 0, chunk.length, position);
        await file.write(wavHeader(this.rate, this.channels, dataBytes), 0, 44, 0);
      } catch (err) {
        this.failed = new Error(`recording to ${this.path} failed: ${(err as Error).message}`);
        this.onError?.(this.failed);
      }
    });
  }
}
