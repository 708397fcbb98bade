// Reliable provisional responses as callee (RFC 3262 §3, §5) on a recording transport and a fake clock:
// the sender on its own, then whole incoming calls through the user agent core.
import { beforeEach, describe, expect, it } from 'vitest';
import { parseRAck, ReliableProvisionalSender, wantsReliableProvisional } from '../../../src-main/sip/reliable-provisional';
import { UserAgentCore } from '../../../src-main/sip/user-agent-core';
import { createResponse } from '../../../src-main/sip/sip-headers';
import type { SipRequest, SipResponse } from '../../../src-main/sip/sip-message';
import type { Call, CallEndInfo } from '../../../src-main/sip/user-agent-api';
import { FakeClock, FakeTransport, flush, peerSdp, RecordingMedia, silentLogger } from './fake-sip-network';

function request(method: string, opts: { seq?: number; toTag?: string; content?: string; branch?: string; headers?: Record<string, string> } = {}): SipRequest {
  const req: SipRequest = {
    method,
    uri: 'sip:softphone@192.0.2.10:5060',
    headers: {
      via: [{ version: '2.0', protocol: 'UDP', host: '203.0.113.5', port: 5062, params: { branch: opts.branch ?? `z9hG4bK${method}${opts.seq ?? 1}` } }],
      to: { uri: 'sip:softphone@192.0.2.10', params: opts.toTag ? { tag: opts.toTag } : {} },
      from: { uri: 'sip:kim@203.0.113.5:5062', params: { tag: 'ktag' } },
      'call-id': 'rel-1',
      cseq: { seq: opts.seq ?? 1, method },
      contact: [{ uri: 'sip:kim@203.0.113.5:5062', params: {} }],
      ...opts.headers,
    },
  };
  if (opts.content !== undefined) {
    req.content = opts.content;
    req.headers['content-type'] = 'application/sdp';
  }
  return req;
}

describe('ReliableProvisionalSender', () => {
  const invite = request('INVITE', { seq: 7, headers: { require: '100rel' } });
  let clock: FakeClock;
  let sent: SipResponse[];
  let gaveUp: number;
  let sender: ReliableProvisionalSender;
  beforeEach(() => {
    clock = new FakeClock();
    sent = [];
    gaveUp = 0;
    sender = new ReliableProvisionalSender(invite, clock, (r) => sent.push(r), () => gaveUp++, 41);
  });

  it('only Require: 100rel makes the 180 reliable; RAck parses (response-num, CSeq-num, method)', () => {
    expect(wantsReliableProvisional(request('INVITE', { headers: { require: 'timer, 100rel' } }))).toBe(true);
    expect(wantsReliableProvisional(request('INVITE', { headers: { supported: '100rel, timer' } }))).toBe(false);
    expect(parseRAck(request('PRACK', { headers: { rack: '41 7 INVITE' } }))).toEqual({ rseq: 41, seq: 7, method: 'INVITE' });
    expect(parseRAck(request('PRACK', { headers: { rack: '41 7' } }))).toBeUndefined();
    expect(parseRAck(request('PRACK'))).toBeUndefined();
  });

  it('adds Require: 100rel and RSeq, retransmits at T1, 2T1, 4T1 ... (no T2 cap), stops at the PRACK', async () => {
    expect(sender.sendReliably(createResponse(invite, 180, { toTag: 'us' }))).toBe(true);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.headers).toMatchObject({ require: '100rel', rseq: '41' });
    const times: number[] = [];
    const start = clock.now();
    for (let t = 0; t < 8000; t += 50) {
      const before = sent.length;
      await clock.advance(50);
      if (sent.length > before) times.push(clock.now() - start);
    }
    expect(times).toEqual([500, 1500, 3500, 7500]);
    expect(sender.prack(request('PRACK', { seq: 8, headers: { rack: '41 7 INVITE' } }))).toBe('acknowledged');
    await expect(sender.whenAcknowledged()).resolves.toBe(true);
    await clock.advance(60_000);
    expect(sent).toHaveLength(5);
    expect(gaveUp).toBe(0);
  });

  it('a PRACK with the wrong RSeq, CSeq or method matches nothing; a second reliable 1xx waits for the first PRACK', () => {
    sender.sendReliably(createResponse(invite, 180, { toTag: 'us' }));
    for (const rack of ['40 7 INVITE', '41 6 INVITE', '41 7 UPDATE', 'x']) expect(sender.prack(request('PRACK', { headers: { rack } }))).toBe('unknown');
    expect(sender.sendReliably(createResponse(invite, 183, { toTag: 'us' }))).toBe(false);
    expect(sender.prack(request('PRACK', { headers: { rack: '41 7 INVITE' } }))).toBe('acknowledged');
    expect(sender.prack(request('PRACK', { headers: { rack: '41 7 INVITE' } }))).toBe('unknown');
    expect(sender.sendReliably(createResponse(invite, 183, { toTag: 'us' }))).toBe(true);
    expect(sent.at(-1)?.headers.rseq).toBe('42');
    expect(sender.sendReliably(createResponse(invite, 100, { toTag: null }))).toBe(false);
  });

  it('no PRACK for 64*T1: gives up once (the caller rejects the INVITE with a 5xx)', async () => {
    sender.sendReliably(createResponse(invite, 180, { toTag: 'us' }));
    await clock.advance(31_999);
    expect(gaveUp).toBe(0);
    await clock.advance(1);
    expect(gaveUp).toBe(1);
    await expect(sender.whenAcknowledged()).resolves.toBe(false);
    // 500, 1500, 3500, 7500, 15500 and 31500 ms after the first: 7 in all, none after giving up.
    expect(sent).toHaveLength(7);
    await clock.advance(60_000);
    expect(sent).toHaveLength(7);
  });
});

