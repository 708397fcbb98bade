// Issue 13: wideband calls with an independent phone (Debian's baresip 1.0.0 and its g722 module), both
// call directions. Over G.722 each side plays a 5 kHz tone, above the 4 kHz that 8 kHz G.711 can carry,
// and it arrives at the other side (found by frequency in the recordings, 16 kHz WAVs). The same calls
// over PCMU do not carry our 5 kHz tone (baresip's 8 kHz dump is silent); baresip's aufile only plays a
// WAV at the codec's rate, where 5 kHz cannot exist, so it sends a 1 kHz control tone that we must hear.
// Real-time audio, ~4 s a call.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { encodeWav, parseWav } from '../../src-main/audio/wav';
import { generateTone, rmsLevel, toneCoverage } from '../../src-main/audio/tone-analysis';
import { startBaresip, type Baresip } from '../support/baresip';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';
import { describeReport, makeTempDir, readWavMono, removeDir, toneReport } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { skipWithoutRealPeer } from '../support/real-peer-gate';

const HIGH_HZ = 5000;
const G722_MODULE = '/usr/lib/baresip/modules/g722.so';
const skip = skipWithoutRealPeer('baresip-wideband.test.ts (baresip and its g722 module)', existsSync(G722_MODULE) ? null : `${G722_MODULE} is missing`);
let dir: string;
let tone16k: string;
let control8k: string;
let bs: Baresip | undefined;

beforeAll(() => {
  dir = makeTempDir('baresip-wideband-');
  tone16k = join(dir, 'tone-5000hz-16k.wav');
  writeFileSync(tone16k, encodeWav(generateTone(HIGH_HZ, 30, 16000, 0.5), 16000));
  control8k = join(dir, 'tone-1000hz-8k.wav');
  writeFileSync(control8k, encodeWav(generateTone(1000, 30, 8000, 0.5), 8000));
});
afterEach(async () => {
  await stopAllSoftphones();
  await bs?.stop();
  bs = undefined;
});
afterAll(() => removeDir(dir));

/** The recording holds the 5 kHz tone (a wideband path): at 16 kHz, in at least 90 % of its 20 ms windows. */
function expectHighTone(path: string | undefined, label: string): void {
  expect(path, `${label}: no recording`).toBeTruthy();
  const r = toneReport(path as string, HIGH_HZ, { otherHz: 1000 });
  expect(readWavMono(path as string).sampleRate, label).toBe(16000);
  expect(r.coverage, describeReport(label, r)).toBeGreaterThanOrEqual(0.9);
  expect(r.measuredSeconds, describeReport(label, r)).toBeGreaterThan(2);
}

/** A narrowband path: an 8 kHz recording where the 0.35-rms tone left nothing (not even an alias). */
function expectNoHighTone(path: string | undefined, label: string): void {
  expect(path, `${label}: no recording`).toBeTruthy();
  const { sampleRate, samples } = readWavMono(path as string);
  expect(sampleRate, label).toBe(8000);
  const rms = rmsLevel(samples);
  expect(rms, `${label}: rms ${rms.toFixed(4)}`).toBeLessThan(0.01);
  expect(toneCoverage(samples, sampleRate, HIGH_HZ)).toBe(0);
}

/** PCMU: what baresip sent us, its 1 kHz control tone, arrived (the call's audio works at all) at 8 kHz. */
function expectControlTone(path: string | undefined, label: string): void {
  expect(path, `${label}: no recording`).toBeTruthy();
  expect(readWavMono(path as string).sampleRate, label).toBe(8000);
  const r = toneReport(path as string, 1000, { otherHz: HIGH_HZ - 2000 });
  expect(r.coverage, describeReport(label, r)).toBeGreaterThanOrEqual(0.9);
}

