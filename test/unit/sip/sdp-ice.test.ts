// ICE in SDP (RFC 8839): our candidates in offers/answers, the default candidate for c=/m=, the peer's
// ICE attributes (RFC 8839 and RFC 5245-era baresip alike), ice-mismatch, roles and hostile input.
import { describe, expect, it } from 'vitest';
import { parseIceAttributes, type IceCandidate } from '../../../src-main/nat/ice-candidate';
import type { LocalIceParameters } from '../../../src-main/rtp/media-session';
import { applyLocalNat, chooseDefaultCandidate, readPeerIce, sdpSections } from '../../../src-main/sip/sdp-ice';
import { createAnswer, createOffer, parseAnswer, type LocalMediaOffer } from '../../../src-main/sip/sdp-negotiate';

const cand = (type: IceCandidate['type'], component: number, address: string, port: number, priority: number, related?: [string, number]): IceCandidate => ({
  foundation: `${type}${component}`,
  component,
  transport: 'udp',
  priority,
  address,
  port,
  type,
  ...(related ? { relatedAddress: related[0], relatedPort: related[1] } : {}),
});

const ice: LocalIceParameters = {
  ufrag: 'UfRg',
  pwd: 'abcdefghijklmnopqrstuvwx',
  candidates: [
    cand('host', 1, '10.77.1.2', 40000, 2130706431),
    cand('host', 2, '10.77.1.2', 40001, 2130706430),
    cand('srflx', 1, '172.29.0.11', 40000, 1694498815, ['10.77.1.2', 40000]),
    cand('srflx', 2, '172.29.0.11', 3384, 1694498814, ['10.77.1.2', 40001]),
    cand('relay', 1, '172.29.0.1', 49152, 16777215, ['172.29.0.11', 40000]),
    cand('relay', 2, '172.29.0.1', 49154, 16777214, ['172.29.0.11', 3384]),
  ],
};

const base: LocalMediaOffer = {
  address: '10.77.1.2',
  port: 40000,
  codecs: ['PCMU', 'PCMA'],
  telephoneEvent: true,
  ptime: 20,
  sessionId: '42',
  sessionVersion: 1,
};

/** An RFC 5245-era offer as baresip's ice module writes it: ufrag/pwd at session level. */
const baresipIceOffer = [
  'v=0',
  'o=- 1186291995 140500484 IN IP4 172.29.0.12',
  's=-',
  'c=IN IP4 172.29.0.12',
  't=0 0',
  'a=tool:baresip 1.0.0',
  'a=ice-ufrag:Kx7B',
  'a=ice-pwd:9hJ3k2lLmM8nNoOpPqQrRs',
  'm=audio 41094 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=sendrecv',
  'a=candidate:1 1 UDP 2113932031 10.77.2.3 41094 typ host',
  'a=candidate:1 2 UDP 2113932030 10.77.2.3 41095 typ host',
  'a=candidate:2 1 UDP 1677724415 172.29.0.12 41094 typ srflx raddr 10.77.2.3 rport 41094',
  'a=candidate:2 2 UDP 1677724414 172.29.0.12 41095 typ srflx raddr 10.77.2.3 rport 41095',
  'a=candidate:3 1 TCP 1010827775 10.77.2.3 9 typ host tcptype active',
  'a=ptime:20',
  '',
].join('\r\n');

function answered(offer: string, local: LocalMediaOffer) {
  const r = createAnswer(offer, local);
  if ('error' in r) throw new Error(r.error.reason);
  return r;
}

