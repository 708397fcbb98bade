// Issue 11, transfer policy "ask": a peer's REFER is accepted (202) with NOTIFY 100 at once, then waits
// for the user; Accept dials the target, Decline or 30 s of silence sends the final NOTIFY "603 Declined"
// (RFC 3515 §2.4.5) and dials nothing. An INVITE with Replaces rings with the question; Decline gets 603.
import { beforeEach, describe, expect, it } from 'vitest';
import { UserAgentCore } from '../../../src-main/sip/user-agent-core';
import { transferPolicyOf } from '../../../src-main/sip/transfer-host';
import type { SipRequest } from '../../../src-main/sip/sip-message';
import type { Call, UserAgentConfig, UserAgentEvents } from '../../../src-main/sip/user-agent-api';
import { FakeClock, FakeTransport, flush, peerSdp, RecordingMedia, silentLogger, type SentRecord } from './fake-sip-network';

let clock: FakeClock;
let net: FakeTransport;

async function makeUa(extra: Partial<UserAgentConfig> = { transferPolicy: 'ask' }) {
  let n = 0;
  const ua = new UserAgentCore({
    transport: net,
    clock,
    log: silentLogger,
    config: { port: 5060, userAgentName: 'unit', createMedia: () => new RecordingMedia(4000 + 2 * n++), noRtpTimeoutSeconds: 0, mediaWarningSeconds: 0, ...extra },
  });
  await ua.start();
  const asks: UserAgentEvents['transferAsk'][] = [];
  const ended: UserAgentEvents['transferAskEnded'][] = [];
  ua.on('transferAsk', (a) => asks.push(a));
  ua.on('transferAskEnded', (e) => ended.push(e));
  return { ua, asks, ended };
}

async function connected(ua: UserAgentCore, who: string, tag: string): Promise<{ call: Call; inv: SentRecord }> {
  const call = ua.call(`sip:${who}@192.0.2.20`);
  await flush();
  const inv = net.requests('INVITE').filter((r) => r.request.headers['call-id'] === call.id)[0];
  if (!inv) throw new Error('no INVITE');
  net.answer(inv, 200, { toTag: tag, headers: { contact: [{ uri: `sip:${who}@203.0.113.5:5062`, params: {} }], 'content-type': 'application/sdp' }, content: peerSdp(30000) });
  await flush();
  return { call, inv };
}

function refer(inv: SentRecord, seq: number, target = 'sip:carol@192.0.2.30:5070'): SipRequest {
  return {
    method: 'REFER',
    uri: 'sip:softphone@192.0.2.10:5060',
    headers: {
      via: [{ version: '2.0', protocol: 'UDP', host: '203.0.113.5', port: 5062, params: { branch: `z9hG4bKref${seq}` } }],
      to: { uri: inv.request.headers.from.uri, params: { tag: inv.request.headers.from.params.tag } },
      from: { uri: inv.request.headers.to.uri, params: { tag: 'btag' } },
      'call-id': inv.request.headers['call-id'],
      cseq: { seq, method: 'REFER' },
      contact: [{ uri: 'sip:bob@203.0.113.5:5062', params: {} }],
      'refer-to': { uri: target, params: {} },
      'referred-by': '<sip:bob@203.0.113.5>',
    },
  };
}

const notifies = (callId: string) => net.requests('NOTIFY').filter((r) => r.request.headers['call-id'] === callId);

beforeEach(() => {
  clock = new FakeClock();
  net = new FakeTransport();
});

describe('transfer policy', () => {
  it('--accept-transfer wins; the account decides next (true = always); the embedder last; default never', () => {
    expect(transferPolicyOf({ acceptTransfer: true, transferPolicy: 'ask' })).toBe('always');
    expect(transferPolicyOf({ transferPolicy: 'ask' })).toBe('ask');
    expect(transferPolicyOf({})).toBe('never');
    const account = (acceptTransfer: boolean | 'never' | 'ask' | 'always') => ({ account: { acceptTransfer } as never });
    expect(transferPolicyOf(account(true))).toBe('always');
    expect(transferPolicyOf(account(false))).toBe('never');
    expect(transferPolicyOf({ ...account('ask') })).toBe('ask');
    expect(transferPolicyOf({ ...account('never'), transferPolicy: 'ask' })).toBe('never');
  });
});

