// The user agent behind a NAT, on the recording transport and a fake clock: public address learned
// and re-registered, keep-alives (OPTIONS, CRLF, off), lost binding -> re-REGISTER, Contact of new
// dialogs, and the "server cannot reach us" warning.
import { beforeEach, describe, expect, it } from 'vitest';
import { UserAgentCore } from '../../../src-main/sip/user-agent-core';
import type { AccountSettings, PublicAddressInfo, RegistrationState, UserAgentConfig, UserAgentEvents } from '../../../src-main/sip/user-agent-api';
import type { SipRequest } from '../../../src-main/sip/sip-message';
import { FakeClock, FakeTransport, flush, LOCAL, peerSdp, RecordingMedia, silentLogger, type SentRecord } from './fake-sip-network';

const PUBLIC = { address: '203.0.113.5', port: 41234 };
const REGISTRAR = { address: '198.51.100.1', port: 5060 };

const account: AccountSettings = {
  accountName: 'work',
  userId: 'alice',
  domain: 'example.com',
  password: 'secret',
  displayName: '',
  authorizationName: '',
  registerWithDomain: true,
  sendOutboundVia: 'domain',
  proxyAddress: '',
  dialPlan: '',
  registerExpires: 3600,
};

let clock: FakeClock;
let net: FakeTransport;
let regs: RegistrationState[];
let warnings: Array<UserAgentEvents['warning']>;
let publics: PublicAddressInfo[];

async function makeUa(extra: Partial<UserAgentConfig> = {}): Promise<UserAgentCore> {
  const ua = new UserAgentCore({
    transport: net,
    clock,
    log: silentLogger,
    config: { port: 5060, account, userAgentName: 'unit', createMedia: () => new RecordingMedia(), ...extra },
  });
  ua.on('registration', (s) => regs.push(s));
  ua.on('warning', (w) => warnings.push(w));
  ua.on('publicAddress', (p) => publics.push(p));
  await ua.start();
  return ua;
}

/** Answers every REGISTER until registered (the 200 lists what was asked). */
async function registerUa(ua: UserAgentCore): Promise<RegistrationState> {
  const done = ua.register();
  for (let i = 0; i < 5 && ua.registration.state !== 'registered'; i++) {
    await flush();
    const rec = net.last('REGISTER');
    const contacts = Array.isArray(rec.request.headers.contact) ? rec.request.headers.contact : [];
    net.answer(rec, 200, { toTag: 'r', headers: { contact: contacts.filter((c) => c.params.expires !== '0') } });
  }
  return done;
}

function incomingInvite(branch: string): SipRequest {
  return {
    method: 'INVITE',
    uri: 'sip:alice@203.0.113.5:41234',
    headers: {
      via: [{ version: '2.0', protocol: 'UDP', host: '198.51.100.1', port: 5060, params: { branch } }],
      to: { uri: 'sip:alice@example.com', params: {} },
      from: { uri: 'sip:bob@example.com', params: { tag: `f${branch}` } },
      'call-id': `call-${branch}`,
      cseq: { seq: 1, method: 'INVITE' },
      contact: [{ uri: 'sip:bob@198.51.100.50:5060', params: {} }],
      'content-type': 'application/sdp',
    },
    content: peerSdp(30000),
  };
}

function options(): SentRecord[] {
  return net.requests('OPTIONS');
}

beforeEach(() => {
  clock = new FakeClock();
  net = new FakeTransport();
  regs = [];
  warnings = [];
  publics = [];
});

