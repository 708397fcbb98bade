// Comfort noise and RTCP XR offered to a peer that has neither (baresip 1.0.0 has no CN module and
// sends no XR): its answer leaves CN/8000 and a=rtcp-xr out, and we send every frame as audio, as
// before. Real-time audio: one 3 s call.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBaresip, type Baresip } from '../support/baresip';
import { freePortRange } from '../support/free-port';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';
import { TONE_A_HZ, TONE_B_HZ, makeTempDir, removeDir, writeToneWav } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';
import { skipWithoutRealPeer } from '../support/real-peer-gate';
import type { RtpStats } from '../../src-main/rtp/media-session';
import { encodeWav } from '../../src-main/audio/wav';
import { generateTone } from '../../src-main/audio/tone-analysis';
import { ComfortNoiseGenerator } from '../../src-main/rtp/comfort-noise-generator';

function missing(): string | null {
  try {
    execFileSync('which', ['baresip'], { stdio: 'ignore' });
  } catch {
    return 'baresip is not installed';
  }
  return existsSync('/usr/lib/baresip/modules/g711.so') ? null : "baresip's g711 module is missing";
}
const skip = skipWithoutRealPeer('baresip comfort noise fallback', missing());

let dir: string;
let speechThenSilence: string;
let toneB: string;
let bs: Baresip | undefined;

beforeAll(() => {
  dir = makeTempDir('baresip-cn-');
  // 0.5 s of tone, then room noise at -60 dBov: with CN agreed, most of it would not be sent as audio.
  const tone = generateTone(TONE_A_HZ, 0.5, 8000, 0.3);
  const all = new Int16Array(8000 * 6);
  all.set(tone);
  const g = new ComfortNoiseGenerator(5);
  g.set({ level: 60, coefficients: [] });
  g.fill(all.subarray(tone.length));
  speechThenSilence = join(dir, 'speech-then-silence.wav');
  writeFileSync(speechThenSilence, encodeWav(all, 8000));
  toneB = writeToneWav(dir, TONE_B_HZ);
});
afterEach(async () => {
  await stopAllSoftphones();
  await bs?.stop();
  bs = undefined;
});
afterAll(() => removeDir(dir));

describe.skipIf(skip)('comfort noise offered to baresip', () => {
  it('baresip answers without CN or XR, and we send audio all the time', async () => {
    bs = await startBaresip({ codec: 'PCMU', playWav: toneB });
    printOnFailure(bs);
    const rtp = await freePortRange(10);
    const a = startSoftphone(
      ['call', bs.uri, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--play', speechThenSilence, '--record', join(dir, 'a.wav'), '--duration', '3',
        '--comfort-noise', 'on', '--log-level', 'debug'],
      { name: 'call-cn' },
    );
    printOnFailure(a);
    expect((await a.waitFor('connected'))['codec']).toBe('PCMU');
    const ended = await a.waitFor('ended', undefined, 15_000);
    expect(await a.waitForExit()).toBe(0);
    const stats = ended['rtp'] as RtpStats;
    expect(stats.comfortNoise, JSON.stringify(stats)).toBeUndefined();
    expect(stats.xr, JSON.stringify(stats)).toBeUndefined();
    // 3 s of 20 ms packets, 2.5 s of them silence: nothing suppressed.
    expect(stats.packetsSent).toBeGreaterThanOrEqual(145);
    // Our offer did carry both (the SIP trace on stderr).
    expect(a.stderr).toContain('a=rtpmap:13 CN/8000');
    expect(a.stderr).toContain('a=rtcp-xr:voip-metrics');
  });
});
