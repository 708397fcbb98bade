// The SIP calls carry ICE through (issue 4): our candidates from the media endpoint go into the INVITE / 200
// answer with the default candidate in c=/m=, the peer's come back to the media as MediaStartParams.ice
// with the RFC 8445 §6.1.1 role, and the UAS copies Record-Route (RFC 3261 §12.1.1) so ACK/BYE go through
// the proxy, the only path that reaches a phone behind a NAT.
import { beforeEach, describe, expect, it } from 'vitest';
import type { MediaEndpoint } from '../../../src-main/rtp/media-session';
import { sdpSections } from '../../../src-main/sip/sdp-ice';
import type { SipRequest } from '../../../src-main/sip/sip-message';
import type { Call } from '../../../src-main/sip/user-agent-api';
import { UserAgentCore } from '../../../src-main/sip/user-agent-core';
import { FakeClock, FakeTransport, flush, peerSdp, RecordingMedia, silentLogger } from './fake-sip-network';

const ourIce: NonNullable<MediaEndpoint['ice']> = {
  ufrag: 'OurF',
  pwd: 'ourpasswordourpassword',
  candidates: [
    { foundation: '1', component: 1, transport: 'udp', priority: 2130706431, address: '10.77.1.2', port: 6000, type: 'host' },
    { foundation: '2', component: 1, transport: 'udp', priority: 1694498815, address: '172.29.0.11', port: 6000, type: 'srflx', relatedAddress: '10.77.1.2', relatedPort: 6000 },
  ],
};

class IceMedia extends RecordingMedia {
  override async open(): Promise<MediaEndpoint> {
    return { address: '0.0.0.0', rtpPort: 6000, rtcpPort: 6001, ice: ourIce };
  }
}

/** The peer's SDP with ICE: its default (srflx) in c=/m=, as RFC 8839 wants. */
const peerIceSdp = (): string =>
  peerSdp(30000, 'sendrecv', '172.29.0.12').replace(
    'a=ptime:20',
    ['a=ptime:20', 'a=ice-ufrag:PeeR', 'a=ice-pwd:peerpasswordpeerpassword', 'a=candidate:9 1 UDP 1694498815 172.29.0.12 30000 typ srflx raddr 10.77.2.3 rport 30000'].join('\r\n'),
  );

let clock: FakeClock;
let net: FakeTransport;
let media: IceMedia[];
let ua: UserAgentCore;
let incoming: Call[];

beforeEach(async () => {
  clock = new FakeClock();
  net = new FakeTransport();
  media = [];
  incoming = [];
  ua = new UserAgentCore({
    transport: net,
    clock,
    log: silentLogger,
    config: {
      port: 5060,
      userAgentName: 'unit',
      createMedia: () => {
        const m = new IceMedia();
        media.push(m);
        return m;
      },
    },
  });
  ua.on('incoming', (c) => incoming.push(c));
  await ua.start();
});

function invite(content: string): SipRequest {
  return {
    method: 'INVITE',
    uri: 'sip:softphone@192.0.2.10:5060',
    headers: {
      via: [
        { version: '2.0', protocol: 'UDP', host: '172.29.0.1', port: 5060, params: { branch: 'z9hG4bKproxy1' } },
        { version: '2.0', protocol: 'UDP', host: '10.77.2.3', port: 5060, params: { branch: 'z9hG4bKpeer1', received: '172.29.0.12' } },
      ],
      to: { uri: 'sip:softphone@172.29.0.1', params: {} },
      from: { uri: 'sip:bob@172.29.0.1', params: { tag: 'btag' } },
      'call-id': 'ice-call-1',
      cseq: { seq: 1, method: 'INVITE' },
      contact: [{ uri: 'sip:bob@172.29.0.12:5060', params: {} }],
      'record-route': [{ uri: 'sip:172.29.0.1;lr;ftag=btag', params: {} }],
      'max-forwards': '69',
      'content-type': 'application/sdp',
    },
    content,
  };
}

describe('ICE through the SIP calls', () => {
  it('incoming: answers with our ICE and default candidate, starts media controlled, copies Record-Route', async () => {
    net.deliver(invite(peerIceSdp()), { address: '172.29.0.1', port: 5060 });
    await flush();
    const call = incoming[0];
    if (!call) throw new Error('no incoming call');
    const ringing = net.lastResponse(180);
    expect(ringing.headers['record-route']?.map((r) => r.uri)).toEqual(['sip:172.29.0.1;lr;ftag=btag']);
    await call.answer();
    const ok = net.lastResponse(200);
    expect(ok.headers['record-route']?.map((r) => r.uri)).toEqual(['sip:172.29.0.1;lr;ftag=btag']);
    const lines = sdpSections(ok.content ?? '').media[0] ?? [];
    expect(ok.content).toContain('c=IN IP4 172.29.0.11\r\n');
    expect(ok.content).toContain('m=audio 6000 ');
    expect(lines).toContain('a=ice-ufrag:OurF');
    expect(lines).toContain('a=candidate:2 1 UDP 1694498815 172.29.0.11 6000 typ srflx raddr 10.77.1.2 rport 6000');
    expect(media[0]?.started?.ice).toMatchObject({ ufrag: 'PeeR', pwd: 'peerpasswordpeerpassword', role: 'controlled' });
    expect(media[0]?.started?.ice?.candidates).toHaveLength(1);
  });

  it('outgoing: offers our ICE and starts media controlling with the candidates of the answer', async () => {
    const call = ua.call('sip:bob@172.29.0.12');
    await flush();
    const sent = net.last('INVITE');
    expect(sent.request.content).toContain('c=IN IP4 172.29.0.11\r\n');
    expect(sent.request.content).toContain('a=ice-pwd:ourpasswordourpassword');
    net.answer(sent, 200, { toTag: 'bt', headers: { contact: [{ uri: 'sip:bob@172.29.0.12:5060', params: {} }], 'content-type': 'application/sdp' }, content: peerIceSdp() });
    await flush();
    expect(call.state).toBe('connected');
    expect(media[0]?.started?.ice).toMatchObject({ ufrag: 'PeeR', role: 'controlling' });
    expect(media[0]?.started?.remoteAddress).toBe('172.29.0.12');
  });

  it('a peer without ICE gets plain RTP: no ICE in the start params', async () => {
    net.deliver(invite(peerSdp(30000, 'sendrecv', '172.29.0.12')), { address: '172.29.0.1', port: 5060 });
    await flush();
    await incoming[0]?.answer();
    expect(net.lastResponse(200).content).not.toMatch(/a=(ice-ufrag|candidate)/);
    expect(media[0]?.started).toBeDefined();
    expect(media[0]?.started?.ice).toBeUndefined();
  });
});
