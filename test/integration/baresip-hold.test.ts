// Hold and resume against an independent peer (Debian's baresip 1.0.0), driven through the CLI's control
// channel as a script would: baresip answers the hold recvonly and the resume sendrecv; while held neither
// side's tone reaches the other (by frequency), after the resume baresip's tone comes back.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TONE_A_HZ, TONE_B_HZ, toneGap } from '../support/audio-check';
import { type Baresip } from '../support/baresip';
import { freePortRange } from '../support/free-port';
import { printOnFailure } from '../support/on-failure';
import { useBaresipSuite } from '../support/baresip-suite';
import { startSoftphone } from '../support/softphone-process';

const suite = useBaresipSuite('baresip-hold-');
let bs: Baresip | undefined;

describe('hold at a real peer (baresip)', () => {
  it('call.hold stops the audio both ways at baresip, call.hold false brings it back', async () => {
    bs = await suite.start({ codec: 'PCMU', playWav: suite.toneB });
    printOnFailure(bs);
    const rtp = await freePortRange(10);
    const rec = join(suite.dir, 'we-heard.wav');
    const a = startSoftphone(
      ['call', bs.uri, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--play', suite.toneA, '--record', rec, '--duration', '60', '--log-level', 'debug'],
      { name: 'A', control: true },
    );
    printOnFailure(a);
    const callId = String((await a.waitFor('connected'))['callId']);
    const connectedAt = Date.now();
    await bs.waitForEvent('CALL_ESTABLISHED');
    // The phases' lengths are the point of this test, not a wait for an event.
    const phase = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await phase(2500);
    expect(await a.request('call.hold', { callId, hold: true })).toMatchObject({ ok: true, value: { hold: { local: true, remote: false } } });
    // From our `connected` to the hold's 200 OK: what baresip can have heard before its dump closes
    // (2.5 s idle; on a loaded machine the re-INVITE's round trip adds to it).
    const untilHeldSeconds = (Date.now() - connectedAt) / 1000;
    await phase(2500);
    expect(await a.request('call.hold', { callId, hold: false })).toMatchObject({ ok: true, value: { hold: { local: false, remote: false } } });
    await phase(2500);
    expect(await a.request('call.hangup', { callId })).toMatchObject({ ok: true });
    await bs.waitForEvent('CALL_CLOSED');
    await a.waitForExit(8000);
    // The call stayed up through both re-INVITEs until our hang-up.
    expect(a.all('ended')[0]).toMatchObject({ by: 'local' });
    // On the wire: baresip answered the hold re-INVITE recvonly and the resume sendrecv (RFC 3264 §8.4).
    const answers = [...a.stderr.matchAll(/<<< \S+ 200 OK\n[\s\S]*?CSeq: (\d+) INVITE[\s\S]*?a=(sendrecv|sendonly|recvonly|inactive)/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(answers.slice(-2)).toEqual(['2:recvonly', '3:sendrecv']);
    // We heard baresip's tone, nothing while held, then the tone again.
    const we = toneGap(rec, TONE_B_HZ);
    const msg = `we heard baresip (20 ms, # = tone): ${we.text}`;
    expect(we.gapSeconds, msg).toBeGreaterThan(1.8);
    expect(we.gapSeconds, msg).toBeLessThan(4);
    expect(we.before, msg).toBeGreaterThan(1.5);
    expect(we.after, msg).toBeGreaterThan(1.5);
    // baresip heard our tone until the hold and not during it: its dump stops at the hold (baresip
    // 1.0.0's sndfile closes it when the stream goes recvonly and opens no new one on resume, so the
    // tone after the resume is shown by the trace above and baresip's own sending, not by a dump).
    const dumps = bs.decodedDumps();
    expect(dumps.length, 'baresip wrote no recording').toBeGreaterThan(0);
    const heard = toneGap(dumps[0] as string, TONE_A_HZ);
    const toneSeconds = heard.text.split('').filter((c) => c === '#').length * 0.02;
    expect(toneSeconds, `baresip heard us: ${heard.text}`).toBeGreaterThan(1.5);
    // Not longer than the call was up before the hold, give or take a second of set-up and buffering.
    expect(toneSeconds, `baresip heard us (hold answered ${untilHeldSeconds.toFixed(2)} s after connected): ${heard.text}`).toBeLessThan(untilHeldSeconds + 1);
  }, 60_000);
});
