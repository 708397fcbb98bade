// WAV files as audio devices (headless use, tests): a WAV as the microphone, the speaker recorded to a
// WAV (8 kHz mono PCM16). Both are paced by the media clock's reads and writes, not by the file system.

import { open, readFile, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { Resampler } from '../codec/resampler';
import { parseWav, wavHeader } from './wav';
import { DEVICE_RATE, type AudioInput, type AudioOutput } from './audio-device';

/** Plays a WAV file (any rate/channels parseWav accepts) as 8 kHz mono, looped or silent after the end. */
export class FileInput implements AudioInput {
  readonly name: string;
  onError?: (error: Error) => void;
  private samples: Int16Array = new Int16Array(0);
  private pos = 0;
  private finished = false;

  constructor(
    private readonly path: string,
    private readonly loop = false,
  ) {
    this.name = `file ${basename(path)}`;
  }

  async start(): Promise<void> {
    let data: Buffer;
    try {
      data = await readFile(this.path);
    } catch (err) {
      throw new Error(`cannot open WAV to play ${this.path}: ${(err as Error).message}`);
    }
    try {
      const wav = parseWav(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      const needs = wav.sampleRate !== DEVICE_RATE || wav.channels !== 1;
      this.samples = needs ? await toDeviceRate(wav.samples, wav.sampleRate, wav.channels) : wav.samples;
    } catch (err) {
      throw new Error(`cannot play ${this.path}: ${(err as Error).message}`);
    }
    this.pos = 0;
    this.finished = this.samples.length === 0;
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

  async close(): Promise<void> {
    this.samples = new Int16Array(0);
    this.finished = true;
  }
}

/**
 * Resamples (and down-mixes) a whole file in 50 ms slices, yielding to the event loop in between: this
 * runs in the media thread, where one long computation would delay every other call's packets.
 */
async function toDeviceRate(samples: Int16Array, rate: number, channels: number): Promise<Int16Array> {
  const resampler = new Resampler(rate, DEVICE_RATE, channels);
  const frames = Math.floor(samples.length / channels);
  const out = new Int16Array(Math.ceil((frames * DEVICE_RATE) / rate) + 64);
  const slice = Math.max(1, Math.round(rate / 20)) * channels;
  let written = 0;
  for (let i = 0; i < frames * channels; i += slice) {
    const part = samples.subarray(i, Math.min(i + slice, frames * channels));
    written += resampler.processInto(part, out.subarray(written));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out.subarray(0, written);
}

const BYTES_PER_SECOND = DEVICE_RATE * 2;
/** RIFF sizes are 32-bit: stop recording before the data chunk would overflow them (~74 h). */
const MAX_DATA_BYTES = 0xffffffff - 36 - BYTES_PER_SECOND;

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

  constructor(private readonly path: string) {
    this.name = `file ${basename(path)}`;
  }

  async start(): Promise<void> {
    try {
      this.file = await open(this.path, 'w');
      await this.file.write(wavHeader(DEVICE_RATE, 1, 0), 0, 44, 0);
    } catch (err) {
      await this.file?.close().catch(() => {});
      this.file = null;
      throw new Error(`cannot record to ${this.path}: ${(err as Error).message}`);
    }
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
        await file.write(wavHeader(DEVICE_RATE, 1, dataBytes), 0, 44, 0);
      } catch (err) {
        this.failed = new Error(`recording to ${this.path} failed: ${(err as Error).message}`);
        this.onError?.(this.failed);
      }
    });
  }
}
