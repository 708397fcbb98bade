// Transfer on a recording transport (issue 11): our REFER (RFC 3515) and the NOTIFYs that follow, the
// attended Refer-To with Replaces (RFC 3891), accepting a peer's REFER and an INVITE with Replaces.
import { beforeEach, describe, expect, it } from 'vitest';
import { UserAgentCore } from '../../../src-main/sip/user-agent-core';
import type { SipRequest } from '../../../src-main/sip/sip-message';
import type { Call, TransferProgress, UserAgentEvents } from '../../../src-main/sip/user-agent-api';
import { FakeClock, FakeTransport, flush, peerSdp, RecordingMedia, silentLogger, type SentRecord } from './fake-sip-network';

let clock: FakeClock;
let net: FakeTransport;

async function makeUa(acceptTransfer = false): Promise<UserAgentCore> {
  let n = 0;
  const ua = new UserAgentCore({
    transport: net,
    clock,
    log: silentLogger,
    config: { port: 5060, userAgentName: 'unit', createMedia: () => new RecordingMedia(4000 + 2 * n++), acceptTransfer },
  });
  await ua.start();
  return ua;
}

/** An outgoing call to `who` answered with To tag `tag`. */
async function connected(ua: UserAgentCore, who: string, tag: string): Promise<{ call: Call; inv: SentRecord }> {
  const call = ua.call(`sip:${who}@192.0.2.20`);
  await flush();
  const inv = net.requests('INVITE').filter((r) => r.request.headers['call-id'] === call.id)[0];
  if (!inv) throw new Error('no INVITE');
  net.answer(inv, 200, { toTag: tag, headers: { contact: [{ uri: `sip:${who}@203.0.113.5:5062`, params: {} }], 'content-type': 'application/sdp' }, content: peerSdp(30000) });
  await flush();
  expect(call.state).toBe('connected');
  return { call, inv };
}

/** A request from the peer inside the call's dialog. */
function fromPeer(inv: SentRecord, tag: string, method: string, seq: number, headers: Record<string, unknown> = {}, content?: string): SipRequest {
  return {
    method,
    uri: 'sip:softphone@192.0.2.10:5060',
    headers: {
      via: [{ version: '2.0', protocol: 'UDP', host: '203.0.113.5', port: 5062, params: { branch: `z9hG4bK${method}${seq}` } }],
      to: { uri: inv.request.headers.from.uri, params: { tag: inv.request.headers.from.params.tag } },
      from: { uri: inv.request.headers.to.uri, params: { tag } },
      'call-id': inv.request.headers['call-id'],
      cseq: { seq, method },
      contact: [{ uri: 'sip:bob@203.0.113.5:5062', params: {} }],
      ...headers,
    },
    ...(content !== undefined ? { content } : {}),
  };
}

const notify = (inv: SentRecord, seq: number, frag: string, state: string) =>
  fromPeer(inv, 'btag', 'NOTIFY', seq, { event: 'refer', 'subscription-state': state, 'content-type': 'message/sipfrag;version=2.0' }, frag);

beforeEach(() => {
  clock = new FakeClock();
  net = new FakeTransport();
});

