// `softphone call --dial-plan` (issue 11): a number goes through the X-Lite dial plan (the UI account's
// rules, sip/dial-target.ts) before it is dialled; SIPp as the callee, the request URI read off the wire.
// Signalling only (the call lasts 0.5 s, no audio is checked).
import { afterEach, describe, expect, it } from 'vitest';
import { freePortRange } from '../support/free-port';
import { printOnFailure } from '../support/on-failure';
import { skipWithoutRealPeer } from '../support/real-peer-gate';
import { sippMissing } from '../support/sipp';
import { startSippUas, type SippUas } from '../support/sipp-uas';
import { startSoftphone, stopAllSoftphones } from '../support/softphone-process';

const skip = skipWithoutRealPeer('SIPp', sippMissing());
let uas: SippUas | undefined;

afterEach(async () => {
  await stopAllSoftphones();
  uas?.kill();
  uas = undefined;
});

describe.skipIf(skip)('call --dial-plan', () => {
  it('"555-1234" with "xxxxxxx;match=1;pre=9;" is an INVITE to sip:95551234@ the domain', async () => {
    uas = await startSippUas('uas-basic.xml');
    const rtp = await freePortRange(10);
    const domain = `127.0.0.1:${uas.port}`;
    const a = startSoftphone(
      ['call', '555-1234', '--user', 'alice', '--domain', domain, '--no-register', '--dial-plan', 'xxxxxxx;match=1;pre=9;',
        '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`, '--record', '/dev/null', '--duration', '0.5', '--log-level', 'debug'],
      { name: 'call-dial-plan' },
    );
    printOnFailure(a);
    expect((await a.waitFor('calling'))['uri']).toBe(`sip:95551234@${domain}`);
    await a.waitFor('connected');
    expect(await a.waitForExit()).toBe(0);
    const r = await uas.done;
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);
    const invite = a.stderr.split('[sip-trace] ').find((m) => /^>>> \S+ INVITE\n/.test(m)) ?? '';
    expect(invite).toContain(`INVITE sip:95551234@${domain} SIP/2.0`);
  });

  it('refuses a dial plan it cannot read, and one without an account, before any socket', async () => {
    const bad = startSoftphone(['call', '5551234', '--user', 'alice', '--domain', '127.0.0.1', '--dial-plan', 'xx;match=1;bogus=2;'], { name: 'bad-plan' });
    expect(await bad.waitForExit()).toBe(2);
    expect(bad.stderr).toMatch(/--dial-plan/);
    const noUser = startSoftphone(['call', 'sip:b@127.0.0.1', '--dial-plan', 'x.;match=1;'], { name: 'plan-no-user' });
    expect(await noUser.waitForExit()).toBe(2);
    expect(noUser.stderr).toMatch(/--dial-plan needs --user/);
  });
});
