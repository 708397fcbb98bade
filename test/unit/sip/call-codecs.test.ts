// Issue 13: the codecs a user chose (CLI --codecs / UserAgentConfig.codecs, or the account's list) decide
// what our INVITE offers and in which order, and what an incoming offer may be answered with.
import { beforeEach, describe, expect, it } from 'vitest';
import { UserAgentCore } from '../../../src-main/sip/user-agent-core';
import type { SipRequest } from '../../../src-main/sip/sip-message';
import type { Call, UserAgentConfig } from '../../../src-main/sip/user-agent-api';
import { FakeClock, FakeTransport, flush, RecordingMedia, silentLogger } from './fake-sip-network';

let clock: FakeClock;
let net: FakeTransport;
let media: RecordingMedia[];

async function makeUa(config: Partial<UserAgentConfig>): Promise<{ ua: UserAgentCore; incoming: Call[] }> {
  const ua = new UserAgentCore({
    transport: net,
    clock,
    log: silentLogger,
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

function invite(formats: string, rtpmaps: string[]): SipRequest {
  const content = ['v=0', 'o=peer 1 1 IN IP4 203.0.113.5', 's=-', 'c=IN IP4 203.0.113.5', 't=0 0', `m=audio 30000 RTP/AVP ${formats}`, ...rtpmaps, 'a=sendrecv', ''].join('\r\n');
  return {
    method: 'INVITE',
    uri: 'sip:softphone@192.0.2.10:5060',
    headers: {
      via: [{ version: '2.0', protocol: 'UDP', host: '203.0.113.5', port: 5062, params: { branch: 'z9hG4bKcodecs1', received: '203.0.113.5' } }],
      to: { uri: 'sip:softphone@192.0.2.10', params: {} },
      from: { uri: 'sip:peer@203.0.113.5:5062', params: { tag: 'ptag' } },
      'call-id': 'codecs-call-1',
      cseq: { seq: 1, method: 'INVITE' },
      contact: [{ uri: 'sip:peer@203.0.113.5:5062', params: {} }],
      'max-forwards': '70',
      'content-type': 'application/sdp',
    },
    content,
  };
}

beforeEach(() => {
  clock = new FakeClock();
  net = new FakeTransport();
  media = [];
});

describe('codec choice in calls', () => {
  it('offers PCMU then PCMA by default', async () => {
    const { ua } = await makeUa({});
    ua.call('sip:bob@203.0.113.5');
    await flush();
    expect(net.last('INVITE').request.content).toMatch(/\r\nm=audio 4000 RTP\/AVP 0 8 101\r\n/);
  });

  it('offers the chosen codecs in the chosen order, and only those', async () => {
    const { ua } = await makeUa({ codecs: ['PCMA'] });
    ua.call('sip:bob@203.0.113.5');
    await flush();
    const offer = net.last('INVITE').request.content ?? '';
    expect(offer).toMatch(/\r\nm=audio 4000 RTP\/AVP 8 101\r\n/);
    expect(offer).not.toContain('PCMU');
  });

  it('answers only with codecs we chose (in the order of the offer, RFC 3264 §6.1), and refuses (488) an offer with none of them', async () => {
    const { incoming } = await makeUa({ codecs: ['PCMA'] });
    net.deliver(invite('0 8', ['a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000']));
    await flush();
    await incoming[0]?.answer();
    expect(net.lastResponse(200).content).toMatch(/\r\nm=audio 4000 RTP\/AVP 8\r\n/);
    expect(media[0]?.started?.codec).toBe('PCMA');

    net = new FakeTransport();
    media = [];
    const only = await makeUa({ codecs: ['PCMA'] });
    net.deliver(invite('0', ['a=rtpmap:0 PCMU/8000']));
    await flush();
    expect(only.incoming).toHaveLength(0);
    expect(net.responses.map((r) => r.status)).toContain(488);
  });
});
