// Two ICE agents back to back on the fake network: LAN, NATs that hide host candidates, peer-reflexive
// candidates, role conflicts, relay-only paths through TURN, packet loss, and consent freshness.

import { describe, expect, it } from 'vitest';
import { describePair } from '../../../src-main/nat/ice-agent';
import { decodeStun, encodeStun, getAttr, StunMethod } from '../../../src-main/nat/stun-message';
import { shortTermKey } from '../../../src-main/nat/stun-credentials';
import type { TransportAddress } from '../../../src-main/nat/transport-address';
import { FakeClock, seededRandom } from './fake-clock';
import { addStunServer, FakeNetwork, type NatConfig } from './fake-network';
import { FakeTurnServer } from './fake-turn-server';
import { exchange, Peer, RTP, settle } from './ice-harness';

const STUN = { address: '198.51.100.1', port: 3478 };
const TURN = { address: '198.51.100.10', port: 3478 };
const EIM: Omit<NatConfig, 'publicIp'> = { mapping: 'endpoint-independent', filtering: 'address-and-port-dependent' };
const SYMMETRIC: Omit<NatConfig, 'publicIp'> = { mapping: 'address-and-port-dependent', filtering: 'address-and-port-dependent' };

interface World {
  clock: FakeClock;
  net: FakeNetwork;
  useCandidateFrom: string[];
}

function world(lossRate = 0): World {
  const clock = new FakeClock(0);
  const net = new FakeNetwork(clock, { lossRate, random: seededRandom(77) });
  addStunServer(net, STUN);
  new FakeTurnServer(net, clock, { address: TURN, relayIp: '198.51.100.11', realm: 'bench', users: { a: 'pa', b: 'pb' } });
  // Record who sends USE-CANDIDATE (only the controlling agent may, §8.1.1).
  const useCandidateFrom: string[] = [];
  const send = net.send.bind(net);
  net.send = (from: TransportAddress, to: TransportAddress, data: Uint8Array) => {
    const m = decodeStun(data);
    if (m && m.cls === 'request' && getAttr(m, 'useCandidate')) useCandidateFrom.push(from.address);
    send(from, to, data);
  };
  return { clock, net, useCandidateFrom };
}

async function call(w: World, a: Peer, b: Peer, ms = 8000): Promise<void> {
  a.gather();
  b.gather();
  // Without trickle ICE the offer/answer waits for gathering to finish (bounded by the 39.5 s STUN timeout).
  for (let t = 0; t < 40_000 && a.pendingGathers + b.pendingGathers > 0; t += 10) await settle(w.clock, 10);
  exchange(a, b);
  await settle(w.clock, ms);
}

