// Transfer with an independent peer (Debian's baresip 1.0.0), as a user would meet it: our blind
// transfer of a call with baresip (baresip acts on our REFER and calls the target), and baresip's
// transfer of its call with us (we act on its REFER with --accept-transfer). Checked by the events of
// each side and by the third party hearing the transferred party's tone.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TONE_B_HZ, describeReport, toneReport } from '../support/audio-check';
import { type Baresip } from '../support/baresip';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { printOnFailure } from '../support/on-failure';
import { useBaresipSuite } from '../support/baresip-suite';
import { startSoftphone, type SoftphoneProcess } from '../support/softphone-process';

const suite = useBaresipSuite('baresip-transfer-');
let bs: Baresip | undefined;

/** `softphone listen --auto-answer`, playing `tone`, recording into `rec`. */
async function listener(name: string, tone: string, rec: string, extra: string[]): Promise<{ p: SoftphoneProcess; uri: string }> {
  const port = await freeUdpPort();
  const rtp = await freePortRange(10);
  const p = startSoftphone(
    ['listen', '--port', String(port), '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--auto-answer', '--play', tone, '--loop', '--record', rec, ...extra],
    { name, control: true },
  );
  printOnFailure(p);
  await p.waitFor('listening');
  return { p, uri: `sip:${name.toLowerCase()}@127.0.0.1:${port}` };
}

const phase = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('transfer with a real peer (baresip)', () => {
  it('we transfer our call with baresip to C (REFER): baresip calls C, C hears baresip, we hang up after its 2xx NOTIFY', async () => {
    bs = await suite.start({ codec: 'PCMU', playWav: suite.toneB });
    printOnFailure(bs);
    const recC = join(suite.dir, 'c-heard.wav');
    const c = await listener('C', suite.toneA, recC, ['--max-calls', '1']);
    const rtp = await freePortRange(10);
    const a = startSoftphone(['call', bs.uri, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--record', join(suite.dir, 'a.wav'), '--duration', '60'], { name: 'A', control: true });
    printOnFailure(a);
    const callId = String((await a.waitFor('connected'))['callId']);
    await bs.waitForEvent('CALL_ESTABLISHED');
    expect(await a.request('call.transfer', { callId, target: c.uri })).toMatchObject({ ok: true });
    const incoming = await c.p.waitFor('incoming');
    expect(String(incoming['from'])).toContain('127.0.0.1');
    await c.p.waitFor('connected');
    expect(await a.waitFor('transfer', (e) => e['status'] === 'succeeded' || e['status'] === 'failed')).toMatchObject({ callId, status: 'succeeded', code: 200 });
    expect(a.all('transfer').map((e) => e['status'])).toContain('accepted');
    expect(await a.waitFor('ended')).toMatchObject({ callId, by: 'local' });
    await phase(2000);
    expect(await c.p.request('call.hangup', { callId: String(incoming['callId']) })).toMatchObject({ ok: true });
    expect(await c.p.waitForExit(10_000)).toBe(0);
    const heard = toneReport(recC, TONE_B_HZ);
    console.log(describeReport('C heard baresip after our transfer', heard));
    expect(heard.coverage, describeReport('C', heard)).toBeGreaterThan(0.9);
  }, 60_000);

  it('baresip transfers its call with us to C: we answer its REFER 202, call C and NOTIFY; C hears us', async () => {
    bs = await suite.start({ codec: 'PCMU', playWav: suite.toneA });
    printOnFailure(bs);
    const recC = join(suite.dir, 'c2-heard.wav');
    const b = await listener('B', suite.toneB, join(suite.dir, 'b.wav'), ['--accept-transfer']);
    const c = await listener('C', suite.toneA, recC, ['--max-calls', '1']);
    await bs.dial(b.uri);
    const first = await b.p.waitFor('connected');
    await bs.waitForEvent('CALL_ESTABLISHED');
    await bs.command('transfer', c.uri);
    const placed = await b.p.waitFor('transfer_call');
    expect(placed).toMatchObject({ referredBy: first['callId'], uri: c.uri });
    await c.p.waitFor('connected');
    await b.p.waitFor('connected', (e) => e['callId'] === placed['callId']);
    // Our NOTIFY with the 200 sipfrag told baresip the transfer worked: it ends its call, with that reason.
    expect(await bs.waitForEvent('CALL_CLOSED')).toMatchObject({ param: 'Call transfered' });
    expect(await b.p.waitFor('ended', (e) => e['callId'] === first['callId'])).toMatchObject({ by: 'remote' });
    await phase(2000);
    expect(await b.p.request('call.hangup', { callId: String(placed['callId']) })).toMatchObject({ ok: true });
    expect(await c.p.waitForExit(10_000)).toBe(0);
    const heard = toneReport(recC, TONE_B_HZ);
    console.log(describeReport('C heard us after baresip transferred us', heard));
    expect(heard.coverage, describeReport('C', heard)).toBeGreaterThan(0.9);
  }, 60_000);
});
