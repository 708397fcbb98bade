// Helpers shared by the media integration tests: tone WAV fixtures, reading recordings, bounded polling.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav, parseWav } from '../../src-main/audio/wav';
import { generateTone } from '../../src-main/audio/tone-analysis';

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a sine tone WAV (mono, or the same tone on every channel) and returns its path. */
export function writeToneWav(path: string, freqHz: number, seconds: number, sampleRate = 8000, channels = 1, amplitude = 0.5): string {
  const mono = generateTone(freqHz, seconds, sampleRate, amplitude);
  const data = new Int16Array(mono.length * channels);
  for (let i = 0; i < mono.length; i++) for (let c = 0; c < channels; c++) data[i * channels + c] = mono[i] as number;
  writeFileSync(path, encodeWav(data, sampleRate, channels));
  return path;
}

export function readWav(path: string): { sampleRate: number; channels: number; samples: Int16Array } {
  const buf = readFileSync(path);
  return parseWav(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
