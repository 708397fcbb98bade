// The media session's NAT glue on the fake network: gathering on an RTP/RTCP socket pair, ICE behind NATs
// (srflx pair, TURN relay behind symmetric NATs), media through the selected pair, strangers dropped,
// early checks kept until the answer, and plain RTP when the peer does not do ICE.

import { describe, expect, it } from 'vitest';
import { IceMediaTransport, inPrefix, type RemoteIce } from '../../../src-main/nat/ice-media-transport';
import { encodeStun, newTransactionId, StunMethod } from '../../../src-main/nat/stun-message';
import type { TransportAddress } from '../../../src-main/nat/transport-address';
import { FakeClock, seededRandom } from './fake-clock';
import { addStunServer, FakeNetwork, type NatConfig } from './fake-network';
import { FakeTurnServer } from './fake-turn-server';
import { settle } from './ice-harness';

const STUN = { address: '198.51.100.1', port: 3478 };
const TURN = { address: '198.51.100.10', port: 3478 };
const EIM: Omit<NatConfig, 'publicIp'> = { mapping: 'endpoint-independent', filtering: 'address-and-port-dependent' };
const SYMMETRIC: Omit<NatConfig, 'publicIp'> = { mapping: 'address-and-port-dependent', filtering: 'address-and-port-dependent' };
const rtp = (text: string) => new Uint8Array([0x80, ...new TextEncoder().encode(text)]);
const text = (d: Uint8Array) => new TextDecoder().decode(d.subarray(1));

interface Side {
  t: IceMediaTransport;
  got: { component: number; text: string; from: TransportAddress }[];
  problems: string[];
}

function world() {
  const clock = new FakeClock(0);
  const net = new FakeNetwork(clock, { random: seededRandom(5) });
  addStunServer(net, STUN);
  const turn = new FakeTurnServer(net, clock, { address: TURN, relayIp: '198.51.100.11', realm: 'bench', users: { a: 'pa', b: 'pb' } });
  return { clock, net, turn };
}

function side(w: ReturnType<typeof world>, site: string | null, ip: string, port: number, seed: number, opts: { stun?: boolean; turnUser?: string; turnPassword?: string } = {}): Side {
  const hosts = [
    { address: ip, port },
    { address: ip, port: port + 1 },
  ];
  const t = new IceMediaTransport({
    clock: w.clock,
    random: seededRandom(seed),
    sockets: hosts.map((h) => ({ port: h.port, send: (data: Uint8Array, to: TransportAddress) => w.net.send(h, to, data) })),
    hosts: [{ address: ip, prefixLength: 24 }],
    ...(opts.stun ? { stun: STUN } : {}),
    ...(opts.turnUser ? { turn: { server: TURN, username: opts.turnUser, password: opts.turnPassword ?? `p${opts.turnUser}` } } : {}),
  });
  hosts.forEach((h, i) => w.net.bind(site, h, (data, from) => t.receive(i + 1, data, from)));
  const s: Side = { t, got: [], problems: [] };
  t.on('media', ({ component, data, from }) => s.got.push({ component, text: text(data), from }));
  t.on('problem', ({ message }) => s.problems.push(message));
  return s;
}

async function gatherBoth(w: ReturnType<typeof world>, a: Side, b: Side) {
  const ga = a.t.gather();
  const gb = b.t.gather();
  let done = false;
  void Promise.all([ga, gb]).then(() => (done = true));
  for (let i = 0; i < 600 && !done; i++) await settle(w.clock, 10);
  return Promise.all([ga, gb]);
}

function remote(g: Awaited<ReturnType<IceMediaTransport['gather']>>, role: RemoteIce['role']): RemoteIce {
  return { ufrag: g.credentials.ufrag, pwd: g.credentials.pwd, candidates: g.candidates.map(({ base: _b, ...c }) => c), role };
}

