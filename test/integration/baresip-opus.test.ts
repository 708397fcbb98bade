// Issue 13: Opus (RFC 7587) with an independent phone (Debian's baresip 1.0.0 and its opus module), both
// call directions. Each side plays a 5 kHz plus a 12 kHz tone (a 48 kHz WAV); both arrive at the other
// side (found by frequency in the 48 kHz recordings) — 12 kHz is beyond any 8 or 16 kHz path.
// Real-time audio, ~4 s a call.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWav } from '../../src-main/audio/wav';
import { goertzelPower } from '../../src-main/audio/tone-analysis';
import { loadOpus } from '../../src-main/codec/opus-codec.node';
import { startBaresip, type Baresip } from '../support/baresip';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';
import { makeTempDir, readWavMono, removeDir } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';
import { skipWithoutRealPeer } from '../support/real-peer-gate';

const TONES = [5000, 12000];
const OPUS_MODULE = '/usr/lib/baresip/modules/opus.so';
const opus = loadOpus();
const skip = skipWithoutRealPeer(
  'baresip-opus.test.ts (baresip\'s opus module and our addon built with libopus-dev)',
  !existsSync(OPUS_MODULE) ? `${OPUS_MODULE} is missing` : 'error' in opus ? opus.error : null,
);
let dir: string;
let wav: string;
let bs: Baresip | undefined;

beforeAll(() => {
  dir = makeTempDir('baresip-opus-');
  wav = join(dir, 'tones-5k-12k-48k-stereo.wav');
  // Stereo: baresip's opus codec is 2 channels and its aufile plays only a WAV of exactly that format.
  const n = 30 * 48000;
  const pcm = new Int16Array(2 * n);
  for (let i = 0; i < n; i++) {
    const v = Math.round(0.25 * 32767 * (Math.sin((2 * Math.PI * (TONES[0] as number) * i) / 48000) + Math.sin((2 * Math.PI * (TONES[1] as number) * i) / 48000)));
    pcm[2 * i] = pcm[2 * i + 1] = v;
  }
  writeFileSync(wav, encodeWav(pcm, 48000, 2));
});
afterEach(async () => {
  await stopAllSoftphones();
  await bs?.stop();
  bs = undefined;
});
afterAll(() => removeDir(dir));

/**
 * Share of 20 ms windows (from 1 s after the audio starts to 0.3 s before the end) where each tone holds
 * at least a quarter of the window's power (two equal tones hold half each).
 */
function bothTones(path: string | undefined, label: string): void {
  expect(path, `${label}: no recording`).toBeTruthy();
  const { sampleRate, samples } = readWavMono(path as string);
  expect(sampleRate, label).toBe(48000);
  const win = 960;
  let first = -1;
  let hits = 0;
  let windows = 0;
  for (let s = 0; s + win <= samples.length - 0.3 * sampleRate; s += win) {
    let ms = 0;
    for (let i = s; i < s + win; i++) ms += (samples[i] as number) ** 2;
    ms /= win;
    const ok = ms > (0.02 * 32768) ** 2 && TONES.every((hz) => goertzelPower(samples, s, win, hz, sampleRate) > 0.25 * ms);
    if (first < 0 && ok) first = s;
    if (first < 0 || s < first + sampleRate) continue;
    windows++;
    if (ok) hits++;
  }
  const text = `${label}: both tones in ${hits}/${windows} windows (audio from ${(first / sampleRate).toFixed(2)} s of ${(samples.length / sampleRate).toFixed(2)} s)`;
  expect(windows, text).toBeGreaterThan(50);
  expect(hits / windows, text).toBeGreaterThanOrEqual(0.9);
}

describe.skipIf(skip)('baresip, opus: 5 kHz and 12 kHz both ways', () => {
  it('our call to baresip connects with Opus', async () => {
    bs = await startBaresip({ codec: 'opus', playWav: wav });
    printOnFailure(bs);
    const rtp = await freePortRange(10);
    const rec = join(dir, 'we-heard-out.wav');
    const a = startSoftphone(
      ['call', bs.uri, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--codecs', 'opus,g722,pcmu', '--play', wav, '--record', rec, '--duration', '4'],
      { name: 'call-opus' },
    );
    printOnFailure(a);
    expect((await a.waitFor('connected'))['codec']).toBe('OPUS');
    await bs.waitForEvent('CALL_ESTABLISHED');
    expect(await a.waitFor('ended', undefined, 15_000)).toMatchObject({ by: 'local' });
    expect(await a.waitForExit()).toBe(0);
    await bs.waitForEvent('CALL_CLOSED');
    bothTones(rec, 'we heard');
    bothTones(bs.recordings().decoded, 'baresip heard');
  });

  it('baresip calls our listen --auto-answer with Opus', async () => {
    bs = await startBaresip({ codec: 'opus', playWav: wav });
    printOnFailure(bs);
    const port = await freeUdpPort();
    const rtp = await freePortRange(10);
    const rec = join(dir, 'we-heard-in.wav');
    const b = startSoftphone(
      ['listen', '--port', String(port), '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--auto-answer', '--codecs', 'opus,pcmu',
        '--play', wav, '--record', rec, '--max-calls', '1'],
      { name: 'listen-opus' },
    );
    printOnFailure(b);
    await b.waitFor('listening');
    await bs.dial(`sip:softphone@127.0.0.1:${port}`);
    const connected = await b.waitFor('connected');
    expect(connected['codec']).toBe('OPUS');
    await bs.waitForEvent('CALL_ESTABLISHED');
    // The call's length is the point here, not a wait for an event.
    await new Promise((r) => setTimeout(r, Math.max(0, 4000 - (Date.now() - Date.parse(connected.time)))));
    await bs.hangup();
    expect(await b.waitFor('ended')).toMatchObject({ by: 'remote' });
    expect(await b.waitForExit()).toBe(0);
    await bs.waitForEvent('CALL_CLOSED');
    bothTones(rec, 'we heard');
    bothTones(bs.recordings().decoded, 'baresip heard');
  });
});
