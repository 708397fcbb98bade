// Session refresh by UPDATE (RFC 4028 §7.4 with RFC 3311) on a recording transport and a fake clock: used
// when the peer's Allow lists UPDATE, re-INVITE after a 405/501, as caller and as callee.
import { beforeEach, describe, expect, it } from 'vitest';
import { UserAgentCore } from '../../../src-main/sip/user-agent-core';
import type { SipRequest } from '../../../src-main/sip/sip-message';
import type { Call, CallEndInfo } from '../../../src-main/sip/user-agent-api';
import { FakeClock, FakeTransport, flush, peerSdp, RecordingMedia, silentLogger, type SentRecord } from './fake-sip-network';

let clock: FakeClock;
let net: FakeTransport;
let incoming: Call[];

async function makeUa(): Promise<UserAgentCore> {
  let n = 0;
  const ua = new UserAgentCore({
    transport: net,
    clock,
    log: silentLogger,
    config: { port: 5060, userAgentName: 'unit', createMedia: () => new RecordingMedia(4000 + 2 * n++) },
  });
  ua.on('incoming', (c) => incoming.push(c));
  await ua.start();
  return ua;
}

async function connectedCall(headers: Record<string, unknown>): Promise<{ call: Call; inv: SentRecord }> {
  const ua = await makeUa();
  const call = ua.call('sip:bob@192.0.2.20');
  await flush();
  const inv = net.last('INVITE');
  net.answer(inv, 200, {
    toTag: 'btag',
    headers: { contact: [{ uri: 'sip:bob@203.0.113.5:5062', params: {} }], 'content-type': 'application/sdp', ...headers },
    content: peerSdp(30000),
  });
  await flush();
  expect(call.state).toBe('connected');
  return { call, inv };
}

const withUpdate = { allow: 'INVITE, ACK, CANCEL, BYE, UPDATE', require: 'timer', 'session-expires': '90;refresher=uac' };

beforeEach(() => {
  clock = new FakeClock();
  net = new FakeTransport();
  incoming = [];
});

