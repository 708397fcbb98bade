// Session timers (RFC 4028) in calls, both directions, on a recording transport and a fake clock:
// what goes on the wire when, 422 both ways, refreshes by re-INVITE, UPDATE answered, BYE at expiry.
import { beforeEach, describe, expect, it } from 'vitest';
import { UserAgentCore } from '../../../src-main/sip/user-agent-core';
import type { SipRequest } from '../../../src-main/sip/sip-message';
import type { Call, CallEndInfo, UserAgentConfig } from '../../../src-main/sip/user-agent-api';
import { FakeClock, FakeTransport, flush, peerSdp, RecordingMedia, silentLogger, type SentRecord } from './fake-sip-network';

let clock: FakeClock;
let net: FakeTransport;
let incoming: Call[];

async function makeUa(extra: Partial<UserAgentConfig> = {}): Promise<UserAgentCore> {
  let n = 0;
  const ua = new UserAgentCore({
    transport: net,
    clock,
    log: silentLogger,
    config: { port: 5060, userAgentName: 'unit', createMedia: () => new RecordingMedia(4000 + 2 * n++), ...extra },
  });
  ua.on('incoming', (c) => incoming.push(c));
  await ua.start();
  return ua;
}

function ended(call: Call): Promise<CallEndInfo> {
  return new Promise((resolve) => call.on('ended', resolve));
}

function ok(rec: SentRecord, headers: Record<string, unknown> = {}): void {
  net.answer(rec, 200, {
    toTag: 'btag',
    headers: { contact: [{ uri: 'sip:bob@203.0.113.5:5062', params: {} }], 'content-type': 'application/sdp', ...headers },
    content: peerSdp(30000),
  });
}

async function connectedCall(headers: Record<string, unknown>): Promise<{ call: Call; inv: SentRecord }> {
  const ua = await makeUa();
  const call = ua.call('sip:bob@192.0.2.20');
  await flush();
  const inv = net.last('INVITE');
  ok(inv, headers);
  await flush();
  expect(call.state).toBe('connected');
  return { call, inv };
}

/** A request from the peer (bob) in the dialog of our call `inv`. */
function fromPeer(inv: SentRecord, method: string, seq: number, headers: Record<string, string> = {}, content?: string): SipRequest {
  return {
    method,
    uri: 'sip:softphone@192.0.2.10:5060',
    headers: {
      via: [{ protocol: 'UDP', host: '203.0.113.5', port: 5062, params: { branch: `z9hG4bKpeer${method}${seq}` } }],
      to: { ...inv.request.headers.from },
      from: { uri: 'sip:bob@192.0.2.20', params: { tag: 'btag' } },
      'call-id': inv.request.headers['call-id'],
      cseq: { seq, method },
      contact: [{ uri: 'sip:bob@203.0.113.5:5062', params: {} }],
      ...headers,
      ...(content ? { 'content-type': 'application/sdp' } : {}),
    },
    ...(content ? { content } : {}),
  };
}

beforeEach(() => {
  clock = new FakeClock();
  net = new FakeTransport();
  incoming = [];
});

