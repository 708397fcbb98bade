// Interop with an independent SIP phone (Debian's baresip 1.0.0): we call it and it calls us, with
// PCMU-only and PCMA-only offers; audio is checked in our recording and in the WAV baresip wrote.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { type Baresip } from '../support/baresip';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startSoftphone } from '../support/softphone-process';
import { TONE_A_HZ, TONE_B_HZ, describeReport, toneReport } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';
import { useBaresipSuite } from '../support/baresip-suite';

const suite = useBaresipSuite('baresip-interop-');
let bs: Baresip | undefined;

function expectTone(path: string | undefined, freq: number, label: string): void {
  expect(path, `${label}: no recording`).toBeTruthy();
  const r = toneReport(path as string, freq);
  expect(r.coverage, describeReport(label, r)).toBeGreaterThanOrEqual(0.9);
  expect(r.measuredSeconds, describeReport(label, r)).toBeGreaterThan(3);
}

describe.each(['PCMU', 'PCMA'] as const)('baresip interop, %s only', (codec) => {
  it(`our call to baresip (auto-answer) connects with ${codec}; tones both ways`, async () => {
    bs = await suite.start({ codec, playWav: suite.toneB });
    printOnFailure(bs);
    const rtp = await freePortRange(10);
    const rec = join(suite.dir, `we-heard-${codec}.wav`);
    const a = startSoftphone(
      ['call', bs.uri, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--play', suite.toneA, '--record', rec, '--duration', '5'],
      { name: `call-${codec}` },
    );
    printOnFailure(a);
    expect((await a.waitFor('connected'))['codec']).toBe(codec);
    await bs.waitForEvent('CALL_ESTABLISHED');
    const ended = await a.waitFor('ended', undefined, 15_000);
    expect(ended).toMatchObject({ by: 'local' });
    expect(await a.waitForExit()).toBe(0);
    // baresip finishes its WAV dumps when the call is closed.
    await bs.waitForEvent('CALL_CLOSED');
    expectTone(rec, TONE_B_HZ, 'we heard');
    expectTone(bs.recordings().decoded, TONE_A_HZ, 'baresip heard');
  });

  it(`baresip calls our listen --auto-answer with ${codec}; tones both ways; baresip hangs up`, async () => {
    bs = await suite.start({ codec, playWav: suite.toneB });
    printOnFailure(bs);
    const port = await freeUdpPort();
    const rtp = await freePortRange(10);
    const rec = join(suite.dir, `we-answered-${codec}.wav`);
    const b = startSoftphone(
      ['listen', '--port', String(port), '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--auto-answer',
        '--play', suite.toneA, '--record', rec, '--max-calls', '1'],
      { name: `listen-${codec}` },
    );
    printOnFailure(b);
    await b.waitFor('listening');
    await bs.dial(`sip:softphone@127.0.0.1:${port}`);
    expect((await b.waitFor('incoming'))['from']).toContain(bs.uri.replace(/^sip:/, ''));
    const connected = await b.waitFor('connected');
    expect(connected['codec']).toBe(codec);
    await bs.waitForEvent('CALL_ESTABLISHED');
    // The call's length is the point here, not a wait for an event.
    await new Promise((r) => setTimeout(r, Math.max(0, 5000 - (Date.now() - Date.parse(connected.time)))));
    await bs.hangup();
    expect(await b.waitFor('ended')).toMatchObject({ by: 'remote' });
    expect(await b.waitForExit()).toBe(0);
    await bs.waitForEvent('CALL_CLOSED');
    expectTone(rec, TONE_B_HZ, 'we heard');
    expectTone(bs.recordings().decoded, TONE_A_HZ, 'baresip heard');
  });
});
