// Issue 11 against SIPp: keys received as SIP INFO (dtmf-relay and dtmf answered 200 and printed by
// `listen` as dtmf lines, another body type 415), and do-not-disturb answering INVITEs with the chosen
// 486 or 480 on the wire, without ringing. Signalling only (no audio is checked).
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, freePortRange } from '../support/free-port';
import { printOnFailure } from '../support/on-failure';
import { skipWithoutRealPeer } from '../support/real-peer-gate';
import { runSipp, sippMissing } from '../support/sipp';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';

const skip = skipWithoutRealPeer('SIPp', sippMissing());

afterEach(async () => {
  await stopAllSoftphones();
});

/** Our SIP trace (stderr at --log-level debug), one entry per message. */
function traceOf(stderr: string): string[] {
  return stderr.split('[sip-trace] ').slice(1);
}

describe.skipIf(skip)('DTMF in SIP INFO and do-not-disturb, against SIPp', () => {
  it('INFO keys are answered 200 and printed as dtmf lines; another body type gets 415', async () => {
    const port = await freePort();
    const rtp = await freePortRange(10);
    const l = startSoftphone(['listen', '--bind', '127.0.0.1', '--port', String(port), '--rtp-ports', `${rtp.min}-${rtp.max}`, '--record', '/dev/null', '--auto-answer', '--max-calls', '1', '--sip-t1', '100'], { name: 'listen-info' });
    printOnFailure(l);
    await l.waitFor('listening');
    const r = await runSipp('uac-dtmf-info.xml', port);
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);
    await l.waitFor('ended', undefined, 10_000);
    expect(await l.waitForExit()).toBe(0);
    const keys = l.all('dtmf').map((e) => `${String(e['digit'])}/${String(e['via'])}`);
    expect(keys).toEqual(['5/info', '7/info']);
    expect(l.all('dtmf')[0]?.['callId']).toBe(l.all('connected')[0]?.['callId']);
  });

  it.each([486, 480] as const)('--dnd %i: the INVITE is answered with that status at once, nothing rings, no call is reported', async (status) => {
    const port = await freePort();
    const l = startSoftphone(['listen', '--bind', '127.0.0.1', '--port', String(port), '--record', '/dev/null', '--dnd', String(status), '--log-level', 'debug'], { name: `listen-dnd-${status}` });
    printOnFailure(l);
    await l.waitFor('listening');
    const r = await runSipp('uac-dnd.xml', port);
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);
    const dnd = await l.waitFor('dnd');
    expect(dnd['status']).toBe(status);
    expect(String(dnd['from'])).toMatch(/^sip:sipp@127\.0\.0\.1:\d+$/);
    const sent = traceOf(l.stderr).filter((m) => m.startsWith('>>> '));
    const finals = sent.map((m) => /^>>> \S+ (\d{3}) /.exec(m)?.[1]).filter((s): s is string => s !== undefined);
    expect(finals.filter((s) => s !== '100')).toEqual([String(status)]);
    expect(l.all('incoming')).toHaveLength(0);
  });
});