describe('session timers as caller', () => {
  it('the INVITE says Supported: 100rel, timer with Session-Expires 1800 and Min-SE 90', async () => {
    const ua = await makeUa();
    ua.call('sip:bob@192.0.2.20');
    await flush();
    const h = net.last('INVITE').request.headers;
    expect(h.supported).toBe('100rel, timer');
    expect(h['session-expires']).toBe('1800');
    expect(h['min-se']).toBe('90');
  });

  it('2xx with Require: timer, Session-Expires: 90;refresher=uac: a re-INVITE at 45 s, and again 45 s after its 2xx', async () => {
    const { call, inv } = await connectedCall({ require: 'timer', 'session-expires': '90;refresher=uac' });
    const t0 = clock.now();
    await clock.advance(44_999);
    expect(net.requests('INVITE')).toHaveLength(1);
    await clock.advance(1);
    const refresh = net.last('INVITE');
    expect(clock.now() - t0).toBe(45_000);
    expect(refresh.request.uri).toBe('sip:bob@203.0.113.5:5062');
    expect(refresh.request.headers.cseq).toEqual({ seq: 2, method: 'INVITE' });
    expect(refresh.request.headers.to.params.tag).toBe('btag');
    expect(refresh.request.headers['session-expires']).toBe('90;refresher=uac');
    expect(refresh.request.headers['min-se']).toBe('90');
    expect(refresh.request.headers.supported).toBe('100rel, timer');
    expect(refresh.request.headers.contact).toEqual(inv.request.headers.contact);
    // Same session, same description: the o= version does not move (RFC 3264 §8).
    expect(refresh.request.content).toBe(inv.request.content);
    net.answer(refresh, 200, { toTag: 'btag', headers: { 'session-expires': '90;refresher=uac', 'content-type': 'application/sdp' }, content: peerSdp(30000) });
    await flush();
    expect(net.last('ACK').request.headers.cseq).toEqual({ seq: 2, method: 'ACK' });
    await clock.advance(45_000);
    expect(net.last('INVITE').request.headers.cseq.seq).toBe(3);
    expect(call.state).toBe('connected');
    expect(net.requests('BYE')).toHaveLength(0);
  });

  it('refresher=uas and the peer never refreshes: BYE 60 s into a 90 s session (§10)', async () => {
    const { call } = await connectedCall({ require: 'timer', 'session-expires': '90;refresher=uas' });
    const end = ended(call);
    await clock.advance(59_999);
    expect(net.requests('BYE')).toHaveLength(0);
    await clock.advance(1);
    expect(net.requests('BYE')).toHaveLength(1);
    expect(net.requests('INVITE')).toHaveLength(1);
    expect(await end).toMatchObject({ reason: 'session expired: no session refresh (RFC 4028)', by: 'error' });
  });

  it("the peer's refresh (UPDATE without SDP) is answered 200 and restarts the timer; a 2xx without Session-Expires means no timer", async () => {
    const { call, inv } = await connectedCall({ 'session-expires': '90;refresher=uas' });
    await clock.advance(40_000);
    net.deliver(fromPeer(inv, 'UPDATE', 1, { 'session-expires': '90;refresher=uac', supported: 'timer' }));
    const res = net.lastResponse();
    expect(res.status).toBe(200);
    expect(res.headers['session-expires']).toBe('90;refresher=uac');
    expect(res.headers.require).toBe('timer');
    expect(res.headers.contact).toEqual(inv.request.headers.contact);
    await clock.advance(59_999);
    expect(net.requests('BYE')).toHaveLength(0);
    await clock.advance(1);
    expect(net.requests('BYE')).toHaveLength(1);
    expect(call.state).toBe('ended');

    net.sent.length = 0;
    const quiet = await connectedCall({});
    await clock.advance(3_600_000);
    expect(net.requests('BYE')).toHaveLength(0);
    expect(net.requests('INVITE')).toHaveLength(1);
    expect(quiet.call.state).toBe('connected');
  });

  it('an UPDATE with an SDP offer gets 200 with our answer; a re-INVITE asking for 30 s gets 422 Min-SE 90', async () => {
    const { call, inv } = await connectedCall({});
    net.deliver(fromPeer(inv, 'UPDATE', 1, { supported: 'timer' }, peerSdp(36000, 'sendrecv', '203.0.113.42')));
    await flush();
    const res = net.lastResponse();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/sdp');
    expect(res.content).toMatch(/\r\nm=audio 4000 RTP\/AVP 8 0 101\r\n/); // every G.711 format of the offer, ours first
    expect(res.headers['session-expires']).toBeUndefined();
    net.deliver(fromPeer(inv, 'INVITE', 2, { 'session-expires': '30' }, peerSdp(36000)));
    expect(net.lastResponse().status).toBe(422);
    expect(net.lastResponse().headers['min-se']).toBe('90');
    expect(call.state).toBe('connected');
  });

  it('a refresh answered 481 ends the call with BYE (§10); one answered 491 is tried again', async () => {
    const { call } = await connectedCall({ 'session-expires': '90;refresher=uac' });
    const end = ended(call);
    await clock.advance(45_000);
    net.answer(net.last('INVITE'), 491);
    await clock.advance(2_100);
    const again = net.last('INVITE');
    expect(again.request.headers.cseq.seq).toBe(3);
    net.answer(again, 481);
    await flush();
    expect(net.requests('BYE')).toHaveLength(1);
    expect(await end).toMatchObject({ reason: 'session refresh failed: 481 Call/Transaction Does Not Exist', by: 'error' });
  });

  it('422 with Min-SE: INVITE again with that interval (CSeq + 1); a 422 asking for nothing more ends the call', async () => {
    const ua = await makeUa();
    const call = ua.call('sip:bob@192.0.2.20');
    const end = ended(call);
    await flush();
    const first = net.last('INVITE');
    net.answer(first, 422, { toTag: 'x', headers: { 'min-se': '3600' } });
    await flush();
    const second = net.last('INVITE');
    expect(second).not.toBe(first);
    expect(second.request.headers.cseq.seq).toBe(2);
    expect(second.request.headers['session-expires']).toBe('3600');
    expect(second.request.headers['min-se']).toBe('3600');
    net.answer(second, 422, { toTag: 'x', headers: { 'min-se': '3600' } });
    expect(await end).toMatchObject({ status: 422, by: 'remote' });
    expect(net.requests('INVITE')).toHaveLength(2);
  });
});