describe('blind transfer as transferor (RFC 3515)', () => {
  it('REFER with Refer-To, Referred-By and Contact; NOTIFY sipfrag 100 then 200 answered 200; BYE after the 2xx sipfrag', async () => {
    const ua = await makeUa();
    const { call, inv } = await connected(ua, 'bob', 'btag');
    const progress: TransferProgress[] = [];
    call.on('transfer', (p) => progress.push(p));
    expect(call.transfer('sip:carol@192.0.2.30:5070')).toEqual({ ok: true });
    await flush();
    const refer = net.last('REFER');
    expect(refer.request.uri).toBe('sip:bob@203.0.113.5:5062');
    expect(refer.request.headers['refer-to']).toBe('<sip:carol@192.0.2.30:5070>');
    expect(refer.request.headers['referred-by']).toBe(`<${inv.request.headers.from.uri}>`);
    expect(refer.request.headers.contact).toEqual(inv.request.headers.contact);
    expect(refer.request.headers.cseq).toEqual({ seq: 2, method: 'REFER' });
    expect(refer.request.headers.to.params.tag).toBe('btag');
    expect(call.transfer('sip:dave@192.0.2.31')).toEqual({ ok: false, reason: 'a transfer of this call is already under way' });
    net.answer(refer, 202, { toTag: 'btag' });
    net.deliver(notify(inv, 2, 'SIP/2.0 100 Trying\r\n', 'active;expires=60'));
    await flush();
    expect(net.lastResponse().status).toBe(200);
    expect(net.requests('BYE')).toHaveLength(0);
    net.deliver(notify(inv, 3, 'SIP/2.0 200 OK\r\n', 'terminated;reason=noresource'));
    await flush();
    expect(net.lastResponse().status).toBe(200);
    expect(progress.map((p) => [p.status, p.code])).toEqual([
      ['requested', undefined],
      ['accepted', 202],
      ['trying', 100],
      ['succeeded', 200],
    ]);
    expect(net.requests('BYE')).toHaveLength(1);
    expect(call.state).toBe('ended');
  });

  it('a failure sipfrag (486) ends the transfer as failed and keeps the call; a refused REFER too', async () => {
    const ua = await makeUa();
    const { call, inv } = await connected(ua, 'bob', 'btag');
    const progress: TransferProgress[] = [];
    call.on('transfer', (p) => progress.push(p));
    call.transfer('sip:carol@192.0.2.30');
    await flush();
    net.answer(net.last('REFER'), 202, { toTag: 'btag' });
    net.deliver(notify(inv, 2, 'SIP/2.0 486 Busy Here\r\n', 'terminated;reason=noresource'));
    await flush();
    expect(progress.at(-1)).toEqual({ status: 'failed', code: 486, reason: '486 Busy Here' });
    expect(call.state).toBe('connected');
    // A NOTIFY after the end of the subscription matches nothing (RFC 6665 §4.1.3).
    net.deliver(notify(inv, 3, 'SIP/2.0 200 OK\r\n', 'terminated'));
    await flush();
    expect(net.lastResponse().status).toBe(481);
    call.transfer('sip:carol@192.0.2.30');
    await flush();
    net.answer(net.last('REFER'), 403, { toTag: 'btag' });
    await flush();
    expect(progress.at(-1)).toMatchObject({ status: 'failed', code: 403 });
    expect(net.requests('BYE')).toHaveLength(0);
  });

  it('a NOTIFY of another event package gets 489, one with no REFER of ours 481', async () => {
    const ua = await makeUa();
    const { inv } = await connected(ua, 'bob', 'btag');
    net.deliver(notify(inv, 2, 'SIP/2.0 200 OK\r\n', 'active'));
    await flush();
    expect(net.lastResponse().status).toBe(481);
    net.deliver(fromPeer(inv, 'btag', 'NOTIFY', 3, { event: 'presence', 'subscription-state': 'active' }));
    await flush();
    expect(net.lastResponse().status).toBe(489);
  });
});

describe('attended transfer (RFC 3891 §6.2)', () => {
  it("Refer-To names the other call's party with that dialog escaped in: to-tag its remote tag, from-tag ours", async () => {
    const ua = await makeUa();
    const { call: toBob } = await connected(ua, 'bob', 'btag');
    const { call: toCarol, inv: carolInv } = await connected(ua, 'carol', 'ctag');
    expect(toBob.transfer('', toCarol)).toEqual({ ok: true });
    await flush();
    const ourTag = carolInv.request.headers.from.params.tag ?? '';
    const replaces = encodeURIComponent(`${toCarol.id};to-tag=ctag;from-tag=${ourTag}`);
    expect(net.last('REFER').request.headers['refer-to']).toBe(`<sip:carol@203.0.113.5:5062?Replaces=${replaces}>`);
    expect(toCarol.transfer('', toCarol)).toEqual({ ok: false, reason: 'the call to transfer to must be another connected call' });
  });
});

