import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { grantedExpires, refreshDelaySeconds, Registerer, type RegistererOptions } from '../../../src-main/sip/registerer';
import { createResponse } from '../../../src-main/sip/sip-headers';
import type { RegistrationState } from '../../../src-main/sip/user-agent-api';
import { FakeClock, FakeTransport, flush, type SentRecord } from './fake-sip-network';
import { testRegisterer } from './registerer-fixture';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const unq = (s: string | undefined): string => (s ?? '').replace(/^"|"$/g, '');

let clock: FakeClock;
let net: FakeTransport;
let states: RegistrationState[];

function makeRegisterer(extra: Partial<RegistererOptions> = {}): Registerer {
  return testRegisterer(net, clock, states, { displayName: '홍길동', ...extra });
}

function ok(rec: SentRecord, contactExpires?: number, headerExpires?: number): void {
  const contact = rec.request.headers.contact;
  const mine = Array.isArray(contact) ? contact[0] : undefined;
  net.answer(rec, 200, {
    toTag: 'reg',
    headers: {
      ...(mine ? { contact: [{ uri: 'sip:other@198.51.100.77', params: { expires: '9999' } }, { uri: mine.uri, params: contactExpires === undefined ? {} : { expires: String(contactExpires) } }] } : {}),
      ...(headerExpires === undefined ? {} : { expires: String(headerExpires) }),
    },
  });
}

function challenge(rec: SentRecord, nonce: string, stale = false): void {
  net.answer(rec, 401, {
    toTag: 'reg',
    headers: { 'www-authenticate': [{ scheme: 'Digest', realm: '"example.com"', nonce: `"${nonce}"`, qop: '"auth"', algorithm: 'MD5', ...(stale ? { stale: 'TRUE' } : {}) }] },
  });
}

beforeEach(() => {
  clock = new FakeClock();
  net = new FakeTransport();
  states = [];
});

describe('refresh timing (RFC 3261 §10.2.4)', () => {
  it('half the granted expiry, or 5 s early for short ones, never under 1 s', () => {
    expect(refreshDelaySeconds(3600)).toBe(1800);
    expect(refreshDelaySeconds(60)).toBe(30);
    expect(refreshDelaySeconds(8)).toBe(3);
    expect(refreshDelaySeconds(3)).toBe(1);
  });
  it('granted expiry: our Contact parameter wins over the Expires header', () => {
    const res = createResponse(
      { method: 'REGISTER', uri: 'sip:example.com', headers: { via: [], to: { uri: 'sip:a@example.com', params: {} }, from: { uri: 'sip:a@example.com', params: {} }, 'call-id': 'c', cseq: { seq: 1, method: 'REGISTER' } } },
      200,
      { headers: { contact: [{ uri: 'sip:alice@192.0.2.10:5060;transport=udp', params: { expires: '120' } }], expires: '600' } },
    );
    expect(grantedExpires(res, 'sip:alice@192.0.2.10:5060', 300)).toBe(120);
    expect(grantedExpires(res, 'sip:bob@192.0.2.10:5060', 300)).toBe(600);
  });
});

