// DTMF and mute checked at an independent peer (Debian's baresip 1.0.0): the keys `softphone call --dtmf`
// sends are the keys baresip reports receiving (RFC 4733 events, its CALL_DTMF_START events), and while a
// call is muted baresip's recording of our audio holds no tone, before and after it does (by frequency).
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toneCoverage } from '../../src-main/audio/tone-analysis';
import { createMediaSession } from '../../src-main/rtp/media-session.node';
import type { Call, UserAgent } from '../../src-main/sip/user-agent-api';
import { createUserAgent } from '../../src-main/sip/user-agent.node';
import { TONE_A_HZ, TONE_B_HZ, makeTempDir, readWavMono, removeDir, writeToneWav } from '../support/audio-check';
import { startBaresip, type Baresip } from '../support/baresip';
import { freePortRange } from '../support/free-port';
import { printOnFailure } from '../support/on-failure';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';

let dir: string;
let toneA: string;
let toneB: string;
let bs: Baresip | undefined;
let ua: UserAgent | undefined;

beforeAll(() => {
  dir = makeTempDir('baresip-dtmf-mute-');
  toneA = writeToneWav(dir, TONE_A_HZ);
  toneB = writeToneWav(dir, TONE_B_HZ);
});
afterEach(async () => {
  await stopAllSoftphones();
  await ua?.shutdown().catch(() => undefined);
  ua = undefined;
  await bs?.stop();
  bs = undefined;
});
afterAll(() => removeDir(dir));

describe('DTMF and mute at a real peer (baresip)', () => {
  it('the keys sent with `call --dtmf` are the keys baresip received, in order', async () => {
    bs = await startBaresip({ codec: 'PCMU', playWav: toneB });
    printOnFailure(bs);
    const rtp = await freePortRange(10);
    const digits = '159*0#';
    const a = startSoftphone(
      ['call', bs.uri, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--play', toneA, '--dtmf', digits, '--duration', '4'],
      { name: 'call-dtmf' },
    );
    printOnFailure(a);
    await a.waitFor('connected');
    expect((await a.waitFor('dtmf_sent'))['digits']).toBe(digits);
    // Each key is an RFC 4733 event of ~100 ms plus a gap: all six are in well before the 4 s call ends.
    const b = bs;
    const keys = () => b.events.filter((e) => e.type === 'CALL_DTMF_START').map((e) => String(e.param)).join('');
    await expect.poll(keys, { timeout: 5000 }).toBe(digits);
    await a.waitFor('ended', undefined, 15_000);
    expect(await a.waitForExit()).toBe(0);
  });

  it('muted, baresip hears no tone; before and after the mute it does', async () => {
    bs = await startBaresip({ codec: 'PCMU', playWav: toneB });
    printOnFailure(bs);
    const rtp = await freePortRange(10);
    const agent = createUserAgent({
      bindAddress: '127.0.0.1',
      port: 0,
      userAgentName: 'mute-test',
      createMedia: () => createMediaSession({ audio: { kind: 'file', play: toneA, record: join(dir, 'we-heard.wav') }, bindAddress: '127.0.0.1', portMin: rtp.min, portMax: rtp.max }),
    });
    ua = agent;
    await agent.start();
    const call: Call = agent.call(bs.uri);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`call to baresip not connected within 10 s (state ${call.state})`)), 10_000);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      if (call.state === 'connected') done();
      call.on('state', (s) => s === 'connected' && done());
      call.on('ended', (e) => reject(new Error(`call ended before connecting: ${JSON.stringify(e)}`)));
    });
    await bs.waitForEvent('CALL_ESTABLISHED');
    // The phases' lengths are the point of this test, not a wait for an event.
    const phase = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await phase(2500);
    const mutedAt = performance.now();
    call.setMuted(true);
    await phase(2500);
    call.setMuted(false);
    const mutedMs = performance.now() - mutedAt;
    await phase(2500);
    await call.hangup();
    await bs.waitForEvent('CALL_CLOSED');

    // baresip's dump of what it decoded from us, cut in 20 ms windows: does each hold our tone?
    const dump = bs.recordings().decoded;
    expect(dump, 'baresip wrote no recording').toBeTruthy();
    const { sampleRate, samples } = readWavMono(dump as string);
    const win = Math.round(sampleRate * 0.02);
    const tone: boolean[] = [];
    for (let s = 0; s + win <= samples.length; s += win) tone.push(toneCoverage(samples.subarray(s, s + win), sampleRate, TONE_A_HZ) === 1);
    const first = tone.indexOf(true);
    const last = tone.lastIndexOf(true);
    const timeline = tone.map((t) => (t ? '#' : '.')).join('');
    expect(first, `no tone at all in baresip's recording: ${timeline}`).toBeGreaterThanOrEqual(0);
    // The mute: the longest run without the tone between the first and the last tone window.
    let gapStart = -1;
    let gapLen = 0;
    for (let i = first, run = 0; i <= last; i++) {
      run = tone[i] ? 0 : run + 1;
      if (run > gapLen) {
        gapLen = run;
        gapStart = i - run + 1;
      }
    }
    const secs = (windows: number) => (windows * win) / sampleRate;
    const share = (from: number, to: number) => tone.slice(from, to).filter(Boolean).length / Math.max(1, to - from);
    const msg = `mute lasted ${(mutedMs / 1000).toFixed(2)} s; silent run ${secs(gapLen).toFixed(2)} s at ${secs(gapStart).toFixed(2)} s; timeline (20 ms, # = tone): ${timeline}`;
    // Muted, nothing of the tone: a silent run as long as the mute (± jitter buffer and packet timing).
    expect(secs(gapLen), msg).toBeGreaterThan(mutedMs / 1000 - 0.4);
    expect(secs(gapLen), msg).toBeLessThan(mutedMs / 1000 + 0.4);
    // Before the mute (after 300 ms of warm-up) and after it (leaving out 200 ms of hang-up), the tone.
    const warm = Math.round(0.3 / 0.02);
    expect(secs(gapStart - first), msg).toBeGreaterThan(1.5);
    expect(share(first + warm, gapStart), msg).toBeGreaterThanOrEqual(0.9);
    const after = gapStart + gapLen;
    expect(secs(tone.length - after), msg).toBeGreaterThan(1.5);
    expect(share(after, tone.length - 10), msg).toBeGreaterThanOrEqual(0.9);
  });
});
