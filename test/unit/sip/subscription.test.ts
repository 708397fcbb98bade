// Our SUBSCRIBE dialogs (RFC 6665) through the user agent core on a fake transport and clock: headers of
// the initial SUBSCRIBE, the dialog from the 2xx, NOTIFYs matched (or 481 / 489), a NOTIFY that overtakes
// the 2xx, refresh before Expires inside the dialog, 423 Min-Expires, terminated;reason=deactivated,
// unsolicited message-summary only from the registrar, and Expires: 0 at shutdown.
import { beforeEach, describe, expect, it } from 'vitest';
import type { SipNameAddr, SipRequest } from '../../../src-main/sip/sip-message';
import type { SubscriptionUpdate } from '../../../src-main/sip/subscription';
import { UserAgentCore } from '../../../src-main/sip/user-agent-core';
import { FakeClock, FakeTransport, flush, RecordingMedia, silentLogger, WORK_ACCOUNT } from './fake-sip-network';

const account = WORK_ACCOUNT;

let net: FakeTransport;
let clock: FakeClock;
let updates: SubscriptionUpdate[];

async function makeUa(): Promise<UserAgentCore> {
  const ua = new UserAgentCore({ transport: net, clock, log: silentLogger, config: { port: 5060, userAgentName: 'unit', account, createMedia: () => new RecordingMedia(4000) } });
  ua.on('subscription', (u) => updates.push(u));
  await ua.start();
  return ua;
}

function notify(sub: SipRequest, opts: { fromTag: string; seq: number; state: string; body?: string; event?: string; toTag?: string }): SipRequest {
  const req: SipRequest = {
    method: 'NOTIFY',
    uri: 'sip:alice@192.0.2.10:5060',
    headers: {
      via: [{ version: '2.0', protocol: 'UDP', host: '198.51.100.1', port: 5060, params: { branch: `z9hG4bKn${opts.seq}` } }],
      from: { uri: sub.uri, params: { tag: opts.fromTag } },
      to: { uri: sub.headers.from.uri, params: { tag: opts.toTag ?? sub.headers.from.params.tag ?? '' } },
      'call-id': sub.headers['call-id'],
      cseq: { seq: opts.seq, method: 'NOTIFY' },
      contact: [{ uri: 'sip:vm@198.51.100.1:5070', params: {} }],
      event: opts.event ?? 'message-summary',
      'subscription-state': opts.state,
    },
  };
  if (opts.body !== undefined) {
    req.content = opts.body;
    req.headers['content-type'] = 'application/simple-message-summary';
  }
  return req;
}

const BODY = 'Messages-Waiting: yes\r\nVoice-Message: 2/8 (0/2)\r\n';