describe('Registerer', () => {
  it('sends REGISTER with AOR, Contact+expires, and refreshes at half the granted expiry with the same Call-ID', async () => {
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    const first = net.last('REGISTER');
    expect(first.request.uri).toBe('sip:example.com');
    expect(first.to).toEqual({ address: '198.51.100.1', port: 5060 });
    expect(first.request.headers.to.uri).toBe('sip:alice@example.com');
    expect(first.request.headers.from.params.tag).toBeTruthy();
    expect(first.request.headers.from.name).toBe('"홍길동"');
    expect(first.request.headers.contact).toEqual([{ uri: 'sip:alice@192.0.2.10:5060', params: { expires: '300' } }]);
    expect(first.request.headers.expires).toBe('300');
    expect(first.request.headers['max-forwards']).toBe(70);
    expect(states).toEqual([{ state: 'registering' }]);

    ok(first, 120);
    expect(await done).toEqual({ state: 'registered', expires: 120, contact: 'sip:alice@192.0.2.10:5060' });

    await clock.advance(59_000);
    expect(net.requests('REGISTER')).toHaveLength(1);
    await clock.advance(1_000);
    expect(net.requests('REGISTER')).toHaveLength(2);
    const refresh = net.last('REGISTER');
    expect(refresh.request.headers['call-id']).toBe(first.request.headers['call-id']);
    expect(refresh.request.headers.cseq.seq).toBe(first.request.headers.cseq.seq + 1);
    // A refresh does not flash "registering" in the UI.
    expect(states.filter((s) => s.state === 'registering')).toHaveLength(1);
    ok(refresh, undefined, 8);
    expect(r.state).toEqual({ state: 'registered', expires: 8, contact: 'sip:alice@192.0.2.10:5060' });
    await clock.advance(2_999);
    expect(net.requests('REGISTER')).toHaveLength(2);
    await clock.advance(1);
    expect(net.requests('REGISTER')).toHaveLength(3);
    r.dispose();
  });

  it('401 then 200: retries with a correct digest Authorization and CSeq + 1', async () => {
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    const first = net.last('REGISTER');
    challenge(first, 'n1');
    const second = net.last('REGISTER');
    expect(second).not.toBe(first);
    expect(second.request.headers.cseq.seq).toBe(first.request.headers.cseq.seq + 1);
    const auth = second.request.headers.authorization?.[0];
    expect(auth).toBeDefined();
    if (!auth) return;
    expect(unq(auth.username)).toBe('alice');
    expect(unq(auth.realm)).toBe('example.com');
    expect(unq(auth.uri)).toBe('sip:example.com');
    const ha1 = md5('alice:example.com:secret');
    const ha2 = md5('REGISTER:sip:example.com');
    expect(unq(auth.response)).toBe(md5(`${ha1}:n1:${auth.nc}:${unq(auth.cnonce)}:auth:${ha2}`));
    ok(second, 300);
    expect((await done).state).toBe('registered');
    r.dispose();
  });

  it('a second 401 means the password is wrong', async () => {
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    challenge(net.last('REGISTER'), 'n1');
    challenge(net.last('REGISTER'), 'n2');
    expect(await done).toEqual({ state: 'failed', reason: '401 Unauthorized (wrong password?)', status: 401 });
    expect(net.requests('REGISTER')).toHaveLength(2);
  });

  it('issue 9: a challenge for a realm that is not the account\'s fails without sending a digest', async () => {
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    net.answer(net.last('REGISTER'), 401, { toTag: 'reg', headers: { 'www-authenticate': [{ scheme: 'Digest', realm: '"asterisk"', nonce: '"n"', algorithm: 'MD5' }] } });
    expect(await done).toEqual({ state: 'failed', reason: 'not sending your password to example.com: realm "asterisk" is not your account\'s', status: 401 });
    expect(net.requests('REGISTER')).toHaveLength(1);
  });

  it('issue 9: an extra realm of the account (authRealms) is answered, SHA-256 preferred', async () => {
    const r = makeRegisterer({ authPolicy: { realms: ['example.com', 'asterisk'], refuseMd5WithoutQop: true } });
    void r.register();
    await flush();
    net.answer(net.last('REGISTER'), 401, {
      toTag: 'reg',
      headers: {
        'www-authenticate': [
          { scheme: 'Digest', realm: '"asterisk"', nonce: '"m"', algorithm: 'MD5' },
          { scheme: 'Digest', realm: '"asterisk"', nonce: '"s"', algorithm: 'SHA-256', qop: '"auth"' },
        ],
      },
    });
    await flush();
    expect(net.last('REGISTER').request.headers.authorization?.[0]).toMatchObject({ realm: '"asterisk"', algorithm: 'SHA-256', nonce: '"s"' });
  });

  it('stale=true: answers the new nonce once more and succeeds', async () => {
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    challenge(net.last('REGISTER'), 'n1');
    challenge(net.last('REGISTER'), 'n2', true);
    const third = net.last('REGISTER');
    expect(unq(third.request.headers.authorization?.[0]?.nonce)).toBe('n2');
    ok(third, 60);
    expect(await done).toEqual({ state: 'registered', expires: 60, contact: 'sip:alice@192.0.2.10:5060' });
    r.dispose();
  });

  it('403 fails with the status line', async () => {
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    net.answer(net.last('REGISTER'), 403);
    expect(await done).toEqual({ state: 'failed', reason: '403 Forbidden', status: 403 });
  });

  it('no answer: fails naming the address, and tries again later', async () => {
    const r = makeRegisterer({ registrar: 'sip:127.0.0.1:5060', aor: 'sip:alice@127.0.0.1', retrySeconds: 30 });
    const done = r.register();
    await flush();
    net.timeout(net.last('REGISTER'));
    expect(await done).toEqual({ state: 'failed', reason: 'timeout: no answer from 127.0.0.1:5060', retryInSeconds: 30 });
    await clock.advance(30_000);
    expect(net.requests('REGISTER')).toHaveLength(2);
    r.dispose();
  });

  it('an unresolvable domain fails with the resolver error', async () => {
    const r = makeRegisterer({ registrar: 'sip:nowhere.invalid' });
    expect(await r.register()).toEqual({ state: 'failed', reason: 'cannot resolve nowhere.invalid: ENOTFOUND' });
  });

  it('423 Interval Too Brief: asks again with Min-Expires', async () => {
    const r = makeRegisterer({ expires: 30 });
    const done = r.register();
    await flush();
    net.answer(net.last('REGISTER'), 423, { headers: { 'min-expires': '120' } });
    const again = net.last('REGISTER');
    expect(again.request.headers.expires).toBe('120');
    ok(again, 120);
    expect((await done).state).toBe('registered');
    r.dispose();
  });

  it('outbound proxy: Route ;lr and sent to the proxy, Request-URI still the domain', async () => {
    const r = makeRegisterer({ outboundProxy: 'sip:proxy.example.com:5070;lr' });
    void r.register();
    await flush();
    const rec = net.last('REGISTER');
    expect(rec.request.uri).toBe('sip:example.com');
    expect(rec.request.headers.route).toEqual([{ uri: 'sip:proxy.example.com:5070;lr', params: {} }]);
    expect(rec.to).toEqual({ address: '198.51.100.2', port: 5070 });
    r.dispose();
  });

  it('unregister sends expires 0 and stops refreshing', async () => {
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    ok(net.last('REGISTER'), 300);
    await done;
    const un = r.unregister();
    await flush();
    const rec = net.last('REGISTER');
    expect(rec.request.headers.expires).toBe('0');
    expect(rec.request.headers.contact).toEqual([{ uri: 'sip:alice@192.0.2.10:5060', params: { expires: '0' } }]);
    ok(rec, 0);
    await un;
    expect(r.state).toEqual({ state: 'unregistered' });
    const count = net.requests('REGISTER').length;
    await clock.advance(3_600_000);
    expect(net.requests('REGISTER')).toHaveLength(count);
  });
});
