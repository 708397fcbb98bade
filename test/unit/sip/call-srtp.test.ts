// SRTP through the user agent core (issue 10): the INVITE offers SDES keys, the answer's key reaches the
// media session, incoming RTP/SAVP offers are answered, and keys never go out over plain UDP SIP unless
// the user allowed it (mandatory then refuses the call; optional stays plain RTP).
import { beforeEach, describe, expect, it } from 'vitest';
import { UserAgentCore } from '../../../src-main/sip/user-agent-core';
import type { SipRequest } from '../../../src-main/sip/sip-message';
import type { Call, CallEndInfo, UserAgentConfig } from '../../../src-main/sip/user-agent-api';
import type { SignallingTransport } from '../../../src-main/sip/srtp-policy';
import { FakeClock, FakeTransport, flush, RecordingMedia, silentLogger } from './fake-sip-network';

let clock: FakeClock;
let net: FakeTransport;
let media: RecordingMedia[];
const PEER_KEY = Buffer.alloc(30, 0x5a).toString('base64');

function peerSdp(protocol: string, crypto: string[] = []): string {
  return ['v=0', 'o=peer 1 1 IN IP4 203.0.113.5', 's=-', 'c=IN IP4 203.0.113.5', 't=0 0', `m=audio 30000 ${protocol} 0`, 'a=rtpmap:0 PCMU/8000',
    ...crypto.map((c) => `a=crypto:${c}`), 'a=sendrecv', ''].join('\r\n');
}

async function makeUa(config: Partial<UserAgentConfig>, signalling?: SignallingTransport): Promise<{ ua: UserAgentCore; incoming: Call[] }> {
  const ua = new UserAgentCore({
    transport: net,
    clock,
    log: silentLogger,
    ...(signalling ? { signalling } : {}),
    config: {
      port: 5060,
      userAgentName: 'unit',
      createMedia: () => {
        const m = new RecordingMedia(4000 + media.length * 2);
        media.push(m);
        return m;
      },
      ...config,
    },
  });
  const incoming: Call[] = [];
  ua.on('incoming', (c) => incoming.push(c));
  await ua.start();
  return { ua, incoming };
}

function invite(content: string, seq = 1, toTag?: string, method = 'INVITE'): SipRequest {
  const req: SipRequest = {
    method,
    uri: 'sip:softphone@192.0.2.10:5060',
    headers: {
      via: [{ version: '2.0', protocol: 'UDP', host: '203.0.113.5', port: 5062, params: { branch: `z9hG4bKsrtp${method}${seq}`, received: '203.0.113.5' } }],
      to: { uri: 'sip:softphone@192.0.2.10', params: toTag ? { tag: toTag } : {} },
      from: { uri: 'sip:peer@203.0.113.5:5062', params: { tag: 'ptag' } },
      'call-id': 'srtp-call-1',
      cseq: { seq, method },
      contact: [{ uri: 'sip:peer@203.0.113.5:5062', params: {} }],
      'max-forwards': '70',
    },
  };
  if (content !== '') {
    req.content = content;
    req.headers['content-type'] = 'application/sdp';
  }
  return req;
}

function ended(call: Call): Promise<CallEndInfo> {
  return new Promise((resolve) => call.on('ended', resolve));
}

beforeEach(() => {
  clock = new FakeClock();
  net = new FakeTransport();
  media = [];
});

