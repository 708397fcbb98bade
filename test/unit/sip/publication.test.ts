// Our presence publication (RFC 3903) through the user agent core on a fake transport and clock: the
// initial PUBLISH (Request-URI and To = our AOR, Event: presence, PIDF body whose basic status follows
// the choice), the SIP-ETag kept and a bodiless refresh with SIP-If-Match before the granted Expires, a
// new status as a modify, 412 -> a fresh initial PUBLISH, 423 -> Min-Expires, a challenge answered only
// for the account's realm, and Expires: 0 with SIP-If-Match at shutdown.
import { beforeEach, describe, expect, it } from 'vitest';
import { pidfDocument } from '../../../src-main/sip/pidf-document';
import { availability, parsePidf } from '../../../src-main/sip/presence-body';
import type { PublicationUpdate } from '../../../src-main/sip/publication';
import { UserAgentCore } from '../../../src-main/sip/user-agent-core';
import { FakeClock, FakeTransport, flush, RecordingMedia, silentLogger, WORK_ACCOUNT } from './fake-sip-network';

const account = WORK_ACCOUNT;

let net: FakeTransport;
let clock: FakeClock;
let updates: PublicationUpdate[];

async function makeUa(): Promise<UserAgentCore> {
  const ua = new UserAgentCore({ transport: net, clock, log: silentLogger, config: { port: 5060, userAgentName: 'unit', account, createMedia: () => new RecordingMedia(4000) } });
  ua.on('publication', (u) => updates.push(u));
  await ua.start();
  return ua;
}

describe('PIDF document', () => {
  it('says open or closed and the RPID activity, and reads back as the status chosen', () => {
    for (const status of ['available', 'away', 'busy', 'offline'] as const) {
      const doc = parsePidf(pidfDocument('sip:alice@example.com', status));
      expect(doc?.entity).toBe('sip:alice@example.com');
      expect(doc?.basic).toBe(status === 'offline' ? 'closed' : 'open');
      expect(doc && availability(doc)).toBe(status);
    }
    expect(pidfDocument('sip:a&b@x', 'away')).toContain('entity="sip:a&amp;b@x"');
  });
});

