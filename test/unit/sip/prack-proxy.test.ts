// PRACK for reliable provisional responses as caller (RFC 3262), and in-dialog requests through the
// outbound proxy when it does not record-route (issue 10), on a recording transport and a fake clock.
import { beforeEach, describe, expect, it } from 'vitest';
import { UserAgentCore } from '../../../src-main/sip/user-agent-core';
import type { AccountSettings, Call, UserAgentConfig } from '../../../src-main/sip/user-agent-api';
import { FakeClock, FakeTransport, flush, peerSdp, RecordingMedia, silentLogger, type SentRecord } from './fake-sip-network';

let clock: FakeClock;
let net: FakeTransport;
let incoming: Call[];

const account: AccountSettings = {
  accountName: 'work',
  userId: 'alice',
  domain: 'example.com',
  password: 'secret',
  displayName: '',
  authorizationName: '',
  registerWithDomain: true,
  sendOutboundVia: 'proxy',
  proxyAddress: 'proxy.example.com:5070',
  dialPlan: '',
  registerExpires: 300,
};

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

const bobContact = [{ uri: 'sip:bob@203.0.113.5:5062', params: {} }];

function ok(rec: SentRecord, headers: Record<string, unknown> = {}): void {
  net.answer(rec, 200, { toTag: 'btag', headers: { contact: bobContact, 'content-type': 'application/sdp', ...headers }, content: peerSdp(30000) });
}

beforeEach(() => {
  clock = new FakeClock();
  net = new FakeTransport();
  incoming = [];
});

describe('PRACK (RFC 3262 §4)', () => {
  it('183 with Require: 100rel and RSeq gets a PRACK in its early dialog; repeats are not PRACKed; CSeq goes on after it', async () => {
    const ua = await makeUa();
    const call = ua.call('sip:bob@192.0.2.20');
    await flush();
    const inv = net.last('INVITE');
    const reliable = (status: number, rseq: string) =>
      net.answer(inv, status, { toTag: 'btag', headers: { require: '100rel', rseq, contact: bobContact, 'content-type': 'application/sdp' }, content: peerSdp(30000) });
    reliable(183, '1');
    await flush();
    const prack = net.last('PRACK');
    expect(prack.request.uri).toBe('sip:bob@203.0.113.5:5062');
    expect(prack.request.headers.rack).toBe('1 1 INVITE');
    expect(prack.request.headers.cseq).toEqual({ seq: 2, method: 'PRACK' });
    expect(prack.request.headers.to.params.tag).toBe('btag');
    expect(prack.request.headers['call-id']).toBe(inv.request.headers['call-id']);
    expect(call.state).toBe('ringing');
    net.answer(prack, 200);
    reliable(183, '1'); // a retransmission
    reliable(180, '3'); // out of order
    await flush();
    expect(net.requests('PRACK')).toHaveLength(1);
    reliable(180, '2');
    await flush();
    expect(net.requests('PRACK')).toHaveLength(2);
    expect(net.last('PRACK').request.headers).toMatchObject({ rack: '2 1 INVITE', cseq: { seq: 3, method: 'PRACK' } });
    ok(inv);
    await flush();
    expect(call.state).toBe('connected');
    expect(net.last('ACK').request.headers.cseq).toEqual({ seq: 1, method: 'ACK' });
    void call.hangup();
    await flush();
    expect(net.last('BYE').request.headers.cseq).toEqual({ seq: 4, method: 'BYE' });
  });

  it('an ordinary 183 (no Require: 100rel) gets no PRACK', async () => {
    const ua = await makeUa();
    ua.call('sip:bob@192.0.2.20');
    await flush();
    net.answer(net.last('INVITE'), 183, { toTag: 'btag', headers: { rseq: '1', contact: bobContact } });
    await flush();
    expect(net.requests('PRACK')).toHaveLength(0);
  });
});

describe('outbound proxy for in-dialog requests (issue 10)', () => {
  it('a proxy that does not record-route: ACK, re-INVITE and BYE go to it, Request-URI the Contact, Route <proxy;lr>', async () => {
    const ua = await makeUa({ account });
    const call = ua.call('bob');
    await flush();
    const inv = net.last('INVITE');
    ok(inv, { 'session-expires': '90;refresher=uac' });
    await flush();
    const proxy = { address: '198.51.100.2', port: 5070 };
    const route = [{ uri: 'sip:proxy.example.com:5070;lr', params: {} }];
    const ack = net.last('ACK');
    expect(ack.to).toEqual(proxy);
    expect(ack.request.uri).toBe('sip:bob@203.0.113.5:5062');
    expect(ack.request.headers.route).toEqual(route);
    await clock.advance(45_000);
    const refresh = net.last('INVITE');
    expect(refresh).not.toBe(inv);
    expect(refresh.to).toEqual(proxy);
    expect(refresh.request.headers.route).toEqual(route);
    void call.hangup();
    await flush();
    const bye = net.last('BYE');
    expect(bye.to).toEqual(proxy);
    expect(bye.request.uri).toBe('sip:bob@203.0.113.5:5062');
    expect(bye.request.headers.route).toEqual(route);
  });

  it('a proxy that record-routes: its route set is used, not the configured proxy', async () => {
    const ua = await makeUa({ account });
    ua.call('bob');
    await flush();
    ok(net.last('INVITE'), { 'record-route': [{ uri: 'sip:198.51.100.7:5080;lr', params: {} }] });
    await flush();
    const ack = net.last('ACK');
    expect(ack.to).toEqual({ address: '198.51.100.7', port: 5080 });
    expect(ack.request.headers.route?.map((r) => r.uri)).toEqual(['sip:198.51.100.7:5080;lr']);
  });

  it('without a proxy in the account, in-dialog requests still go straight to the Contact', async () => {
    const ua = await makeUa({ account: { ...account, sendOutboundVia: 'domain' } });
    ua.call('bob');
    await flush();
    ok(net.last('INVITE'));
    await flush();
    const ack = net.last('ACK');
    expect(ack.to).toEqual({ address: '203.0.113.5', port: 5062 });
    expect(ack.request.headers.route).toBeUndefined();
  });

  it('an incoming call from the proxy that did not record-route: our BYE goes back through it', async () => {
    await makeUa({ account });
    net.deliver(
      {
        method: 'INVITE',
        uri: 'sip:alice@192.0.2.10:5060',
        headers: {
          via: [{ version: '2.0', protocol: 'UDP', host: '198.51.100.2', port: 5070, params: { branch: 'z9hG4bKviaproxy' } }],
          to: { uri: 'sip:alice@example.com', params: {} },
          from: { uri: 'sip:kim@example.com', params: { tag: 'ktag' } },
          'call-id': 'from-proxy',
          cseq: { seq: 1, method: 'INVITE' },
          contact: [{ uri: 'sip:kim@203.0.113.77:5062', params: {} }],
          'content-type': 'application/sdp',
        },
        content: peerSdp(30000),
      },
      { address: '198.51.100.2', port: 5070 },
    );
    await flush();
    const call = incoming[0];
    if (!call) throw new Error(`no call (responses ${net.responses.map((r) => r.status).join(', ')})`);
    await call.answer();
    void call.hangup();
    await flush();
    const bye = net.last('BYE');
    expect(bye.to).toEqual({ address: '198.51.100.2', port: 5070 });
    expect(bye.request.uri).toBe('sip:kim@203.0.113.77:5062');
    expect(bye.request.headers.route).toEqual([{ uri: 'sip:proxy.example.com:5070;lr', params: {} }]);
  });
});