describe('IceAgent', () => {
  it('two hosts on one LAN select the host pair; only the controlling side nominates', async () => {
    const w = world();
    w.net.addSite('lan');
    const a = new Peer(w.net, w.clock, { site: 'lan', hosts: [{ address: '10.1.0.1', port: 5000 }], role: 'controlling', seed: 1 });
    const b = new Peer(w.net, w.clock, { site: 'lan', hosts: [{ address: '10.1.0.2', port: 6000 }], role: 'controlled', seed: 2 });
    await call(w, a, b, 2000);
    expect(a.agent.state).toBe('completed');
    expect(b.agent.state).toBe('completed');
    expect(describePair(a.selected[0] as never)).toBe('host 10.1.0.1:5000 -> host 10.1.0.2:6000');
    expect(describePair(b.selected[0] as never)).toBe('host 10.1.0.2:6000 -> host 10.1.0.1:5000');
    expect(new Set(w.useCandidateFrom)).toEqual(new Set(['10.1.0.1']));
    expect(a.agent.sendData(1, RTP('tone 440'))).toBe(true);
    expect(b.agent.sendData(1, RTP('tone 880'))).toBe(true);
    await settle(w.clock, 50);
    expect(b.media).toEqual([{ data: 'tone 440', from: { address: '10.1.0.1', port: 5000 }, component: 1 }]);
    expect(a.media.map((m) => m.data)).toEqual(['tone 880']);
  });

  it('behind two NATs that block host candidates, both sides end on the server-reflexive pair', async () => {
    const w = world();
    w.net.addSite('a', { publicIp: '192.0.2.1', ...EIM });
    w.net.addSite('b', { publicIp: '192.0.2.2', ...EIM });
    const a = new Peer(w.net, w.clock, { site: 'a', hosts: [{ address: '10.1.0.1', port: 5000 }], role: 'controlling', seed: 3, stun: STUN });
    const b = new Peer(w.net, w.clock, { site: 'b', hosts: [{ address: '10.2.0.1', port: 6000 }], role: 'controlled', seed: 4, stun: STUN });
    await call(w, a, b);
    expect(a.agent.state).toBe('completed');
    expect(b.agent.state).toBe('completed');
    const sa = a.selected[a.selected.length - 1];
    const sb = b.selected[b.selected.length - 1];
    expect(sa?.local.type).toBe('srflx');
    expect(sa?.remote.type).toBe('srflx');
    expect(sa?.base).toEqual({ address: '10.1.0.1', port: 5000 });
    expect(sb?.remoteAddress).toEqual({ address: sa?.local.address, port: sa?.local.port });
    a.agent.sendData(1, RTP('through the NATs'));
    await settle(w.clock, 50);
    expect(b.media.map((m) => m.data)).toEqual(['through the NATs']);
    expect(new Set(w.useCandidateFrom)).toEqual(new Set(['10.1.0.1']));
  });

  it('learns a peer-reflexive candidate when the NATed side signals only its host address', async () => {
    const w = world();
    w.net.addSite('a', { publicIp: '192.0.2.1', ...EIM });
    const a = new Peer(w.net, w.clock, { site: 'a', hosts: [{ address: '10.1.0.1', port: 5000 }], role: 'controlled', seed: 5 });
    const b = new Peer(w.net, w.clock, { site: null, hosts: [{ address: '203.0.113.5', port: 6000 }], role: 'controlling', seed: 6 });
    await call(w, a, b);
    expect(b.agent.state).toBe('completed');
    const sb = b.selected[b.selected.length - 1];
    expect(sb?.remote.type).toBe('prflx');
    expect(sb?.remote.address).toBe('192.0.2.1');
    expect(b.agent.remoteCandidates.some((c) => c.type === 'prflx')).toBe(true);
    // On A the mapped address came back in the check response: a peer-reflexive local candidate.
    const sa = a.selected[a.selected.length - 1];
    expect(sa?.local.type).toBe('prflx');
    expect(sa?.base).toEqual({ address: '10.1.0.1', port: 5000 });
  });

  it('resolves a role conflict (both controlling) by tie-breaker, and both select the same pair', async () => {
    const w = world();
    w.net.addSite('lan');
    const a = new Peer(w.net, w.clock, { site: 'lan', hosts: [{ address: '10.1.0.1', port: 5000 }], role: 'controlling', seed: 7, agent: { tieBreaker: 5n } });
    const b = new Peer(w.net, w.clock, { site: 'lan', hosts: [{ address: '10.1.0.2', port: 6000 }], role: 'controlling', seed: 8, agent: { tieBreaker: 10n } });
    const roles: string[] = [];
    a.agent.on('role-change', (e) => roles.push(`a:${e.role}`));
    b.agent.on('role-change', (e) => roles.push(`b:${e.role}`));
    await call(w, a, b, 3000);
    expect(a.agent.role).toBe('controlled');
    expect(b.agent.role).toBe('controlling');
    expect(roles).toEqual(['a:controlled']);
    expect(a.agent.state).toBe('completed');
    expect(b.agent.state).toBe('completed');
    expect(a.selected[0]?.remoteAddress).toEqual({ address: '10.1.0.2', port: 6000 });
    expect(b.selected[0]?.remoteAddress).toEqual({ address: '10.1.0.1', port: 5000 });
  });

  it('resolves a role conflict (both controlled): the larger tie-breaker takes control', async () => {
    const w = world();
    w.net.addSite('lan');
    const a = new Peer(w.net, w.clock, { site: 'lan', hosts: [{ address: '10.1.0.1', port: 5000 }], role: 'controlled', seed: 9, agent: { tieBreaker: 0xffffffffffffn } });
    const b = new Peer(w.net, w.clock, { site: 'lan', hosts: [{ address: '10.1.0.2', port: 6000 }], role: 'controlled', seed: 10, agent: { tieBreaker: 3n } });
    await call(w, a, b, 3000);
    expect(a.agent.role).toBe('controlling');
    expect(b.agent.role).toBe('controlled');
    expect(a.agent.state).toBe('completed');
    expect(b.agent.state).toBe('completed');
  });

  it('with port-randomising NATs on both sides, only the relay works and is selected', async () => {
    const w = world();
    w.net.addSite('a', { publicIp: '192.0.2.1', ...SYMMETRIC });
    w.net.addSite('b', { publicIp: '192.0.2.2', ...SYMMETRIC });
    const a = new Peer(w.net, w.clock, { site: 'a', hosts: [{ address: '10.1.0.1', port: 5000 }], role: 'controlling', seed: 11, stun: STUN, turn: { server: TURN, username: 'a', password: 'pa' } });
    const b = new Peer(w.net, w.clock, { site: 'b', hosts: [{ address: '10.2.0.1', port: 6000 }], role: 'controlled', seed: 12, stun: STUN, turn: { server: TURN, username: 'b', password: 'pb' } });
    await call(w, a, b, 10_000);
    expect(a.turn?.state).toBe('allocated');
    expect(a.agent.localCandidates.map((c) => c.type).sort()).toEqual(['host', 'relay', 'srflx']);
    expect(a.agent.state).toBe('completed');
    expect(b.agent.state).toBe('completed');
    const sa = a.selected[a.selected.length - 1];
    const sb = b.selected[b.selected.length - 1];
    if (!sa || !sb) throw new Error('no selection');
    expect([sa.local.type, sa.remote.type]).toContain('relay');
    expect([sb.local.type, sb.remote.type]).toContain('relay');
    // Every direct pair failed or never validated: nothing valid without a relay on one end.
    for (const v of a.agent.validPairs) expect(v.local.type === 'relay' || v.remote.type === 'relay' || v.remote.type === 'prflx').toBe(true);
    a.agent.sendData(1, RTP('relayed a->b'));
    b.agent.sendData(1, RTP('relayed b->a'));
    await settle(w.clock, 100);
    expect(b.media.map((m) => m.data)).toEqual(['relayed a->b']);
    expect(a.media.map((m) => m.data)).toEqual(['relayed b->a']);
  });

  it('connects RTP and RTCP components through 5% packet loss', async () => {
    const w = world(0.05);
    w.net.addSite('a', { publicIp: '192.0.2.1', ...EIM });
    w.net.addSite('b', { publicIp: '192.0.2.2', ...EIM });
    const a = new Peer(w.net, w.clock, { site: 'a', hosts: [{ address: '10.1.0.1', port: 5000 }, { address: '10.1.0.1', port: 5001 }], role: 'controlling', seed: 13, stun: STUN });
    const b = new Peer(w.net, w.clock, { site: 'b', hosts: [{ address: '10.2.0.1', port: 6000 }, { address: '10.2.0.1', port: 6001 }], role: 'controlled', seed: 14, stun: STUN });
    await call(w, a, b, 15_000);
    expect(w.net.dropped).toBeGreaterThan(0);
    expect(a.agent.state).toBe('completed');
    expect(b.agent.state).toBe('completed');
    expect(new Set(a.selected.map((s) => s.component))).toEqual(new Set([1, 2]));
    expect(a.agent.route(2)?.base).toEqual({ address: '10.1.0.1', port: 5001 });
  });

  it('keeps consent while the peer answers, and loses it 30 s after the peer goes silent (RFC 7675)', async () => {
    const w = world();
    w.net.addSite('lan');
    const a = new Peer(w.net, w.clock, { site: 'lan', hosts: [{ address: '10.1.0.1', port: 5000 }], role: 'controlling', seed: 15 });
    const b = new Peer(w.net, w.clock, { site: 'lan', hosts: [{ address: '10.1.0.2', port: 6000 }], role: 'controlled', seed: 16 });
    await call(w, a, b, 2000);
    expect(a.agent.state).toBe('completed');
    const lost: number[] = [];
    a.agent.on('consent-lost', () => lost.push(w.clock.now()));
    await settle(w.clock, 120_000, 100);
    expect(lost).toEqual([]);
    expect(a.agent.state).toBe('completed');
    const silentFrom = w.clock.now();
    w.net.addDropRule((p) => p.from.address === '10.1.0.2');
    await settle(w.clock, 45_000, 100);
    expect(lost).toHaveLength(1);
    const after = (lost[0] ?? 0) - silentFrom;
    expect(after).toBeGreaterThanOrEqual(24_000); // the last answer came at most one interval (<= 6 s) before
    expect(after).toBeLessThanOrEqual(30_100);
    expect(a.agent.state).toBe('failed');
    expect(a.agent.sendData(1, RTP('nobody listens'))).toBe(false);
  });

  it('fails when nothing can connect and no relay exists', async () => {
    const w = world();
    w.net.addSite('a', { publicIp: '192.0.2.1', ...SYMMETRIC });
    w.net.addSite('b', { publicIp: '192.0.2.2', ...SYMMETRIC });
    const a = new Peer(w.net, w.clock, { site: 'a', hosts: [{ address: '10.1.0.1', port: 5000 }], role: 'controlling', seed: 17, stun: STUN });
    const b = new Peer(w.net, w.clock, { site: 'b', hosts: [{ address: '10.2.0.1', port: 6000 }], role: 'controlled', seed: 18, stun: STUN });
    await call(w, a, b, 10_000);
    expect(a.agent.state).toBe('checking');
    await settle(w.clock, 60_000, 100);
    expect(a.agent.state).toBe('failed');
    expect(a.agent.route(1)).toBeNull();
  });

  it('answers unauthenticated or wrongly signed checks with 400/401 and learns nothing from them', async () => {
    const w = world();
    w.net.addSite('lan');
    const a = new Peer(w.net, w.clock, { site: 'lan', hosts: [{ address: '10.1.0.1', port: 5000 }], role: 'controlled', seed: 19 });
    const probe = { address: '10.1.0.9', port: 9 };
    const replies: number[] = [];
    w.net.bind('lan', probe, (data) => {
      const m = decodeStun(data);
      const code = m && getAttr(m, 'errorCode')?.code;
      if (code) replies.push(code);
    });
    const tid = seededRandom(20)(12);
    const bare = encodeStun({ method: StunMethod.Binding, cls: 'request', transactionId: tid, attributes: [] });
    const wrong = encodeStun(
      { method: StunMethod.Binding, cls: 'request', transactionId: tid, attributes: [{ name: 'username', value: `${a.agent.localCredentials.ufrag}:x` }, { name: 'priority', value: 1 }] },
      { integrityKey: shortTermKey('not the password'), fingerprint: true },
    );
    w.net.send(probe, { address: '10.1.0.1', port: 5000 }, bare);
    w.net.send(probe, { address: '10.1.0.1', port: 5000 }, wrong);
    await settle(w.clock, 50);
    expect(replies).toEqual([400, 401]);
    expect(a.agent.remoteCandidates).toHaveLength(0);
  });
});
