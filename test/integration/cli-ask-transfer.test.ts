// Issue 11, --ask-transfer between two of our CLI processes over real UDP: A asks B (by REFER) to call C;
// B prints a transfer_request line and waits for call.transferReply on stdin. Decline: B dials nothing and
// A's transfer fails with the NOTIFY's "603 Declined" (RFC 3515 §2.4.5); accept: B calls C and A's
// transfer succeeds. Signalling only (no audio is checked).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startSoftphone, stopAllSoftphones, type SoftphoneProcess } from '../support/softphone-process';
import { TONE_A_HZ, makeTempDir, removeDir, writeToneWav } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';

let dir: string;
beforeAll(() => {
  dir = makeTempDir('cli-ask-transfer-');
});
afterEach(() => stopAllSoftphones());
afterAll(() => removeDir(dir));

async function listener(name: string, extra: string[]): Promise<{ p: SoftphoneProcess; uri: string }> {
  const port = await freeUdpPort();
  const rtp = await freePortRange(10);
  const p = startSoftphone(['listen', '--port', String(port), '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--auto-answer', '--play', writeToneWav(dir, TONE_A_HZ), '--loop', '--record', join(dir, `${name}.wav`), '--sip-t1', '100', ...extra], { name, control: true });
  printOnFailure(p);
  await p.waitFor('listening');
  return { p, uri: `sip:${name.toLowerCase()}@127.0.0.1:${port}` };
}

describe('CLI --ask-transfer', () => {
  it('transfer_request, then call.transferReply: decline sends 603 Declined and dials nothing; accept calls C', async () => {
    const b = await listener('B', ['--ask-transfer']);
    const c = await listener('C', []);
    const rtp = await freePortRange(10);
    const a = startSoftphone(['call', b.uri, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--play', writeToneWav(dir, 700), '--loop', '--record', join(dir, 'A.wav'), '--duration', '40', '--sip-t1', '100'], { name: 'A', control: true });
    printOnFailure(a);
    const callId = String((await a.waitFor('connected'))['callId']);
    const bCall = String((await b.p.waitFor('connected'))['callId']);

    expect(await a.request('call.transfer', { callId, target: c.uri })).toMatchObject({ ok: true });
    const asked = await b.p.waitFor('transfer_request');
    expect(asked).toMatchObject({ kind: 'refer', callId: bCall, target: c.uri });
    expect(String(asked['referredBy'])).toMatch(/^<sip:softphone@127\.0\.0\.1:\d+>$/);
    expect(await b.p.request('call.transferReply', { requestId: String(asked['requestId']), accept: false })).toMatchObject({ ok: true, value: { id: bCall } });
    expect(await a.waitFor('transfer', (e) => e['status'] === 'failed')).toMatchObject({ callId, code: 603, reason: '603 Declined' });
    expect(await b.p.waitFor('transfer_request_ended')).toMatchObject({ requestId: asked['requestId'], accepted: false, cause: 'user' });
    // Answered already: a second answer is refused.
    expect(await b.p.request('call.transferReply', { requestId: String(asked['requestId']), accept: true })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(b.p.all('transfer_call')).toHaveLength(0);

    expect(await a.request('call.transfer', { callId, target: c.uri })).toMatchObject({ ok: true });
    const again = await b.p.waitFor('transfer_request', (e) => e['requestId'] !== asked['requestId']);
    expect(await b.p.request('call.transferReply', { requestId: String(again['requestId']), accept: true })).toMatchObject({ ok: true });
    expect(await b.p.waitFor('transfer_call')).toMatchObject({ referredBy: bCall, uri: c.uri });
    await c.p.waitFor('connected');
    expect(await a.waitFor('transfer', (e) => e['status'] === 'succeeded')).toMatchObject({ callId, code: 200 });
    expect(await a.waitForExit(15_000)).toBe(0);
  }, 90_000);
});
