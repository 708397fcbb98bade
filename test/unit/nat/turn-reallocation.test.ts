// Issue 10: the TURN client notices a lost allocation (437, or coturn's 438 then 400 confirmed by a Refresh)
// and allocates again from the same socket, against the in-memory TURN server on a fake clock.

import { beforeEach, describe, expect, it } from 'vitest';
import { TurnClient, type TurnEvents } from '../../../src-main/nat/turn-client';
import type { TransportAddress } from '../../../src-main/nat/transport-address';
import { FakeClock, seededRandom } from './fake-clock';
import { FakeNetwork } from './fake-network';
import { FakeTurnServer } from './fake-turn-server';

const SERVER = { address: '198.51.100.10', port: 3478 };
const CLIENT = { address: '10.0.0.2', port: 5000 };
const PEER = { address: '203.0.113.50', port: 7000 };
const OTHER_PEER = { address: '203.0.113.51', port: 7000 };
const TEXT = new TextEncoder();

function rig() {
  const clock = new FakeClock(0);
  const net = new FakeNetwork(clock);
  net.addSite('lan', { publicIp: '192.0.2.1', mapping: 'endpoint-independent', filtering: 'address-and-port-dependent' });
  const server = new FakeTurnServer(net, clock, { address: SERVER, relayIp: '198.51.100.11', realm: 'example.org', users: { alice: 'secret' } });
  const client = new TurnClient({ clock, server: SERVER, username: 'alice', password: 'secret', random: seededRandom(12), send: (data) => net.send(CLIENT, SERVER, data) });
  net.bind('lan', CLIENT, (data, from) => client.handleDatagram(data, from));
  const peerGot: { data: string; from: TransportAddress }[] = [];
  for (const p of [PEER, OTHER_PEER]) net.bind(null, p, (data, from) => peerGot.push({ data: new TextDecoder().decode(data), from }));
  const events = { allocated: [] as TurnEvents['allocated'][], failed: [] as TurnEvents['failed'][], permission: [] as TurnEvents['permission'][] };
  client.on('allocated', (e) => events.allocated.push(e));
  client.on('failed', (e) => events.failed.push(e));
  client.on('permission', (e) => events.permission.push(e));
  return { clock, net, server, client, events, peerGot };
}

describe('TurnClient: a lost allocation (issue 10)', () => {
  let r: ReturnType<typeof rig>;
  /** The client's address as the server sees it (behind the NAT): the allocation's key. */
  const clientSeenByServer = (): TransportAddress => {
    const a = [...r.server.allocations.values()][0];
    if (!a) throw new Error('no allocation');
    return a.client;
  };
  beforeEach(() => {
    r = rig();
    r.client.allocate();
    r.clock.advance(100);
    r.client.sendTo(PEER, TEXT.encode('first'));
    r.clock.advance(100);
    expect(r.peerGot.map((p) => p.data)).toEqual(['first']);
    r.server.log.length = 0;
  });

  it("coturn's pattern: CreatePermission gets 438 then 400; a Refresh confirms the loss; allocating again gives a working relay", () => {
    r.server.forget(clientSeenByServer(), 'coturn');
    r.client.sendTo(OTHER_PEER, TEXT.encode('lost'));
    r.clock.advance(100);
    // 438 with the new nonce, the retry 400, then the Refresh that asks whether the allocation exists.
    expect(r.server.log).toEqual(['CreatePermission+auth', 'CreatePermission+auth', 'Refresh+auth']);
    expect(r.events.permission.at(-1)).toMatchObject({ peerAddress: OTHER_PEER.address, ok: false, reason: '400 Bad Request' });
    expect(r.client.state).toBe('failed');
    expect(r.events.failed).toEqual([
      { reason: `CreatePermission for ${OTHER_PEER.address} answered 438 Stale Nonce, then 400 Bad Request; Refresh answered 400 Bad Request`, code: 400 },
    ]);
    expect(r.client.reallocate()).toBe(true);
    r.clock.advance(100);
    expect(r.client.state).toBe('allocated');
    expect(r.events.allocated.map((a) => a.relayed)).toEqual([
      { address: '198.51.100.11', port: 49152 },
      { address: '198.51.100.11', port: 49153 },
    ]);
    // Permissions are per allocation: the new one asks again, and the data goes out from the new relay.
    r.client.sendTo(PEER, TEXT.encode('again'));
    r.clock.advance(100);
    expect(r.peerGot.at(-1)).toEqual({ data: 'again', from: { address: '198.51.100.11', port: 49153 } });
  });

  it('437 Allocation Mismatch to a CreatePermission is a lost allocation at once (no probe)', () => {
    r.server.forget(clientSeenByServer(), 'rfc');
    r.client.createPermission(OTHER_PEER.address);
    r.clock.advance(100);
    expect(r.server.log).toEqual(['CreatePermission+auth']);
    expect(r.events.failed).toEqual([{ reason: `CreatePermission for ${OTHER_PEER.address} answered 437 Allocation Mismatch`, code: 437 }]);
  });

  it('437 to a ChannelBind likewise', () => {
    r.server.forget(clientSeenByServer(), 'rfc');
    r.client.bindChannel(OTHER_PEER);
    r.clock.advance(100);
    expect(r.events.failed[0]?.reason).toBe(`ChannelBind to ${OTHER_PEER.address}:${OTHER_PEER.port} answered 437 Allocation Mismatch`);
  });

  it('a plain stale nonce on a live allocation is retried and nothing is lost', () => {
    r.server.rotateNonce();
    r.client.createPermission(OTHER_PEER.address);
    r.clock.advance(100);
    expect(r.server.log).toEqual(['CreatePermission+auth', 'CreatePermission+auth']);
    expect(r.events.failed).toEqual([]);
    expect(r.client.state).toBe('allocated');
  });

  it('438 then an error on a live allocation: the Refresh succeeds, the allocation is kept, only that permission failed', () => {
    // The nonce went stale and the retry is refused for that peer only (403, a denied peer range).
    r.server.rotateNonce();
    r.server.deny = OTHER_PEER.address;
    r.client.createPermission(OTHER_PEER.address);
    r.clock.advance(100);
    expect(r.server.log).toEqual(['CreatePermission+auth', 'CreatePermission+auth', 'Refresh+auth']);
    expect(r.events.permission.at(-1)).toMatchObject({ ok: false, reason: '403 Forbidden' });
    expect(r.events.failed).toEqual([]);
    expect(r.client.state).toBe('allocated');
  });

  it('reallocate() is refused unless an allocation existed and was lost', () => {
    const fresh = rig();
    expect(fresh.client.reallocate()).toBe(false);
    expect(r.client.reallocate()).toBe(false); // allocated and fine
  });
});