describe('accepting a transfer (--accept-transfer)', () => {
  it("a peer's REFER: 202, NOTIFY 100 Trying at once, our INVITE to the target with Referred-By, NOTIFY 200 once it connects", async () => {
    const ua = await makeUa(true);
    const placed: UserAgentEvents['transferCall'][] = [];
    ua.on('transferCall', (e) => placed.push(e));
    const { call, inv } = await connected(ua, 'bob', 'btag');
    net.deliver(fromPeer(inv, 'btag', 'REFER', 2, { 'refer-to': { uri: 'sip:carol@192.0.2.30:5070', params: {} }, 'referred-by': '<sip:bob@203.0.113.5>' }));
    await flush();
    expect(net.lastResponse(202).headers.contact).toEqual(inv.request.headers.contact);
    const first = net.last('NOTIFY');
    expect(first.request.headers.event).toBe('refer');
    expect(first.request.headers['subscription-state']).toBe('active;expires=60');
    expect(first.request.headers['content-type']).toBe('message/sipfrag;version=2.0');
    expect(first.request.content).toBe('SIP/2.0 100 Trying\r\n');
    expect(first.request.headers['call-id']).toBe(call.id);
    const invite = net.last('INVITE');
    expect(invite.request.uri).toBe('sip:carol@192.0.2.30:5070');
    // A second REFER while that call is up: one transfer at a time (nothing more is dialled).
    net.deliver(fromPeer(inv, 'btag', 'REFER', 3, { 'refer-to': { uri: 'sip:dave@192.0.2.31', params: {} } }));
    await flush();
    expect(net.lastResponse().status).toBe(491);
    expect(net.last('INVITE')).toBe(invite);
    expect(invite.request.headers['referred-by']).toBe('<sip:bob@203.0.113.5>');
    expect(placed.map((p) => [p.call.id, p.referredBy])).toEqual([[invite.request.headers['call-id'], call.id]]);
    net.answer(invite, 200, { toTag: 'ctag', headers: { contact: [{ uri: 'sip:carol@192.0.2.30:5070', params: {} }], 'content-type': 'application/sdp' }, content: peerSdp(31000) });
    await flush();
    const last = net.last('NOTIFY');
    expect(last.request.content).toBe('SIP/2.0 200 OK\r\n');
    expect(last.request.headers['subscription-state']).toBe('terminated;reason=noresource');
  });

  it('the new call failing is reported in the final NOTIFY with its status', async () => {
    const ua = await makeUa(true);
    const { inv } = await connected(ua, 'bob', 'btag');
    net.deliver(fromPeer(inv, 'btag', 'REFER', 2, { 'refer-to': { uri: 'sip:carol@192.0.2.30', params: {} } }));
    await flush();
    net.answer(net.last('INVITE'), 486, { toTag: 'ctag' });
    await flush();
    expect(net.last('NOTIFY').request.content).toBe('SIP/2.0 486 Busy Here\r\n');
  });

  it('without --accept-transfer a REFER gets 403 and nothing is dialled; outside a dialog 403; a bad Refer-To 400', async () => {
    const ua = await makeUa(false);
    const { inv } = await connected(ua, 'bob', 'btag');
    const invites = net.requests('INVITE').length;
    net.deliver(fromPeer(inv, 'btag', 'REFER', 2, { 'refer-to': { uri: 'sip:carol@192.0.2.30', params: {} } }));
    await flush();
    expect(net.lastResponse().status).toBe(403);
    const stranger = fromPeer(inv, 'btag', 'REFER', 3, { 'refer-to': { uri: 'sip:carol@192.0.2.30', params: {} }, 'call-id': 'other' });
    stranger.headers.to = { uri: 'sip:softphone@192.0.2.10', params: {} };
    net.deliver(stranger);
    await flush();
    expect(net.lastResponse().status).toBe(403);
    expect(net.requests('INVITE')).toHaveLength(invites);

    const accepting = await makeUa(true);
    const { inv: inv2 } = await connected(accepting, 'bob', 'btag2');
    net.deliver(fromPeer(inv2, 'btag2', 'REFER', 2, { 'refer-to': { uri: 'http://example.com/', params: {} } }));
    await flush();
    expect(net.lastResponse().status).toBe(400);
  });

  it('an INVITE with Replaces naming our connected call: answered without ringing the user, the old call gets a BYE', async () => {
    const ua = await makeUa(true);
    const replaced: UserAgentEvents['replaced'][] = [];
    const incoming: Call[] = [];
    ua.on('replaced', (e) => replaced.push(e));
    ua.on('incoming', (c) => incoming.push(c));
    const { call: old, inv } = await connected(ua, 'bob', 'btag');
    const ourTag = inv.request.headers.from.params.tag ?? '';
    const invite: SipRequest = {
      method: 'INVITE',
      uri: 'sip:softphone@192.0.2.10:5060',
      headers: {
        via: [{ version: '2.0', protocol: 'UDP', host: '203.0.113.9', port: 5064, params: { branch: 'z9hG4bKrep1' } }],
        to: { uri: 'sip:softphone@192.0.2.10', params: {} },
        from: { uri: 'sip:carol@203.0.113.9:5064', params: { tag: 'cartag' } },
        'call-id': 'replacing-1',
        cseq: { seq: 1, method: 'INVITE' },
        contact: [{ uri: 'sip:carol@203.0.113.9:5064', params: {} }],
        replaces: `${old.id};to-tag=${ourTag};from-tag=btag`,
        require: 'replaces',
        'content-type': 'application/sdp',
      },
      content: peerSdp(32000),
    };
    net.deliver(invite, { address: '203.0.113.9', port: 5064 });
    await flush();
    await flush();
    expect(net.lastResponse(200).headers['call-id']).toBe('replacing-1');
    expect(incoming).toHaveLength(0);
    expect(replaced.map((r) => r.replacedCallId)).toEqual([old.id]);
    expect(net.last('BYE').request.headers['call-id']).toBe(old.id);
    expect(old.state).toBe('ended');

    // Naming no dialog of ours: 481 (RFC 3891 §3).
    net.deliver({ ...invite, headers: { ...invite.headers, 'call-id': 'replacing-2', via: [{ ...invite.headers.via[0]!, params: { branch: 'z9hG4bKrep2' } }], replaces: 'nope;to-tag=a;from-tag=b' } }, { address: '203.0.113.9', port: 5064 });
    await flush();
    expect(net.lastResponse().status).toBe(481);
  });

  it('without --accept-transfer Replaces is ignored (the INVITE rings as a new call), and Require: replaces gets 420', async () => {
    const ua = await makeUa(false);
    const incoming: Call[] = [];
    ua.on('incoming', (c) => incoming.push(c));
    const base: SipRequest = {
      method: 'INVITE',
      uri: 'sip:softphone@192.0.2.10:5060',
      headers: {
        via: [{ version: '2.0', protocol: 'UDP', host: '203.0.113.9', port: 5064, params: { branch: 'z9hG4bKign1' } }],
        to: { uri: 'sip:softphone@192.0.2.10', params: {} },
        from: { uri: 'sip:carol@203.0.113.9:5064', params: { tag: 'cartag' } },
        'call-id': 'ign-1',
        cseq: { seq: 1, method: 'INVITE' },
        contact: [{ uri: 'sip:carol@203.0.113.9:5064', params: {} }],
        replaces: 'x;to-tag=a;from-tag=b',
        'content-type': 'application/sdp',
      },
      content: peerSdp(32000),
    };
    net.deliver(base);
    await flush();
    await flush();
    expect(incoming).toHaveLength(1);
    net.deliver({ ...base, headers: { ...base.headers, 'call-id': 'ign-2', require: 'replaces', via: [{ ...base.headers.via[0]!, params: { branch: 'z9hG4bKign2' } }] } });
    await flush();
    expect(net.lastResponse().status).toBe(420);
  });
});
