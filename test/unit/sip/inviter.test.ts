// Outgoing calls through the user agent core, on a recording transport and a fake clock.
import { beforeEach, describe, expect, it } from 'vitest';
import { UserAgentCore } from '../../../src-main/sip/user-agent-core';
import type { AccountSettings, Call, CallEndInfo, UserAgentConfig } from '../../../src-main/sip/user-agent-api';
import { FakeClock, FakeTransport, flush, peerSdp, RecordingMedia, silentLogger, type SentRecord } from './fake-sip-network';

let clock: FakeClock;
let net: FakeTransport;
let media: RecordingMedia[];

const account: AccountSettings = {
  accountName: 'work',
  userId: 'alice',
  domain: 'example.com',
  password: 'secret',
  displayName: 'Alice',
  authorizationName: '',
  registerWithDomain: true,
  sendOutboundVia: 'domain',
  proxyAddress: '',
  dialPlan: '',
  registerExpires: 300,
};

async function makeUa(extra: Partial<UserAgentConfig> = {}): Promise<UserAgentCore> {
  const ua = new UserAgentCore({
    transport: net,
    clock,
    log: silentLogger,
    config: {
      port: 5060,
      userAgentName: 'unit',
      createMedia: () => {
        const m = new RecordingMedia(4000 + media.length * 2);
        media.push(m);
        return m;
      },
      ...extra,
    },
  });
  await ua.start();
  return ua;
}

function ended(call: Call): Promise<CallEndInfo> {
  return new Promise((resolve) => call.on('ended', resolve));
}

function ok(rec: SentRecord, extra: Record<string, unknown> = {}): void {
  net.answer(rec, 200, {
    toTag: 'btag',
    headers: { contact: [{ uri: 'sip:bob@203.0.113.5:5062', params: {} }], 'content-type': 'application/sdp', ...extra },
    content: peerSdp(30000),
  });
}

beforeEach(() => {
  clock = new FakeClock();
  net = new FakeTransport();
  media = [];
});

