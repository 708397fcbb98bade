// TURN client (RFC 8656) against the in-memory TURN server on a fake clock: authentication, stale nonce,
// refreshes, permissions, channels, relayed data both ways, close and failures.

import { beforeEach, describe, expect, it } from 'vitest';
import { TurnClient, type TurnEvents } from '../../../src-main/nat/turn-client';
import { decodeStun, demuxPacket, encodeStun, getAttr, StunMethod } from '../../../src-main/nat/stun-message';
import type { TransportAddress } from '../../../src-main/nat/transport-address';
import { FakeClock, seededRandom } from './fake-clock';
import { FakeNetwork } from './fake-network';
import { FakeTurnServer } from './fake-turn-server';

const SERVER = { address: '198.51.100.10', port: 3478 };
const CLIENT = { address: '10.0.0.2', port: 5000 };
const PEER = { address: '203.0.113.50', port: 7000 };
const TEXT = new TextEncoder();

interface Rig {
  clock: FakeClock;
  net: FakeNetwork;
  server: FakeTurnServer;
  client: TurnClient;
  events: { [K in keyof TurnEvents]?: TurnEvents[K][] };
  sent: Uint8Array[];
  peerGot: { data: string; from: TransportAddress }[];
}

function rig(password = 'secret', lifetime?: number): Rig {
  const clock = new FakeClock(0);
  const net = new FakeNetwork(clock);
  net.addSite('lan', { publicIp: '192.0.2.1', mapping: 'endpoint-independent', filtering: 'address-and-port-dependent' });
  const server = new FakeTurnServer(net, clock, { address: SERVER, relayIp: '198.51.100.11', realm: 'example.org', users: { alice: 'secret' } });
  const sent: Uint8Array[] = [];
  const client = new TurnClient({
    clock,
    server: SERVER,
    username: 'alice',
    password,
    random: seededRandom(11),
    software: 'softphone-test',
    ...(lifetime !== undefined ? { lifetime } : {}),
    send: (data) => {
      sent.push(data);
      net.send(CLIENT, SERVER, data);
    },
  });
  net.bind('lan', CLIENT, (data, from) => client.handleDatagram(data, from));
  const peerGot: { data: string; from: TransportAddress }[] = [];
  net.bind(null, PEER, (data, from) => peerGot.push({ data: new TextDecoder().decode(data), from }));
  const events: Rig['events'] = {};
  for (const name of ['allocated', 'data', 'permission', 'channel', 'failed', 'closed'] as const) {
    client.on(name, (e) => ((events[name] ??= [] as never[]) as unknown[]).push(e));
  }
  return { clock, net, server, client, events, sent, peerGot };
}

