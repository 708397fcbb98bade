// Candidate priority/foundation (RFC 8445 §5.1.2), SDP candidate grammar (RFC 8839 §5.1), and the check
// list: pair priority (§6.1.2.3), ordering, pruning, initial states and scheduling (§6.1.2.6, §6.1.4.2).

import { describe, expect, it } from 'vitest';
import {
  candidateFoundation,
  candidatePriority,
  formatCandidate,
  formatIceAttributes,
  generateIceCredentials,
  isUsableCandidate,
  parseCandidate,
  parseIceAttributes,
  type LocalCandidate,
  type IceCandidate,
} from '../../../src-main/nat/ice-candidate';
import { CheckList, MAX_PAIRS, pairPriority } from '../../../src-main/nat/ice-checklist';
import { seededRandom } from './fake-clock';

describe('candidate priority and foundation', () => {
  it('computes §5.1.2.1 priorities with the recommended type preferences', () => {
    expect(candidatePriority('host', 1)).toBe(2130706431); // 126<<24 | 65535<<8 | 255
    expect(candidatePriority('host', 2)).toBe(2130706430);
    expect(candidatePriority('srflx', 1)).toBe(1694498815);
    expect(candidatePriority('prflx', 1)).toBe(1862270975);
    expect(candidatePriority('relay', 1)).toBe(16777215);
    expect(candidatePriority('host', 1, 0)).toBe(126 * 2 ** 24 + 255);
  });

  it('gives equal foundations exactly for same type, base IP, server and transport (§5.1.1.3)', () => {
    const a = candidateFoundation('srflx', '10.0.0.1', '198.51.100.1');
    expect(candidateFoundation('srflx', '10.0.0.1', '198.51.100.1')).toBe(a);
    expect(candidateFoundation('srflx', '10.0.0.2', '198.51.100.1')).not.toBe(a);
    expect(candidateFoundation('srflx', '10.0.0.1', '198.51.100.2')).not.toBe(a);
    expect(candidateFoundation('host', '10.0.0.1')).not.toBe(a);
    expect(a).toMatch(/^[0-9]{1,10}$/);
  });
});

describe('SDP candidate grammar (RFC 8839)', () => {
  it('parses and formats host, srflx and relay candidates', () => {
    const host = parseCandidate('a=candidate:1 1 UDP 2130706431 10.0.1.1 8998 typ host');
    expect(host).toEqual({ foundation: '1', component: 1, transport: 'udp', priority: 2130706431, address: '10.0.1.1', port: 8998, type: 'host' });
    const srflx = parseCandidate('candidate:2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 10.0.1.1 rport 8998 generation 0');
    expect(srflx).toMatchObject({ type: 'srflx', relatedAddress: '10.0.1.1', relatedPort: 8998, extensions: [['generation', '0']] });
    if (!host || !srflx) return;
    expect(formatCandidate(host)).toBe('candidate:1 1 UDP 2130706431 10.0.1.1 8998 typ host');
    expect(formatCandidate(srflx)).toBe('candidate:2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 10.0.1.1 rport 8998 generation 0');
    const v6 = parseCandidate('candidate:3 2 udp 16777214 2001:db8::5 3478 typ relay raddr 2001:db8::1 rport 1');
    expect(v6 && isUsableCandidate(v6)).toBe(true);
    expect(parseCandidate(formatCandidate(v6 as IceCandidate))).toEqual(v6);
  });

  it('rejects malformed lines and flags unusable candidates', () => {
    for (const bad of [
      'candidate:1 1 UDP 2130706431 10.0.1.1 8998 host',
      'candidate:1 1 UDP 2130706431 10.0.1.1 99999 typ host',
      'candidate:1 0 UDP 1 10.0.1.1 1 typ host',
      'candidate:1 1 UDP 1 10.0.1.1 1 typ bogus',
      'candidate:bad_foundation 1 UDP 1 10.0.1.1 1 typ host',
      'candidate:1 1 UDP 1 10.0.1.1 1 typ srflx raddr 1.2.3.4 rport x',
      'a=ice-ufrag:abcd',
      '',
    ]) {
      expect(parseCandidate(bad)).toBeNull();
    }
    expect(parseCandidate(42 as unknown as string)).toBeNull();
    const tcp = parseCandidate('candidate:1 1 TCP 2128609279 10.0.1.1 9 typ host tcptype active');
    expect(tcp && isUsableCandidate(tcp)).toBe(false);
    const mdns = parseCandidate('candidate:1 1 UDP 2130706431 4d2d1b7e-1b7e.local 5000 typ host');
    expect(mdns && isUsableCandidate(mdns)).toBe(false);
  });

  it('reads and writes the ICE media attributes', () => {
    const creds = generateIceCredentials(seededRandom(1));
    expect(creds.ufrag).toMatch(/^[A-Za-z0-9+/]{8}$/);
    expect(creds.pwd).toMatch(/^[A-Za-z0-9+/]{24}$/);
    const host = parseCandidate('candidate:1 1 UDP 2130706431 10.0.1.1 8998 typ host') as IceCandidate;
    const lines = formatIceAttributes(creds, [host], ['trickle']);
    expect(lines).toEqual([`a=ice-ufrag:${creds.ufrag}`, `a=ice-pwd:${creds.pwd}`, 'a=ice-options:trickle', 'a=candidate:1 1 UDP 2130706431 10.0.1.1 8998 typ host']);
    const back = parseIceAttributes([...lines, 'a=end-of-candidates', 'a=ice-lite', 'a=rtpmap:0 PCMU/8000', 'a=ice-pwd:short']);
    expect(back).toEqual({ ufrag: creds.ufrag, pwd: creds.pwd, lite: true, options: ['trickle'], candidates: [host], endOfCandidates: true });
  });
});