describe('default candidate (RFC 8445 §5.1.4)', () => {
  it('prefers srflx, then host, and relay only when it is all there is', () => {
    expect(chooseDefaultCandidate(ice.candidates, 1)?.type).toBe('srflx');
    expect(chooseDefaultCandidate(ice.candidates, 2)).toMatchObject({ type: 'srflx', port: 3384 });
    const noSrflx = ice.candidates.filter((c) => c.type !== 'srflx');
    expect(chooseDefaultCandidate(noSrflx, 1)?.type).toBe('host');
    expect(chooseDefaultCandidate(ice.candidates.filter((c) => c.type === 'relay'), 1)?.type).toBe('relay');
    expect(chooseDefaultCandidate([], 1)).toBeNull();
  });

  it('puts the default in c=/m= and an a=rtcp when the RTCP mapping is not port + 1', () => {
    const o = applyLocalNat(base, { ice });
    expect(o).toMatchObject({ address: '172.29.0.11', port: 40000, rtcp: { address: '172.29.0.11', port: 3384 }, ice });
    const sdp = createOffer(o);
    expect(sdp).toContain('c=IN IP4 172.29.0.11\r\n');
    expect(sdp).toContain('m=audio 40000 RTP/AVP 0 8 101\r\n');
    expect(sdp).toContain('a=rtcp:3384 IN IP4 172.29.0.11\r\n');
  });

  it('uses the STUN mapping for c=/m= without ICE, and changes nothing without NAT traversal', () => {
    expect(applyLocalNat(base, { mapped: { address: '172.29.0.11', rtpPort: 40000, rtcpPort: 40001 } })).toEqual({ ...base, address: '172.29.0.11' });
    expect(applyLocalNat(base, {})).toEqual(base);
  });
});

describe('our ICE attributes', () => {
  it('writes ufrag, pwd, every candidate and end-of-candidates on the audio m= line, readable back', () => {
    const sdp = createOffer(applyLocalNat(base, { ice }));
    const { session, media } = sdpSections(sdp);
    expect(session.some((l) => l.startsWith('a=ice'))).toBe(false);
    const lines = media[0] ?? [];
    expect(lines).toContain('a=ice-ufrag:UfRg');
    expect(lines).toContain('a=ice-pwd:abcdefghijklmnopqrstuvwx');
    expect(lines).toContain('a=candidate:srflx1 1 UDP 1694498815 172.29.0.11 40000 typ srflx raddr 10.77.1.2 rport 40000');
    expect(lines).toContain('a=candidate:host1 1 UDP 2130706431 10.77.1.2 40000 typ host');
    expect(lines).toContain('a=end-of-candidates');
    const back = parseIceAttributes(lines);
    expect(back.candidates).toEqual(ice.candidates);
    expect(back.endOfCandidates).toBe(true);
  });
});

