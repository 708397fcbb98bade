// Interop over IPv6 (issue 10) with an independent SIP phone (Debian's baresip 1.0.0 on ::1): we call it,
// and the tone of each side is checked by frequency in the other's recording.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { type Baresip } from '../support/baresip';
import { freePortRange } from '../support/free-port';
import { startSoftphone } from '../support/softphone-process';
import { TONE_A_HZ, TONE_B_HZ, describeReport, toneReport } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';
import { useBaresipSuite } from '../support/baresip-suite';
import { ipv6LoopbackMissing, skipWithoutRealPeer } from '../support/real-peer-gate';

const noIpv6 = skipWithoutRealPeer('baresip over IPv6', ipv6LoopbackMissing());

const suite = useBaresipSuite('baresip-ipv6-');
let bs: Baresip | undefined;

describe.skipIf(noIpv6)('baresip interop over IPv6', () => {
  it('our call to baresip on [::1] connects; SDP says IN IP6 both ways; tones both ways', async () => {
    bs = await suite.start({ codec: 'PCMU', playWav: suite.toneB, host: '::1' });
    printOnFailure(bs);
    expect(bs.uri).toMatch(/^sip:[^@]+@\[::1\]:\d+$/);
    const rtp = await freePortRange(10, '::1');
    const rec = join(suite.dir, 'we-heard.wav');
    const a = startSoftphone(
      ['call', bs.uri, '--bind', '::1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--play', suite.toneA, '--record', rec, '--duration', '5', '--log-level', 'debug'],
      { name: 'call-v6' },
    );
    printOnFailure(a);
    expect((await a.waitFor('connected'))['codec']).toBe('PCMU');
    await bs.waitForEvent('CALL_ESTABLISHED');
    expect(await a.waitFor('ended', undefined, 15_000)).toMatchObject({ by: 'local' });
    expect(await a.waitForExit()).toBe(0);
    await bs.waitForEvent('CALL_CLOSED');
    // Our offer and baresip's answer both on IPv6 (the debug log holds the SIP trace).
    expect(a.stderr.match(/c=IN IP6 ::1/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    const weHeard = toneReport(rec, TONE_B_HZ);
    expect(weHeard.coverage, describeReport('we heard', weHeard)).toBeGreaterThanOrEqual(0.9);
    expect(weHeard.measuredSeconds, describeReport('we heard', weHeard)).toBeGreaterThan(3);
    const decoded = bs.recordings().decoded;
    expect(decoded, 'baresip wrote no recording').toBeTruthy();
    const bsHeard = toneReport(decoded as string, TONE_A_HZ);
    expect(bsHeard.coverage, describeReport('baresip heard', bsHeard)).toBeGreaterThanOrEqual(0.9);
    expect(bsHeard.measuredSeconds, describeReport('baresip heard', bsHeard)).toBeGreaterThan(3);
  });
});