describe('presence publication', () => {
  beforeEach(() => {
    net = new FakeTransport();
    clock = new FakeClock();
    updates = [];
  });

  it('publishes a PIDF body, keeps the SIP-ETag and refreshes with SIP-If-Match and no body before expiry', async () => {
    const ua = await makeUa();
    expect(ua.publishPresence('away', 600)).toEqual({ ok: true });
    await flush();
    const first = net.last('PUBLISH');
    expect(first.request.uri).toBe('sip:alice@example.com');
    expect(first.request.headers.to.uri).toBe('sip:alice@example.com');
    expect(first.request.headers.event).toBe('presence');
    expect(first.request.headers.expires).toBe('600');
    expect(first.request.headers['content-type']).toBe('application/pidf+xml');
    expect(first.request.headers['sip-if-match']).toBeUndefined();
    expect(first.request.content).toContain('<basic>open</basic>');
    expect(first.request.content).toContain('<rpid:away/>');
    net.answer(first, 200, { headers: { 'sip-etag': 'e1', expires: '120' } });
    await flush();
    expect(updates).toEqual([{ state: 'published', presence: 'away', expires: 120 }]);
    await clock.advance(87_000);
    expect(net.requests('PUBLISH')).toHaveLength(1);
    await clock.advance(2_000);
    const refresh = net.last('PUBLISH');
    expect(net.requests('PUBLISH')).toHaveLength(2);
    expect(refresh.request.headers['sip-if-match']).toBe('e1');
    expect(refresh.request.headers.expires).toBe('600');
    expect(refresh.request.content ?? '').toBe('');
    expect(refresh.request.headers['call-id']).toBe(first.request.headers['call-id']);
    expect(refresh.request.headers.cseq.seq).toBeGreaterThan(first.request.headers.cseq.seq);
    net.answer(refresh, 200, { headers: { 'sip-etag': 'e2', expires: '120' } });
    await flush();
    // A new status is a modify of the state the server holds (its latest entity-tag), with the body.
    ua.publishPresence('offline');
    await flush();
    const modify = net.last('PUBLISH');
    expect(modify.request.headers['sip-if-match']).toBe('e2');
    expect(modify.request.content).toContain('<basic>closed</basic>');
  });

  it('412 Conditional Request Failed: publishes afresh, without SIP-If-Match and with the body', async () => {
    const ua = await makeUa();
    ua.publishPresence('busy');
    await flush();
    net.answer(net.last('PUBLISH'), 200, { headers: { 'sip-etag': 'e1', expires: '60' } });
    await clock.advance(31_000);
    const refresh = net.last('PUBLISH');
    expect(refresh.request.headers['sip-if-match']).toBe('e1');
    net.answer(refresh, 412, { reason: 'Conditional Request Failed' });
    await flush();
    const fresh = net.last('PUBLISH');
    expect(net.requests('PUBLISH')).toHaveLength(3);
    expect(fresh.request.headers['sip-if-match']).toBeUndefined();
    expect(fresh.request.content).toContain('<rpid:busy/>');
  });

  it('423 asks again with Min-Expires; a refusal is reported with the reason', async () => {
    const ua = await makeUa();
    ua.publishPresence('available', 30);
    await flush();
    net.answer(net.last('PUBLISH'), 423, { headers: { 'min-expires': '300' } });
    await flush();
    expect(net.last('PUBLISH').request.headers.expires).toBe('300');
    net.answer(net.last('PUBLISH'), 489, { reason: 'Bad Event' });
    await flush();
    expect(updates.at(-1)).toEqual({ state: 'failed', presence: 'available', reason: '489 Bad Event' });
  });

  it('answers a challenge from the account realm, not from another realm', async () => {
    const ua = await makeUa();
    ua.publishPresence('available');
    await flush();
    net.answer(net.last('PUBLISH'), 407, { headers: { 'proxy-authenticate': [{ scheme: 'Digest', realm: '"example.com"', nonce: '"n1"', qop: '"auth"', algorithm: 'MD5' }] } });
    await flush();
    const retry = net.last('PUBLISH');
    expect(net.requests('PUBLISH')).toHaveLength(2);
    expect(JSON.stringify(retry.request.headers['proxy-authorization'])).toContain('example.com');
    ua.publishPresence('away');
    net.answer(retry, 200, { headers: { 'sip-etag': 'e1', expires: '3600' } });
    await flush();
    const modify = net.last('PUBLISH');
    net.answer(modify, 401, { headers: { 'www-authenticate': [{ scheme: 'Digest', realm: '"evil.example"', nonce: '"n2"', qop: '"auth"', algorithm: 'MD5' }] } });
    await flush();
    expect(net.requests('PUBLISH')).toHaveLength(3);
    expect(updates.at(-1)).toMatchObject({ state: 'failed', presence: 'away' });
  });

  it('removes the published state with Expires: 0 and SIP-If-Match at shutdown', async () => {
    const ua = await makeUa();
    ua.publishPresence('available');
    await flush();
    net.answer(net.last('PUBLISH'), 200, { headers: { 'sip-etag': 'e9', expires: '3600' } });
    await flush();
    const done = ua.shutdown();
    await flush();
    const removal = net.last('PUBLISH');
    expect(removal.request.headers.expires).toBe('0');
    expect(removal.request.headers['sip-if-match']).toBe('e9');
    expect(removal.request.content ?? '').toBe('');
    net.answer(removal, 200);
    await clock.advance(6000);
    await done;
    expect(updates.at(-1)).toEqual({ state: 'removed', presence: 'offline' });
  });

  it('needs an account', async () => {
    const ua = new UserAgentCore({ transport: net, clock, log: silentLogger, config: { port: 5060, userAgentName: 'unit', createMedia: () => new RecordingMedia(4000) } });
    await ua.start();
    expect(ua.publishPresence('available')).toEqual({ error: expect.stringMatching(/no account/) });
  });
});
