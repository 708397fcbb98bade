// Registration behind a NAT: the Contact follows received/rport (RFC 3581), stale Contacts are
// removed, a lost binding re-registers at once, failures back off (RFC 5626 §4.5 style).
import { beforeEach, describe, expect, it } from 'vitest';
import { Registerer, type RegistererOptions } from '../../../src-main/sip/registerer';
import type { ViaMapping } from '../../../src-main/sip/nat-mapping';
import type { RegistrationState } from '../../../src-main/sip/user-agent-api';
import { FakeClock, FakeTransport, flush, LOCAL, type SentRecord } from './fake-sip-network';

let clock: FakeClock;
let net: FakeTransport;
let states: RegistrationState[];
let mappings: ViaMapping[];

const PUBLIC = { address: '203.0.113.5', port: 41234 };
const PUBLIC_CONTACT = 'sip:alice@203.0.113.5:41234';
const LOCAL_CONTACT = 'sip:alice@192.0.2.10:5060';

function makeRegisterer(extra: Partial<RegistererOptions> = {}): Registerer {
  return new Registerer({
    transport: net,
    clock,
    aor: 'sip:alice@example.com',
    registrar: 'sip:example.com',
    contactUser: 'alice',
    credentials: { username: 'alice', password: 'secret' },
    expires: 300,
    userAgent: 'test',
    onState: (s) => states.push(s),
    onMapping: (m) => mappings.push(m),
    ...extra,
  });
}

/** 200 OK listing the Contacts the REGISTER asked for (with the expiry it asked for). */
function ok(rec: SentRecord): void {
  const contacts = Array.isArray(rec.request.headers.contact) ? rec.request.headers.contact : [];
  net.answer(rec, 200, { toTag: 'reg', headers: { contact: contacts.filter((c) => c.params.expires !== '0') } });
}

function contactsOf(rec: SentRecord): Array<[string, string | null | undefined]> {
  const c = rec.request.headers.contact;
  return Array.isArray(c) ? c.map((x) => [x.uri, x.params.expires]) : [];
}

beforeEach(() => {
  clock = new FakeClock();
  net = new FakeTransport();
  states = [];
  mappings = [];
});

