// Registration and digest auth over time (issue 10): 423 after a challenge keeps the credentials and
// Min-Expires sticks for refreshes; refreshes reuse the nonce (nc + 1); a restarted server's new nonce
// is answered without losing the registration.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Registerer, RegistererOptions } from '../../../src-main/sip/registerer';
import type { RegistrationState } from '../../../src-main/sip/user-agent-api';
import { FakeClock, FakeTransport, flush, type SentRecord } from './fake-sip-network';
import { testRegisterer } from './registerer-fixture';

const unq = (s: string | undefined): string => (s ?? '').replace(/^"|"$/g, '');

let clock: FakeClock;
let net: FakeTransport;
let states: RegistrationState[];

function makeRegisterer(extra: Partial<RegistererOptions> = {}): Registerer {
  return testRegisterer(net, clock, states, extra);
}

function ok(rec: SentRecord, expires: number): void {
  net.answer(rec, 200, { toTag: 'reg', headers: { contact: [{ uri: 'sip:alice@192.0.2.10:5060', params: { expires: String(expires) } }] } });
}

function challenge(rec: SentRecord, nonce: string, stale = false): void {
  net.answer(rec, 401, {
    toTag: 'reg',
    headers: { 'www-authenticate': [{ scheme: 'Digest', realm: '"example.com"', nonce: `"${nonce}"`, qop: '"auth"', algorithm: 'MD5', ...(stale ? { stale: 'true' } : {}) }] },
  });
}

const authOf = (rec: SentRecord) => rec.request.headers.authorization?.[0];

beforeEach(() => {
  clock = new FakeClock();
  net = new FakeTransport();
  states = [];
});

describe('Registerer and digest auth over time', () => {
  it('401, then 423 Min-Expires 1200, then a new 401: registered; the 423 retry carries the credentials; refreshes ask for 1200', async () => {
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    challenge(net.last('REGISTER'), 'n1');
    const authed = net.last('REGISTER');
    expect(unq(authOf(authed)?.nonce)).toBe('n1');
    net.answer(authed, 423, { headers: { 'min-expires': '1200' } });
    const retry = net.last('REGISTER');
    expect(retry.request.headers.expires).toBe('1200');
    expect(retry.request.headers.cseq.seq).toBe(authed.request.headers.cseq.seq + 1);
    // RFC 3261 §10.2.8 retry with what we hold: the same nonce, used a second time.
    expect(authOf(retry)).toMatchObject({ nonce: '"n1"', nc: '00000002' });
    // The server wants a fresh nonce for it: answered, not "wrong password".
    challenge(retry, 'n2');
    const third = net.last('REGISTER');
    expect(authOf(third)).toMatchObject({ nonce: '"n2"', nc: '00000001' });
    expect(third.request.headers.expires).toBe('1200');
    ok(third, 1200);
    expect(await done).toMatchObject({ state: 'registered', expires: 1200 });

    await clock.advance(600_000);
    const refresh = net.last('REGISTER');
    expect(refresh).not.toBe(third);
    expect(refresh.request.headers.expires).toBe('1200');
    expect(refresh.request.headers.contact).toEqual([{ uri: 'sip:alice@192.0.2.10:5060', params: { expires: '1200' } }]);
    expect(authOf(refresh)).toMatchObject({ nonce: '"n2"', nc: '00000002' });
    ok(refresh, 1200);
    // After the 423 nothing asks for 300 again.
    expect(net.requests('REGISTER').map((q) => q.request.headers.expires)).toEqual(['300', '300', '1200', '1200', '1200']);
    r.dispose();
  });

  it('a 423 that does not raise the interval, or a third one in a row, is the end', async () => {
    const r = makeRegisterer({ expires: 30 });
    const done = r.register();
    await flush();
    net.answer(net.last('REGISTER'), 423, { headers: { 'min-expires': '60' } });
    net.answer(net.last('REGISTER'), 423, { headers: { 'min-expires': '120' } });
    net.answer(net.last('REGISTER'), 423, { headers: { 'min-expires': '240' } });
    expect(await done).toMatchObject({ state: 'failed', status: 423 });
    expect(net.requests('REGISTER').map((q) => q.request.headers.expires)).toEqual(['30', '60', '120']);
  });

  it.each([
    ['not stale', false],
    ['stale=true', true],
  ])('refresh after a server restart (%s): the cached nonce is refused, the new one answered, still registered', async (_name, stale) => {
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    challenge(net.last('REGISTER'), 'old');
    ok(net.last('REGISTER'), 60);
    await done;
    await clock.advance(30_000);
    const refresh = net.last('REGISTER');
    expect(authOf(refresh)).toMatchObject({ nonce: '"old"', nc: '00000002' });
    challenge(refresh, 'new', stale);
    const again = net.last('REGISTER');
    expect(authOf(again)).toMatchObject({ nonce: '"new"', nc: '00000001' });
    ok(again, 60);
    expect(r.state).toMatchObject({ state: 'registered', expires: 60 });
    expect(states.map((s) => s.state)).toEqual(['registering', 'registered', 'registered']);
    r.dispose();
  });

  it('a refresh whose new nonce is refused again: the password changed, that is a failure', async () => {
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    challenge(net.last('REGISTER'), 'old');
    ok(net.last('REGISTER'), 60);
    await done;
    await clock.advance(30_000);
    challenge(net.last('REGISTER'), 'new');
    challenge(net.last('REGISTER'), 'newer');
    expect(r.state).toEqual({ state: 'failed', reason: '401 Unauthorized (wrong password?)', status: 401 });
    r.dispose();
  });

  it('407 from the outbound proxy, then 401 from the registrar: one header each on the same REGISTER', async () => {
    const r = makeRegisterer({ outboundProxy: 'sip:proxy.example.com;lr', authPolicy: { realms: ['example.com', 'proxy.example.com'], refuseMd5WithoutQop: false } });
    const done = r.register();
    await flush();
    net.answer(net.last('REGISTER'), 407, {
      headers: { 'proxy-authenticate': [{ scheme: 'Digest', realm: '"proxy.example.com"', nonce: '"p"', qop: '"auth"' }] },
    });
    challenge(net.last('REGISTER'), 'r');
    const last = net.last('REGISTER');
    expect(unq(last.request.headers['proxy-authorization']?.[0]?.realm)).toBe('proxy.example.com');
    expect(unq(authOf(last)?.realm)).toBe('example.com');
    ok(last, 300);
    expect((await done).state).toBe('registered');
    r.dispose();
  });
});
