// Issue 13 through the real CLI: `--codecs` decides the codec two softphones agree on, and the `ended`
// event carries the call's G.107 quality score. Real-time audio: a 2 s call between two processes.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';
import { TONE_A_HZ, TONE_B_HZ, makeTempDir, removeDir, writeToneWav } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';

describe('--codecs and the quality score (CLI)', () => {
  let dir: string;
  let toneA: string;
  let toneB: string;
  beforeAll(() => {
    dir = makeTempDir('codecs-quality-');
    toneA = writeToneWav(dir, TONE_A_HZ);
    toneB = writeToneWav(dir, TONE_B_HZ);
  });
  afterEach(() => stopAllSoftphones());
  afterAll(() => removeDir(dir));

  it('a callee that takes only PCMA gets PCMA although the caller prefers PCMU; both ended events score the call', async () => {
    const port = await freeUdpPort();
    const rtpA = await freePortRange(10);
    const rtpB = await freePortRange(10);
    const b = startSoftphone(
      ['listen', '--port', String(port), '--bind', '127.0.0.1', '--rtp-ports', `${rtpB.min}-${rtpB.max}`,
        '--auto-answer', '--play', toneB, '--record', join(dir, 'b.wav'), '--max-calls', '1', '--codecs', 'pcma'],
      { name: 'B' },
    );
    printOnFailure(b);
    await b.waitFor('listening');
    const a = startSoftphone(
      ['call', `sip:x@127.0.0.1:${port}`, '--bind', '127.0.0.1', '--rtp-ports', `${rtpA.min}-${rtpA.max}`,
        '--play', toneA, '--record', join(dir, 'a.wav'), '--duration', '2', '--codecs', 'pcmu,pcma'],
      { name: 'A' },
    );
    printOnFailure(a);
    expect((await a.waitFor('connected'))['codec']).toBe('PCMA');
    expect((await b.waitFor('connected'))['codec']).toBe('PCMA');
    const endedA = await a.waitFor('ended', undefined, 15_000);
    const endedB = await b.waitFor('ended', undefined, 5000);
    console.log(`quality: caller ${JSON.stringify(endedA['quality'])}, callee ${JSON.stringify(endedB['quality'])}`);
    for (const e of [endedA, endedB]) {
      // A clean loopback path: no loss, ~65 ms mouth-to-ear: G.107 gives about R 92, MOS 4.4.
      const q = e['quality'] as { r: number; mos: number };
      // The score is there and plausible; its exact value follows the path's delay and late packets,
      // which a loaded machine changes (R 87.8 seen under two CPU burners; an RTCP round trip of ~440 ms
      // on loopback, a known bug, gave 74.6), so G.107's numbers are checked in the unit tests
      // (test/unit/rtp/e-model.test.ts), not here.
      expect(q.r).toBeGreaterThan(60);
      expect(q.r).toBeLessThanOrEqual(93.2);
      expect(q.mos).toBeGreaterThan(3);
      expect((e['rtp'] as { quality?: unknown }).quality).toEqual(q);
    }
    expect(await a.waitForExit(8000)).toBe(0);
    expect(await b.waitForExit(8000)).toBe(0);
  });

  it('refuses a codec it cannot code yet, with the list it can (exit 2)', async () => {
    const a = startSoftphone(['call', 'sip:x@127.0.0.1:5', '--codecs', 'g729,pcmu'], { name: 'A' });
    const code = await a.waitForExit(8000);
    expect(code).toBe(2);
    expect(a.stderr).toContain('--codecs: g729 is not available yet (supported: opus,g722,pcmu,pcma)');
  });
});
