// Issue 11: message-waiting on the wire (RFC 3842 over RFC 6665). The app core with the real user agent
// registers with a scripted registrar on real UDP, SUBSCRIBEs to its mailbox (headers checked as they
// arrive), refreshes before the granted Expires, shows the counts of a real NOTIFY, accepts an unsolicited
// message-summary from the registrar, and un-SUBSCRIBEs (Expires: 0) when it shuts down. Signalling only.
import { afterEach, describe, expect, it } from 'vitest';
import type { AppCore } from '../../src-main/app-core/app-core';
import type { VoicemailStatus } from '../../src-main/ipc/contract';
import { freeUdpPort } from '../support/free-port';
import { methodOf, responseTo, startScriptedPeer, type ScriptedPeer } from '../support/scripted-sip-peer';
import { accountForm, startSignallingCore } from '../support/signalling-core';

const header = (msg: string, name: string): string | undefined =>
  msg.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim();
const isSubscribe = (m: string) => methodOf(m) === 'SUBSCRIBE';

function waitVoicemail(core: AppCore, match: (s: VoicemailStatus) => boolean, ms = 10_000): Promise<VoicemailStatus> {
  return new Promise((resolve, reject) => {
    if (match(core.snapshot().voicemail as VoicemailStatus)) return resolve(core.snapshot().voicemail as VoicemailStatus);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`voicemail never matched; last ${JSON.stringify(core.snapshot().voicemail)}`));
    }, ms);
    const off = core.on('voicemail.changed', (s) => {
      if (!match(s)) return;
      clearTimeout(timer);
      off();
      resolve(s);
    });
  });
}

