// RFC 3263 §4.3 failover on a recording transport: REGISTER and INVITE move on to the next server of
// the hop when one gives no answer at all, fails at the transport, or answers 503.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Registerer } from '../../../src-main/sip/registerer';
import { failoverAfter } from '../../../src-main/sip/target-failover';
import { createResponse } from '../../../src-main/sip/sip-headers';
import { UserAgentCore } from '../../../src-main/sip/user-agent-core';
import type { AccountSettings, Call, CallEndInfo, RegistrationState } from '../../../src-main/sip/user-agent-api';
import type { SipRequest } from '../../../src-main/sip/sip-message';
import { FakeClock, FakeTransport, flush, peerSdp, RecordingMedia, silentLogger, type SentRecord } from './fake-sip-network';
import { testRegisterer } from './registerer-fixture';

let clock: FakeClock;
let net: FakeTransport;
let states: RegistrationState[];

const FIRST = { address: '198.51.100.1', port: 5060 };
const SECOND = { address: '198.51.100.9', port: 5070 };

beforeEach(() => {
  clock = new FakeClock();
  net = new FakeTransport();
  states = [];
  // example.com has two servers (as SRV records would give them), the first preferred.
  net.servers.set('example.com', [`${FIRST.address}:${FIRST.port}`, `${SECOND.address}:${SECOND.port}`]);
});

function registerer(): Registerer {
  return testRegisterer(net, clock, states);
}

function ok(rec: SentRecord): void {
  const contact = rec.request.headers.contact;
  const mine = Array.isArray(contact) ? contact[0] : undefined;
  net.answer(rec, 200, { toTag: 'reg', headers: mine ? { contact: [{ uri: mine.uri, params: { expires: '300' } }] } : {} });
}

const branchOf = (rec: SentRecord) => rec.via.params.branch;

describe('failover decision (RFC 3263 §4.3)', () => {
  const req: SipRequest = {
    method: 'REGISTER',
    uri: 'sip:example.com',
    headers: { via: [], to: { uri: 'sip:a@example.com', params: {} }, from: { uri: 'sip:a@example.com', params: {} }, 'call-id': 'c', cseq: { seq: 1, method: 'REGISTER' } },
  };
  it('timeout without any response, transport failure and 503 fail over; other answers do not', () => {
    expect(failoverAfter(createResponse(req, 408), { synthetic: true }, false)).toEqual({ unreachableSeconds: 60 });
    expect(failoverAfter(createResponse(req, 408), { synthetic: true }, true)).toBeNull();
    expect(failoverAfter(createResponse(req, 503), { synthetic: true }, true)).toEqual({ unreachableSeconds: 60 });
    expect(failoverAfter(createResponse(req, 503, { headers: { 'retry-after': '120 (maintenance)' } }), { synthetic: false }, true)).toEqual({ unreachableSeconds: 120 });
    expect(failoverAfter(createResponse(req, 503), { synthetic: false }, true)).toEqual({ unreachableSeconds: 60 });
    for (const status of [408, 480, 486, 500, 504, 603]) expect(failoverAfter(createResponse(req, status), { synthetic: false }, false)).toBeNull();
  });
});

