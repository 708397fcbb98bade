// An in-memory UDP network for the NAT unit tests: LAN sites behind NATs with configurable mapping and
// filtering (RFC 4787 terms), random loss, drop rules, and a latency on the fake clock.

import type { RandomBytes } from '../../../src-main/nat/nat-clock';
import { decodeStun, encodeStun, StunMethod } from '../../../src-main/nat/stun-message';
import { addressKey, canonicalIp, type TransportAddress } from '../../../src-main/nat/transport-address';
import type { FakeClock } from './fake-clock';

export interface NatConfig {
  publicIp: string;
  mapping: 'endpoint-independent' | 'address-and-port-dependent';
  filtering: 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent';
}

interface Endpoint {
  site: string | null;
  address: TransportAddress;
  deliver: (data: Uint8Array, from: TransportAddress) => void;
}

interface Mapping {
  internal: TransportAddress;
  external: TransportAddress;
  /** Remote addresses (filtering by address) or address:port (by address and port) sent to. */
  permits: Set<string>;
}

interface Site {
  nat?: NatConfig;
  mappings: Map<string, Mapping>;
  byPort: Map<number, Mapping>;
  nextPort: number;
}

export interface Packet {
  from: TransportAddress;
  to: TransportAddress;
  data: Uint8Array;
}

export class FakeNetwork {
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly sites = new Map<string, Site>();
  private readonly rules: ((p: Packet) => boolean)[] = [];
  delivered = 0;
  dropped = 0;

  constructor(
    private readonly clock: FakeClock,
    private readonly options: { latencyMs?: number; lossRate?: number; random?: RandomBytes } = {},
  ) {}

  addSite(name: string, nat?: NatConfig): void {
    this.sites.set(name, { nat, mappings: new Map(), byPort: new Map(), nextPort: 40000 + this.sites.size * 1000 });
  }

  /** site null = the public Internet. */
  bind(site: string | null, address: TransportAddress, deliver: (data: Uint8Array, from: TransportAddress) => void): void {
    this.endpoints.set(addressKey(address), { site, address, deliver });
  }

  unbind(address: TransportAddress): void {
    this.endpoints.delete(addressKey(address));
  }

  /** Drop every packet the predicate matches (e.g. "the peer went silent"). */
  addDropRule(rule: (p: Packet) => boolean): void {
    this.rules.push(rule);
  }

  /** The public address a NAT gave an internal endpoint, if any (for assertions). */
  mappingsOf(site: string): TransportAddress[] {
    return [...(this.sites.get(site)?.mappings.values() ?? [])].map((m) => m.external);
  }

  send(from: TransportAddress, to: TransportAddress, data: Uint8Array): void {
    const src = this.endpoints.get(addressKey(from));
    if (!src) return this.drop();
    if (this.rules.some((r) => r({ from, to, data }))) return this.drop();
    const loss = this.options.lossRate ?? 0;
    if (loss > 0 && ((this.options.random?.(1)[0] ?? 255) / 256) < loss) return this.drop();
    const direct = this.endpoints.get(addressKey(to));
    if (direct && src.site !== null && direct.site === src.site) return this.deliver(direct, data, from);
    // Leaving the site: the NAT translates the source (RFC 4787 §4.1 mapping behaviour).
    let external = from;
    const site = src.site !== null ? this.sites.get(src.site) : undefined;
    if (site?.nat) {
      const nat = site.nat;
      const key = nat.mapping === 'endpoint-independent' ? addressKey(from) : `${addressKey(from)}|${addressKey(to)}`;
      let m = site.mappings.get(key);
      if (!m) {
        site.nextPort += 7;
        m = { internal: from, external: { address: nat.publicIp, port: site.nextPort }, permits: new Set() };
        site.mappings.set(key, m);
        site.byPort.set(m.external.port, m);
      }
      m.permits.add(canonicalIp(to.address));
      m.permits.add(addressKey(to));
      external = m.external;
    }
    // Arriving: a NAT's public address goes through its filter (RFC 4787 §5).
    for (const target of this.sites.values()) {
      if (!target.nat || canonicalIp(target.nat.publicIp) !== canonicalIp(to.address)) continue;
      const m = target.byPort.get(to.port);
      if (!m) return this.drop();
      const f = target.nat.filtering;
      const ok =
        f === 'endpoint-independent' ||
        (f === 'address-dependent' && m.permits.has(canonicalIp(external.address))) ||
        (f === 'address-and-port-dependent' && m.permits.has(addressKey(external)));
      if (!ok) return this.drop();
      const inside = this.endpoints.get(addressKey(m.internal));
      return inside ? this.deliver(inside, data, external) : this.drop();
    }
    // A public endpoint; private addresses of other sites are not routable.
    if (direct && direct.site === null) return this.deliver(direct, data, external);
    this.drop();
  }

  private drop(): void {
    this.dropped++;
  }

  private deliver(ep: Endpoint, data: Uint8Array, from: TransportAddress): void {
    this.delivered++;
    const copy = data.slice();
    this.clock.setTimeout(() => {
      if (this.endpoints.get(addressKey(ep.address)) === ep) ep.deliver(copy, from);
    }, this.options.latencyMs ?? 5);
  }
}

/** A public STUN server answering Binding requests with XOR-MAPPED-ADDRESS (RFC 8489 §6.3.1). */
export function addStunServer(net: FakeNetwork, address: TransportAddress): void {
  net.bind(null, address, (data, from) => {
    const msg = decodeStun(data);
    if (!msg || msg.method !== StunMethod.Binding || msg.cls !== 'request') return;
    const response = encodeStun(
      { method: StunMethod.Binding, cls: 'success', transactionId: msg.transactionId, attributes: [{ name: 'xorMappedAddress', value: from }] },
      { fingerprint: true },
    );
    net.send(address, from, response);
  });
}
