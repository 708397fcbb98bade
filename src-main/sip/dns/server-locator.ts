// The server list of a next hop as the transport uses it: RFC 3263 resolution (server-location.ts) for
// the transports we have, with servers that failed lately moved to the back (target-health.ts). Pure.

import { locateSipServer, type DnsQueries, type LocatedTarget, type SipTransportName } from './server-location';
import { TargetHealth, type TargetKey } from './target-health';
import type { HopTarget } from '../sip-transport';

export interface ServerLocatorOptions {
  dns: DnsQueries;
  /** Transports the stack can send on. */
  supported: readonly SipTransportName[];
  families: readonly (4 | 6)[];
  /** Monotonic ms for the failure memory. */
  now: () => number;
  random?: () => number;
}

export class ServerLocator {
  readonly health: TargetHealth;

  constructor(private readonly o: ServerLocatorOptions) {
    this.health = new TargetHealth(o.now);
  }

  /** The targets to try for `hop`, best first; rejects with a readable reason when there is none. */
  async locate(hop: HopTarget): Promise<LocatedTarget[]> {
    const result = await locateSipServer(
      {
        host: hop.host,
        ...(hop.port !== undefined ? { port: hop.port } : {}),
        ...(hop.transport !== undefined ? { transport: hop.transport } : {}),
        ...(hop.secure ? { secure: true } : {}),
      },
      this.o.dns,
      { supported: this.o.supported, families: this.o.families, ...(this.o.random ? { random: this.o.random } : {}) },
    );
    if ('error' in result) throw new Error(result.error);
    return this.health.order(result.targets);
  }

  markUnreachable(target: TargetKey, seconds?: number): void {
    this.health.markUnreachable(target, seconds);
  }
}