describe('a REFER under "ask"', () => {
  it('202 and NOTIFY 100 at once, nothing dialled; Decline: NOTIFY "603 Declined", subscription terminated', async () => {
    const { ua, asks, ended } = await makeUa();
    const { call, inv } = await connected(ua, 'bob', 'btag');
    const invites = net.requests('INVITE').length;
    net.deliver(refer(inv, 2));
    await flush();
    expect(net.lastResponse().status).toBe(202);
    expect(notifies(call.id).map((n) => n.request.content)).toEqual(['SIP/2.0 100 Trying\r\n']);
    expect(asks).toHaveLength(1);
    expect(asks[0]?.ask).toMatchObject({ kind: 'refer', callId: call.id, target: 'sip:carol@192.0.2.30:5070', referredBy: '<sip:bob@203.0.113.5>', expiresAt: clock.now() + 30_000 });
    expect(asks[0]?.call).toBe(call);
    // A second REFER while the first is asked about: one at a time (RFC 3261 §21.4.27).
    net.deliver(refer(inv, 3, 'sip:dave@192.0.2.31'));
    await flush();
    expect(net.lastResponse().status).toBe(491);

    expect(ua.answerTransfer(asks[0]!.ask.id, false)).toBe(true);
    await flush();
    const last = notifies(call.id).at(-1)!;
    expect(last.request.content).toBe('SIP/2.0 603 Declined\r\n');
    expect(last.request.headers['subscription-state']).toBe('terminated;reason=noresource');
    expect(last.request.headers.event).toBe('refer');
    expect(net.requests('INVITE')).toHaveLength(invites);
    expect(ended).toEqual([{ id: asks[0]!.ask.id, callId: call.id, accepted: false, cause: 'user' }]);
    // Answered already: a second answer finds nothing.
    expect(ua.answerTransfer(asks[0]!.ask.id, true)).toBe(false);
    expect(call.state).toBe('connected');
  });

  it('no answer within 30 s is a Decline (603 sipfrag), not a second earlier', async () => {
    const { ua, asks, ended } = await makeUa();
    const { call, inv } = await connected(ua, 'bob', 'btag');
    net.deliver(refer(inv, 2));
    await flush();
    await clock.advance(29_900);
    expect(notifies(call.id)).toHaveLength(1);
    await clock.advance(200);
    expect(notifies(call.id).at(-1)?.request.content).toBe('SIP/2.0 603 Declined\r\n');
    expect(ended[0]).toMatchObject({ id: asks[0]?.ask.id, accepted: false, cause: 'timeout' });
  });

  it('Accept dials the target with Referred-By, without a second 100; NOTIFY 200 when it connects', async () => {
    const { ua, asks } = await makeUa();
    const placed: UserAgentEvents['transferCall'][] = [];
    ua.on('transferCall', (e) => placed.push(e));
    const { call, inv } = await connected(ua, 'bob', 'btag');
    net.deliver(refer(inv, 2));
    await flush();
    expect(ua.answerTransfer(asks[0]!.ask.id, true)).toBe(true);
    await flush();
    const invite = net.last('INVITE');
    expect(invite.request.uri).toBe('sip:carol@192.0.2.30:5070');
    expect(invite.request.headers['referred-by']).toBe('<sip:bob@203.0.113.5>');
    expect(placed.map((p) => p.referredBy)).toEqual([call.id]);
    net.answer(invite, 200, { toTag: 'ctag', headers: { contact: [{ uri: 'sip:carol@192.0.2.30:5070', params: {} }], 'content-type': 'application/sdp' }, content: peerSdp(31000) });
    await flush();
    expect(notifies(call.id).map((n) => n.request.content)).toEqual(['SIP/2.0 100 Trying\r\n', 'SIP/2.0 200 OK\r\n']);
  });

  it('the call ending while asked drops the question (cause ended) and sends nothing more', async () => {
    const { ua, asks, ended } = await makeUa();
    const { call, inv } = await connected(ua, 'bob', 'btag');
    net.deliver(refer(inv, 2));
    await flush();
    await call.hangup();
    await flush();
    expect(ended).toEqual([{ id: asks[0]!.ask.id, callId: call.id, accepted: false, cause: 'ended' }]);
    expect(notifies(call.id)).toHaveLength(1);
    expect(ua.answerTransfer(asks[0]!.ask.id, true)).toBe(false);
  });
});

describe('an INVITE with Replaces under "ask"', () => {
  function replacing(old: Call, ourTag: string, n: number): SipRequest {
    return {
      method: 'INVITE',
      uri: 'sip:softphone@192.0.2.10:5060',
      headers: {
        via: [{ version: '2.0', protocol: 'UDP', host: '203.0.113.9', port: 5064, params: { branch: `z9hG4bKrep${n}` } }],
        to: { uri: 'sip:softphone@192.0.2.10', params: {} },
        from: { uri: 'sip:carol@203.0.113.9:5064', params: { tag: `cartag${n}` } },
        'call-id': `replacing-${n}`,
        cseq: { seq: 1, method: 'INVITE' },
        contact: [{ uri: 'sip:carol@203.0.113.9:5064', params: {} }],
        replaces: `${old.id};to-tag=${ourTag};from-tag=btag`,
        'content-type': 'application/sdp',
      },
      content: peerSdp(32000),
    };
  }

  it('rings with the question (not as an incoming call); Decline answers 603 and the old call stays', async () => {
    const { ua, asks } = await makeUa();
    const incoming: Call[] = [];
    ua.on('incoming', (c) => incoming.push(c));
    const { call: old, inv } = await connected(ua, 'bob', 'btag');
    net.deliver(replacing(old, inv.request.headers.from.params.tag ?? '', 1), { address: '203.0.113.9', port: 5064 });
    await flush();
    await flush();
    expect(incoming).toHaveLength(0);
    expect(asks.map((a) => [a.ask.kind, a.ask.target, a.ask.replacesCallId, a.call.id])).toEqual([['replaces', 'sip:carol@203.0.113.9:5064', old.id, 'replacing-1']]);
    expect(net.lastResponse().status).toBe(180);
    ua.answerTransfer(asks[0]!.ask.id, false);
    await flush();
    expect(net.lastResponse().status).toBe(603);
    expect(old.state).toBe('connected');
    expect(net.requests('BYE')).toHaveLength(0);
  });

  it('Accept answers the new call and ends the old one with a BYE', async () => {
    const { ua, asks } = await makeUa();
    const replaced: UserAgentEvents['replaced'][] = [];
    ua.on('replaced', (r) => replaced.push(r));
    const { call: old, inv } = await connected(ua, 'bob', 'btag');
    net.deliver(replacing(old, inv.request.headers.from.params.tag ?? '', 2), { address: '203.0.113.9', port: 5064 });
    await flush();
    await flush();
    ua.answerTransfer(asks[0]!.ask.id, true);
    await flush();
    await flush();
    expect(net.lastResponse(200).headers['call-id']).toBe('replacing-2');
    expect(replaced.map((r) => r.replacedCallId)).toEqual([old.id]);
    expect(net.last('BYE').request.headers['call-id']).toBe(old.id);
  });
});
