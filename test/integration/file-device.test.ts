// WAV files as devices: the player resamples/down-mixes and loops or goes silent; the recorder writes a
// valid 8 kHz mono WAV whose header is patched every second, so a killed process leaves a readable file.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileInput, FileOutput } from '../../src-main/audio/file-device.node';
import { generateTone, toneCoverage } from '../../src-main/audio/tone-analysis';
import { parseWav } from '../../src-main/audio/wav';
import { readWav, tempDir, waitFor, writeToneWav } from '../support/media-helpers';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => (tmp = tempDir('file-device')));
afterAll(() => tmp.remove());

function readFrames(input: FileInput, frames: number): { samples: Int16Array; got: boolean[] } {
  const samples = new Int16Array(frames * 160);
  const got: boolean[] = [];
  const frame = new Int16Array(160);
  for (let i = 0; i < frames; i++) {
    got.push(input.read(frame));
    samples.set(frame, i * 160);
  }
  return { samples, got };
}

describe('FileInput', () => {
  it('plays a 48 kHz stereo WAV as 8 kHz mono, then silence after the end', async () => {
    const path = writeToneWav(join(tmp.dir, 'st.wav'), 1200, 0.5, 48000, 2);
    const input = new FileInput(path, false);
    await input.start();
    const { samples, got } = readFrames(input, 40); // 0.8 s
    expect(toneCoverage(samples.subarray(160, 3600), 8000, 1200)).toBeGreaterThan(0.95);
    expect(got.slice(0, 24).every(Boolean)).toBe(true);
    expect(got.slice(26).some(Boolean)).toBe(false);
    expect(input.ended).toBe(true);
    expect(Math.max(...samples.subarray(26 * 160).map(Math.abs))).toBe(0);
  });

  it('calls playing the same file share one decoded copy, and a changed file is decoded afresh (issue 12)', async () => {
    const path = join(tmp.dir, 'shared.wav');
    writeToneWav(path, 700, 0.5, 16000, 1);
    const a = new FileInput(path, false);
    const b = new FileInput(path, false);
    await a.start();
    await b.start();
    const first = readFrames(a, 10).samples;
    expect(readFrames(b, 10).samples).toEqual(first);
    expect(toneCoverage(first.subarray(160), 8000, 700)).toBeGreaterThan(0.95);
    // The file is rewritten (other tone, other length): the next call plays the new content.
    writeToneWav(path, 1500, 0.7, 16000, 1);
    const c = new FileInput(path, false);
    await c.start();
    expect(toneCoverage(readFrames(c, 10).samples.subarray(160), 8000, 1500)).toBeGreaterThan(0.95);
    // The first two, still open, go on with what they had.
    expect(toneCoverage(readFrames(a, 10).samples, 8000, 700)).toBeGreaterThan(0.95);
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it('loops when asked', async () => {
    const path = writeToneWav(join(tmp.dir, 'loop.wav'), 800, 0.3, 8000, 1);
    const input = new FileInput(path, true);
    await input.start();
    const { samples, got } = readFrames(input, 100); // 2 s of a 0.3 s file
    expect(got.every(Boolean)).toBe(true);
    expect(toneCoverage(samples, 8000, 800)).toBeGreaterThan(0.9);
  });

  it('fails start() with a clear message for a missing or non-WAV file', async () => {
    await expect(new FileInput(join(tmp.dir, 'nope.wav')).start()).rejects.toThrow(/cannot open WAV to play .*nope\.wav/);
    const bad = join(tmp.dir, 'bad.wav');
    writeFileSync(bad, 'this is not a wav file at all, just text');
    await expect(new FileInput(bad).start()).rejects.toThrow(/cannot play .*bad\.wav/);
  });
});

describe('FileOutput', () => {
  it('records 8 kHz mono PCM16 with a header that is valid after every flush and after close', async () => {
    const path = join(tmp.dir, 'rec.wav');
    const out = new FileOutput(path);
    await out.start();
    const tone = generateTone(1000, 2.5, 8000);
    for (let i = 0; i + 160 <= tone.length; i += 160) out.write(tone.subarray(i, i + 160));
    // Two whole seconds were flushed while recording: the file on disk is already a readable WAV.
    const midway = await waitFor('two flushed seconds', () => {
      const wav = parseWav(new Uint8Array(readFileSync(path)));
      return wav.samples.length === 16000 ? wav : undefined;
    }, 5000, 10);
    expect(midway.sampleRate).toBe(8000);
    await out.close();
    const done = readWav(path);
    expect(done.channels).toBe(1);
    expect(done.samples.length).toBe(20000);
    expect([...done.samples.subarray(0, 50)]).toEqual([...tone.subarray(0, 50)]);
    expect(toneCoverage(done.samples, 8000, 1000)).toBeGreaterThan(0.99);
  });

  it('fails start() clearly when the file cannot be created', async () => {
    await expect(new FileOutput(join(tmp.dir, 'no', 'such', 'dir.wav')).start()).rejects.toThrow(/cannot record to/);
  });
});
