// Per-call recording (issue 11) between two of our CLIs: `call --record-calls DIR` and `listen
// --record-calls DIR` each write one stereo WAV named after the date, direction and peer, whose left
// channel holds the tone that side sent and whose right channel the tone it heard (by frequency).
// Real-time audio: a 2 s call.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../src-main/audio/wav';
import { goertzelPower, toneCoverage } from '../../src-main/audio/tone-analysis';
import { TONE_A_HZ, TONE_B_HZ, makeTempDir, removeDir, writeToneWav } from '../support/audio-check';
import { freePort, freePortRange } from '../support/free-port';
import { printOnFailure } from '../support/on-failure';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';

let dir: string;
beforeAll(() => {
  dir = makeTempDir('call-recording-');
});
afterEach(async () => {
  await stopAllSoftphones();
});
afterAll(() => removeDir(dir));

/** Left and right channels of a stereo WAV. */
function channels(path: string): { rate: number; left: Int16Array; right: Int16Array } {
  const wav = parseWav(new Uint8Array(readFileSync(path)));
  expect(wav.channels, `${path} is not stereo`).toBe(2);
  const n = Math.floor(wav.samples.length / 2);
  const left = new Int16Array(n);
  const right = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    left[i] = wav.samples[2 * i] as number;
    right[i] = wav.samples[2 * i + 1] as number;
  }
  return { rate: wav.sampleRate, left, right };
}

describe('per-call recording to WAV (two CLIs)', () => {
  it('each side records one stereo WAV: left = its own tone, right = the other side\'s', async () => {
    const recA = join(dir, 'a');
    const recB = join(dir, 'b');
    mkdirSync(recA);
    mkdirSync(recB);
    const port = await freePort();
    const rtpA = await freePortRange(10);
    const rtpB = await freePortRange(10);
    const b = startSoftphone(
      ['listen', '--bind', '127.0.0.1', '--port', String(port), '--rtp-ports', `${rtpB.min}-${rtpB.max}`, '--play', writeToneWav(dir, TONE_B_HZ), '--auto-answer', '--max-calls', '1', '--record-calls', recB],
      { name: 'listen-rec' },
    );
    printOnFailure(b);
    await b.waitFor('listening');
    const a = startSoftphone(
      ['call', `sip:bob@127.0.0.1:${port}`, '--bind', '127.0.0.1', '--rtp-ports', `${rtpA.min}-${rtpA.max}`, '--play', writeToneWav(dir, TONE_A_HZ), '--duration', '2', '--record-calls', recA],
      { name: 'call-rec' },
    );
    printOnFailure(a);
    const pathA = String((await a.waitFor('recording'))['path']);
    const pathB = String((await b.waitFor('recording'))['path']);
    expect(await a.waitForExit()).toBe(0);
    expect(await b.waitForExit()).toBe(0);
    // One file per call, named date_time_direction_peer.wav.
    expect(readdirSync(recA)).toEqual([pathA.slice(recA.length + 1)]);
    expect(readdirSync(recB)).toEqual([pathB.slice(recB.length + 1)]);
    expect(pathA).toMatch(/\/\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d_out_bob@127\.0\.0\.1\.wav$/);
    expect(pathB).toMatch(/\/\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d_in_softphone@127\.0\.0\.1\.wav$/);

    for (const [path, own, other] of [[pathA, TONE_A_HZ, TONE_B_HZ], [pathB, TONE_B_HZ, TONE_A_HZ]] as const) {
      const { rate, left, right } = channels(path);
      expect(rate).toBe(8000);
      const seconds = left.length / rate;
      expect(seconds, `${path}: ${seconds} s`).toBeGreaterThan(1.5);
      // Left: what this side sent (its own tone, none of the other's); right: what it heard. The
      // heard side starts after the jitter buffer's delay: measured from 0.3 s on.
      const from = Math.round(0.3 * rate);
      const sent = toneCoverage(left, rate, own, { otherFreqs: [other] });
      const heard = toneCoverage(right.subarray(from), rate, other, { otherFreqs: [own] });
      expect(sent, `${path}: own tone on the left`).toBeGreaterThan(0.95);
      expect(heard, `${path}: other tone on the right`).toBeGreaterThan(0.85);
      expect(toneCoverage(left, rate, other)).toBe(0);
      expect(toneCoverage(right, rate, own)).toBe(0);
    }
  });

  it('--mic-volume and --speaker-volume scale the audio in the media path (by amplitude)', async () => {
    const port = await freePort();
    const rtpA = await freePortRange(10);
    const rtpB = await freePortRange(10);
    const heardByA = join(dir, 'heard-by-a.wav');
    const heardByB = join(dir, 'heard-by-b.wav');
    // Both tones are at 0.5 of full scale. B's speaker at 50 %, A's microphone at 50 %: B hears 0.125;
    // A's own speaker is untouched: A hears B's tone at 0.5.
    const b = startSoftphone(
      ['listen', '--bind', '127.0.0.1', '--port', String(port), '--rtp-ports', `${rtpB.min}-${rtpB.max}`, '--play', writeToneWav(dir, TONE_B_HZ), '--record', heardByB, '--speaker-volume', '50', '--auto-answer', '--max-calls', '1'],
      { name: 'listen-vol' },
    );
    printOnFailure(b);
    await b.waitFor('listening');
    const a = startSoftphone(
      ['call', `sip:bob@127.0.0.1:${port}`, '--bind', '127.0.0.1', '--rtp-ports', `${rtpA.min}-${rtpA.max}`, '--play', writeToneWav(dir, TONE_A_HZ), '--record', heardByA, '--mic-volume', '50', '--duration', '2'],
      { name: 'call-vol' },
    );
    printOnFailure(a);
    expect(await a.waitForExit()).toBe(0);
    expect(await b.waitForExit()).toBe(0);
    const amplitude = (path: string, hz: number) => {
      const wav = parseWav(new Uint8Array(readFileSync(path)));
      const from = Math.round(0.4 * wav.sampleRate);
      const n = Math.round(1.2 * wav.sampleRate);
      return Math.sqrt(2 * goertzelPower(wav.samples, from, n, hz, wav.sampleRate)) / 32767;
    };
    const atB = amplitude(heardByB, TONE_A_HZ);
    const atA = amplitude(heardByA, TONE_B_HZ);
    expect(atB, `B heard A's tone at ${atB.toFixed(3)}`).toBeGreaterThan(0.1);
    expect(atB, `B heard A's tone at ${atB.toFixed(3)}`).toBeLessThan(0.15);
    expect(atA, `A heard B's tone at ${atA.toFixed(3)}`).toBeGreaterThan(0.45);
    expect(atA, `A heard B's tone at ${atA.toFixed(3)}`).toBeLessThan(0.55);
  });
});
