// Digest auth on a call's requests (issue 10): two challenging hops on the INVITE, the ACK with the
// INVITE's credentials, a challenged BYE sent again with credentials (new CSeq), within the auth policy.
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { UserAgentCore } from '../../../src-main/sip/user-agent-core';
import type { AccountSettings, Call, CallEndInfo } from '../../../src-main/sip/user-agent-api';
import { FakeClock, FakeTransport, flush, peerSdp, RecordingMedia, silentLogger, type SentRecord } from './fake-sip-network';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const unq = (s: string | undefined): string => (s ?? '').replace(/^"|"$/g, '');

let clock: FakeClock;
let net: FakeTransport;
let warnings: string[];

const account: AccountSettings = {
  accountName: 'work',
  userId: 'alice',
  domain: 'example.com',
  password: 'secret',
  displayName: '',
  authorizationName: '',
  registerWithDomain: false,
  sendOutboundVia: 'domain',
  proxyAddress: '',
  dialPlan: '',
  registerExpires: 300,
  authRealms: ['sbc.example.net'],
};

async function makeUa(): Promise<UserAgentCore> {
  const ua = new UserAgentCore({
    transport: net,
    clock,
    log: silentLogger,
    config: { port: 5060, userAgentName: 'unit', account, createMedia: () => new RecordingMedia(4000) },
  });
  ua.on('warning', (w) => warnings.push(w.message));
  await ua.start();
  return ua;
}

const wwwAuth = (realm: string, nonce: string) => ({ 'www-authenticate': [{ scheme: 'Digest', realm: `"${realm}"`, nonce: `"${nonce}"`, qop: '"auth"', algorithm: 'MD5' }] });
const proxyAuth = (realm: string, nonce: string) => ({ 'proxy-authenticate': [{ scheme: 'Digest', realm: `"${realm}"`, nonce: `"${nonce}"`, qop: '"auth"', algorithm: 'MD5' }] });

/** 200 OK to the INVITE; with `viaRegistrar` the registrar record-routes, so requests in the dialog go through it. */
function ok(rec: SentRecord, viaRegistrar: boolean): void {
  net.answer(rec, 200, {
    toTag: 'btag',
    headers: {
      contact: [{ uri: 'sip:bob@203.0.113.5:5062', params: {} }],
      'content-type': 'application/sdp',
      ...(viaRegistrar ? { 'record-route': [{ uri: 'sip:198.51.100.1;lr', params: {} }] } : {}),
    },
    content: peerSdp(30000),
  });
}

function expectDigest(h: Record<string, string | undefined> | undefined, realm: string, nonce: string, method: string, uri: string): void {
  expect(unq(h?.realm)).toBe(realm);
  expect(unq(h?.uri)).toBe(uri);
  const ha1 = md5(`alice:${realm}:secret`);
  expect(unq(h?.response)).toBe(md5(`${ha1}:${nonce}:${h?.nc}:${unq(h?.cnonce)}:auth:${md5(`${method}:${uri}`)}`));
}

async function connected(viaRegistrar: boolean): Promise<{ call: Call; ended: Promise<CallEndInfo> }> {
  const ua = await makeUa();
  const call = ua.call('bob');
  const ended = new Promise<CallEndInfo>((resolve) => call.on('ended', resolve));
  await flush();
  ok(net.last('INVITE'), viaRegistrar);
  await flush();
  expect(call.state).toBe('connected');
  return { call, ended };
}

beforeEach(() => {
  clock = new FakeClock();
  net = new FakeTransport();
  warnings = [];
});