describe('SRTP in calls', () => {
  it('mandatory (override given): RTP/SAVP offer with two keys; the answer key and ours reach the media session', async () => {
    const { ua } = await makeUa({ srtp: { mode: 'mandatory', overInsecureSignalling: true } });
    ua.call('sip:bob@203.0.113.5');
    await flush();
    const inv = net.last('INVITE');
    const offer = inv.request.content ?? '';
    expect(offer).toMatch(/m=audio 4000 RTP\/SAVP 0 8 101/);
    const ours = /a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:(\S+)/.exec(offer)?.[1];
    expect(ours).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(offer).toMatch(/a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:[A-Za-z0-9+/]{40}/);
    net.answer(inv, 200, {
      toTag: 'btag',
      headers: { contact: [{ uri: 'sip:bob@203.0.113.5:5062', params: {} }], 'content-type': 'application/sdp' },
      content: peerSdp('RTP/SAVP', [`1 AES_CM_128_HMAC_SHA1_80 inline:${PEER_KEY}`]),
    });
    await flush();
    expect(media[0]?.started?.srtp).toEqual({ suite: 'AES_CM_128_HMAC_SHA1_80', localKey: ours, remoteKey: PEER_KEY });
  });

  it('mandatory: an answer without keys ends the call instead of sending plain RTP', async () => {
    const { ua } = await makeUa({ srtp: { mode: 'mandatory', overInsecureSignalling: true } });
    const call = ua.call('sip:bob@203.0.113.5');
    const done = ended(call);
    await flush();
    const inv = net.last('INVITE');
    net.answer(inv, 200, {
      toTag: 'btag',
      headers: { contact: [{ uri: 'sip:bob@203.0.113.5:5062', params: {} }], 'content-type': 'application/sdp' },
      content: peerSdp('RTP/SAVP'),
    });
    await flush();
    expect((await done).reason).toMatch(/a=crypto/);
    expect(media[0]?.started).toBeUndefined();
  });

  it('mandatory over UDP without the override: no INVITE leaves, the call fails with the reason', async () => {
    const { ua } = await makeUa({ srtp: { mode: 'mandatory' } });
    const call = ua.call('sip:bob@203.0.113.5');
    const info = await ended(call);
    expect(info.reason).toMatch(/readable.*TLS/);
    expect(net.sent.filter((s) => s.request.method === 'INVITE')).toHaveLength(0);
  });

  it('mandatory over TLS signalling needs no override', async () => {
    const { ua } = await makeUa({ srtp: { mode: 'mandatory' } }, 'tls');
    ua.call('sip:bob@203.0.113.5');
    await flush();
    expect(net.last('INVITE').request.content).toContain('RTP/SAVP');
  });

  it('optional over UDP without the override: a plain offer, no keys on the wire', async () => {
    const { ua } = await makeUa({ srtp: { mode: 'optional' } });
    ua.call('sip:bob@203.0.113.5');
    await flush();
    const offer = net.last('INVITE').request.content ?? '';
    expect(offer).toContain('RTP/AVP');
    expect(offer).not.toContain('a=crypto');
  });

  it('optional: an incoming RTP/SAVP offer is answered with our key under its tag', async () => {
    const { incoming } = await makeUa({ srtp: { mode: 'optional', overInsecureSignalling: true } });
    net.deliver(invite(peerSdp('RTP/SAVP', [`4 AES_CM_128_HMAC_SHA1_32 inline:${PEER_KEY}`])));
    await flush();
    const call = incoming[0];
    if (!call) throw new Error(`no incoming call (responses: ${net.responses.map((r) => r.status).join(', ')})`);
    await call.answer();
    const ok = net.lastResponse(200);
    expect(ok.content).toMatch(/m=audio 4000 RTP\/SAVP 0/);
    const ours = /a=crypto:4 AES_CM_128_HMAC_SHA1_32 inline:(\S+)/.exec(ok.content ?? '')?.[1];
    expect(ours).toBeTruthy();
    await flush();
    expect(media[0]?.started?.srtp).toEqual({ suite: 'AES_CM_128_HMAC_SHA1_32', localKey: ours, remoteKey: PEER_KEY });
  });

  it('off (default): an incoming RTP/SAVP offer gets 488 with a Warning', async () => {
    await makeUa({});
    net.deliver(invite(peerSdp('RTP/SAVP', [`1 AES_CM_128_HMAC_SHA1_80 inline:${PEER_KEY}`])));
    await flush();
    const r = net.lastResponse(488);
    expect(String(r.headers.warning)).toContain('SRTP is off');
  });

  it('mandatory over UDP without the override: incoming calls get 488 before any media port is taken', async () => {
    await makeUa({ srtp: { mode: 'mandatory' } });
    net.deliver(invite(peerSdp('RTP/SAVP', [`1 AES_CM_128_HMAC_SHA1_80 inline:${PEER_KEY}`])));
    await flush();
    const refused = net.lastResponse(488);
    expect(String(refused.headers.warning)).toContain('SRTP is required here');
    expect(String(refused.headers.warning)).not.toContain('--srtp'); // nothing about our configuration
    expect(media).toHaveLength(0);
  });

  it('a re-INVITE with a new peer key: answered with the same key of ours, the media session gets the new peer key', async () => {
    const { incoming } = await makeUa({ srtp: { mode: 'mandatory', overInsecureSignalling: true } });
    net.deliver(invite(peerSdp('RTP/SAVP', [`1 AES_CM_128_HMAC_SHA1_80 inline:${PEER_KEY}`])));
    await flush();
    const call = incoming[0];
    if (!call) throw new Error('no incoming call');
    await call.answer();
    const first = net.lastResponse(200);
    const ours = /a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:(\S+)/.exec(first.content ?? '')?.[1];
    const toTag = first.headers.to.params.tag ?? '';
    net.deliver(invite('', 1, toTag, 'ACK'));
    const NEW_KEY = Buffer.alloc(30, 0x6b).toString('base64');
    net.deliver(invite(peerSdp('RTP/SAVP', [`1 AES_CM_128_HMAC_SHA1_80 inline:${NEW_KEY}`]), 2, toTag));
    await flush();
    const second = net.lastResponse(200);
    expect(second.headers.cseq.seq).toBe(2);
    expect(second.content).toContain(`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${ours}`);
    expect(media[0]?.updates.at(-1)?.srtp).toEqual({ suite: 'AES_CM_128_HMAC_SHA1_80', localKey: ours, remoteKey: NEW_KEY });
  });
});