describe('incoming call with Require: 100rel', () => {
  let clock: FakeClock;
  let net: FakeTransport;
  let incoming: Call[];
  let media: RecordingMedia[];
  beforeEach(async () => {
    clock = new FakeClock();
    net = new FakeTransport();
    incoming = [];
    media = [];
    const ua = new UserAgentCore({
      transport: net,
      clock,
      log: silentLogger,
      config: {
        port: 5060,
        userAgentName: 'unit',
        createMedia: () => {
          const m = new RecordingMedia(6000 + 2 * media.length);
          media.push(m);
          return m;
        },
      },
    });
    ua.on('incoming', (c) => incoming.push(c));
    await ua.start();
  });

  async function ring(content: string | undefined = peerSdp(30000)): Promise<{ call: Call; ringing: SipResponse; tag: string }> {
    net.deliver(request('INVITE', { headers: { require: '100rel', supported: '100rel, timer' }, ...(content !== undefined ? { content } : {}) }));
    await flush();
    const call = incoming.at(-1);
    if (!call) throw new Error(`not ringing: ${net.responses.map((r) => r.status).join(', ')}`);
    const ringing = net.lastResponse(180);
    return { call, ringing, tag: ringing.headers.to.params.tag ?? '' };
  }

  const rackOf = (ringing: SipResponse): string => `${String(ringing.headers.rseq)} 1 INVITE`;

  it('180 with Require: 100rel, RSeq and the SDP answer (§5); the 200 waits for the PRACK, which gets 200', async () => {
    const { call, ringing, tag } = await ring();
    expect(net.responses.map((r) => r.status)).toEqual([100, 180]);
    expect(ringing.headers.require).toBe('100rel');
    expect(String(ringing.headers.rseq)).toMatch(/^[1-9]\d{0,9}$/);
    expect(ringing.content).toMatch(/\r\nm=audio 6000 RTP\/AVP 8 0 101\r\n/);
    const answered = call.answer();
    await flush();
    expect(net.responses.filter((r) => r.status === 200)).toHaveLength(0);
    expect(call.state).toBe('ringing');
    net.deliver(request('PRACK', { seq: 2, toTag: tag, headers: { rack: rackOf(ringing) } }));
    await answered;
    const [prackOk, inviteOk] = net.responses.filter((r) => r.status === 200);
    expect(prackOk?.headers.cseq).toEqual({ seq: 2, method: 'PRACK' });
    expect(inviteOk?.headers.cseq).toEqual({ seq: 1, method: 'INVITE' });
    // The 2xx repeats the very answer of the 180 (same o= version).
    expect(inviteOk?.content).toBe(ringing.content);
    expect(inviteOk?.headers.supported).toBe('100rel, timer');
    expect(call.state).toBe('connected');
    expect(media[0]?.started).toMatchObject({ remotePort: 30000, codec: 'PCMA' });
    // No more 180s once the PRACK came.
    const count = net.responses.filter((r) => r.status === 180).length;
    await clock.advance(10_000);
    expect(net.responses.filter((r) => r.status === 180)).toHaveLength(count);
  });

  it('a PRACK that matches nothing gets 481 and the 180 keeps going; answered before ringing, the 200 follows the PRACK', async () => {
    const { call, ringing, tag } = await ring();
    net.deliver(request('PRACK', { seq: 2, toTag: tag, headers: { rack: `${Number(ringing.headers.rseq) + 1} 1 INVITE` } }));
    expect(net.lastResponse().status).toBe(481);
    await clock.advance(500);
    expect(net.responses.filter((r) => r.status === 180)).toHaveLength(2);
    net.deliver(request('PRACK', { seq: 3, toTag: tag, headers: { rack: rackOf(ringing) } }));
    expect(net.lastResponse().status).toBe(200);
    await call.answer();
    expect(net.lastResponse()).toMatchObject({ status: 200, headers: { cseq: { seq: 1, method: 'INVITE' } } });
    // A PRACK outside any dialog of ours: 481 too.
    net.deliver(request('PRACK', { seq: 9, toTag: 'nobody', headers: { rack: rackOf(ringing) } }));
    expect(net.lastResponse().status).toBe(481);
  });

  it('no PRACK within 64*T1: 500 to the INVITE and the call ends', async () => {
    const { call } = await ring();
    const end = new Promise<CallEndInfo>((resolve) => call.on('ended', resolve));
    void call.answer();
    await clock.advance(32_000);
    expect(net.lastResponse().status).toBe(500);
    expect(net.responses.filter((r) => r.status === 200)).toHaveLength(0);
    await expect(end).resolves.toMatchObject({ reason: 'no PRACK for our reliable 180 (RFC 3262)', status: 500, by: 'error' });
  });

  it('CANCEL while the 200 waits for the PRACK: 487, no 200 ever', async () => {
    const { call, ringing, tag } = await ring();
    const answered = call.answer();
    net.deliver(request('CANCEL', { branch: 'z9hG4bKINVITE1' }));
    await flush();
    expect(net.lastResponse().status).toBe(487);
    net.deliver(request('PRACK', { seq: 2, toTag: tag, headers: { rack: rackOf(ringing) } }));
    await answered;
    expect(net.responses.filter((r) => r.status === 200 && r.headers.cseq.method === 'INVITE')).toHaveLength(0);
  });

  it('INVITE without SDP: our offer goes in the 180, the PRACK answers it, the 2xx repeats the offer and the ACK needs no SDP', async () => {
    const { call, ringing, tag } = await ring(undefined);
    expect(ringing.content).toMatch(/\r\nm=audio 6000 RTP\/AVP 8 0 101\r\n/);
    net.deliver(request('PRACK', { seq: 2, toTag: tag, headers: { rack: rackOf(ringing) }, content: peerSdp(31000) }));
    expect(net.lastResponse().status).toBe(200);
    await call.answer();
    const ok = net.lastResponse(200);
    expect(ok.headers.cseq.method).toBe('INVITE');
    expect(ok.content).toBe(ringing.content);
    expect(media[0]?.started).toMatchObject({ remotePort: 31000 });
    net.deliver(request('ACK', { toTag: tag, branch: 'z9hG4bKack' }));
    await flush();
    expect(call.state).toBe('connected');
  });

  it('without Require: 100rel (Supported only) the 180 is an ordinary one: no RSeq, no SDP, the 200 at once', async () => {
    net.deliver(request('INVITE', { headers: { supported: '100rel' }, content: peerSdp(30000) }));
    await flush();
    const ringing = net.lastResponse(180);
    expect(ringing.headers.rseq).toBeUndefined();
    expect(ringing.headers.require).toBeUndefined();
    expect(ringing.content).toBeUndefined();
    await incoming[0]?.answer();
    expect(net.lastResponse().status).toBe(200);
  });
});
