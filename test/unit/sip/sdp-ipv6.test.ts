// SDP over IPv6 (issue 10): c=IN IP6 offers and answers, our IN IP6 side, and a clear 488 when our RTP
// socket cannot reach the peer's address family (instead of EINVAL on every send).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAnswer, createOffer, parseAnswer, type LocalMediaOffer } from '../../../src-main/sip/sdp-negotiate';

const fixture = (name: string): string => readFileSync(join(__dirname, '../../fixtures/sdp', name), 'utf8');

const v4: LocalMediaOffer = {
  address: '192.0.2.10',
  port: 40000,
  codecs: ['PCMU', 'PCMA'],
  telephoneEvent: true,
  ptime: 20,
  sessionId: '42',
  sessionVersion: 1,
  families: [4],
};
const dual: LocalMediaOffer = { ...v4, address: '2001:db8::20', families: [4, 6] };

function sdp(lines: string[]): string {
  return [...lines, ''].join('\r\n');
}

const ip6Offer = sdp(['v=0', 'o=peer 1 1 IN IP6 ::1', 's=-', 'c=IN IP6 ::1', 't=0 0', 'm=audio 30000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000']);

describe('c=IN IP6', () => {
  it('an IPv6 offer is answered from a dual-stack socket, and our answer says IN IP6', () => {
    const r = createAnswer(ip6Offer, dual);
    if ('error' in r) throw new Error(r.error.reason);
    expect(r.media).toMatchObject({ remoteAddress: '::1', remotePort: 30000, codec: 'PCMU' });
    expect(r.sdp).toContain('o=- 42 1 IN IP6 2001:db8::20\r\n');
    expect(r.sdp).toContain('c=IN IP6 2001:db8::20\r\n');
  });

  it('a linphone offer with c=IN IP6 to an IPv4-only phone gets 488 naming the address and the fix', () => {
    const r = createAnswer(fixture('linphone-ipv6-offer.sdp'), v4);
    expect(r).toEqual({ error: { status: 488, reason: expect.stringContaining('2001:db8::10 is IPv6') } });
    if ('error' in r) expect(r.error.reason).toContain('bind to ::');
  });

  it('the same linphone offer is accepted with its PCMU when IPv6 is reachable', () => {
    const r = createAnswer(fixture('linphone-ipv6-offer.sdp'), dual);
    if ('error' in r) throw new Error(r.error.reason);
    expect(r.media).toMatchObject({ remoteAddress: '2001:db8::10', remotePort: 7078, codec: 'PCMU', payloadType: 0, remoteRtcpPort: 7079 });
    expect(r.media.telephoneEventPayloadType).toBe(100);
  });

  it('an IPv6-only phone refuses an IPv4 peer the same way', () => {
    const offer = ip6Offer.replace(/IN IP6 ::1/g, 'IN IP4 192.0.2.5');
    const r = createAnswer(offer, { ...dual, families: [6] });
    expect(r).toEqual({ error: { status: 488, reason: expect.stringMatching(/192\.0\.2\.5 is IPv4 .*IPv6 only/) } });
  });

  it('with one IPv6 and one IPv4 audio stream (RFC 4091 style), an IPv4-only phone takes the IPv4 one', () => {
    const offer = sdp([
      'v=0', 'o=peer 1 1 IN IP4 192.0.2.5', 's=-', 't=0 0',
      'm=audio 30000 RTP/AVP 0', 'c=IN IP6 2001:db8::5', 'a=rtpmap:0 PCMU/8000',
      'm=audio 30002 RTP/AVP 8', 'c=IN IP4 192.0.2.5', 'a=rtpmap:8 PCMA/8000',
    ]);
    const r = createAnswer(offer, v4);
    if ('error' in r) throw new Error(r.error.reason);
    expect(r.media).toMatchObject({ remoteAddress: '192.0.2.5', remotePort: 30002, codec: 'PCMA' });
    const ports = [...r.sdp.matchAll(/^m=audio (\d+)/gm)].map((m) => Number(m[1]));
    expect(ports).toEqual([0, 40000]);
  });

  it('hold with the IPv6 null address (c=IN IP6 ::) needs no route and is accepted by an IPv4-only phone', () => {
    const r = createAnswer(ip6Offer.replace(/IN IP6 ::1/g, 'IN IP6 ::'), v4);
    if ('error' in r) throw new Error(r.error.reason);
    expect(r.media.direction).toBe('recvonly');
  });

  it('an IPv6 answer to an IPv4-only offer is an error (the call is then ended with a reason)', () => {
    const answer = ip6Offer.replace(/::1/g, '2001:db8::5');
    expect(parseAnswer(answer, v4)).toEqual({ error: expect.stringContaining('2001:db8::5 is IPv6') });
    expect(parseAnswer(answer, dual)).toMatchObject({ remoteAddress: '2001:db8::5', remotePort: 30000 });
  });

  it('without a families list nothing is refused (callers that do not know their socket)', () => {
    const { families: _omit, ...unknown } = v4;
    expect('error' in createAnswer(ip6Offer, unknown)).toBe(false);
  });

  it('our offer from an IPv6 address round-trips through an IPv6 answer', () => {
    const offer = createOffer({ ...dual, address: '::1' });
    expect(offer).toContain('c=IN IP6 ::1\r\n');
    const r = createAnswer(offer, { ...dual, address: '::1', port: 50000 });
    if ('error' in r) throw new Error(r.error.reason);
    expect(parseAnswer(r.sdp, { ...dual, address: '::1' })).toMatchObject({ remoteAddress: '::1', remotePort: 50000 });
  });
});