describe('UserAgent behind a NAT', () => {
  it('learns the public address, re-registers with it and tells the UI', async () => {
    net.seenAs = PUBLIC;
    const ua = await makeUa();
    const s = await registerUa(ua);
    expect(s).toEqual({ state: 'registered', expires: 3600, contact: 'sip:alice@203.0.113.5:41234', publicAddress: PUBLIC });
    expect(net.requests('REGISTER')).toHaveLength(2);
    expect(publics).toEqual([{ ...PUBLIC, local: LOCAL, behindNat: true }]);
  });

  it('OPTIONS keep-alive to the registrar every 25 s while registered, none before (holds off here)', async () => {
    net.seenAs = PUBLIC;
    const ua = await makeUa({ keepAlive: { method: 'options', holdSeconds: 0 } });
    await clock.advance(120_000);
    expect(options()).toHaveLength(0);
    await registerUa(ua);
    await clock.advance(24_999);
    expect(options()).toHaveLength(0);
    await clock.advance(1);
    expect(options()).toHaveLength(1);
    const ka = options()[0];
    if (!ka) throw new Error('no OPTIONS');
    expect(ka.to).toEqual(REGISTRAR);
    expect(ka.request.uri).toBe('sip:example.com');
    expect(ka.request.headers.from.uri).toBe('sip:alice@example.com');
    expect(ka.via.params).toHaveProperty('rport');
    // The next one is 25 s after the answer; an unanswered one is not doubled up.
    await clock.advance(10_000);
    net.answer(ka, 200);
    await clock.advance(24_999);
    expect(options()).toHaveLength(1);
    await clock.advance(1);
    expect(options()).toHaveLength(2);
    await clock.advance(60_000);
    expect(options()).toHaveLength(2);
    expect(net.requests('REGISTER')).toHaveLength(2);
  });

  it('default: a CRLF hold every 8 s between OPTIONS, the OPTIONS pulled onto the third hold tick (24 s)', async () => {
    net.seenAs = PUBLIC;
    const ua = await makeUa();
    await registerUa(ua);
    await clock.advance(7_999);
    expect(net.keepAlives).toHaveLength(0);
    await clock.advance(1);
    expect(net.keepAlives).toEqual([REGISTRAR]);
    await clock.advance(8_000);
    expect(net.keepAlives).toHaveLength(2);
    expect(options()).toHaveLength(0);
    // At 24 s the OPTIONS (due at 25 s) goes instead of a third CRLF.
    await clock.advance(8_000);
    expect(net.keepAlives).toHaveLength(2);
    expect(options()).toHaveLength(1);
    net.answer(net.last('OPTIONS'), 200);
    // From then on: never more than 8 s without a datagram to the registrar, an OPTIONS every 24 s.
    for (let i = 1; i <= 3; i++) {
      await clock.advance(23_999);
      expect(options()).toHaveLength(i);
      await clock.advance(1);
      expect(options()).toHaveLength(i + 1);
      expect(net.keepAlives).toHaveLength(2 + 2 * i);
      net.answer(net.last('OPTIONS'), 200);
    }
  });

  it('a keep-alive answer showing a new binding although the hold ran: the hold is halved to 4 s', async () => {
    net.seenAs = PUBLIC;
    const ua = await makeUa();
    await registerUa(ua);
    await clock.advance(24_000);
    net.seenAs = { address: PUBLIC.address, port: 6001 };
    net.answer(net.last('OPTIONS'), 200);
    const crlfs = net.keepAlives.length;
    await clock.advance(4_000);
    expect(net.keepAlives).toHaveLength(crlfs + 1);
    await clock.advance(4_000);
    expect(net.keepAlives).toHaveLength(crlfs + 2);
    expect(ua.registration.state).toBe('registered');
  });

  it('keep-alive unanswered (binding lost): "registering" and a REGISTER at once, then registered again', async () => {
    net.seenAs = PUBLIC;
    const ua = await makeUa();
    await registerUa(ua);
    await clock.advance(25_000);
    const before = net.requests('REGISTER').length;
    regs.length = 0;
    net.timeout(net.last('OPTIONS'));
    await flush();
    expect(regs).toEqual([{ state: 'registering' }]);
    expect(net.requests('REGISTER')).toHaveLength(before + 1);
    // The NAT handed out a new port for the new binding: learned, and registered in turn.
    net.seenAs = { address: PUBLIC.address, port: 50001 };
    const rec = net.last('REGISTER');
    net.answer(rec, 200, { toTag: 'r' });
    await flush();
    const again = net.last('REGISTER');
    expect(again.request.headers.contact).toEqual([
      { uri: 'sip:alice@203.0.113.5:50001', params: { expires: '3600' } },
      { uri: 'sip:alice@203.0.113.5:41234', params: { expires: '0' } },
    ]);
    net.answer(again, 200, { toTag: 'r', headers: { contact: [{ uri: 'sip:alice@203.0.113.5:50001', params: { expires: '3600' } }] } });
    expect(ua.registration).toMatchObject({ state: 'registered', contact: 'sip:alice@203.0.113.5:50001' });
    expect(publics.at(-1)).toMatchObject({ port: 50001, behindNat: true });
    // Keep-alives run again.
    await clock.advance(25_000);
    expect(net.last('OPTIONS')).not.toBe(undefined);
    expect(options().length).toBeGreaterThanOrEqual(2);
  });

  it('keep-alive answer with another rport (NAT rebinding): REGISTER at once with the new Contact', async () => {
    net.seenAs = PUBLIC;
    const ua = await makeUa();
    await registerUa(ua);
    await clock.advance(25_000);
    const before = net.requests('REGISTER').length;
    net.seenAs = { address: '203.0.113.5', port: 6000 };
    net.answer(net.last('OPTIONS'), 200);
    await flush();
    expect(net.requests('REGISTER')).toHaveLength(before + 1);
    const rec = net.last('REGISTER');
    expect(rec.request.headers.contact).toEqual([
      { uri: 'sip:alice@203.0.113.5:6000', params: { expires: '3600' } },
      { uri: 'sip:alice@203.0.113.5:41234', params: { expires: '0' } },
    ]);
    expect(ua.registration.state).toBe('registered');
    // Until the registrar has the new Contact, new dialogs keep the one it has.
    ua.call('bob');
    await flush();
    expect(net.last('INVITE').request.headers.contact).toEqual([{ uri: 'sip:alice@203.0.113.5:41234', params: {} }]);
    net.answer(rec, 200, { toTag: 'r', headers: { contact: [{ uri: 'sip:alice@203.0.113.5:6000', params: { expires: '3600' } }] } });
    expect(ua.registration).toMatchObject({ state: 'registered', contact: 'sip:alice@203.0.113.5:6000', publicAddress: { port: 6000 } });
    ua.call('carol');
    await flush();
    expect(net.last('INVITE').request.headers.contact).toEqual([{ uri: 'sip:alice@203.0.113.5:6000', params: {} }]);
  });

  it('with an outbound proxy the keep-alive goes to the proxy, routed on to the registrar', async () => {
    const ua = await makeUa({ account: { ...account, sendOutboundVia: 'proxy', proxyAddress: 'proxy.example.com:5070' } });
    await registerUa(ua);
    await clock.advance(25_000);
    const ka = net.last('OPTIONS');
    expect(ka.to).toEqual({ address: '198.51.100.2', port: 5070 });
    expect(ka.request.uri).toBe('sip:example.com');
    expect(ka.request.headers.route).toEqual([{ uri: 'sip:proxy.example.com:5070;lr', params: {} }]);
  });

  it("'crlf' keep-alives: a CRLF datagram to the registrar each interval, no OPTIONS", async () => {
    const ua = await makeUa({ keepAlive: { method: 'crlf', intervalSeconds: 15, holdSeconds: 0 } });
    await registerUa(ua);
    await clock.advance(60_000);
    expect(net.keepAlives).toEqual([REGISTRAR, REGISTRAR, REGISTRAR, REGISTRAR]);
    expect(options()).toHaveLength(0);
  });

  it("'crlf' with the default hold: a CRLF at least every 8 s whatever the interval", async () => {
    const ua = await makeUa({ keepAlive: { method: 'crlf', intervalSeconds: 25 } });
    await registerUa(ua);
    await clock.advance(64_000);
    expect(net.keepAlives).toHaveLength(8);
    expect(options()).toHaveLength(0);
  });

  it("'off': nothing but the REGISTER refreshes", async () => {
    const ua = await makeUa({ keepAlive: { method: 'off', intervalSeconds: 25 } });
    await registerUa(ua);
    await clock.advance(600_000);
    expect(options()).toHaveLength(0);
    expect(net.keepAlives).toHaveLength(0);
  });

  it('keep-alives stop when unregistered', async () => {
    const ua = await makeUa({ keepAlive: { method: 'options', intervalSeconds: 10 } });
    await registerUa(ua);
    const un = ua.unregister();
    await flush();
    net.answer(net.last('REGISTER'), 200, { toTag: 'r' });
    await un;
    await clock.advance(100_000);
    expect(options()).toHaveLength(0);
  });

  it('Contact of new dialogs: public towards the registrar, local for a direct call to another host', async () => {
    net.seenAs = PUBLIC;
    const ua = await makeUa();
    await registerUa(ua);
    ua.call('bob');
    await flush();
    const viaServer = net.last('INVITE');
    expect(viaServer.to).toEqual(REGISTRAR);
    expect(viaServer.request.headers.contact).toEqual([{ uri: 'sip:alice@203.0.113.5:41234', params: {} }]);
    ua.call('sip:carol@192.0.2.77:5070');
    await flush();
    const direct = net.last('INVITE');
    expect(direct.to).toEqual({ address: '192.0.2.77', port: 5070 });
    expect(direct.request.headers.contact).toEqual([{ uri: 'sip:alice@192.0.2.10:5060', params: {} }]);
  });

  it('an INVITE relayed by the registrar rings with the public Contact; one from elsewhere with the local one', async () => {
    net.seenAs = PUBLIC;
    // A call from elsewhere rings only when the account allows direct calls (issue 9).
    const ua = await makeUa({ account: { ...account, allowDirectCalls: true } });
    await registerUa(ua);
    net.deliver(incomingInvite('z9hG4bKa'), REGISTRAR);
    await flush();
    expect(net.lastResponse(180).headers.contact).toEqual([{ uri: 'sip:alice@203.0.113.5:41234', params: {} }]);
    net.deliver(incomingInvite('z9hG4bKb'), { address: '192.0.2.99', port: 5060 });
    await flush();
    expect(net.lastResponse(180).headers.contact).toEqual([{ uri: 'sip:alice@192.0.2.10:5060', params: {} }]);
  });

  it('ghost calls (issue 9): while registered, an INVITE from elsewhere or for another user gets 403 and never rings', async () => {
    const created: RecordingMedia[] = [];
    const ua = await makeUa({ createMedia: () => created[created.push(new RecordingMedia()) - 1] as RecordingMedia });
    const incoming: string[] = [];
    const rejected: Array<UserAgentEvents['rejected']> = [];
    ua.on('incoming', (c) => incoming.push(c.id));
    ua.on('rejected', (r) => rejected.push(r));
    await registerUa(ua);
    net.deliver(incomingInvite('z9hG4bKg1'), { address: '192.0.2.99', port: 5060 });
    net.deliver({ ...incomingInvite('z9hG4bKg2'), uri: 'sip:9999@203.0.113.5:41234' }, REGISTRAR);
    await flush();
    expect(net.responses.map((r) => r.status)).toEqual([403, 403]);
    expect(rejected.map((r) => [r.source, r.reason])).toEqual([
      ['192.0.2.99:5060', 'not from the registrar or outbound proxy'],
      ['198.51.100.1:5060', 'Request-URI user "9999" is not this account\'s'],
    ]);
    expect(created).toHaveLength(0);
    // The real call through the registrar still rings.
    net.deliver(incomingInvite('z9hG4bKg3'), REGISTRAR);
    await flush();
    expect(net.lastResponse().status).toBe(180);
    expect(incoming).toHaveLength(1);
  });

  it('without a registration (direct-IP use of the account), anyone may call, as before', async () => {
    const ua = await makeUa();
    const incoming: string[] = [];
    ua.on('incoming', (c) => incoming.push(c.id));
    net.deliver({ ...incomingInvite('z9hG4bKd1'), uri: 'sip:9999@192.0.2.10' }, { address: '192.0.2.99', port: 5060 });
    await flush();
    expect(net.lastResponse().status).toBe(180);
    expect(incoming).toHaveLength(1);
  });

  it('the diagnosis: behind NAT and nothing from the server for 5 minutes -> one plain-words warning', async () => {
    net.seenAs = PUBLIC;
    const ua = await makeUa();
    await registerUa(ua);
    const answerKeepAlives = async (ms: number): Promise<void> => {
      for (let t = 0; t < ms; t += 1000) {
        await clock.advance(1000);
        const last = options().at(-1);
        if (last && !('answered' in last)) {
          Object.assign(last, { answered: true });
          net.answer(last, 200);
        }
      }
    };
    await answerKeepAlives(299_000);
    expect(warnings).toHaveLength(0);
    await answerKeepAlives(1000);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.code).toBe('nat-unreachable');
    expect(warnings[0]?.message).toMatch(/^Registered, but the server's calls cannot reach this PC: you are behind NAT \(seen as 203\.0\.113\.5:41234, local 192\.0\.2\.10:5060\)/);
    expect(warnings[0]?.message).toMatch(/open UDP 5060 and the RTP ports/);
    await answerKeepAlives(600_000);
    expect(warnings).toHaveLength(1);
  });

  it('no warning when the server pings us, none without a NAT, none when switched off', async () => {
    net.seenAs = PUBLIC;
    let ua = await makeUa({ keepAlive: { method: 'off' } });
    await registerUa(ua);
    for (let i = 0; i < 12; i++) {
      await clock.advance(60_000);
      net.deliver({ ...incomingInvite(`z9hG4bKp${i}`), method: 'OPTIONS', headers: { ...incomingInvite(`z9hG4bKp${i}`).headers, cseq: { seq: 1, method: 'OPTIONS' } } }, REGISTRAR);
    }
    expect(net.lastResponse().status).toBe(200);
    expect(warnings).toHaveLength(0);
    await clock.advance(300_000);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/Turn on keep-alives/);

    warnings.length = 0;
    net = new FakeTransport();
    net.seenAs = LOCAL;
    ua = await makeUa({ keepAlive: { method: 'off' } });
    await registerUa(ua);
    await clock.advance(3_600_000);
    expect(warnings).toHaveLength(0);

    net = new FakeTransport();
    net.seenAs = PUBLIC;
    ua = await makeUa({ keepAlive: { method: 'off' }, unreachableWarningMinutes: 0 });
    await registerUa(ua);
    await clock.advance(3_600_000);
    expect(warnings).toHaveLength(0);
  });

  it('the threshold is configurable', async () => {
    net.seenAs = PUBLIC;
    const ua = await makeUa({ keepAlive: { method: 'off' }, unreachableWarningMinutes: 1 });
    await registerUa(ua);
    await clock.advance(59_999);
    expect(warnings).toHaveLength(0);
    await clock.advance(1);
    expect(warnings[0]?.message).toMatch(/arrived in 1 minute\./);
  });
});