/** The per-call stereo recording (--record-calls): at the call's rate; over G.722 both channels hold 5 kHz. */
function expectCallRecording(path: string, rate: number): void {
  const wav = parseWav(new Uint8Array(readFileSync(path)));
  expect(wav.channels).toBe(2);
  expect(wav.sampleRate).toBe(rate);
  if (rate !== 16000) return;
  const n = Math.floor(wav.samples.length / 2);
  const left = new Int16Array(n);
  const right = new Int16Array(n);
  for (let i = 0; i < n; i++) [left[i], right[i]] = [wav.samples[2 * i] as number, wav.samples[2 * i + 1] as number];
  const from = Math.round(0.5 * rate); // after the jitter buffer's start
  const to = n - Math.round(0.3 * rate);
  expect(toneCoverage(left.subarray(from, to), rate, HIGH_HZ), 'sent channel').toBeGreaterThanOrEqual(0.9);
  expect(toneCoverage(right.subarray(from, to), rate, HIGH_HZ), 'heard channel').toBeGreaterThanOrEqual(0.9);
}

const cases = [
  { codec: 'G722', ours: 'g722,pcmu,pcma', rate: 16000, theirs: () => tone16k, weHeard: expectHighTone, theyHeard: expectHighTone },
  { codec: 'PCMU', ours: 'pcmu', rate: 8000, theirs: () => control8k, weHeard: expectControlTone, theyHeard: expectNoHighTone },
] as const;

describe.each(cases)('baresip, $codec: our 5 kHz tone, and theirs', ({ codec, ours, rate, theirs, weHeard, theyHeard }) => {
  it.skipIf(skip)(`our call to baresip connects with ${codec}`, async () => {
    bs = await startBaresip({ codec, playWav: theirs() });
    printOnFailure(bs);
    const rtp = await freePortRange(10);
    const rec = join(dir, `we-heard-out-${codec}.wav`);
    const calls = join(dir, `calls-${codec}`);
    mkdirSync(calls);
    const a = startSoftphone(
      ['call', bs.uri, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--codecs', ours, '--play', tone16k, '--record', rec, '--duration', '4',
        '--record-calls', calls],
      { name: `call-${codec}` },
    );
    printOnFailure(a);
    expect((await a.waitFor('connected'))['codec']).toBe(codec);
    await bs.waitForEvent('CALL_ESTABLISHED');
    expect(await a.waitFor('ended', undefined, 15_000)).toMatchObject({ by: 'local' });
    expect(await a.waitForExit()).toBe(0);
    expectCallRecording(String((await a.waitFor('recording'))['path']), rate);
    await bs.waitForEvent('CALL_CLOSED'); // baresip finishes its WAV dumps when the call is closed
    weHeard(rec, 'we heard');
    theyHeard(bs.recordings().decoded, 'baresip heard');
  });

  it.skipIf(skip)(`baresip calls our listen --auto-answer with ${codec}`, async () => {
    bs = await startBaresip({ codec, playWav: theirs() });
    printOnFailure(bs);
    const port = await freeUdpPort();
    const rtp = await freePortRange(10);
    const rec = join(dir, `we-heard-in-${codec}.wav`);
    const b = startSoftphone(
      ['listen', '--port', String(port), '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--auto-answer', '--codecs', ours,
        '--play', tone16k, '--record', rec, '--max-calls', '1'],
      { name: `listen-${codec}` },
    );
    printOnFailure(b);
    await b.waitFor('listening');
    await bs.dial(`sip:softphone@127.0.0.1:${port}`);
    const connected = await b.waitFor('connected');
    expect(connected['codec']).toBe(codec);
    await bs.waitForEvent('CALL_ESTABLISHED');
    // The call's length is the point here, not a wait for an event.
    await new Promise((r) => setTimeout(r, Math.max(0, 4000 - (Date.now() - Date.parse(connected.time)))));
    await bs.hangup();
    expect(await b.waitFor('ended')).toMatchObject({ by: 'remote' });
    expect(await b.waitForExit()).toBe(0);
    await bs.waitForEvent('CALL_CLOSED');
    weHeard(rec, 'we heard');
    theyHeard(bs.recordings().decoded, 'baresip heard');
  });
});
