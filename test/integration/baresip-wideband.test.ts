// Issue 13: wideband calls with an independent phone (Debian's baresip 1.0.0 and its g722 module), both
// call directions. Each side plays a 5 kHz tone, above the 4 kHz that 8 kHz G.711 can carry: over
// G.722 it arrives at the other side (found by frequency in the recordings, 16 kHz WAVs); the same
// calls over PCMU do not carry it (8 kHz recordings, the tone filtered out). Real-time audio, ~4 s a call.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { encodeWav } from '../../src-main/audio/wav';
import { generateTone, rmsLevel, toneCoverage } from '../../src-main/audio/tone-analysis';
import { startBaresip, type Baresip } from '../support/baresip';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';
import { describeReport, makeTempDir, readWavMono, removeDir, toneReport } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';
import { existsSync, writeFileSync } from 'node:fs';
import { skipWithoutRealPeer } from '../support/real-peer-gate';

const HIGH_HZ = 5000;
const G722_MODULE = '/usr/lib/baresip/modules/g722.so';
const skip = skipWithoutRealPeer('baresip-wideband.test.ts (baresip and its g722 module)', existsSync(G722_MODULE) ? null : `${G722_MODULE} is missing`);
let dir: string;
let tone16k: string;
let bs: Baresip | undefined;

beforeAll(() => {
  dir = makeTempDir('baresip-wideband-');
  tone16k = join(dir, 'tone-5000hz-16k.wav');
  writeFileSync(tone16k, encodeWav(generateTone(HIGH_HZ, 30, 16000, 0.5), 16000));
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

const cases = [
  { codec: 'G722', ours: 'g722,pcmu,pcma', check: expectHighTone },
  { codec: 'PCMU', ours: 'pcmu', check: expectNoHighTone },
] as const;

describe.each(cases)('baresip, $codec: a 5 kHz tone both ways', ({ codec, ours, check }) => {
  it.skipIf(skip)(`our call to baresip connects with ${codec}`, async () => {
    bs = await startBaresip({ codec, playWav: tone16k });
    printOnFailure(bs);
    const rtp = await freePortRange(10);
    const rec = join(dir, `we-heard-out-${codec}.wav`);
    const a = startSoftphone(
      ['call', bs.uri, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--codecs', ours, '--play', tone16k, '--record', rec, '--duration', '4'],
      { name: `call-${codec}` },
    );
    printOnFailure(a);
    expect((await a.waitFor('connected'))['codec']).toBe(codec);
    await bs.waitForEvent('CALL_ESTABLISHED');
    expect(await a.waitFor('ended', undefined, 15_000)).toMatchObject({ by: 'local' });
    expect(await a.waitForExit()).toBe(0);
    await bs.waitForEvent('CALL_CLOSED'); // baresip finishes its WAV dumps when the call is closed
    check(rec, 'we heard');
    check(bs.recordings().decoded, 'baresip heard');
  });

  it.skipIf(skip)(`baresip calls our listen --auto-answer with ${codec}`, async () => {
    bs = await startBaresip({ codec, playWav: tone16k });
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
    check(rec, 'we heard');
    check(bs.recordings().decoded, 'baresip heard');
  });
});