describe('session timers as callee', () => {
  function invite(headers: Record<string, string>, callId = 'st-1'): SipRequest {
    return {
      method: 'INVITE',
      uri: 'sip:softphone@192.0.2.10:5060',
      headers: {
        via: [{ version: '2.0', protocol: 'UDP', host: '203.0.113.5', port: 5062, params: { branch: `z9hG4bK${callId}` } }],
        to: { uri: 'sip:softphone@192.0.2.10', params: {} },
        from: { uri: 'sip:kim@203.0.113.5:5062', params: { tag: 'ktag' } },
        'call-id': callId,
        cseq: { seq: 1, method: 'INVITE' },
        contact: [{ uri: 'sip:kim@203.0.113.5:5062', params: {} }],
        'content-type': 'application/sdp',
        ...headers,
      },
      content: peerSdp(30000),
    };
  }

  it('Session-Expires below 90 s: 422 with Min-SE 90, and nothing rings', async () => {
    await makeUa();
    net.deliver(invite({ 'session-expires': '60', supported: 'timer' }));
    await flush();
    expect(net.responses.map((r) => r.status)).toEqual([100, 422]);
    expect(net.lastResponse().headers['min-se']).toBe('90');
    expect(incoming).toHaveLength(0);
  });

  it('Require: timer no longer gets 420: the 200 carries Session-Expires and Require, and we refresh at half', async () => {
    await makeUa();
    net.deliver(invite({ require: 'timer', supported: 'timer', 'session-expires': '90' }));
    await flush();
    const call = incoming[0];
    if (!call) throw new Error(`no call (responses ${net.responses.map((r) => r.status).join(', ')})`);
    await call.answer();
    const ok200 = net.lastResponse(200);
    expect(ok200.headers['session-expires']).toBe('90;refresher=uas');
    expect(ok200.headers.require).toBe('timer');
    expect(ok200.headers.supported).toBe('100rel, timer');
    net.deliver({ ...invite({}), method: 'ACK', headers: { ...invite({}).headers, to: ok200.headers.to, cseq: { seq: 1, method: 'ACK' } } });
    await clock.advance(45_000);
    const refresh = net.last('INVITE');
    expect(refresh.request.uri).toBe('sip:kim@203.0.113.5:5062');
    expect(refresh.request.headers.cseq).toEqual({ seq: 1, method: 'INVITE' });
    expect(refresh.request.headers['session-expires']).toBe('90;refresher=uac');
    expect(refresh.request.headers.from.params.tag).toBe(ok200.headers.to.params.tag);
  });
});
