// A small TURN server (RFC 8656) on the fake network for the unit tests: long-term credentials with nonce
// rotation, Allocate/Refresh/CreatePermission/ChannelBind, Send/Data indications and ChannelData.

import { longTermKey } from '../../../src-main/nat/stun-credentials';
import {
  decodeChannelData,
  decodeStun,
  demuxPacket,
  encodeChannelData,
  encodeStun,
  getAllAttrs,
  getAttr,
  hasIntegrity,
  StunMethod,
  verifyIntegrity,
  type DecodedStun,
  type StunAttribute,
} from '../../../src-main/nat/stun-message';
import { addressKey, canonicalIp, type TransportAddress } from '../../../src-main/nat/transport-address';
import type { FakeClock } from './fake-clock';
import type { FakeNetwork } from './fake-network';

interface Allocation {
  client: TransportAddress;
  relayed: TransportAddress;
  key: Uint8Array;
  expiresAt: number;
  permissions: Map<string, number>;
  channels: Map<number, TransportAddress>;
  channelByPeer: Map<string, number>;
}

export interface FakeTurnOptions {
  address: TransportAddress;
  relayIp: string;
  realm: string;
  users: Record<string, string>;
}

export class FakeTurnServer {
  readonly allocations = new Map<string, Allocation>();
  /** Method names of the requests received, in order, with whether they were authenticated. */
  readonly log: string[] = [];
  silent = false;
  /** CreatePermission for this peer IP gets 403 Forbidden (a server's denied peer range). */
  deny: string | undefined;
  private nonce = 'nonce-1';
  private nonceSeq = 1;
  private nextPort = 49152;

  constructor(
    private readonly net: FakeNetwork,
    private readonly clock: FakeClock,
    private readonly options: FakeTurnOptions,
  ) {
    net.bind(null, options.address, (data, from) => this.fromClient(data, from));
  }

  /**
   * Clients whose allocation was deleted coturn-style: their session went with it, so a request on the
   * missing allocation gets 400 (after the 438 of the new nonce), not 437.
   */
  private readonly forgotten = new Set<string>();

  /**
   * Deletes a client's allocation as coturn does when a relay send fails (issue 10): the allocation and the
   * client's session go, so the next authenticated request gets 438 Stale Nonce with a new nonce, and its
   * retry 400 Bad Request. `style` 'rfc' answers 437 Allocation Mismatch instead (RFC 8656 §9.2).
   */
  forget(client: TransportAddress, style: 'coturn' | 'rfc' = 'coturn'): void {
    const a = this.allocations.get(addressKey(client));
    if (!a) return;
    this.allocations.delete(addressKey(client));
    this.net.unbind(a.relayed);
    if (style === 'coturn') {
      this.forgotten.add(addressKey(client));
      this.rotateNonce();
    }
  }

  /** The next authenticated request gets 438 Stale Nonce. */
  rotateNonce(): void {
    this.nonce = `nonce-${++this.nonceSeq}`;
  }

  private live(client: TransportAddress): Allocation | undefined {
    const a = this.allocations.get(addressKey(client));
    if (a && a.expiresAt <= this.clock.now()) {
      this.allocations.delete(addressKey(client));
      this.net.unbind(a.relayed);
      return undefined;
    }
    return a;
  }

  private reply(to: TransportAddress, req: DecodedStun, cls: 'success' | 'error', attributes: StunAttribute[], key?: Uint8Array): void {
    const bytes = encodeStun(
      { method: req.method, cls, transactionId: req.transactionId, attributes },
      key ? { integrityKey: key, fingerprint: true } : { fingerprint: true },
    );
    this.net.send(this.options.address, to, bytes);
  }