function local(type: 'host' | 'srflx' | 'relay', address: string, port: number, component = 1, base = { address, port }): LocalCandidate {
  return { foundation: candidateFoundation(type, base.address), component, transport: 'udp', priority: candidatePriority(type, component), address, port, type, base };
}

function remote(type: IceCandidate['type'], address: string, port: number, component = 1, foundation = `${type}-${address}`): IceCandidate {
  return { foundation, component, transport: 'udp', priority: candidatePriority(type, component), address, port, type };
}

describe('check list', () => {
  it('computes §6.1.2.3 pair priorities and uses the controlling agent as G', () => {
    expect(pairPriority(2130706431, 1694498815)).toBe(2n ** 32n * 1694498815n + 2n * 2130706431n + 1n);
    expect(pairPriority(1694498815, 2130706431)).toBe(2n ** 32n * 1694498815n + 2n * 2130706431n);
    expect(pairPriority(5, 5)).toBe(2n ** 32n * 5n + 10n);
  });

  it('forms pairs per component and family, sorted by priority, with srflx pruned into its base', () => {
    const list = new CheckList(true);
    const host = local('host', '10.0.0.1', 5000);
    const srflx = local('srflx', '192.0.2.1', 6000, 1, host.base);
    const relay = local('relay', '198.51.100.9', 7000);
    const rtcp = local('host', '10.0.0.1', 5001, 2);
    const remotes = [remote('host', '10.9.0.1', 9000), remote('srflx', '203.0.113.1', 9100), remote('host', '2001:db8::1', 9200), remote('host', '10.9.0.1', 9001, 2)];
    const pairs = list.addPairs([host, srflx, relay, rtcp], remotes);
    // host x 2 IPv4 remotes, relay x 2, rtcp x 1; the IPv6 remote pairs with nothing; srflx adds nothing.
    expect(pairs).toHaveLength(5);
    expect(list.pairs.map((p) => p.id)).toEqual([
      '10.0.0.1:5000->10.9.0.1:9000',
      '10.0.0.1:5001->10.9.0.1:9001',
      '10.0.0.1:5000->203.0.113.1:9100',
      '198.51.100.9:7000->10.9.0.1:9000',
      '198.51.100.9:7000->203.0.113.1:9100',
    ]);
    // §6.1.2.6: per foundation only the lowest component starts Waiting (RTP and RTCP host pairs share one).
    expect(list.pairs.every((p) => p.state === 'frozen')).toBe(true);
    list.initialize();
    expect(list.pairs.map((p) => p.state)).toEqual(['waiting', 'frozen', 'waiting', 'waiting', 'waiting']);
    expect(list.addPairs([host], remotes)).toHaveLength(0);
  });

  it('schedules triggered checks first, then Waiting by priority, then unfreezes by foundation', () => {
    const list = new CheckList(true);
    const host = local('host', '10.0.0.1', 5000);
    const rtcp = local('host', '10.0.0.1', 5001, 2);
    list.addPairs([host, rtcp], [remote('host', '10.9.0.1', 9000), remote('host', '10.9.0.1', 9001, 2)]);
    list.initialize();
    const [rtp, rtcpPair] = list.pairs;
    if (!rtp || !rtcpPair) throw new Error('pairs');
    list.trigger(rtcpPair);
    rtcpPair.state = 'waiting';
    expect(list.nextPair()).toBe(rtcpPair);
    rtcpPair.state = 'in-progress';
    expect(list.nextPair()).toBe(rtp);
    rtp.state = 'in-progress';
    expect(list.nextPair()).toBeNull();
    list.succeeded(rtp);
    expect(rtcpPair.state).toBe('in-progress');
    const list2 = new CheckList(false);
    list2.addPairs([host, rtcp], [remote('host', '10.9.0.1', 9000), remote('host', '10.9.0.1', 9001, 2)]);
    list2.initialize();
    const [a, b] = list2.pairs;
    if (!a || !b) throw new Error('pairs');
    a.state = 'in-progress';
    expect(list2.nextPair()).toBeNull(); // b is Frozen and its foundation is busy
    list2.succeeded(a);
    expect(b.state).toBe('waiting'); // §7.2.5.3.3: unfrozen by its foundation's success
    expect(list2.nextPair()).toBe(b);
  });

  it('starts the same pair of a foundation whatever order the candidates were signalled in', () => {
    const host = local('host', '10.0.0.1', 5000);
    const rtcp = local('host', '10.0.0.1', 5001, 2);
    // The RTCP candidate arrives first (its STUN answer came back first): RTP must still be the one started.
    const srflxRtcp = remote('srflx', '203.0.113.1', 40007, 2, 'F');
    const srflxRtp = remote('srflx', '203.0.113.1', 40014, 1, 'F');
    const list = new CheckList(false);
    list.addPairs([host, rtcp], [srflxRtcp]);
    list.addPairs([host, rtcp], [srflxRtp]);
    list.initialize();
    expect(list.pairs.filter((p) => p.state === 'waiting').map((p) => p.component)).toEqual([1]);
    // After checking started, a late candidate of a busy foundation stays Frozen.
    list.addPairs([host], [remote('srflx', '203.0.113.1', 40021, 1, 'F')]);
    expect(list.pairs.filter((p) => p.state === 'waiting')).toHaveLength(1);
  });

  it('recomputes priorities on a role change and caps the list at 100 pairs', () => {
    const list = new CheckList(true);
    const host = local('host', '10.0.0.1', 5000);
    list.addPairs([host], [remote('srflx', '203.0.113.1', 1)]);
    const before = list.pairs[0]?.priority;
    list.setControlling(false);
    expect(list.pairs[0]?.priority).not.toBe(before);
    expect(list.pairs[0]?.priority).toBe(pairPriority(candidatePriority('srflx', 1), host.priority));
    const many = Array.from({ length: 150 }, (_, i) => remote('host', `10.9.${i >> 8}.${i & 255}`, 9000));
    list.addPairs([host], many);
    expect(list.pairs).toHaveLength(MAX_PAIRS);
  });
});