describe('Registerer behind a NAT', () => {
  it('learned from the 200: REGISTERs again at once with the public Contact and removes the private one', async () => {
    net.seenAs = PUBLIC;
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    const first = net.last('REGISTER');
    expect(contactsOf(first)).toEqual([[LOCAL_CONTACT, '300']]);
    ok(first);
    await flush();
    const second = net.last('REGISTER');
    expect(second).not.toBe(first);
    expect(second.request.headers['call-id']).toBe(first.request.headers['call-id']);
    expect(contactsOf(second)).toEqual([
      [PUBLIC_CONTACT, '300'],
      [LOCAL_CONTACT, '0'],
    ]);
    // Not announced as registered with a Contact we know does not reach us.
    expect(states).toEqual([{ state: 'registering' }]);
    expect(mappings).toEqual([{ mapped: PUBLIC, local: LOCAL }]);
    ok(second);
    expect(await done).toEqual({ state: 'registered', expires: 300, contact: PUBLIC_CONTACT, publicAddress: PUBLIC });
    expect(r.contactAddress).toEqual(PUBLIC);
    // The refresh keeps the public Contact and has nothing left to remove.
    await clock.advance(150_000);
    expect(contactsOf(net.last('REGISTER'))).toEqual([[PUBLIC_CONTACT, '300']]);
    expect(mappings).toHaveLength(1);
    r.dispose();
  });

  it('learned from the 401 challenge: the authenticated REGISTER already carries the public Contact', async () => {
    net.seenAs = PUBLIC;
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    const first = net.last('REGISTER');
    net.answer(first, 401, { toTag: 'reg', headers: { 'www-authenticate': [{ scheme: 'Digest', realm: '"example.com"', nonce: '"n1"', qop: '"auth"' }] } });
    const second = net.last('REGISTER');
    expect(second.request.headers.authorization).toBeDefined();
    expect(contactsOf(second)).toEqual([[PUBLIC_CONTACT, '300']]);
    ok(second);
    expect(await done).toMatchObject({ state: 'registered', contact: PUBLIC_CONTACT });
    expect(net.requests('REGISTER')).toHaveLength(2);
    r.dispose();
  });

  it('no NAT (received/rport = our own address): one REGISTER, the local Contact, publicAddress = local', async () => {
    net.seenAs = LOCAL;
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    ok(net.last('REGISTER'));
    expect(await done).toEqual({ state: 'registered', expires: 300, contact: LOCAL_CONTACT, publicAddress: LOCAL });
    expect(net.requests('REGISTER')).toHaveLength(1);
    r.dispose();
  });

  it('rewriteContact false: keeps the local Contact, still reports the public address', async () => {
    net.seenAs = PUBLIC;
    const r = makeRegisterer({ rewriteContact: false });
    const done = r.register();
    await flush();
    ok(net.last('REGISTER'));
    expect(await done).toEqual({ state: 'registered', expires: 300, contact: LOCAL_CONTACT, publicAddress: PUBLIC });
    expect(net.requests('REGISTER')).toHaveLength(1);
    r.dispose();
  });

  it('a server reporting a new port every time is chased 3 times, then the binding is taken as it is', async () => {
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    for (let i = 0; i < 3; i++) {
      net.seenAs = { address: '203.0.113.5', port: 40000 + i };
      ok(net.last('REGISTER'));
      await flush();
    }
    expect(net.requests('REGISTER')).toHaveLength(4);
    net.seenAs = { address: '203.0.113.5', port: 40099 };
    ok(net.last('REGISTER'));
    const s = await done;
    expect(s).toMatchObject({ state: 'registered', contact: 'sip:alice@203.0.113.5:40002', publicAddress: { port: 40099 } });
    expect(net.requests('REGISTER')).toHaveLength(4);
    r.dispose();
  });

  it('a keep-alive reporting another mapping: REGISTER at once with the new Contact, the old one removed', async () => {
    net.seenAs = PUBLIC;
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    ok(net.last('REGISTER'));
    await flush();
    ok(net.last('REGISTER'));
    await done;
    const before = net.requests('REGISTER').length;
    r.observeMapping({ mapped: PUBLIC, local: LOCAL });
    await flush();
    expect(net.requests('REGISTER')).toHaveLength(before);
    net.seenAs = { address: '203.0.113.5', port: 50000 };
    r.observeMapping({ mapped: net.seenAs, local: LOCAL });
    await flush();
    const rec = net.last('REGISTER');
    expect(net.requests('REGISTER')).toHaveLength(before + 1);
    expect(contactsOf(rec)).toEqual([
      ['sip:alice@203.0.113.5:50000', '300'],
      [PUBLIC_CONTACT, '0'],
    ]);
    ok(rec);
    expect(states.at(-1)).toEqual({ state: 'registered', expires: 300, contact: 'sip:alice@203.0.113.5:50000', publicAddress: { address: '203.0.113.5', port: 50000 } });
    // No "registering" flash: the old binding still worked while the new one was registered.
    expect(states.filter((s) => s.state === 'registering')).toHaveLength(1);
    r.dispose();
  });

  it('binding lost: "registering" at once and a new REGISTER; failures back off 30, 60, 120 s ... capped', async () => {
    const r = makeRegisterer({ maxRetrySeconds: 100 });
    const done = r.register();
    await flush();
    ok(net.last('REGISTER'));
    await done;
    r.bindingLost();
    await flush();
    expect(states.at(-1)).toEqual({ state: 'registering' });
    expect(net.requests('REGISTER')).toHaveLength(2);
    net.timeout(net.last('REGISTER'));
    expect(states.at(-1)).toEqual({ state: 'failed', reason: 'timeout: no answer from 198.51.100.1:5060', retryInSeconds: 30 });
    const times: number[] = [];
    const t0 = clock.now();
    for (let i = 0; i < 4; i++) {
      const n = net.requests('REGISTER').length;
      while (net.requests('REGISTER').length === n) await clock.advance(1000);
      times.push((clock.now() - t0) / 1000);
      net.timeout(net.last('REGISTER'));
    }
    // 30, then +60, then +100 (cap), +100.
    expect(times).toEqual([30, 90, 190, 290]);
    // Success resets the back-off.
    await clock.advance(100_000);
    ok(net.last('REGISTER'));
    expect(r.state.state).toBe('registered');
    r.bindingLost();
    await flush();
    net.timeout(net.last('REGISTER'));
    const n = net.requests('REGISTER').length;
    await clock.advance(30_000);
    expect(net.requests('REGISTER')).toHaveLength(n + 1);
    r.dispose();
  });

  it('bindingLost and observeMapping do nothing unless registered', async () => {
    const r = makeRegisterer();
    r.bindingLost();
    r.observeMapping({ mapped: PUBLIC, local: LOCAL });
    await flush();
    expect(net.sent).toHaveLength(0);
    expect(states).toEqual([]);
  });

  it('unregister removes the registered public Contact', async () => {
    net.seenAs = PUBLIC;
    const r = makeRegisterer();
    const done = r.register();
    await flush();
    ok(net.last('REGISTER'));
    await flush();
    ok(net.last('REGISTER'));
    await done;
    const un = r.unregister();
    await flush();
    const rec = net.last('REGISTER');
    expect(contactsOf(rec)).toEqual([[PUBLIC_CONTACT, '0']]);
    ok(rec);
    await un;
    expect(r.state).toEqual({ state: 'unregistered' });
  });
});