  private fromClient(data: Uint8Array, from: TransportAddress): void {
    if (this.silent) return;
    const alloc = this.live(from);
    if (demuxPacket(data) === 'channel-data') {
      const cd = decodeChannelData(data);
      const peer = cd && alloc?.channels.get(cd.channel);
      if (cd && alloc && peer && this.permitted(alloc, peer)) this.net.send(alloc.relayed, peer, cd.data);
      return;
    }
    const msg = decodeStun(data);
    if (!msg) return;
    if (msg.cls === 'indication' && msg.method === StunMethod.Send) {
      const peer = getAttr(msg, 'xorPeerAddress');
      const payload = getAttr(msg, 'data');
      if (alloc && peer && payload && this.permitted(alloc, peer)) this.net.send(alloc.relayed, peer, payload);
      return;
    }
    if (msg.cls !== 'request') return;
    const name = { 3: 'Allocate', 4: 'Refresh', 8: 'CreatePermission', 9: 'ChannelBind' }[msg.method] ?? `method-${msg.method}`;
    this.log.push(`${name}${hasIntegrity(msg) ? '+auth' : ''}`);
    // RFC 8489 §9.2.4: long-term credential checks.
    const realmAttrs = (): StunAttribute[] => [
      { name: 'realm', value: this.options.realm },
      { name: 'nonce', value: this.nonce },
    ];
    const username = getAttr(msg, 'username');
    if (!hasIntegrity(msg) || username === undefined) {
      return this.reply(from, msg, 'error', [{ name: 'errorCode', value: { code: 401, reason: 'Unauthorized' } }, ...realmAttrs()]);
    }
    const password = this.options.users[username];
    const key = password === undefined ? null : longTermKey(username, this.options.realm, password);
    if (!key || !verifyIntegrity(msg, key)) {
      return this.reply(from, msg, 'error', [{ name: 'errorCode', value: { code: 401, reason: 'Unauthorized' } }, ...realmAttrs()]);
    }
    if (getAttr(msg, 'nonce') !== this.nonce) {
      return this.reply(from, msg, 'error', [{ name: 'errorCode', value: { code: 438, reason: 'Stale Nonce' } }, ...realmAttrs()]);
    }
    const now = this.clock.now();
    if (msg.method === StunMethod.Allocate) {
      if (alloc) return this.reply(from, msg, 'error', [{ name: 'errorCode', value: { code: 437, reason: 'Allocation Mismatch' } }], key);
      if (getAttr(msg, 'requestedTransport') !== 17) {
        return this.reply(from, msg, 'error', [{ name: 'errorCode', value: { code: 442, reason: 'Unsupported Transport Protocol' } }], key);
      }
      const lifetime = Math.min(getAttr(msg, 'lifetime') ?? 600, 3600);
      const relayed = { address: this.options.relayIp, port: this.nextPort++ };
      this.forgotten.delete(addressKey(from));
      const created: Allocation = { client: from, relayed, key, expiresAt: now + lifetime * 1000, permissions: new Map(), channels: new Map(), channelByPeer: new Map() };
      this.allocations.set(addressKey(from), created);
      this.net.bind(null, relayed, (d, peer) => this.fromPeer(created, d, peer));
      return this.reply(
        from,
        msg,
        'success',
        [
          { name: 'xorRelayedAddress', value: relayed },
          { name: 'lifetime', value: lifetime },
          { name: 'xorMappedAddress', value: from },
        ],
        key,
      );
    }
    if (!alloc) {
      const error = this.forgotten.has(addressKey(from)) ? { code: 400, reason: 'Bad Request' } : { code: 437, reason: 'Allocation Mismatch' };
      return this.reply(from, msg, 'error', [{ name: 'errorCode', value: error }], key);
    }
    if (msg.method === StunMethod.Refresh) {
      const lifetime = Math.min(getAttr(msg, 'lifetime') ?? 600, 3600);
      if (lifetime === 0) {
        this.allocations.delete(addressKey(from));
        this.net.unbind(alloc.relayed);
      } else alloc.expiresAt = now + lifetime * 1000;
      return this.reply(from, msg, 'success', [{ name: 'lifetime', value: lifetime }], key);
    }
    if (msg.method === StunMethod.CreatePermission) {
      const peers = getAllAttrs(msg, 'xorPeerAddress');
      if (peers.length === 0) return this.reply(from, msg, 'error', [{ name: 'errorCode', value: { code: 400, reason: 'Bad Request' } }], key);
      if (peers.some((p) => canonicalIp(p.address) === this.deny)) return this.reply(from, msg, 'error', [{ name: 'errorCode', value: { code: 403, reason: 'Forbidden' } }], key);
      for (const p of peers) alloc.permissions.set(canonicalIp(p.address), now + 300_000);
      return this.reply(from, msg, 'success', [], key);
    }
    if (msg.method === StunMethod.ChannelBind) {
      const channel = getAttr(msg, 'channelNumber');
      const peer = getAttr(msg, 'xorPeerAddress');
      if (channel === undefined || !peer || channel < 0x4000 || channel > 0x4fff) {
        return this.reply(from, msg, 'error', [{ name: 'errorCode', value: { code: 400, reason: 'Bad Request' } }], key);
      }
      alloc.channels.set(channel, peer);
      alloc.channelByPeer.set(addressKey(peer), channel);
      alloc.permissions.set(canonicalIp(peer.address), now + 300_000);
      return this.reply(from, msg, 'success', [], key);
    }
    this.reply(from, msg, 'error', [{ name: 'errorCode', value: { code: 400, reason: 'Bad Request' } }], key);
  }

  private permitted(alloc: Allocation, peer: TransportAddress): boolean {
    return (alloc.permissions.get(canonicalIp(peer.address)) ?? 0) > this.clock.now();
  }

  private fromPeer(alloc: Allocation, data: Uint8Array, peer: TransportAddress): void {
    if (this.silent || !this.live(alloc.client) || !this.permitted(alloc, peer)) return;
    const channel = alloc.channelByPeer.get(addressKey(peer));
    const out =
      channel !== undefined
        ? encodeChannelData(channel, data)
        : encodeStun({
            method: StunMethod.Data,
            cls: 'indication',
            transactionId: crypto.getRandomValues(new Uint8Array(12)),
            attributes: [
              { name: 'xorPeerAddress', value: peer },
              { name: 'data', value: data },
            ],
          });
    this.net.send(this.options.address, alloc.client, out);
  }
}
