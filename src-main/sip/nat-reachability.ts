// The "registered, but the server's requests cannot reach this PC" diagnosis (issue 4, Firewall): a
// pure rule over what we know, and a small watcher that evaluates it at the right moment.
//
// The rule: registered without a break for N minutes, not one request from outside in that time (no
// OPTIONS ping, INVITE, NOTIFY), AND the registrar sees us at another address/port than our own
// (received/rport, RFC 3581): we are behind a NAT, and whatever the server sends is evidently not
// getting through it. Default N = 5 minutes: servers that look after NATed phones ping them every
// 15–60 s (Kamailio/OpenSIPS nathelper, Asterisk qualify every 60 s), so 5 minutes is several missed
// pings, while a user still learns about it long before wondering why nobody ever calls. A server that
// never sends anything triggers it too; the message states what was observed, so it stays true then.

import { formatDestination, isBehindNat, type ViaMapping } from './nat-mapping';
import type { Clock, TimerId } from './sip-clock';
import type { KeepAliveMethod } from './user-agent-api';

export const DEFAULT_UNREACHABLE_MINUTES = 5;

export interface ReachabilityFacts {
  now: number;
  /** Since when we have been registered without a break; undefined when not registered. */
  registeredSince: number | undefined;
  /** When the last request from outside arrived, if ever. */
  lastRequestAt: number | undefined;
  /** Where the registrar sees us (from REGISTER or keep-alive answers). */
  mapping: ViaMapping | undefined;
  /** 0 = never warn. */
  thresholdMs: number;
  keepAlive: KeepAliveMethod;
}

/** The moment the silence began: registration, or the last request after it. */
function quietSince(f: ReachabilityFacts): number | undefined {
  if (f.registeredSince === undefined) return undefined;
  return f.lastRequestAt !== undefined && f.lastRequestAt > f.registeredSince ? f.lastRequestAt : f.registeredSince;
}

/** When the rule could first fire for these facts (undefined: it cannot, whatever the time). */
export function unreachableDueAt(f: ReachabilityFacts): number | undefined {
  const since = quietSince(f);
  if (since === undefined || f.thresholdMs <= 0) return undefined;
  return since + f.thresholdMs;
}

/** The warning in plain words with the fix, or undefined when the rule does not apply. */
export function unreachableWarning(f: ReachabilityFacts): string | undefined {
  const due = unreachableDueAt(f);
  const m = f.mapping;
  if (due === undefined || f.now < due || !m || !isBehindNat(m)) return undefined;
  const minutes = Math.round(f.thresholdMs / 60_000);
  const span = f.thresholdMs >= 60_000 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${Math.round(f.thresholdMs / 1000)} seconds`;
  const fix =
    f.keepAlive === 'off'
      ? 'Turn on keep-alives (or STUN) in Topology'
      : 'Keep-alives are on, so the router or a firewall drops what the server sends: shorten the keep-alive interval or enable STUN in Topology';
  return (
    `Registered, but the server's calls cannot reach this PC: you are behind NAT (seen as ${formatDestination(m.mapped)}, ` +
    `local ${formatDestination(m.local)}) and no request from the server has arrived in ${span}. ` +
    `${fix}, or open UDP ${m.local.port} and the RTP ports in the firewall (forward them to this PC on the router).`
  );
}

export interface ReachabilityWatchOptions {
  clock: Clock;
  thresholdMs: number;
  keepAlive: KeepAliveMethod;
  mapping: () => ViaMapping | undefined;
  onWarning: (message: string) => void;
}

/** Evaluates the rule when it could first fire; warns once per silence (a request or a new mapping re-arms it). */
export class ReachabilityWatch {
  private readonly o: ReachabilityWatchOptions;
  private registeredSince: number | undefined;
  private lastRequestAt: number | undefined;
  private timer: TimerId | undefined;
  private warned = false;

  constructor(options: ReachabilityWatchOptions) {
    this.o = options;
  }

  /** The registration is (still) up: starts the clock at the first call of an unbroken stretch. */
  registered(): void {
    if (this.registeredSince !== undefined) return;
    this.registeredSince = this.o.clock.now();
    this.warned = false;
    this.arm();
  }

  /** Not registered any more: nothing to diagnose. */
  unregistered(): void {
    this.registeredSince = undefined;
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A request from outside reached us: the path works; the silence starts again. */
  requestArrived(): void {
    this.lastRequestAt = this.o.clock.now();
    this.warned = false;
    this.arm();
  }

  /** The registrar reported another mapping: a NAT may just have become visible. */
  mappingChanged(): void {
    this.warned = false;
    this.arm();
  }

  dispose(): void {
    this.unregistered();
  }

  private facts(): ReachabilityFacts {
    return {
      now: this.o.clock.now(),
      registeredSince: this.registeredSince,
      lastRequestAt: this.lastRequestAt,
      mapping: this.o.mapping(),
      thresholdMs: this.o.thresholdMs,
      keepAlive: this.o.keepAlive,
    };
  }

  private arm(): void {
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const facts = this.facts();
    const due = unreachableDueAt(facts);
    if (due === undefined || this.warned) return;
    this.timer = this.o.clock.setTimeout(() => this.check(), Math.max(0, due - facts.now));
  }

  private check(): void {
    this.timer = undefined;
    const message = unreachableWarning(this.facts());
    if (message === undefined || this.warned) return;
    this.warned = true;
    this.o.onWarning(message);
  }
}