describe('TurnClient', () => {
  let r: Rig;
  beforeEach(() => {
    r = rig();
  });

  it('allocates with long-term credentials after the 401 challenge', () => {
    r.client.allocate();
    r.clock.advance(100);
    expect(r.server.log).toEqual(['Allocate', 'Allocate+auth']);
    expect(r.client.state).toBe('allocated');
    expect(r.events.allocated?.[0]).toEqual({ relayed: { address: '198.51.100.11', port: 49152 }, mapped: { address: '192.0.2.1', port: 40007 }, lifetime: 600 });
    // The authenticated request carries USERNAME, REALM, NONCE, REQUESTED-TRANSPORT=UDP and a FINGERPRINT.
    const second = decodeStun(r.sent[1] as Uint8Array);
    expect(second && getAttr(second, 'username')).toBe('alice');
    expect(second && getAttr(second, 'realm')).toBe('example.org');
    expect(second && getAttr(second, 'nonce')).toBe('nonce-1');
    expect(second && getAttr(second, 'requestedTransport')).toBe(17);
    expect(second?.hasFingerprint).toBe(true);
  });

  it('fails with a clear reason on a wrong password, without looping', () => {
    r = rig('wrong');
    r.client.allocate();
    r.clock.advance(1000);
    expect(r.server.log).toEqual(['Allocate', 'Allocate+auth']);
    expect(r.client.state).toBe('failed');
    expect(r.events.failed?.[0]?.code).toBe(401);
    expect(r.events.failed?.[0]?.reason).toMatch(/wrong TURN username or password/);
  });

  it('retries with the new nonce on 438 Stale Nonce', () => {
    r.client.allocate();
    r.clock.advance(100);
    r.server.rotateNonce();
    r.client.createPermission(PEER.address);
    r.clock.advance(100);
    expect(r.server.log.slice(2)).toEqual(['CreatePermission+auth', 'CreatePermission+auth']);
    expect(r.events.permission).toEqual([{ peerAddress: PEER.address, ok: true }]);
  });

  it('relays data both ways through Send/Data indications once the permission exists', () => {
    r.client.allocate();
    r.clock.advance(100);
    expect(r.client.sendTo(PEER, TEXT.encode('hello peer'))).toBe(true);
    r.clock.advance(100);
    // Queued until CreatePermission succeeded, then sent as a Send indication and relayed.
    expect(r.server.log).toContain('CreatePermission+auth');
    expect(r.peerGot).toEqual([{ data: 'hello peer', from: { address: '198.51.100.11', port: 49152 } }]);
    const indication = decodeStun(r.sent[r.sent.length - 1] as Uint8Array);
    expect(indication?.cls).toBe('indication');
    expect(indication?.method).toBe(StunMethod.Send);
    r.net.send(PEER, { address: '198.51.100.11', port: 49152 }, TEXT.encode('hello back'));
    r.clock.advance(100);
    const got = r.events.data?.[0];
    expect(got?.peer).toEqual(PEER);
    expect(new TextDecoder().decode(got?.data)).toBe('hello back');
    expect(got?.viaChannel).toBe(false);
  });

  it('drops data from peers without a permission (the server filters, the client never sees it)', () => {
    r.client.allocate();
    r.clock.advance(100);
    r.net.send(PEER, { address: '198.51.100.11', port: 49152 }, TEXT.encode('unsolicited'));
    r.clock.advance(100);
    expect(r.events.data).toBeUndefined();
  });

  it('binds a channel and then uses ChannelData both ways', () => {
    r.client.allocate();
    r.clock.advance(100);
    expect(r.client.bindChannel(PEER)).toBe(0x4000);
    r.clock.advance(100);
    expect(r.events.channel).toEqual([{ peer: PEER, channel: 0x4000, ok: true }]);
    r.client.sendTo(PEER, TEXT.encode('over channel'));
    expect(demuxPacket(r.sent[r.sent.length - 1] as Uint8Array)).toBe('channel-data');
    r.clock.advance(100);
    expect(r.peerGot.map((p) => p.data)).toEqual(['over channel']);
    r.net.send(PEER, { address: '198.51.100.11', port: 49152 }, TEXT.encode('channel back'));
    r.clock.advance(100);
    expect(r.events.data?.[0]?.viaChannel).toBe(true);
    expect(new TextDecoder().decode(r.events.data?.[0]?.data)).toBe('channel back');
  });

  it('refreshes the allocation a minute before it expires, and permissions and channels before theirs', () => {
    r.client.allocate();
    r.clock.advance(100);
    r.client.createPermission(PEER.address);
    r.client.bindChannel({ address: '203.0.113.60', port: 9 });
    r.clock.advance(100);
    const count = (m: string) => r.server.log.filter((x) => x === m).length;
    expect(count('Refresh+auth')).toBe(0);
    r.clock.advance(240_000); // permission refresh at 240 s
    expect(count('CreatePermission+auth')).toBe(2);
    r.clock.advance(300_000); // channel refresh at 540 s, allocation refresh at 540 s (600 - 60)
    expect(count('ChannelBind+auth')).toBe(2);
    expect(count('Refresh+auth')).toBe(1);
    r.clock.advance(3_000_000);
    expect(r.client.state).toBe('allocated');
    expect(r.server.allocations.size).toBe(1);
    expect(count('Refresh+auth')).toBeGreaterThanOrEqual(6);
  });

  it('reports the allocation lost when the server stops answering refreshes', () => {
    r = rig('secret', 120);
    r.client.allocate();
    r.clock.advance(100);
    r.server.silent = true;
    r.clock.advance(60_000 + 39_500);
    expect(r.client.state).toBe('allocated');
    r.clock.advance(120_000);
    expect(r.client.state).toBe('failed');
    expect(r.events.failed?.[0]?.reason).toMatch(/no response from TURN server/);
  });

  it('times out after 39.5 s when the server is unreachable', () => {
    r.server.silent = true;
    r.client.allocate();
    r.clock.advance(39_499);
    expect(r.client.state).toBe('allocating');
    r.clock.advance(1);
    expect(r.client.state).toBe('failed');
    expect(r.sent.length).toBe(7);
  });

  it('deletes the allocation on close (Refresh with LIFETIME 0)', () => {
    r.client.allocate();
    r.clock.advance(100);
    r.client.close();
    expect(r.client.state).toBe('closing');
    r.clock.advance(100);
    expect(r.client.state).toBe('closed');
    expect(r.events.closed).toHaveLength(1);
    expect(r.server.allocations.size).toBe(0);
    expect(r.client.sendTo(PEER, TEXT.encode('x'))).toBe(false);
  });

  it('ignores forged success responses and datagrams from other sources', () => {
    r.server.silent = true;
    r.client.allocate();
    r.clock.advance(10);
    const req = decodeStun(r.sent[0] as Uint8Array);
    if (!req) throw new Error('no request');
    // Unauthenticated request: a success reply is accepted only from the server's address.
    const forged = encodeStun({
      method: StunMethod.Allocate,
      cls: 'success',
      transactionId: req.transactionId,
      attributes: [{ name: 'xorRelayedAddress', value: { address: '6.6.6.6', port: 6 } }],
    });
    expect(r.client.handleDatagram(forged, { address: '6.6.6.6', port: 3478 })).toBe(false);
    expect(r.client.state).toBe('allocating');
    expect(r.client.handleDatagram(new Uint8Array([1, 2, 3]), SERVER)).toBe(false);
    expect(r.client.handleDatagram(new Uint8Array([0x40, 0, 0, 9]), SERVER)).toBe(false);
  });
});