describe('REGISTER failover', () => {
  it('no answer from the first server: the same REGISTER goes to the second as a new transaction, which registers', async () => {
    const r = registerer();
    const done = r.register();
    await flush();
    const first = net.last('REGISTER');
    expect(first.to).toEqual(FIRST);
    net.timeout(first);
    const second = net.last('REGISTER');
    expect(second).not.toBe(first);
    expect(second.to).toEqual(SECOND);
    expect(branchOf(second)).not.toBe(branchOf(first));
    expect(second.request.headers['call-id']).toBe(first.request.headers['call-id']);
    expect(second.request.headers.cseq.seq).toBe(first.request.headers.cseq.seq + 1);
    expect(net.unreachable).toEqual([{ destination: FIRST, seconds: 60 }]);
    expect(states).toEqual([{ state: 'registering' }]);
    ok(second);
    expect((await done).state).toBe('registered');
    // Keep-alives and the ghost-call filter use the server that answered.
    expect(r.flow?.destination).toEqual(SECOND);
    r.dispose();
  });

  it('503 with Retry-After: next server at once, the first avoided for that long; the challenge of the second is answered there', async () => {
    const r = registerer();
    const done = r.register();
    await flush();
    net.answer(net.last('REGISTER'), 503, { headers: { 'retry-after': '120' } });
    expect(net.unreachable).toEqual([{ destination: FIRST, seconds: 120 }]);
    const second = net.last('REGISTER');
    expect(second.to).toEqual(SECOND);
    net.answer(second, 401, {
      toTag: 'reg',
      headers: { 'www-authenticate': [{ scheme: 'Digest', realm: '"example.com"', nonce: '"n2"', qop: '"auth"', algorithm: 'MD5' }] },
    });
    const third = net.last('REGISTER');
    expect(third.to).toEqual(SECOND);
    expect(JSON.stringify(third.request.headers.authorization)).toContain('n2');
    ok(third);
    expect((await done).state).toBe('registered');
    r.dispose();
  });

  it('every server failed: registration fails with the last one named, and is retried later from the top', async () => {
    const r = registerer();
    const done = r.register();
    await flush();
    net.timeout(net.last('REGISTER'));
    net.timeout(net.last('REGISTER'));
    expect(net.requests('REGISTER')).toHaveLength(2);
    expect(await done).toEqual({ state: 'failed', reason: `timeout: no answer from ${SECOND.address}:${SECOND.port}`, retryInSeconds: 30 });
    expect(net.unreachable.map((u) => u.destination)).toEqual([FIRST, SECOND]);
    await clock.advance(30_000);
    expect(net.requests('REGISTER')).toHaveLength(3);
    r.dispose();
  });

  it('a server that answers with another error is believed: no failover on 403', async () => {
    const r = registerer();
    const done = r.register();
    await flush();
    net.answer(net.last('REGISTER'), 403);
    expect((await done).state).toBe('failed');
    expect(net.requests('REGISTER')).toHaveLength(1);
    expect(net.unreachable).toEqual([]);
    r.dispose();
  });
});

describe('INVITE failover', () => {
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
    registerExpires: 300,
  };

  async function ua(): Promise<UserAgentCore> {
    const u = new UserAgentCore({ transport: net, clock, log: silentLogger, config: { port: 5060, account, createMedia: () => new RecordingMedia(4000) } });
    await u.start();
    return u;
  }

  function ended(call: Call): Promise<CallEndInfo> {
    return new Promise((resolve) => call.on('ended', resolve));
  }

  it('no answer at all from the first server: the INVITE goes to the second (new branch), the call connects there', async () => {
    const u = await ua();
    const call = u.call('bob');
    await flush();
    const first = net.last('INVITE');
    expect(first.to).toEqual(FIRST);
    net.timeout(first);
    await flush();
    const second = net.last('INVITE');
    expect(second.to).toEqual(SECOND);
    expect(branchOf(second)).not.toBe(branchOf(first));
    expect(second.request.headers['call-id']).toBe(first.request.headers['call-id']);
    expect(second.request.content).toBe(first.request.content);
    expect(net.unreachable).toEqual([{ destination: FIRST, seconds: 60 }]);
    net.answer(second, 200, {
      toTag: 'btag',
      headers: { contact: [{ uri: 'sip:bob@198.51.100.9:5070', params: {} }], 'content-type': 'application/sdp' },
      content: peerSdp(30000),
    });
    await flush();
    expect(call.state).toBe('connected');
  });

  it('a 503 moves on; a timeout after a provisional response does not (RFC 3263 §4.3)', async () => {
    const u = await ua();
    const call = u.call('bob');
    const end = ended(call);
    await flush();
    net.answer(net.last('INVITE'), 503);
    await flush();
    const second = net.last('INVITE');
    expect(second.to).toEqual(SECOND);
    net.answer(second, 100);
    net.timeout(second);
    const info = await end;
    expect(info).toMatchObject({ by: 'error' });
    expect(info.reason).toContain('timeout');
    expect(net.requests('INVITE')).toHaveLength(2);
  });

  it('the last server failing ends the call with its reason', async () => {
    const u = await ua();
    const call = u.call('bob');
    const end = ended(call);
    await flush();
    net.answer(net.last('INVITE'), 503);
    await flush();
    net.answer(net.last('INVITE'), 503, { reason: 'Overloaded' });
    const info = await end;
    expect(info).toMatchObject({ status: 503, by: 'remote' });
    expect(net.requests('INVITE')).toHaveLength(2);
  });
});