describe('subscriptions', () => {
  beforeEach(() => {
    net = new FakeTransport();
    clock = new FakeClock();
    updates = [];
  });

  it('sends SUBSCRIBE with Event, Accept, Expires and a Contact; a NOTIFY in the dialog is answered 200 and reported', async () => {
    const ua = await makeUa();
    const r = ua.subscribe({ target: 'sip:alice@example.com', event: 'message-summary', expires: 600 });
    expect(r).toEqual({ id: 'sub-1' });
    await flush();
    const sub = net.last('SUBSCRIBE');
    expect(sub.request.uri).toBe('sip:alice@example.com');
    expect(sub.to).toEqual({ address: '198.51.100.1', port: 5060 });
    expect(sub.request.headers.event).toBe('message-summary');
    expect(sub.request.headers.accept).toBe('application/simple-message-summary');
    expect(sub.request.headers.expires).toBe('600');
    expect((sub.request.headers.contact as SipNameAddr[] | undefined)?.[0]?.uri).toBe('sip:alice@192.0.2.10:5060');
    expect(sub.request.headers.to.params.tag).toBeUndefined();
    net.answer(sub, 200, { toTag: 'vm1', headers: { expires: '600', contact: [{ uri: 'sip:vm@198.51.100.1:5070', params: {} }] } });
    net.deliver(notify(sub.request, { fromTag: 'vm1', seq: 1, state: 'active;expires=599', body: BODY }), { address: '198.51.100.1', port: 5060 });
    expect(net.lastResponse().status).toBe(200);
    expect(updates.at(-1)).toMatchObject({ id: 'sub-1', event: 'message-summary', state: 'active', body: { contentType: 'application/simple-message-summary', text: BODY } });
    // An older CSeq, a wrong Event or a stranger's tag are refused.
    net.deliver(notify(sub.request, { fromTag: 'vm1', seq: 1, state: 'active' }));
    expect(net.lastResponse().status).toBe(500);
    net.deliver(notify(sub.request, { fromTag: 'vm1', seq: 2, state: 'active', event: 'presence' }));
    expect(net.lastResponse().status).toBe(489);
    net.deliver(notify(sub.request, { fromTag: 'vm1', seq: 3, state: 'active', toTag: 'not-ours' }));
    expect(net.lastResponse().status).toBe(481);
  });

  it('refreshes inside the dialog before the granted Expires runs out', async () => {
    const ua = await makeUa();
    ua.subscribe({ target: 'sip:alice@example.com', event: 'message-summary', expires: 3600 });
    await flush();
    const first = net.last('SUBSCRIBE');
    net.answer(first, 202, { toTag: 'vm1', headers: { expires: '120', contact: [{ uri: 'sip:vm@198.51.100.1:5070', params: {} }] } });
    await clock.advance(87_000);
    expect(net.requests('SUBSCRIBE')).toHaveLength(1);
    await clock.advance(2_000);
    expect(net.requests('SUBSCRIBE')).toHaveLength(2);
    const refresh = net.last('SUBSCRIBE');
    expect(refresh.request.uri).toBe('sip:vm@198.51.100.1:5070');
    expect(refresh.request.headers.to.params.tag).toBe('vm1');
    expect(refresh.request.headers['call-id']).toBe(first.request.headers['call-id']);
    expect(refresh.request.headers.cseq.seq).toBe(first.request.headers.cseq.seq + 1);
  });

  it('a NOTIFY that overtakes the 2xx makes the dialog; 423 asks again with Min-Expires', async () => {
    const ua = await makeUa();
    ua.subscribe({ target: 'sip:alice@example.com', event: 'message-summary', expires: 30 });
    await flush();
    const first = net.last('SUBSCRIBE');
    net.answer(first, 423, { headers: { 'min-expires': '300' } });
    await flush();
    const second = net.last('SUBSCRIBE');
    expect(second.request.headers.expires).toBe('300');
    net.deliver(notify(second.request, { fromTag: 'vm2', seq: 1, state: 'active;expires=300', body: BODY }));
    expect(net.lastResponse().status).toBe(200);
    expect(updates.at(-1)).toMatchObject({ state: 'active' });
  });

  it('terminated;reason=deactivated subscribes again at once; rejected stops', async () => {
    const ua = await makeUa();
    ua.subscribe({ target: 'sip:alice@example.com', event: 'presence' });
    await flush();
    const first = net.last('SUBSCRIBE');
    expect(first.request.headers.accept).toBe('application/pidf+xml');
    net.answer(first, 200, { toTag: 'p1', headers: { expires: '3600' } });
    net.deliver(notify(first.request, { fromTag: 'p1', seq: 1, state: 'terminated;reason=deactivated', event: 'presence' }));
    expect(net.lastResponse().status).toBe(200);
    await clock.advance(10);
    const again = net.last('SUBSCRIBE');
    expect(again.request.headers['call-id']).not.toBe(first.request.headers['call-id']);
    net.answer(again, 200, { toTag: 'p2', headers: { expires: '3600' } });
    net.deliver(notify(again.request, { fromTag: 'p2', seq: 1, state: 'terminated;reason=rejected', event: 'presence' }));
    await clock.advance(4_000_000);
    expect(net.requests('SUBSCRIBE')).toHaveLength(2);
    expect(updates.at(-1)).toMatchObject({ state: 'terminated', reason: 'rejected' });
  });

  it('a refused SUBSCRIBE is reported and tried again later', async () => {
    const ua = await makeUa();
    ua.subscribe({ target: 'sip:bob@example.com', event: 'dialog' });
    await flush();
    net.answer(net.last('SUBSCRIBE'), 489, { reason: 'Bad Event' });
    expect(updates.at(-1)).toMatchObject({ state: 'failed', reason: '489 Bad Event' });
    await clock.advance(300_000);
    expect(net.requests('SUBSCRIBE')).toHaveLength(2);
  });

  it('un-SUBSCRIBEs with Expires: 0 at shutdown', async () => {
    const ua = await makeUa();
    ua.subscribe({ target: 'sip:alice@example.com', event: 'message-summary' });
    await flush();
    const first = net.last('SUBSCRIBE');
    net.answer(first, 200, { toTag: 'vm1', headers: { expires: '3600' } });
    const done = ua.shutdown();
    await flush();
    const bye = net.last('SUBSCRIBE');
    expect(bye.request.headers.expires).toBe('0');
    expect(bye.request.headers.to.params.tag).toBe('vm1');
    net.answer(bye, 200);
    await clock.advance(6000);
    await done;
  });

  it('unsolicited message-summary: only while registered, only from the registrar, for our user', async () => {
    const ua = await makeUa();
    const unsolicited = (uri: string): SipRequest => ({
      method: 'NOTIFY',
      uri,
      headers: {
        via: [{ version: '2.0', protocol: 'UDP', host: '198.51.100.1', port: 5060, params: { branch: 'z9hG4bKu1' } }],
        from: { uri: 'sip:alice@example.com', params: { tag: 'x' } },
        to: { uri: 'sip:alice@example.com', params: {} },
        'call-id': 'mwi-1',
        cseq: { seq: 1, method: 'NOTIFY' },
        event: 'message-summary',
        'content-type': 'application/simple-message-summary',
      },
      content: BODY,
    });
    net.deliver(unsolicited('sip:alice@192.0.2.10'), { address: '198.51.100.1', port: 5060 });
    await flush();
    expect(net.lastResponse().status).toBe(481); // not registering: no mailbox to speak of
    void ua.register();
    await flush();
    net.deliver(unsolicited('sip:alice@192.0.2.10'), { address: '203.0.113.66', port: 5060 });
    await flush();
    expect(net.lastResponse().status).toBe(403);
    net.deliver(unsolicited('sip:alice@192.0.2.10'), { address: '198.51.100.1', port: 5060 });
    await flush();
    expect(net.lastResponse().status).toBe(200);
    expect(updates.at(-1)).toMatchObject({ id: '', unsolicited: true, event: 'message-summary', body: { text: BODY } });
  });
});
