// Incoming calls and the UAS core (RFC 3261 §8.2, §12.2.2, §13.3) on a recording transport and a fake clock.
import { beforeEach, describe, expect, it } from 'vitest';
import { UserAgentCore } from '../../../src-main/sip/user-agent-core';
import type { SipRequest } from '../../../src-main/sip/sip-message';
import type { Call, CallEndInfo } from '../../../src-main/sip/user-agent-api';
import { FakeClock, FakeTransport, flush, peerSdp, RecordingMedia, silentLogger } from './fake-sip-network';

let clock: FakeClock;
let net: FakeTransport;
let media: RecordingMedia[];
let ua: UserAgentCore;
let incoming: Call[];

function request(method: string, opts: { seq?: number; toTag?: string | null; content?: string; branch?: string; callId?: string; headers?: Record<string, string> } = {}): SipRequest {
  const req: SipRequest = {
    method,
    uri: 'sip:softphone@192.0.2.10:5060',
    headers: {
      via: [{ version: '2.0', protocol: 'UDP', host: '203.0.113.5', port: 5062, params: { branch: opts.branch ?? `z9hG4bKin${method}${opts.seq ?? 1}`, received: '203.0.113.5' } }],
      to: { uri: 'sip:softphone@192.0.2.10', params: opts.toTag ? { tag: opts.toTag } : {} },
      from: { name: '"김철수"', uri: 'sip:kim@203.0.113.5:5062', params: { tag: 'ktag' } },
      'call-id': opts.callId ?? 'call-1',
      cseq: { seq: opts.seq ?? 1, method: method === 'CANCEL' || method === 'ACK' ? method : method },
      contact: [{ uri: 'sip:kim@203.0.113.5:5062', params: {} }],
      'max-forwards': '70',
      ...opts.headers,
    },
  };
  if (opts.content !== undefined) {
    req.content = opts.content;
    req.headers['content-type'] = 'application/sdp';
  }
  return req;
}

async function ring(content: string | null = peerSdp(30000)): Promise<{ call: Call; toTag: string }> {
  net.deliver(request('INVITE', content === null ? {} : { content }));
  await flush();
  const call = incoming.at(-1);
  if (!call) throw new Error(`no incoming call (responses: ${net.responses.map((r) => r.status).join(', ')})`);
  const ringing = net.lastResponse(180);
  return { call, toTag: ringing.headers.to.params.tag ?? '' };
}

function ended(call: Call): Promise<CallEndInfo> {
  return new Promise((resolve) => call.on('ended', resolve));
}

beforeEach(async () => {
  clock = new FakeClock();
  net = new FakeTransport();
  media = [];
  incoming = [];
  ua = new UserAgentCore({
    transport: net,
    clock,
    log: silentLogger,
    config: {
      port: 5060,
      userAgentName: 'unit',
      createMedia: () => {
        const m = new RecordingMedia(6000 + media.length * 2);
        media.push(m);
        return m;
      },
    },
  });
  ua.on('incoming', (c) => incoming.push(c));
  await ua.start();
});