describe('refresh by UPDATE as caller', () => {
  it("the peer's 2xx allows UPDATE: at 45 s an UPDATE without SDP (Session-Expires, Min-SE, Contact), no re-INVITE; its 2xx restarts the timer", async () => {
    const { call, inv } = await connectedCall(withUpdate);
    await clock.advance(44_999);
    expect(net.requests('UPDATE')).toHaveLength(0);
    await clock.advance(1);
    const update = net.last('UPDATE');
    expect(update.request.uri).toBe('sip:bob@203.0.113.5:5062');
    expect(update.request.headers.cseq).toEqual({ seq: 2, method: 'UPDATE' });
    expect(update.request.headers.to.params.tag).toBe('btag');
    expect(update.request.headers['session-expires']).toBe('90;refresher=uac');
    expect(update.request.headers['min-se']).toBe('90');
    expect(update.request.headers.supported).toBe('100rel, timer');
    expect(update.request.headers.contact).toEqual(inv.request.headers.contact);
    expect(update.request.content ?? '').toBe('');
    expect(update.request.headers['content-type']).toBeUndefined();
    // UPDATE is a target refresh (RFC 3311 §5.1): the Contact of its 2xx is where the next request goes.
    net.answer(update, 200, { toTag: 'btag', headers: { 'session-expires': '90;refresher=uac', require: 'timer', contact: [{ uri: 'sip:bob@203.0.113.77:5062', params: {} }] } });
    await flush();
    expect(net.requests('ACK')).toHaveLength(1); // only the INVITE's: an UPDATE is not ACKed
    await clock.advance(44_999);
    expect(net.requests('UPDATE')).toHaveLength(1);
    await clock.advance(1);
    expect(net.last('UPDATE').request.headers.cseq.seq).toBe(3);
    expect(net.last('UPDATE').request.uri).toBe('sip:bob@203.0.113.77:5062');
    expect(net.requests('INVITE')).toHaveLength(1);
    expect(net.requests('BYE')).toHaveLength(0);
    expect(call.state).toBe('connected');
  });

  it('UPDATE answered 501 (or 405): the same refresh again at once as a re-INVITE with our SDP, and re-INVITEs from then on', async () => {
    const { call, inv } = await connectedCall(withUpdate);
    await clock.advance(45_000);
    net.answer(net.last('UPDATE'), 501);
    await flush();
    const reinvite = net.last('INVITE');
    expect(reinvite).not.toBe(inv);
    expect(reinvite.request.headers.cseq).toEqual({ seq: 3, method: 'INVITE' });
    expect(reinvite.request.headers['session-expires']).toBe('90;refresher=uac');
    expect(reinvite.request.content).toBe(inv.request.content);
    net.answer(reinvite, 200, { toTag: 'btag', headers: { 'session-expires': '90;refresher=uac', 'content-type': 'application/sdp' }, content: peerSdp(30000) });
    await clock.advance(45_000);
    expect(net.requests('UPDATE')).toHaveLength(1);
    expect(net.last('INVITE').request.headers.cseq.seq).toBe(4);
    expect(call.state).toBe('connected');
  });

  it('an UPDATE refresh that times out (408) ends the call with BYE (§10); without Allow: UPDATE the refresh is a re-INVITE', async () => {
    const { call } = await connectedCall(withUpdate);
    const end = new Promise<CallEndInfo>((resolve) => call.on('ended', resolve));
    await clock.advance(45_000);
    net.timeout(net.last('UPDATE'));
    await flush();
    expect(net.requests('BYE')).toHaveLength(1);
    expect(await end).toMatchObject({ reason: 'session refresh failed: no answer', by: 'error' });

    net.sent.length = 0;
    await connectedCall({ require: 'timer', 'session-expires': '90;refresher=uac', allow: 'INVITE, ACK, CANCEL, BYE' });
    await clock.advance(45_000);
    expect(net.requests('UPDATE')).toHaveLength(0);
    expect(net.requests('INVITE')).toHaveLength(2);
  });
});

describe('refresh by UPDATE as callee', () => {
  it("the caller's INVITE allows UPDATE and leaves the refresh to us: an UPDATE to its Contact at half the interval", async () => {
    await makeUa();
    const invite: SipRequest = {
      method: 'INVITE',
      uri: 'sip:softphone@192.0.2.10:5060',
      headers: {
        via: [{ version: '2.0', protocol: 'UDP', host: '203.0.113.5', port: 5062, params: { branch: 'z9hG4bKupd1' } }],
        to: { uri: 'sip:softphone@192.0.2.10', params: {} },
        from: { uri: 'sip:kim@203.0.113.5:5062', params: { tag: 'ktag' } },
        'call-id': 'upd-1',
        cseq: { seq: 1, method: 'INVITE' },
        contact: [{ uri: 'sip:kim@203.0.113.5:5062', params: {} }],
        allow: 'INVITE, ACK, BYE, UPDATE',
        supported: 'timer',
        'session-expires': '90',
        'content-type': 'application/sdp',
      },
      content: peerSdp(30000),
    };
    net.deliver(invite);
    await flush();
    const call = incoming[0];
    if (!call) throw new Error('no call');
    await call.answer();
    const ok = net.lastResponse(200);
    expect(ok.headers['session-expires']).toBe('90;refresher=uas');
    net.deliver({ ...invite, method: 'ACK', headers: { ...invite.headers, to: ok.headers.to, cseq: { seq: 1, method: 'ACK' } } });
    await clock.advance(45_000);
    const update = net.last('UPDATE');
    expect(update.request.uri).toBe('sip:kim@203.0.113.5:5062');
    expect(update.request.headers.cseq).toEqual({ seq: 1, method: 'UPDATE' });
    expect(update.request.headers['session-expires']).toBe('90;refresher=uac');
    expect(net.requests('INVITE')).toHaveLength(0);
  });
});