describe('INVITE through two authenticating hops', () => {
  it('407 from the SBC then 401 from the PBX: the third INVITE has both headers; the ACK carries them unchanged', async () => {
    const ua = await makeUa();
    const call = ua.call('bob');
    await flush();
    net.answer(net.last('INVITE'), 407, { headers: proxyAuth('sbc.example.net', 's1') });
    await flush();
    const second = net.last('INVITE');
    expect(second.request.headers.authorization).toBeUndefined();
    expectDigest(second.request.headers['proxy-authorization']?.[0], 'sbc.example.net', 's1', 'INVITE', 'sip:bob@example.com');
    net.answer(second, 401, { headers: wwwAuth('example.com', 'p1') });
    await flush();
    const third = net.last('INVITE');
    expect(third.request.headers.cseq.seq).toBe(3);
    expect(third.request.headers['proxy-authorization']).toHaveLength(1);
    expect(third.request.headers.authorization).toHaveLength(1);
    expectDigest(third.request.headers['proxy-authorization']?.[0], 'sbc.example.net', 's1', 'INVITE', 'sip:bob@example.com');
    expectDigest(third.request.headers.authorization?.[0], 'example.com', 'p1', 'INVITE', 'sip:bob@example.com');

    ok(third, false);
    await flush();
    expect(call.state).toBe('connected');
    const ack = net.last('ACK');
    expect(ack.request.headers.cseq).toEqual({ seq: 3, method: 'ACK' });
    // RFC 3261 §13.2.2.4: "The ACK MUST contain the same credentials as the INVITE."
    expect(ack.request.headers.authorization).toEqual(third.request.headers.authorization);
    expect(ack.request.headers['proxy-authorization']).toEqual(third.request.headers['proxy-authorization']);
  });

  it('the SBC challenging its realm again after our answer is a wrong password', async () => {
    const ua = await makeUa();
    const call = ua.call('bob');
    const end = new Promise<CallEndInfo>((resolve) => call.on('ended', resolve));
    await flush();
    net.answer(net.last('INVITE'), 407, { headers: proxyAuth('sbc.example.net', 's1') });
    await flush();
    net.answer(net.last('INVITE'), 401, { headers: wwwAuth('example.com', 'p1') });
    await flush();
    net.answer(net.last('INVITE'), 407, { headers: proxyAuth('sbc.example.net', 's2') });
    expect(await end).toMatchObject({ reason: '407 Proxy Authentication Required (wrong password?)', status: 407, by: 'remote' });
    expect(net.requests('INVITE')).toHaveLength(3);
  });

  it('an unchallenged INVITE has no credentials and neither has its ACK', async () => {
    await connected(false);
    expect(net.last('INVITE').request.headers.authorization).toBeUndefined();
    expect(net.last('ACK').request.headers.authorization).toBeUndefined();
    expect(net.last('ACK').request.headers['proxy-authorization']).toBeUndefined();
  });
});

describe('BYE challenged (RFC 3261 §8.1.3.5, §22.2)', () => {
  it('401 through the registrar: BYE again with Authorization and a new CSeq; 200 settles it, no warning', async () => {
    const { call, ended } = await connected(true);
    const info = await call.hangup();
    expect(info).toMatchObject({ reason: 'hung up', by: 'local' });
    await ended;
    await flush();
    const first = net.last('BYE');
    expect(first.to).toEqual({ address: '198.51.100.1', port: 5060 });
    expect(first.request.headers.authorization).toBeUndefined();
    net.answer(first, 401, { headers: wwwAuth('example.com', 'b1') });
    await flush();
    const second = net.last('BYE');
    expect(second).not.toBe(first);
    expect(second.request.headers.cseq).toEqual({ seq: first.request.headers.cseq.seq + 1, method: 'BYE' });
    expect(second.request.headers['call-id']).toBe(first.request.headers['call-id']);
    expectDigest(second.request.headers.authorization?.[0], 'example.com', 'b1', 'BYE', second.request.uri);
    net.answer(second, 200);
    await flush();
    expect(net.requests('BYE')).toHaveLength(2);
    expect(warnings).toEqual([]);
  });

  it('407 then 401 on the BYE: the last BYE carries both', async () => {
    const { call } = await connected(true);
    await call.hangup();
    await flush();
    net.answer(net.last('BYE'), 407, { headers: proxyAuth('sbc.example.net', 'x') });
    await flush();
    net.answer(net.last('BYE'), 401, { headers: wwwAuth('example.com', 'y') });
    await flush();
    const last = net.last('BYE');
    expect(net.requests('BYE')).toHaveLength(3);
    expect(unq(last.request.headers['proxy-authorization']?.[0]?.realm)).toBe('sbc.example.net');
    expect(unq(last.request.headers.authorization?.[0]?.realm)).toBe('example.com');
  });

  it('challenged again: no third BYE, and the user is told the server may keep the call', async () => {
    const { call } = await connected(true);
    await call.hangup();
    await flush();
    net.answer(net.last('BYE'), 401, { headers: wwwAuth('example.com', 'b1') });
    await flush();
    net.answer(net.last('BYE'), 401, { headers: wwwAuth('example.com', 'b2') });
    await flush();
    expect(net.requests('BYE')).toHaveLength(2);
    expect(warnings).toEqual(['hang-up not accepted by the server (BYE: 401 Unauthorized (wrong password?)); it may still count the call as up']);
  });

  it('a BYE that goes straight to the callee gets no password when the callee challenges it', async () => {
    const { call } = await connected(false);
    await call.hangup();
    await flush();
    const bye = net.last('BYE');
    expect(bye.to).toEqual({ address: '203.0.113.5', port: 5062 });
    net.answer(bye, 401, { headers: wwwAuth('example.com', 'evil') });
    await flush();
    expect(net.requests('BYE')).toHaveLength(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("not sending your password to 203.0.113.5:5062: it is not your account's registrar or outbound proxy");
  });

  it('481 to the BYE: the dialog is gone there too, no warning', async () => {
    const { call } = await connected(true);
    await call.hangup();
    await flush();
    net.answer(net.last('BYE'), 481);
    await flush();
    expect(warnings).toEqual([]);
  });
});
