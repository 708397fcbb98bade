// Signalling through NAT around one registration: keep-alives while registered, re-REGISTER when they
// find the binding lost or changed, the public address for the UI, the Contact of new dialogs on the
// registrar's flow, and the "server cannot reach us" watch. Pure: everything is injected.

import { KeepAlive, DEFAULT_BINDING_HOLD_SECONDS, DEFAULT_KEEP_ALIVE_SECONDS } from './keep-alive';
import { isBehindNat, sameDestination, type ViaMapping } from './nat-mapping';
import { DEFAULT_UNREACHABLE_MINUTES, ReachabilityWatch } from './nat-reachability';
import type { Registerer } from './registerer';
import type { Clock } from './sip-clock';
import type { Destination, SipTransport } from './sip-transport';
import type { KeepAliveMethod, PublicAddressInfo, RegistrationState, UserAgentConfig } from './user-agent-api';
import type { Logger } from '../util/logger';

export interface RegistrationNatOptions {
  registerer: Registerer;
  transport: SipTransport;
  clock: Clock;
  config: Pick<UserAgentConfig, 'keepAlive' | 'unreachableWarningMinutes'>;
  /** Request-URI of the keep-alive OPTIONS: the registrar, sip:domain. */
  registrar: string;
  outboundProxy?: string;
  aor: string;
  userAgent: string;
  log: Logger;
  onPublicAddress: (info: PublicAddressInfo) => void;
  onWarning: (message: string) => void;
}

export class RegistrationNat {
  private readonly o: RegistrationNatOptions;
  private readonly keepAlive: KeepAlive | undefined;
  private readonly watch: ReachabilityWatch;
  readonly keepAliveMethod: KeepAliveMethod;

  constructor(options: RegistrationNatOptions) {
    this.o = options;
    const { registerer, transport, clock, config } = options;
    const ka = config.keepAlive ?? { method: 'options' };
    // A transport that cannot send raw datagrams falls back to OPTIONS rather than to nothing.
    this.keepAliveMethod = ka.method === 'crlf' && !transport.sendKeepAlive ? 'options' : ka.method;
    const method = this.keepAliveMethod;
    if (method !== 'off') {
      this.keepAlive = new KeepAlive({
        transport,
        clock,
        method,
        intervalSeconds: ka.intervalSeconds && ka.intervalSeconds > 0 ? ka.intervalSeconds : DEFAULT_KEEP_ALIVE_SECONDS,
        holdSeconds: ka.holdSeconds ?? DEFAULT_BINDING_HOLD_SECONDS,
        flow: () => registerer.flow,
        target: options.registrar,
        ...(options.outboundProxy ? { outboundProxy: options.outboundProxy } : {}),
        aor: options.aor,
        userAgent: options.userAgent,
        onMapping: (m) => {
          // Learning (issue 10 point 11): a new public address or port although datagrams went out every
          // holdSeconds means the NAT dropped the binding in between: hold more often from now on.
          const before = registerer.publicMapping;
          if (before && sameDestination(before.local, m.local) && !sameDestination(before.mapped, m.mapped)) {
            const hold = this.keepAlive?.shortenHold();
            if (hold !== undefined) options.log.warn('NAT binding replaced despite keep-alives, holding it more often', { holdSeconds: hold, was: `${before.mapped.address}:${before.mapped.port}`, now: `${m.mapped.address}:${m.mapped.port}` });
          }
          registerer.observeMapping(m);
        },
        onLost: (reason) => {
          options.log.warn('NAT binding lost, registering again', { reason });
          registerer.bindingLost();
        },
      });
    }
    const minutes = config.unreachableWarningMinutes ?? DEFAULT_UNREACHABLE_MINUTES;
    this.watch = new ReachabilityWatch({
      clock,
      thresholdMs: Math.max(0, minutes) * 60_000,
      keepAlive: method,
      mapping: () => registerer.publicMapping,
      onWarning: (message) => options.onWarning(message),
    });
  }

  /** Follows the registration: keep-alives and the watch run only while registered. */
  onRegistration(s: RegistrationState): void {
    if (s.state === 'registered') {
      this.keepAlive?.start();
      this.watch.registered();
    } else {
      this.keepAlive?.stop();
      this.watch.unregistered();
    }
  }

  /** The registerer learned a new mapping (from a REGISTER or keep-alive answer). */
  onMapping(m: ViaMapping): void {
    this.o.onPublicAddress({ address: m.mapped.address, port: m.mapped.port, local: { ...m.local }, behindNat: isBehindNat(m) });
    this.watch.mappingChanged();
  }

  /** Any request from outside reached our socket. */
  onRequest(): void {
    this.watch.requestArrived();
  }

  /**
   * The Contact address for a new dialog whose requests come through `remote`: the registered (public)
   * Contact when that is the registrar's flow — the only NAT binding we know the outside can use — and
   * our local address otherwise (a direct call on the LAN must not get the public one).
   */
  contactFor(local: Destination, remote: Destination): Destination {
    const r = this.o.registerer;
    const flow = r.flow;
    const contact = r.contactAddress;
    if (!flow || !contact) return local;
    const sameFlow = remote.address.toLowerCase() === flow.destination.address.toLowerCase() && local.address === flow.local.address && local.port === flow.local.port;
    return sameFlow ? contact : local;
  }

  dispose(): void {
    this.keepAlive?.stop();
    this.watch.dispose();
  }
}
