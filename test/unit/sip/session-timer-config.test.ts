// The session-timer interval as configured (RFC 4028): the account's "Session timer", the embedder's
// sessionTimer (CLI --session-expires) over it, and 0 = no Session-Expires in our INVITEs.
import { beforeEach, describe, expect, it } from 'vitest';
import { UserAgentCore } from '../../../src-main/sip/user-agent-core';
import type { AccountSettings, UserAgentConfig } from '../../../src-main/sip/user-agent-api';
import type { SipRequest } from '../../../src-main/sip/sip-message';
import { FakeClock, FakeTransport, flush, peerSdp, RecordingMedia, silentLogger } from './fake-sip-network';

let clock: FakeClock;
let net: FakeTransport;

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
};

async function inviteHeaders(extra: Partial<UserAgentConfig>): Promise<SipRequest['headers']> {
  net = new FakeTransport();
  const ua = new UserAgentCore({ transport: net, clock, log: silentLogger, config: { port: 5060, userAgentName: 'unit', createMedia: () => new RecordingMedia(4000), ...extra } });
  await ua.start();
  ua.call('sip:bob@192.0.2.20');
  await flush();
  return net.last('INVITE').request.headers;
}

beforeEach(() => {
  clock = new FakeClock();
});

describe('session timer interval', () => {
  it("the account's sessionExpires is what our INVITE asks for; the embedder's value wins; absent: 1800", async () => {
    expect((await inviteHeaders({ account: { ...account, sessionExpires: 600 } }))['session-expires']).toBe('600');
    expect((await inviteHeaders({ account: { ...account, sessionExpires: 600 }, sessionTimer: { expiresSeconds: 900 } }))['session-expires']).toBe('900');
    expect((await inviteHeaders({ account }))['session-expires']).toBe('1800');
    expect((await inviteHeaders({}))['session-expires']).toBe('1800');
  });

  it('0: no Session-Expires and no Min-SE in our INVITE, yet timer still Supported (a callee may still ask)', async () => {
    const h = await inviteHeaders({ account: { ...account, sessionExpires: 0 } });
    expect(h['session-expires']).toBeUndefined();
    expect(h['min-se']).toBeUndefined();
    expect(h.supported).toBe('100rel, timer');
  });

  it('as callee the interval is the most we grant: a caller asking for 7200 s gets 600 (RFC 4028 §9)', async () => {
    net = new FakeTransport();
    const ua = new UserAgentCore({ transport: net, clock, log: silentLogger, config: { port: 5060, userAgentName: 'unit', createMedia: () => new RecordingMedia(4000), sessionTimer: { expiresSeconds: 600 } } });
    const calls: Array<{ answer(): Promise<void> }> = [];
    ua.on('incoming', (c) => calls.push(c));
    await ua.start();
    net.deliver({
      method: 'INVITE',
      uri: 'sip:softphone@192.0.2.10:5060',
      headers: {
        via: [{ version: '2.0', protocol: 'UDP', host: '203.0.113.5', port: 5062, params: { branch: 'z9hG4bKcfg1' } }],
        to: { uri: 'sip:softphone@192.0.2.10', params: {} },
        from: { uri: 'sip:kim@203.0.113.5:5062', params: { tag: 'ktag' } },
        'call-id': 'cfg-1',
        cseq: { seq: 1, method: 'INVITE' },
        contact: [{ uri: 'sip:kim@203.0.113.5:5062', params: {} }],
        supported: 'timer',
        'session-expires': '7200;refresher=uac',
        'content-type': 'application/sdp',
      },
      content: peerSdp(30000),
    });
    await flush();
    await calls[0]?.answer();
    expect(net.lastResponse(200).headers['session-expires']).toBe('600;refresher=uac');
  });
});