describe('outgoing call', () => {
  it('INVITE carries our identity, Contact, Max-Forwards 70 and an SDP offer with the media port', async () => {
    const ua = await makeUa({ account });
    const call = ua.call('bob');
    await flush();
    const inv = net.last('INVITE');
    expect(inv.request.uri).toBe('sip:bob@example.com');
    expect(inv.to).toEqual({ address: '198.51.100.1', port: 5060 });
    expect(inv.request.headers.from.uri).toBe('sip:alice@example.com');
    expect(inv.request.headers.from.name).toBe('"Alice"');
    expect(inv.request.headers.from.params.tag).toMatch(/^[0-9a-f]{16}$/);
    expect(inv.request.headers.to).toEqual({ uri: 'sip:bob@example.com', params: {} });
    expect(inv.request.headers['call-id']).toBe(call.id);
    expect(inv.request.headers.cseq).toEqual({ seq: 1, method: 'INVITE' });
    expect(inv.request.headers['max-forwards']).toBe(70);
    expect(inv.request.headers['user-agent']).toBe('unit');
    expect(inv.request.headers.contact).toEqual([{ uri: 'sip:alice@192.0.2.10:5060', params: {} }]);
    expect(inv.request.headers.route).toBeUndefined();
    expect(inv.request.content).toMatch(/\r\nm=audio 4000 RTP\/AVP 0 8 101\r\n/);
    expect(inv.request.content).toMatch(/\r\nc=IN IP4 192\.0\.2\.10\r\n/);
    expect(call.state).toBe('calling');
  });

  it('via proxy: Route <proxy;lr> and sent to the proxy; a direct IP target skips it', async () => {
    const ua = await makeUa({ account: { ...account, sendOutboundVia: 'proxy', proxyAddress: 'proxy.example.com:5070' } });
    ua.call('bob');
    await flush();
    const viaProxy = net.last('INVITE');
    expect(viaProxy.request.uri).toBe('sip:bob@example.com');
    expect(viaProxy.request.headers.route).toEqual([{ uri: 'sip:proxy.example.com:5070;lr', params: {} }]);
    expect(viaProxy.to).toEqual({ address: '198.51.100.2', port: 5070 });
    ua.call('sip:carol@192.0.2.44:5062');
    await flush();
    const direct = net.last('INVITE');
    expect(direct.request.headers.route).toBeUndefined();
    expect(direct.to).toEqual({ address: '192.0.2.44', port: 5062 });
  });

  it('180 -> ringing, 2xx -> ACK to the Contact through the reversed Record-Route, media started with the answer', async () => {
    const ua = await makeUa({ account });
    const call = ua.call('bob');
    const states: string[] = [];
    call.on('state', (s) => states.push(s));
    await flush();
    const inv = net.last('INVITE');
    net.answer(inv, 100);
    net.answer(inv, 180, { toTag: 'btag' });
    expect(call.state).toBe('ringing');
    ok(inv, {
      'record-route': [
        { uri: 'sip:p2.example.com;lr', params: {} },
        { uri: 'sip:198.51.100.9;lr', params: {} },
      ],
    });
    await flush();
    expect(states).toEqual(['ringing', 'connected']);
    const ack = net.last('ACK');
    expect(ack.request.uri).toBe('sip:bob@203.0.113.5:5062');
    expect(ack.request.headers.cseq).toEqual({ seq: 1, method: 'ACK' });
    expect(ack.request.headers.to.params.tag).toBe('btag');
    expect(ack.request.headers.route?.map((r) => r.uri)).toEqual(['sip:198.51.100.9;lr', 'sip:p2.example.com;lr']);
    expect(ack.to).toEqual({ address: '198.51.100.9', port: 5060 });
    expect(media[0]?.started).toMatchObject({ remoteAddress: '203.0.113.5', remotePort: 30000, codec: 'PCMA', payloadType: 8, telephoneEventPayloadType: 101 });

    // A retransmitted 2xx (our ACK was lost) is ACKed again; a 180 overtaken by the 2xx changes nothing.
    ok(inv);
    expect(ack.resends).toBe(1);
    net.answer(inv, 180, { toTag: 'btag' });
    expect(call.state).toBe('connected');

    const done = call.hangup();
    await flush();
    const bye = net.last('BYE');
    expect(bye.request.headers.cseq).toEqual({ seq: 2, method: 'BYE' });
    expect(bye.request.uri).toBe('sip:bob@203.0.113.5:5062');
    const info = await done;
    expect(info).toMatchObject({ reason: 'hung up', by: 'local' });
    expect(info.stats?.packetsSent).toBe(7);
    expect(media[0]?.closed).toBe(true);
  });

  it('407: INVITE again with Proxy-Authorization, CSeq + 1, same Call-ID and From tag', async () => {
    const ua = await makeUa({ account });
    ua.call('bob');
    await flush();
    const first = net.last('INVITE');
    net.answer(first, 407, {
      toTag: 'px',
      headers: { 'proxy-authenticate': [{ scheme: 'Digest', realm: '"example.com"', nonce: '"abc"', algorithm: 'MD5' }] },
    });
    await flush();
    const second = net.last('INVITE');
    expect(second).not.toBe(first);
    expect(second.request.headers.cseq.seq).toBe(2);
    expect(second.request.headers['call-id']).toBe(first.request.headers['call-id']);
    expect(second.request.headers.from.params.tag).toBe(first.request.headers.from.params.tag);
    expect(second.request.headers['proxy-authorization']?.[0]).toMatchObject({ scheme: 'Digest', username: '"alice"', nonce: '"abc"', uri: '"sip:bob@example.com"' });
  });

  it('a second 407 ends the call asking about the password', async () => {
    const ua = await makeUa({ account });
    const call = ua.call('bob');
    const end = ended(call);
    await flush();
    const challenge = { 'proxy-authenticate': [{ scheme: 'Digest', realm: '"example.com"', nonce: '"abc"' }] };
    net.answer(net.last('INVITE'), 407, { headers: challenge });
    await flush();
    net.answer(net.last('INVITE'), 407, { headers: challenge });
    expect(await end).toMatchObject({ reason: '407 Proxy Authentication Required (wrong password?)', status: 407, by: 'remote' });
  });

  describe('the password only for the account (issue 9)', () => {
    const foreign = { 'proxy-authenticate': [{ scheme: 'Digest', realm: '"attacker.example"', nonce: '"chosen"', algorithm: 'MD5' }] };
    const ours = { 'proxy-authenticate': [{ scheme: 'Digest', realm: '"example.com"', nonce: '"chosen"', algorithm: 'MD5' }] };
    const authorized = () => net.requests('INVITE').filter((r) => r.request.headers['proxy-authorization'] || r.request.headers.authorization);

    it('a 407 for a foreign realm from the registrar: no retry, the call ends saying why', async () => {
      const ua = await makeUa({ account });
      const call = ua.call('bob');
      const end = ended(call);
      await flush();
      net.answer(net.last('INVITE'), 407, { headers: foreign });
      expect(await end).toMatchObject({ reason: 'not sending your password to example.com: realm "attacker.example" is not your account\'s', status: 407 });
      expect(net.requests('INVITE')).toHaveLength(1);
    });

    it('a dialled sip:evil@host answering 407 for our own realm gets nothing either', async () => {
      const ua = await makeUa({ account });
      const call = ua.call('sip:evil@192.0.2.66:5080');
      const end = ended(call);
      await flush();
      expect(net.last('INVITE').to).toEqual({ address: '192.0.2.66', port: 5080 });
      net.answer(net.last('INVITE'), 407, { headers: ours });
      expect((await end).reason).toBe("not sending your password to 192.0.2.66:5080: it is not your account's registrar or outbound proxy");
      expect(authorized()).toEqual([]);
    });

    it('a 302 to a foreign host, which then challenges: no Authorization goes there', async () => {
      const ua = await makeUa({ account });
      const call = ua.call('bob');
      const end = ended(call);
      await flush();
      net.answer(net.last('INVITE'), 302, { toTag: 'r', headers: { contact: [{ uri: 'sip:bob@192.0.2.77:5080', params: {} }] } });
      await flush();
      net.answer(net.last('INVITE'), 401, { headers: { 'www-authenticate': ours['proxy-authenticate'] } });
      expect((await end).reason).toMatch(/^not sending your password to 192\.0\.2\.77:5080/);
      expect(authorized()).toEqual([]);
    });

    it('extra realms (authRealms) are answered from the registrar; SHA-256 is preferred', async () => {
      const ua = await makeUa({ account: { ...account, authRealms: ['asterisk'] } });
      ua.call('bob');
      await flush();
      net.answer(net.last('INVITE'), 407, {
        headers: {
          'proxy-authenticate': [
            { scheme: 'Digest', realm: '"asterisk"', nonce: '"m"', algorithm: 'MD5' },
            { scheme: 'Digest', realm: '"asterisk"', nonce: '"s"', algorithm: 'SHA-256', qop: '"auth"' },
          ],
        },
      });
      await flush();
      expect(net.last('INVITE').request.headers['proxy-authorization']?.[0]).toMatchObject({ realm: '"asterisk"', algorithm: 'SHA-256', qop: 'auth' });
    });

    it('refuseMd5WithoutQop ends the call instead of sending an MD5 digest without qop', async () => {
      const ua = await makeUa({ account: { ...account, refuseMd5WithoutQop: true } });
      const call = ua.call('bob');
      const end = ended(call);
      await flush();
      net.answer(net.last('INVITE'), 407, { headers: ours });
      expect((await end).reason).toMatch(/only MD5 digest without qop/);
      expect(authorized()).toEqual([]);
    });
  });

  it('302: follows the Contact with a new INVITE', async () => {
    const ua = await makeUa({ account });
    ua.call('bob');
    await flush();
    net.answer(net.last('INVITE'), 302, { toTag: 'r', headers: { contact: [{ uri: 'sip:bob@192.0.2.77:5080', params: {} }] } });
    await flush();
    const next = net.last('INVITE');
    expect(next.request.uri).toBe('sip:bob@192.0.2.77:5080');
    expect(next.to).toEqual({ address: '192.0.2.77', port: 5080 });
    expect(next.request.headers.cseq.seq).toBe(2);
  });

  it('486 ends with the status line; a timeout names the address', async () => {
    const ua = await makeUa();
    const busy = ua.call('sip:bob@192.0.2.20');
    const busyEnd = ended(busy);
    const silent = ua.call('sip:carol@192.0.2.21:5070');
    const silentEnd = ended(silent);
    await flush();
    net.answer(net.requests('INVITE')[0] as SentRecord, 486);
    net.timeout(net.requests('INVITE')[1] as SentRecord);
    expect(await busyEnd).toMatchObject({ reason: '486 Busy Here', status: 486, by: 'remote', durationSeconds: 0 });
    expect(await silentEnd).toMatchObject({ reason: 'timeout: no answer from 192.0.2.21:5070', by: 'error' });
  });

  it('503, 480, 486 and 600 with Retry-After (RFC 3261 §20.33) say when to call again in the end reason', async () => {
    const ua = await makeUa();
    const cases: Array<[number, string, string]> = [
      [503, '30', '503 Service Unavailable, retry after 30 s'],
      [480, '120 (in a meeting)', '480 Temporarily Unavailable, retry after 120 s (in a meeting)'],
      [486, '5;duration=60', '486 Busy Here, retry after 5 s'],
      [600, '3600', '600 Busy Everywhere, retry after 3600 s'],
      [503, 'later', '503 Service Unavailable'],
    ];
    const ends = cases.map((_, i) => ended(ua.call(`sip:user${i}@192.0.2.${30 + i}`)));
    await flush();
    cases.forEach(([status, retryAfter], i) => net.answer(net.requests('INVITE')[i] as SentRecord, status, { headers: { 'retry-after': retryAfter } }));
    for (const [i, [status, , reason]] of cases.entries()) expect(await ends[i]).toMatchObject({ reason, status, by: 'remote' });
  });

  it('hangup before any provisional: CANCEL waits for the 100, copies the INVITE top Via; 487 ends it', async () => {
    const ua = await makeUa();
    const call = ua.call('sip:bob@192.0.2.20');
    await flush();
    const inv = net.last('INVITE');
    const done = call.hangup();
    await flush();
    expect(net.requests('CANCEL')).toHaveLength(0);
    net.answer(inv, 100);
    const cancel = net.last('CANCEL');
    expect(cancel.request.uri).toBe(inv.request.uri);
    expect(cancel.request.headers.via).toEqual([inv.via]);
    expect(cancel.request.headers.cseq).toEqual({ seq: inv.request.headers.cseq.seq, method: 'CANCEL' });
    expect(cancel.request.headers.from).toEqual(inv.request.headers.from);
    expect(cancel.request.headers.to).toEqual(inv.request.headers.to);
    expect(cancel.to).toEqual(inv.to);
    net.answer(cancel, 200);
    net.answer(inv, 487, { toTag: 'b' });
    expect(await done).toMatchObject({ reason: 'cancelled', status: 487, by: 'local' });
  });

  it('no final answer within the ring timeout: CANCEL, reason "no answer"', async () => {
    const ua = await makeUa({ ringTimeoutSeconds: 30 });
    const call = ua.call('sip:bob@192.0.2.20');
    const end = ended(call);
    await flush();
    const inv = net.last('INVITE');
    net.answer(inv, 180, { toTag: 'b' });
    await clock.advance(29_999);
    expect(net.requests('CANCEL')).toHaveLength(0);
    await clock.advance(1);
    expect(net.requests('CANCEL')).toHaveLength(1);
    net.answer(inv, 487, { toTag: 'b' });
    expect(await end).toMatchObject({ reason: 'no answer', status: 487, by: 'local' });
  });

  it('a 2xx that crosses our CANCEL is ACKed and ended with BYE', async () => {
    const ua = await makeUa();
    const call = ua.call('sip:bob@192.0.2.20');
    await flush();
    const inv = net.last('INVITE');
    net.answer(inv, 180, { toTag: 'btag' });
    const done = call.hangup();
    ok(inv);
    await flush();
    expect(net.requests('ACK')).toHaveLength(1);
    expect(net.requests('BYE')).toHaveLength(1);
    expect(await done).toMatchObject({ reason: 'cancelled', by: 'local' });
  });

  it('a 2xx with an SDP we cannot use: ACK, BYE, and the reason says why', async () => {
    const ua = await makeUa();
    const call = ua.call('sip:bob@192.0.2.20');
    const end = ended(call);
    await flush();
    const inv = net.last('INVITE');
    net.answer(inv, 200, { toTag: 'b', headers: { contact: [{ uri: 'sip:bob@192.0.2.20', params: {} }], 'content-type': 'application/sdp' }, content: peerSdp(0) });
    const info = await end;
    expect(info.reason).toMatch(/^bad SDP answer: /);
    expect(net.requests('ACK')).toHaveLength(1);
    expect(net.requests('BYE')).toHaveLength(1);
  });

  it('an invalid dial string ends at once with the reason', async () => {
    const ua = await makeUa();
    const call = ua.call('bob');
    const info = await ended(call);
    expect(info.reason).toMatch(/^invalid target: /);
    expect(info.by).toBe('error');
    expect(net.sent).toHaveLength(0);
  });

  it('183 with SDP starts early media; a 2xx without SDP connects on that answer', async () => {
    const ua = await makeUa();
    const call = ua.call('sip:bob@192.0.2.20');
    await flush();
    const inv = net.last('INVITE');
    net.answer(inv, 183, { toTag: 'b', headers: { 'content-type': 'application/sdp' }, content: peerSdp(32000) });
    await flush();
    expect(call.state).toBe('ringing');
    expect(media[0]?.started).toMatchObject({ remotePort: 32000 });
    net.answer(inv, 200, { toTag: 'b', headers: { contact: [{ uri: 'sip:bob@192.0.2.20', params: {} }] } });
    await flush();
    expect(call.state).toBe('connected');
    expect(media[0]?.updates).toHaveLength(0);
    call.sendDtmf('1#');
    expect(media[0]?.dtmf).toEqual(['1#']);
  });

  it('in its dialog: answers OPTIONS and a re-INVITE that moves the peer (media updated)', async () => {
    const ua = await makeUa();
    const call = ua.call('sip:bob@192.0.2.20');
    await flush();
    const inv = net.last('INVITE');
    ok(inv);
    await flush();
    expect(call.state).toBe('connected');
    const inDialog = (method: string, seq: number, content?: string) => ({
      method,
      uri: 'sip:alice@192.0.2.10:5060',
      headers: {
        via: [{ protocol: 'UDP', host: '203.0.113.5', port: 5062, params: { branch: `z9hG4bKpeer${seq}` } }],
        to: { ...inv.request.headers.from },
        from: { uri: 'sip:bob@192.0.2.20', params: { tag: 'btag' } },
        'call-id': inv.request.headers['call-id'],
        cseq: { seq, method },
        ...(content ? { 'content-type': 'application/sdp' } : {}),
      },
      ...(content ? { content } : {}),
    });
    net.deliver(inDialog('OPTIONS', 1));
    expect(net.lastResponse()).toMatchObject({ status: 200, headers: { allow: 'INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK, MESSAGE, INFO, REFER, NOTIFY' } });
    net.deliver(inDialog('INVITE', 2, peerSdp(34000, 'sendrecv', '203.0.113.99')));
    await flush();
    expect(net.lastResponse().status).toBe(200);
    expect(media[0]?.updates.at(-1)).toMatchObject({ remoteAddress: '203.0.113.99', remotePort: 34000 });
  });
});