describe('message-waiting against a registrar on real UDP', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  });

  it('SUBSCRIBEs, refreshes, shows the counts of a NOTIFY and of an unsolicited one, and un-SUBSCRIBEs at exit', async () => {
    let peer: ScriptedPeer | null = null;
    const vmTag = 'vm-tag-1';
    peer = await startScriptedPeer((req) => {
      const method = methodOf(req);
      if (method === 'REGISTER') return responseTo(req, 200, 'OK', [`Contact: ${header(req, 'Contact')};expires=600`]);
      // A 2 s subscription, so the refresh comes within the test (RFC 6665 §4.1.2.1: the 2xx may shorten it).
      if (method === 'SUBSCRIBE') {
        const expires = header(req, 'Expires') === '0' ? '0' : '2';
        return responseTo(req.replace(/^(To: .*)$/m, (to) => (/;tag=/.test(to) ? to : `${to};tag=${vmTag}`)), 200, 'OK', [`Expires: ${expires}`, `Contact: <sip:vm@127.0.0.1:${peer?.port}>`]);
      }
      return responseTo(req, 200, 'OK');
    });
    cleanups.push(() => peer?.close() ?? Promise.resolve());

    const sipPort = await freeUdpPort();
    const { core, api } = await startSignallingCore(sipPort);
    let shut = false;
    cleanups.push(async () => {
      if (!shut) await core.shutdown();
    });
    expect(core.snapshot().voicemail).toMatchObject({ subscription: 'off', waiting: null });
    const saved = await api.request('account.save', accountForm('Alice', 'alice', `127.0.0.1:${peer.port}`, { mwiSubscribe: true, voicemailNumber: '*97' }));
    expect(saved.ok).toBe(true);

    // The SUBSCRIBE as it arrived: to our own AOR, RFC 3842 §4 Event and Accept, a Contact for the dialog.
    const sub = await peer.waitFor(isSubscribe);
    expect(sub).toMatch(new RegExp(`^SUBSCRIBE sip:alice@127\\.0\\.0\\.1:${peer.port} SIP/2\\.0\\r\\n`));
    expect(header(sub, 'Event')).toBe('message-summary');
    expect(header(sub, 'Accept')).toBe('application/simple-message-summary');
    expect(header(sub, 'Expires')).toBe('3600');
    expect(header(sub, 'Contact')).toBe(`<sip:alice@127.0.0.1:${sipPort}>`);
    await waitVoicemail(core, (s) => s.subscription === 'pending' || s.subscription === 'active');

    // The NOTIFY, in the dialog the SUBSCRIBE made (RFC 6665 §4.1.3 / RFC 3842 §5.2 body).
    const callId = header(sub, 'Call-ID') as string;
    const body = 'Messages-Waiting: yes\r\nMessage-Account: sip:alice@vm.test\r\nVoice-Message: 2/8 (0/2)\r\n';
    await peer.send(
      [
        `NOTIFY sip:alice@127.0.0.1:${sipPort} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKmwi1`,
        `From: <sip:alice@127.0.0.1:${peer.port}>;tag=${vmTag}`,
        `To: ${header(sub, 'From')}`,
        `Call-ID: ${callId}`,
        'CSeq: 1 NOTIFY',
        `Contact: <sip:vm@127.0.0.1:${peer.port}>`,
        'Max-Forwards: 70',
        'Event: message-summary',
        'Subscription-State: active;expires=2',
        'Content-Type: application/simple-message-summary',
        `Content-Length: ${Buffer.byteLength(body)}`,
        '',
        body,
      ].join('\r\n'),
      sipPort,
    );
    const shown = await waitVoicemail(core, (s) => s.waiting === true);
    expect(shown).toMatchObject({ subscription: 'active', waiting: true, newMessages: 2, oldMessages: 8, urgentNew: 0, urgentOld: 2 });
    const ok = await peer.waitFor((m) => m.startsWith('SIP/2.0 200') && /CSeq: 1 NOTIFY/.test(m));
    expect(header(ok, 'Call-ID')).toBe(callId);

    // Refreshed inside the dialog before the 2 s ran out: same Call-ID, our tag and theirs, next CSeq.
    const refresh = await peer.waitFor((m) => isSubscribe(m) && m !== sub, 5000);
    expect(refresh).toMatch(/^SUBSCRIBE sip:vm@127\.0\.0\.1:\d+ SIP\/2\.0/);
    expect(header(refresh, 'Call-ID')).toBe(callId);
    expect(header(refresh, 'To')).toContain(`tag=${vmTag}`);
    expect(Number(header(refresh, 'CSeq')?.split(' ')[0])).toBe(Number(header(sub, 'CSeq')?.split(' ')[0]) + 1);

    // An unsolicited message-summary from the registrar (no dialog) updates the counts too.
    const body2 = 'Messages-Waiting: no\r\nVoice-Message: 0/10\r\n';
    await peer.send(
      [
        `NOTIFY sip:alice@127.0.0.1:${sipPort} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKmwi2`,
        `From: <sip:alice@127.0.0.1:${peer.port}>;tag=unsol`,
        `To: <sip:alice@127.0.0.1:${peer.port}>`,
        'Call-ID: unsolicited-mwi-1',
        'CSeq: 7 NOTIFY',
        'Max-Forwards: 70',
        'Event: message-summary',
        'Content-Type: application/simple-message-summary',
        `Content-Length: ${Buffer.byteLength(body2)}`,
        '',
        body2,
      ].join('\r\n'),
      sipPort,
    );
    await waitVoicemail(core, (s) => s.waiting === false && s.oldMessages === 10);

    // Exit: SUBSCRIBE with Expires: 0 in the dialog (RFC 6665 §4.1.2.3), then the un-REGISTER.
    const before = peer.received.length;
    shut = true;
    await core.shutdown();
    const after = peer.received.slice(before);
    const unsub = after.find((m) => isSubscribe(m) && header(m, 'Expires') === '0');
    expect(unsub).toBeDefined();
    expect(header(unsub as string, 'Call-ID')).toBe(callId);
    const unreg = after.findIndex((m) => methodOf(m) === 'REGISTER');
    expect(unreg).toBeGreaterThan(after.indexOf(unsub as string));
  });
});