describe('IceMediaTransport', () => {
  it('behind two endpoint-independent NATs: srflx candidates, a direct pair, media both ways on it', async () => {
    const w = world();
    w.net.addSite('a', { publicIp: '192.0.2.1', ...EIM });
    w.net.addSite('b', { publicIp: '192.0.2.2', ...EIM });
    const a = side(w, 'a', '10.1.0.1', 5000, 1, { stun: true, turnUser: 'a' });
    const b = side(w, 'b', '10.2.0.1', 6000, 2, { stun: true, turnUser: 'b' });
    const [ga, gb] = await gatherBoth(w, a, b);
    expect(ga.candidates.map((c) => `${c.component}:${c.type}`).sort()).toEqual(['1:host', '1:relay', '1:srflx', '2:host', '2:relay', '2:srflx']);
    expect(ga.mapped[0]?.address).toBe('192.0.2.1');
    a.t.start(remote(gb, 'controlling'));
    b.t.start(remote(ga, 'controlled'));
    await settle(w.clock, 4000);
    expect(a.t.state).toBe('completed');
    expect(b.t.state).toBe('completed');
    const pa = a.t.stats().selectedPair;
    expect(pa?.local.type).toMatch(/srflx|prflx/);
    expect(pa?.remote.type).toMatch(/srflx|prflx/);
    expect(a.t.send(1, rtp('rtp a->b'))).toBe(true);
    expect(a.t.send(2, rtp('rtcp a->b'))).toBe(true);
    expect(b.t.send(1, rtp('rtp b->a'))).toBe(true);
    await settle(w.clock, 50);
    expect(b.got.map((g) => `${g.component} ${g.text}`)).toEqual(['1 rtp a->b', '2 rtcp a->b']);
    expect(b.got[0]?.from.address).toBe('192.0.2.1');
    expect(a.got.map((g) => g.text)).toEqual(['rtp b->a']);
    a.t.close();
    b.t.close();
  });

  it('behind two port-randomising NATs the media goes through the TURN relay', async () => {
    const w = world();
    w.net.addSite('a', { publicIp: '192.0.2.1', ...SYMMETRIC });
    w.net.addSite('b', { publicIp: '192.0.2.2', ...SYMMETRIC });
    const a = side(w, 'a', '10.1.0.1', 5000, 3, { stun: true, turnUser: 'a' });
    const b = side(w, 'b', '10.2.0.1', 6000, 4, { stun: true, turnUser: 'b' });
    const [ga, gb] = await gatherBoth(w, a, b);
    a.t.start(remote(gb, 'controlling'));
    b.t.start(remote(ga, 'controlled'));
    await settle(w.clock, 15_000);
    for (const s of [a, b]) {
      const p = s.t.stats().selectedPair;
      expect([p?.local.type, p?.remote.type]).toContain('relay');
    }
    expect(a.t.send(1, rtp('via relay'))).toBe(true);
    expect(b.t.send(1, rtp('back via relay'))).toBe(true);
    await settle(w.clock, 100);
    expect(b.got.map((g) => g.text)).toEqual(['via relay']);
    expect(a.got.map((g) => g.text)).toEqual(['back via relay']);
    // Hanging up deletes both sides' allocations (RTP and RTCP component each) before the sockets go.
    expect(w.turn.allocations.size).toBe(4);
    let closed = false;
    void Promise.all([a.t.close(), b.t.close()]).then(() => (closed = true));
    await settle(w.clock, 100);
    expect(closed).toBe(true);
    expect(w.turn.allocations.size).toBe(0);
    expect(a.t.send(1, rtp('after close'))).toBe(false);
  });

  it('issue 10: a relay the TURN server dropped (437 Allocation Mismatch) is reported and allocated again', async () => {
    const w = world();
    w.net.addSite('a', { publicIp: '192.0.2.1', ...SYMMETRIC });
    w.net.addSite('b', { publicIp: '192.0.2.2', ...SYMMETRIC });
    const a = side(w, 'a', '10.1.0.1', 5000, 3, { stun: true, turnUser: 'a' });
    const b = side(w, 'b', '10.2.0.1', 6000, 4, { stun: true, turnUser: 'b' });
    const [ga, gb] = await gatherBoth(w, a, b);
    a.t.start(remote(gb, 'controlling'));
    b.t.start(remote(ga, 'controlled'));
    await settle(w.clock, 15_000);
    expect(a.t.stats().relayProblem).toBeUndefined();
    const before = [...w.turn.allocations.values()].map((x) => x.relayed.port);
    // The server forgets every allocation (a restart, or it timed out): the next CreatePermission or
    // Refresh names an allocation it does not have, and gets 437 Allocation Mismatch (RFC 8656 §8, §9).
    for (const alloc of w.turn.allocations.values()) w.turn.forget(alloc.client, 'rfc');
    await settle(w.clock, 250_000, 100);
    expect(a.problems.join('\n')).toMatch(/TURN allocation lost: .*437 Allocation Mismatch; allocating a new relay/);
    expect(a.problems.join('\n')).toMatch(/TURN relay allocated again at 198\.51\.100\.11:\d+ \(component 1\)/);
    // New allocations on the server, none of the old relayed ports; the stats no longer name a dead relay.
    const after = [...w.turn.allocations.values()].map((x) => x.relayed.port);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((p) => before.includes(p))).toEqual([]);
    expect(a.t.stats().relayProblem).toBeUndefined();
    // Said once per lost allocation, not at every refresh.
    expect(a.problems.filter((p) => p.startsWith('TURN allocation lost')).length).toBeLessThanOrEqual(2);
  });

  it("issue 10: coturn drops our allocation during the checks (438, then 400): a new relay, ICE completes on it, audio both ways", async () => {
    const w = world();
    w.net.addSite('a', { publicIp: '192.0.2.1', ...SYMMETRIC });
    w.net.addSite('b', { publicIp: '192.0.2.2', ...SYMMETRIC });
    const a = side(w, 'a', '10.1.0.1', 5000, 3, { stun: true, turnUser: 'a' });
    const b = side(w, 'b', '10.2.0.1', 6000, 4, { stun: true, turnUser: 'b' });
    const [ga, gb] = await gatherBoth(w, a, b);
    const oldRelay = ga.candidates.find((c) => c.type === 'relay' && c.component === 1);
    const doomed = [...w.turn.allocations.values()].find((x) => x.relayed.port === oldRelay?.port);
    if (!oldRelay || !doomed) throw new Error('no relay candidate for component 1');
    // Only relay <-> relay can work: the NATs' public addresses reach neither each other nor a relayed
    // port directly (198.51.100.11; the TURN server itself, .10, stays reachable). Without a new allocation
    // for a, nothing would connect.
    const pcs = ['10.1.0.1', '10.2.0.1'];
    w.net.addDropRule(({ from, to }) => pcs.includes(from.address) && ['192.0.2.1', '192.0.2.2', '198.51.100.11'].includes(to.address));
    // As coturn after a failed relay send: allocation and session gone; CreatePermission then gets 438, 400.
    w.turn.forget(doomed.client, 'coturn');
    a.t.start(remote(gb, 'controlling'));
    b.t.start(remote(ga, 'controlled'));
    await settle(w.clock, 20_000);
    expect(a.problems).toContainEqual(expect.stringMatching(/^TURN allocation lost: CreatePermission for \S+ answered 438 Stale Nonce, then 400 Bad Request; Refresh answered 400 Bad Request; allocating a new relay$/));
    expect(a.problems).toContainEqual(expect.stringMatching(/^TURN relay allocated again at 198\.51\.100\.11:\d+ \(component 1\)/));
    expect(a.t.state).toBe('completed');
    expect(b.t.state).toBe('completed');
    // a's new relay <-> b's relay; b knows a's new relay only from a's checks (peer-reflexive).
    const pair = a.t.stats().selectedPair;
    expect([pair?.local.type, pair?.remote.type]).toEqual(['relay', 'relay']);
    expect(pair?.local.port).not.toBe(oldRelay.port);
    expect(b.t.stats().selectedPair?.remote).toMatchObject({ type: 'prflx', port: pair?.local.port });
    expect(b.t.stats().selectedPair?.remote.port).not.toBe(oldRelay.port);
    expect(a.t.send(1, rtp('after re-allocation'))).toBe(true);
    expect(b.t.send(1, rtp('back'))).toBe(true);
    await settle(w.clock, 100);
    expect(b.got.map((g) => g.text)).toContain('after re-allocation');
    expect(a.got.map((g) => g.text)).toContain('back');
    void a.t.close();
    void b.t.close();
  });

  it('drops media from strangers while ICE is in charge, and keeps checks that arrive before the answer', async () => {
    const w = world();
    w.net.addSite('lan');
    const a = side(w, 'lan', '10.1.0.1', 5000, 5);
    const b = side(w, 'lan', '10.1.0.2', 6000, 6);
    const [ga, gb] = await gatherBoth(w, a, b);
    expect(ga.candidates.map((c) => c.type)).toEqual(['host', 'host']);
    // The answerer (b) starts first: its checks reach a before a has the answer.
    b.t.start(remote(ga, 'controlled'));
    await settle(w.clock, 300);
    expect(a.t.state).toBe('new');
    a.t.start(remote(gb, 'controlling'));
    await settle(w.clock, 3000);
    expect(a.t.stats().selectedPair).toMatchObject({ local: { type: 'host', port: 5000 }, remote: { type: 'host', address: '10.1.0.2', port: 6000 } });
    const stranger = { address: '10.1.0.66', port: 7000 };
    w.net.bind('lan', stranger, () => {});
    w.net.send(stranger, { address: '10.1.0.1', port: 5000 }, rtp('spoofed'));
    w.net.send({ address: '10.1.0.2', port: 6000 }, { address: '10.1.0.1', port: 5000 }, rtp('genuine'));
    await settle(w.clock, 50);
    expect(a.got.map((g) => g.text)).toEqual(['genuine']);
    expect(a.t.discarded).toBe(1);
  });

  it('without ICE on the other side: plain RTP from anyone, stray STUN kept away from the RTP stack', async () => {
    const w = world();
    w.net.addSite('a', { publicIp: '192.0.2.1', ...EIM });
    const a = side(w, 'a', '10.1.0.1', 5000, 7, { stun: true });
    const [ga] = await gatherBoth(w, a, side(w, null, '203.0.113.9', 8000, 8));
    expect(ga.mapped[0]).toEqual({ address: '192.0.2.1', port: expect.any(Number) });
    a.t.start(null);
    expect(a.t.state).toBe('unused');
    expect(a.t.send(1, rtp('x'))).toBe(false); // plain RTP is sent by the caller from its socket
    const peer = { address: '203.0.113.9', port: 8000 };
    const mapped = ga.mapped[0] as TransportAddress;
    w.net.send({ address: '10.1.0.1', port: 5000 }, peer, rtp('punch')); // opens the NAT binding towards the peer
    w.net.send(peer, mapped, encodeStun({ method: StunMethod.Binding, cls: 'request', transactionId: newTransactionId(seededRandom(9)), attributes: [] }));
    w.net.send(peer, mapped, rtp('plain rtp'));
    await settle(w.clock, 50);
    expect(a.got.map((g) => g.text)).toEqual(['plain rtp']);
  });

  it('reports a TURN server that refuses the credentials and still offers host and srflx', async () => {
    const w = world();
    w.net.addSite('a', { publicIp: '192.0.2.1', ...EIM });
    const a = side(w, 'a', '10.1.0.1', 5000, 10, { stun: true, turnUser: 'a', turnPassword: 'wrong' });
    const [g] = await gatherBoth(w, a, side(w, null, '203.0.113.9', 8000, 11));
    expect(g.candidates.map((c) => c.type).sort()).toEqual(['host', 'host', 'srflx', 'srflx']);
    expect(a.problems.join('\n')).toMatch(/TURN server: 401/);
  });

  it('inPrefix tells which interface network an address belongs to', () => {
    expect(inPrefix('10.77.1.2', '10.77.1.200', 24)).toBe(true);
    expect(inPrefix('10.77.1.2', '10.77.2.3', 24)).toBe(false);
    expect(inPrefix('10.77.1.2', '10.77.2.3', 16)).toBe(true);
    expect(inPrefix('2001:db8::1', '2001:db8::ffff', 64)).toBe(true);
    expect(inPrefix('10.0.0.1', '2001:db8::1', 8)).toBe(false);
  });
});
