// Long WAV files are played as they are read (a bounded look-ahead, not the whole file in memory): the
// samples come out exactly as in the file, resampled when needed, looped when asked.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileInput } from '../../src-main/audio/file-device.node';
import { generateTone, toneCoverage } from '../../src-main/audio/tone-analysis';
import { encodeWav } from '../../src-main/audio/wav';

const dir = mkdtempSync(join(tmpdir(), 'file-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A sample pattern that never repeats within a file, so a skipped or doubled frame shows. */
function pattern(n: number): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = ((i * 7919) % 65536) - 32768;
  return out;
}

/**
 * Index of the first sample where `a` and `b` differ (or where one ends), -1 when identical. Deep
 * equality on half a million samples (toEqual) took ~30 s of the test's time; this says the same.
 */
function firstDifference(a: Int16Array, b: Int16Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/**
 * Reads `frames` 20 ms frames the way the media tick does, letting the file reads run in between. It
 * reads ten times faster than real time, so on a loaded machine the disk may be behind: such a frame
 * (read() false, nothing consumed, not the end) is asked for again once the reads have had a moment,
 * so what is checked is the content, not the speed of this machine's disk.
 */
async function play(input: FileInput, frames: number): Promise<{ samples: Int16Array; got: boolean[] }> {
  const samples = new Int16Array(frames * 160);
  const got: boolean[] = [];
  const frame = new Int16Array(160);
  for (let i = 0; i < frames; i++) {
    let ok = input.read(frame);
    for (let wait = 0; !ok && !input.ended && wait < 2500; wait++) {
      await new Promise((r) => setTimeout(r, 2));
      ok = input.read(frame);
    }
    got.push(ok);
    samples.set(frame, i * 160);
    // 100 ms of audio per turn of the event loop (every ~1 ms): ten times faster than real time.
    if (i % 5 === 4) await new Promise((r) => setTimeout(r, 1));
  }
  return { samples, got };
}

describe('FileInput with a long WAV', () => {
  it('streams a 70 s 8 kHz file sample for sample, then reports the end', async () => {
    const source = pattern(70 * 8000);
    const path = join(dir, 'long.wav');
    writeFileSync(path, encodeWav(source, 8000, 1)); // 1.12 MB of samples: over the in-memory limit
    const input = new FileInput(path, false);
    await input.start();
    const { samples, got } = await play(input, 3600); // 72 s
    expect(got.slice(0, 3500).every(Boolean)).toBe(true);
    expect(got.slice(3501).some(Boolean)).toBe(false);
    expect(input.ended).toBe(true);
    expect(firstDifference(samples.subarray(0, source.length), source), 'first sample that differs').toBe(-1);
    expect(samples.subarray(source.length).every((v) => v === 0)).toBe(true);
    await input.close();
  });

  it('loops a long file: the end is followed by its start again', async () => {
    const source = pattern(66 * 8000);
    const path = join(dir, 'loop.wav');
    writeFileSync(path, encodeWav(source, 8000, 1));
    const input = new FileInput(path, true);
    await input.start();
    const { samples, got } = await play(input, 3400); // 68 s of a 66 s file
    expect(got.every(Boolean)).toBe(true);
    expect(firstDifference(samples.subarray(0, source.length), source), 'first sample that differs').toBe(-1);
    expect(firstDifference(samples.subarray(source.length, source.length + 16000), source.subarray(0, 16000)), 'first sample that differs after the loop').toBe(-1);
    await input.close();
  });

  it('resamples a long 48 kHz stereo file to 8 kHz mono as it plays', async () => {
    const mono = generateTone(1000, 8, 48000, 0.5);
    const stereo = new Int16Array(mono.length * 2);
    for (let i = 0; i < mono.length; i++) stereo[2 * i] = stereo[2 * i + 1] = mono[i] as number;
    const path = join(dir, 'st48.wav');
    writeFileSync(path, encodeWav(stereo, 48000, 2)); // 1.5 MB
    const input = new FileInput(path, false);
    await input.start();
    const { samples, got } = await play(input, 420); // 8.4 s
    expect(got.slice(0, 399).every(Boolean)).toBe(true);
    expect(input.ended).toBe(true);
    expect(toneCoverage(samples.subarray(800, 7.9 * 8000), 8000, 1000)).toBeGreaterThan(0.98);
    await input.close();
  });

  it('fails start() with a clear message for a long file that is not a WAV', async () => {
    const path = join(dir, 'junk.wav');
    writeFileSync(path, new Uint8Array(2 * 1024 * 1024).fill(0x41));
    await expect(new FileInput(path).start()).rejects.toThrow(/cannot play .*junk\.wav/);
  });
});