describe('incoming call', () => {
  it('all RTP ports taken by other calls: 486 Busy Here, not a 500', async () => {
    const full = new RecordingMedia(7000);
    full.open = () => Promise.reject(new Error('no free RTP port pair in 40000-40001 on 0.0.0.0'));
    const busyUa = new UserAgentCore({ transport: (net = new FakeTransport()), clock, log: silentLogger, config: { port: 5060, userAgentName: 'unit', createMedia: () => full } });
    await busyUa.start();
    net.deliver(request('INVITE', { content: peerSdp(30000) }));
    await flush();
    // Issue 12: the call rings before its media opens (no port search before the 180), so a full range
    // turns into 486 right after the 180: busy, not a server error.
    expect(net.responses.map((r) => r.status)).toEqual([100, 180, 486]);
  });

  it('rings before its media is open (issue 12): 180 while the port search runs, the 200 waits for it and names the port', async () => {
    let release: (() => void) | undefined;
    const slow = new RecordingMedia(7100);
    const realOpen = slow.open.bind(slow);
    slow.open = () => new Promise((res) => (release = () => res(realOpen())));
    const slowUa = new UserAgentCore({ transport: (net = new FakeTransport()), clock, log: silentLogger, config: { port: 5060, userAgentName: 'unit', createMedia: () => slow } });
    const rang: Call[] = [];
    slowUa.on('incoming', (c) => rang.push(c));
    await slowUa.start();
    net.deliver(request('INVITE', { content: peerSdp(30000) }));
    await flush();
    // Ringing and shown to the user while the media has not opened yet.
    expect(net.responses.map((r) => r.status)).toEqual([100, 180]);
    expect(rang).toHaveLength(1);
    const answering = rang[0]?.answer();
    await flush();
    expect(net.responses.map((r) => r.status)).toEqual([100, 180]);
    release?.();
    await answering;
    const ok = net.lastResponse(200);
    expect(ok.content).toContain('m=audio 7100 RTP/AVP');
    expect(slow.started?.remotePort).toBe(30000);
  });

  it('an INVITE flood: past 2 ringing calls from one address (8 in all) the next gets 486 and no RTP ports', async () => {
    for (let i = 1; i <= 4; i++) net.deliver(request('INVITE', { content: peerSdp(30000), callId: `flood-${i}`, branch: `z9hG4bKflood${i}` }));
    await flush();
    expect(media).toHaveLength(2);
    expect(net.responses.filter((r) => r.status === 486).map((r) => r.headers['call-id'])).toEqual(['flood-3', 'flood-4']);
    // another caller still gets through, until 8 ring in all
    for (let i = 1; i <= 8; i++) net.deliver(request('INVITE', { content: peerSdp(30000), callId: `other-${i}`, branch: `z9hG4bKother${i}` }), { address: `198.51.100.${i}`, port: 5060 });
    await flush();
    expect(media).toHaveLength(8);
    expect(net.responses.filter((r) => r.status === 486).map((r) => r.headers['call-id'])).toEqual(['flood-3', 'flood-4', 'other-7', 'other-8']);
    // once one is turned down, a new one rings again
    incoming[0]?.reject(486);
    await flush();
    net.deliver(request('INVITE', { content: peerSdp(30000), callId: 'later', branch: 'z9hG4bKlater' }));
    await flush();
    expect(media).toHaveLength(9);
  });

  it('100 Trying, then 180 Ringing with our To tag and Contact; the caller is shown by name', async () => {
    const { call, toTag } = await ring();
    expect(net.responses.map((r) => r.status)).toEqual([100, 180]);
    expect(net.responses[0]?.headers.to.params.tag).toBeUndefined();
    expect(toTag).toMatch(/^[0-9a-f]{16}$/);
    expect(net.lastResponse(180).headers.contact).toEqual([{ uri: 'sip:softphone@192.0.2.10:5060', params: {} }]);
    expect(net.lastResponse(180).headers.server).toBe('unit');
    expect(call.direction).toBe('incoming');
    expect(call.state).toBe('ringing');
    expect(call.remoteUri).toBe('sip:kim@203.0.113.5:5062');
    expect(call.remoteDisplayName).toBe('김철수');
  });

  it('answer: 200 with the SDP answer, retransmitted T1, 2T1, 4T1 ... until the ACK; media started', async () => {
    const { call } = await ring();
    await call.answer();
    const ok = net.lastResponse(200);
    expect(ok.content).toMatch(/\r\nm=audio 6000 RTP\/AVP 8 0 101\r\n/);
    expect(ok.headers.allow).toBe('INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK, MESSAGE, INFO, REFER, NOTIFY');
    expect(call.state).toBe('connected');
    expect(media[0]?.started).toMatchObject({ remoteAddress: '203.0.113.5', remotePort: 30000, codec: 'PCMA' });
    const count = (): number => net.responses.filter((r) => r.status === 200).length;
    await clock.advance(499);
    expect(count()).toBe(1);
    await clock.advance(1);
    expect(count()).toBe(2);
    await clock.advance(1000);
    expect(count()).toBe(3);
    await clock.advance(2000);
    expect(count()).toBe(4);
    net.deliver(request('ACK', { toTag: ok.headers.to.params.tag, branch: 'z9hG4bKack' }));
    await clock.advance(30_000);
    expect(count()).toBe(4);
    expect(call.state).toBe('connected');
  });

  it('no ACK for 64*T1: BYE and the call ends (RFC 3261 §13.3.1.4)', async () => {
    const { call } = await ring();
    const end = ended(call);
    await call.answer();
    await clock.advance(32_000);
    expect(net.requests('BYE')).toHaveLength(1);
    expect(net.last('BYE').request.uri).toBe('sip:kim@203.0.113.5:5062');
    expect(net.last('BYE').to).toEqual({ address: '203.0.113.5', port: 5062 });
    expect(await end).toMatchObject({ reason: 'no ACK from remote', by: 'error' });
  });

  it('reject: 486 (or 603), and the call ends', async () => {
    const { call } = await ring();
    const end = ended(call);
    call.reject();
    expect(net.lastResponse().status).toBe(486);
    expect(await end).toMatchObject({ reason: '486 Busy Here', status: 486, by: 'local' });
    const second = await ring();
    second.call.reject(603);
    expect(net.lastResponse().status).toBe(603);
  });

  it('CANCEL: 200 to the CANCEL, 487 to the INVITE, ended "cancelled by caller"', async () => {
    const { call } = await ring();
    const end = ended(call);
    net.deliver(request('CANCEL', { branch: 'z9hG4bKinINVITE1' }));
    await flush();
    const [cancelOk, terminated] = net.responses.slice(-2);
    expect(cancelOk?.status).toBe(200);
    expect(cancelOk?.headers.cseq.method).toBe('CANCEL');
    expect(terminated?.status).toBe(487);
    expect(terminated?.headers.cseq.method).toBe('INVITE');
    expect(await end).toMatchObject({ reason: 'cancelled by caller', status: 487, by: 'remote' });
  });

  it('a CANCEL that matches no INVITE gets 481', async () => {
    net.deliver(request('CANCEL', { branch: 'z9hG4bKnothing' }));
    expect(net.lastResponse().status).toBe(481);
  });

  it('an offer we cannot use gets 488 and never rings', async () => {
    const g729 = peerSdp(30000).replace('m=audio 30000 RTP/AVP 8 0 101', 'm=audio 30000 RTP/AVP 18').replace(/a=rtpmap:[08] .*\r\n/g, '');
    net.deliver(request('INVITE', { content: g729 }));
    await flush();
    expect(net.responses.map((r) => r.status)).toEqual([100, 488]);
    expect(incoming).toHaveLength(0);
  });

  it('an IPv6 offer to RTP bound on 0.0.0.0 gets 488 with a Warning naming the address (issue 10), never rings', async () => {
    const ip6 = peerSdp(30000).replace(/IN IP4 203\.0\.113\.5/g, 'IN IP6 2001:db8::5');
    net.deliver(request('INVITE', { content: ip6 }));
    await flush();
    expect(net.responses.map((r) => r.status)).toEqual([100, 488]);
    expect(String(net.lastResponse(488).headers['warning'])).toMatch(/^304 - ".*2001:db8::5 is IPv6.*IPv4 only/);
    expect(incoming).toHaveLength(0);
  });

  it('INVITE without SDP: our offer goes in the 200, the answer comes in the ACK', async () => {
    const { call } = await ring(null);
    await call.answer();
    const ok = net.lastResponse(200);
    expect(ok.content).toMatch(/m=audio 6000 RTP\/AVP 0 8 101/);
    expect(media[0]?.started).toBeUndefined();
    net.deliver(request('ACK', { toTag: ok.headers.to.params.tag, content: peerSdp(31000) }));
    await flush();
    expect(media[0]?.started).toMatchObject({ remotePort: 31000, codec: 'PCMA' });
  });

  it('in-dialog: BYE -> 200 and "hung up by remote"; requests for unknown dialogs -> 481', async () => {
    const { call, toTag } = await ring();
    await call.answer();
    const end = ended(call);
    net.deliver(request('BYE', { seq: 2, toTag }));
    expect(net.lastResponse().status).toBe(200);
    expect(net.lastResponse().headers.cseq.method).toBe('BYE');
    expect(await end).toMatchObject({ reason: 'hung up by remote', by: 'remote' });
    net.deliver(request('BYE', { seq: 3, toTag }));
    expect(net.lastResponse().status).toBe(481);
  });

  it('re-INVITE putting us on hold: 200 with a recvonly answer, media updated, a stale CSeq gets 500', async () => {
    const { call, toTag } = await ring();
    await call.answer();
    net.deliver(request('ACK', { toTag }));
    net.deliver(request('INVITE', { seq: 2, toTag, content: peerSdp(30000, 'sendonly') }));
    await flush();
    const ok = net.lastResponse(200);
    expect(ok.headers.cseq.seq).toBe(2);
    expect(ok.content).toMatch(/a=recvonly/);
    expect(ok.content).toMatch(/^o=\S+ \d+ 2 IN IP4/m);
    expect(media[0]?.updates.at(-1)?.direction).toBe('recvonly');
    net.deliver(request('ACK', { seq: 2, toTag }));
    net.deliver(request('INVITE', { seq: 1, toTag, content: peerSdp(30000) }));
    expect(net.lastResponse().status).toBe(500);
  });

  it('OPTIONS out of dialog: 200 with Allow, Accept, a To tag, and Supported: 100rel, timer (never empty)', () => {
    net.deliver(request('OPTIONS'));
    const res = net.lastResponse();
    expect(res.status).toBe(200);
    expect(res.headers.allow).toBe('INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK, MESSAGE, INFO, REFER, NOTIFY');
    expect(res.headers.accept).toBe('application/sdp');
    expect(res.headers.supported).toBe('100rel, timer');
    expect(res.headers.to.params.tag).toMatch(/^[0-9a-f]{16}$/);
  });

  it('every out-of-dialog answer carries a To tag (RFC 3261 §8.2.6.2), the 100 Trying none', async () => {
    net.deliver(request('OPTIONS'));
    net.deliver(request('BYE', { callId: 'nodialog' }));
    net.deliver(request('CANCEL', { callId: 'nocall' }));
    net.deliver(request('PUBLISH'));
    net.deliver(request('FROBNICATE'));
    net.deliver(request('INVITE', { headers: { require: 'foo' }, callId: 'req' }));
    net.deliver(request('INVITE', { callId: 'bad-sdp', content: 'v=0\r\nm=audio 4000 RTP/AVP 18\r\n' }));
    await flush();
    const statuses = net.responses.map((r) => r.status);
    expect(statuses).toEqual(expect.arrayContaining([200, 481, 481, 405, 501, 420, 100, 488]));
    for (const r of net.responses) {
      if (r.status === 100) expect(r.headers.to.params.tag).toBeUndefined();
      else expect(r.headers.to.params.tag, `${r.status} ${r.headers.cseq.method}`).toMatch(/^[0-9a-f]{16}$/);
      for (const [name, value] of Object.entries(r.headers)) expect(typeof value === 'string' && value.trim() === '', `empty ${name}`).toBe(false);
    }
    // Each answer has its own tag: no two transactions share one.
    const tags = net.responses.filter((r) => r.status !== 100).map((r) => r.headers.to.params.tag);
    expect(new Set(tags).size).toBe(tags.length);
  });

  it('an INVITE during shutdown gets a tagged 503', async () => {
    const stopping = ua.shutdown();
    net.deliver(request('INVITE', { callId: 'late', content: peerSdp(30000) }));
    const res = net.lastResponse(503);
    expect(res.headers.to.params.tag).toMatch(/^[0-9a-f]{16}$/);
    expect(res.headers['call-id']).toBe('late');
    await stopping;
  });

  it('the 200 to a CANCEL carries the same To tag as the 487 to the INVITE (RFC 3261 §9.2)', async () => {
    const { toTag } = await ring();
    net.deliver(request('CANCEL', { branch: 'z9hG4bKinINVITE1' }));
    await flush();
    const cancelOk = net.responses.find((r) => r.status === 200 && r.headers.cseq.method === 'CANCEL');
    expect(cancelOk?.headers.to.params.tag).toBe(toTag);
    expect(net.lastResponse(487).headers.to.params.tag).toBe(toTag);
  });

  it('unknown methods get 405/501 with Allow; Require gets 420; a merged INVITE gets 482', async () => {
    net.deliver(request('PUBLISH'));
    expect(net.lastResponse().status).toBe(405);
    expect(net.lastResponse().headers.allow).toBe('INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK, MESSAGE, INFO, REFER, NOTIFY');
    net.deliver(request('FROBNICATE'));
    expect(net.lastResponse().status).toBe(501);
    net.deliver(request('INVITE', { headers: { require: '100rel, foo' }, callId: 'other' }));
    expect(net.lastResponse().status).toBe(420);
    expect(net.lastResponse().headers.unsupported).toBe('foo');
    await ring();
    net.deliver(request('INVITE', { branch: 'z9hG4bKotherpath', content: peerSdp(30000) }));
    expect(net.lastResponse().status).toBe(482);
  });

  it('shutdown hangs up calls and stops the transport', async () => {
    const { call } = await ring();
    await call.answer();
    const end = ended(call);
    let down = false;
    const stopping = ua.shutdown().then(() => (down = true));
    // The BYE is never answered here: shutdown waits a bounded 2 s of (fake) time for it.
    for (let i = 0; i < 10 && !down; i++) await clock.advance(500);
    await stopping;
    expect(net.requests('BYE')).toHaveLength(1);
    expect((await end).by).toBe('local');
    expect(net.stopped).toBe(true);
  });
});