describe('answering an ICE offer', () => {
  it('answers a baresip (RFC 5245-era) offer with our ICE and takes the controlled role', () => {
    const r = answered(baresipIceOffer, applyLocalNat(base, { ice }));
    expect(r.sdp).toContain('a=ice-ufrag:UfRg');
    expect(r.sdp).toContain('a=candidate:relay1 1 UDP 16777215 172.29.0.1 49152 typ relay raddr 172.29.0.11 rport 40000');
    expect(r.media.remoteAddress).toBe('172.29.0.12');
    expect(r.media.ice?.role).toBe('controlled');
    expect(r.media.ice?.ufrag).toBe('Kx7B');
    expect(r.media.ice?.pwd).toBe('9hJ3k2lLmM8nNoOpPqQrRs');
    // The TCP candidate is passed on (the agent skips it), every one of the four UDP ones is there.
    expect(r.media.ice?.candidates.filter((c) => c.transport === 'udp').map((c) => `${c.component}/${c.type}/${c.address}:${c.port}`)).toEqual([
      '1/host/10.77.2.3:41094',
      '2/host/10.77.2.3:41095',
      '1/srflx/172.29.0.12:41094',
      '2/srflx/172.29.0.12:41095',
    ]);
  });

  it('controls when the offerer is ICE-lite (RFC 8445 §6.1.1)', () => {
    const lite = baresipIceOffer.replace('a=tool:baresip 1.0.0', 'a=ice-lite');
    const r = answered(lite, applyLocalNat(base, { ice }));
    expect(r.media.ice).toMatchObject({ role: 'controlling', lite: true });
  });

  it('leaves ICE out of the answer when the offer has none, but keeps the default candidate', () => {
    const plain = baresipIceOffer.split('\r\n').filter((l) => !/^a=(ice|candidate)/.test(l)).join('\r\n');
    const r = answered(plain, applyLocalNat(base, { ice }));
    expect(r.sdp).not.toMatch(/a=(ice-|candidate|end-of-candidates)/);
    expect(r.sdp).toContain('c=IN IP4 172.29.0.11');
    expect(r.media.ice).toBeUndefined();
  });

  it('says ice-mismatch when c=/m= are not among the candidates (an ALG rewrote them), and uses plain RTP', () => {
    const rewritten = baresipIceOffer.replace('c=IN IP4 172.29.0.12', 'c=IN IP4 198.51.100.7');
    const r = answered(rewritten, applyLocalNat(base, { ice }));
    expect(r.sdp).toContain('a=ice-mismatch\r\n');
    expect(r.sdp).not.toMatch(/a=(ice-ufrag|candidate)/);
    expect(r.media.ice).toBeUndefined();
  });

  it('ignores ICE in offers when we do not do ICE ourselves', () => {
    const r = answered(baresipIceOffer, base);
    expect(r.sdp).not.toMatch(/a=(ice|candidate)/);
    expect(r.media.ice).toBeUndefined();
  });

  it('keeps hostile candidate lists bounded and drops candidates the media thread would refuse', () => {
    const many = Array.from({ length: 200 }, (_, i) => `a=candidate:${i} 1 UDP ${1000 + i} 10.0.${i >> 8}.${i & 255} ${2000 + i} typ host`);
    const odd = 'a=candidate:x 1 UDP 5 bad!address 4000 typ host';
    const offer = baresipIceOffer.replace('a=ptime:20', [odd, ...many, 'a=ptime:20'].join('\r\n'));
    const r = answered(offer, applyLocalNat(base, { ice }));
    const got = r.media.ice?.candidates ?? [];
    expect(got.length).toBe(64);
    expect(got.some((c) => c.address === 'bad!address')).toBe(false);
  });
});

describe('reading the answer to our ICE offer', () => {
  const ours = applyLocalNat(base, { ice });

  it('takes the peer ICE parameters and the controlling role (we offered)', () => {
    const answer = createOffer({ ...applyLocalNat({ ...base, address: '10.77.2.3' }, { ice: { ...ice, ufrag: 'PeEr', candidates: [cand('host', 1, '10.77.2.3', 40000, 2130706431)] } }) });
    const p = parseAnswer(answer, ours);
    if ('error' in p) throw new Error(p.error);
    expect(p.ice).toMatchObject({ ufrag: 'PeEr', role: 'controlling' });
    expect(p.ice?.candidates).toHaveLength(1);
  });

  it('drops ICE when the answer says ice-mismatch or carries no ICE', () => {
    const plain = createOffer({ ...base, address: '10.77.2.3' });
    const p1 = parseAnswer(plain, ours);
    expect('error' in p1 ? p1.error : p1.ice).toBeUndefined();
    const mismatch = plain.replace('a=sendrecv', 'a=sendrecv\r\na=ice-mismatch');
    expect(readPeerIce(mismatch, 0, '10.77.2.3', 40000).kind).toBe('peer-mismatch');
    const p2 = parseAnswer(mismatch, ours);
    expect('error' in p2 ? p2.error : p2.ice).toBeUndefined();
  });

  it('treats 0.0.0.0 / port 9 as "no default yet" (RFC 8840), not as a mismatch', () => {
    const trickle = baresipIceOffer.replace('c=IN IP4 172.29.0.12', 'c=IN IP4 0.0.0.0').replace('m=audio 41094', 'm=audio 9');
    expect(readPeerIce(trickle, 0, '0.0.0.0', 9).kind).toBe('ice');
  });
});
