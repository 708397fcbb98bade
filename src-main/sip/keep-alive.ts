// Keeps the NAT binding of the registration open while registered: OPTIONS (answered, so a lost
// binding shows as silence and a new one as a changed rport) or a bare CRLF datagram, plus the binding
// hold: a CRLF datagram whenever nothing went to the flow for a few seconds. Pure: transport and clock
// are injected.
//
// RFC 5626 §4.4.1 defines CRLF keep-alives for stream transports only and STUN for UDP; phones in the
// field (X-Lite, MicroSIP) send CRLF or OPTIONS over UDP, and any datagram from our SIP port refreshes
// the NAT binding. Only OPTIONS gets an answer, so only OPTIONS can tell us the binding is gone.
//
// Why the hold (issue 10 point 11): RFC 4787 §4.3 REQ-5 asks NATs to keep UDP bindings at least 2 minutes,
// but routers in the field drop them after as little as 10 s, and a dropped binding loses the next INVITE
// for good (the server's request dies at the router; a port-preserving NAT even hands out the same port
// again, so no rport change ever shows it). OPTIONS that often would load the registrar (one transaction
// per phone every few seconds); a 4-byte CRLF costs it nothing (dropped unparsed) and, by REQ-6 (outbound
// refresh), refreshes the binding as well as any datagram. RFC 5626's STUN keep-alives would also do, but
// only against an outbound-aware server that demultiplexes STUN on its SIP port, which we cannot assume.
// Cost with the defaults (OPTIONS 25 s, hold 8 s): per 24 s one OPTIONS (pulled 1 s forward to fall on a
// hold tick) and two CRLFs, i.e. 7.5 datagrams a minute out (2.5 OPTIONS ~450 B, 5 CRLF 32 B on the wire).

import { ALLOW, MAX_FORWARDS, statusText } from './sip-headers';
import { viaMapping, type ViaMapping } from './nat-mapping';
import { newCallId, newTag } from './sip-random';
import type { Clock, TimerId } from './sip-clock';
import type { SipRequest, SipResponse } from './sip-message';
import type { ResolvedHop, SipTransport } from './sip-transport';

export const DEFAULT_KEEP_ALIVE_SECONDS = 25;
/** Below the 10 s UDP binding timeout of the shortest-lived NATs seen, with 2 s for timer slack. */
export const DEFAULT_BINDING_HOLD_SECONDS = 8;
/** The hold is halved when a binding was replaced despite it, down to this. */
export const MIN_BINDING_HOLD_SECONDS = 4;

export interface KeepAliveOptions {
  transport: SipTransport;
  clock: Clock;
  method: 'options' | 'crlf';
  /** Seconds between keep-alives (for OPTIONS: from the answer to the next request). */
  intervalSeconds: number;
  /**
   * Binding hold: a CRLF datagram to the flow whenever nothing went to it for this many seconds (an OPTIONS
   * due within half of it goes instead). Absent or 0: none. Needs transport.sendKeepAlive.
   */
  holdSeconds?: number;
  /** The registration's flow: where REGISTER went and our address towards it (the binding to keep). */
  flow: () => ResolvedHop | undefined;
  /** Request-URI and To of the OPTIONS: the registrar, sip:domain. */
  target: string;
  /** Loose-routing outbound proxy (sip:proxy;lr) the REGISTERs go through. */
  outboundProxy?: string;
  /** From: our AOR. */
  aor: string;
  userAgent: string;
  /** An answer reported where the server sees us. */
  onMapping: (mapping: ViaMapping) => void;
  /** No answer (transaction timeout) or the transport failed: the binding is presumably gone. */
  onLost: (reason: string) => void;
}

export class KeepAlive {
  private readonly o: KeepAliveOptions;
  private readonly callId = newCallId();
  private readonly fromTag = newTag();
  private cseq = 0;
  private timer: TimerId | undefined;
  private holdTimer: TimerId | undefined;
  /** Current hold in ms (0: none); halved by shortenHold(). */
  private holdMs: number;
  /** When the scheduled OPTIONS goes (clock ms), while one is scheduled. */
  private optionsDueAt: number | undefined;
  /** Bumped by stop(): answers to keep-alives sent before it are ignored. */
  private generation = 0;
  private running = false;
  private outstanding = false;

  constructor(options: KeepAliveOptions) {
    this.o = options;
    const hold = options.holdSeconds ?? 0;
    this.holdMs = hold > 0 && options.transport.sendKeepAlive ? Math.max(MIN_BINDING_HOLD_SECONDS, hold) * 1000 : 0;
  }

  /**
   * The binding was replaced although we sent something every holdSeconds (a keep-alive answer showed a new
   * rport): the NAT forgets sooner than that. Halves the hold (not below MIN_BINDING_HOLD_SECONDS); returns
   * the new value in seconds, or undefined when it cannot shrink.
   */
  shortenHold(): number | undefined {
    const min = MIN_BINDING_HOLD_SECONDS * 1000;
    if (this.holdMs === 0 || this.holdMs <= min) return undefined;
    this.holdMs = Math.max(min, Math.floor(this.holdMs / 2000) * 1000);
    if (this.running) this.armHold();
    return this.holdMs / 1000;
  }

  get active(): boolean {
    return this.running;
  }

  /** Starts the schedule (first keep-alive one interval from now); does nothing if already running. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.generation += 1;
    this.schedule();
    this.armHold();
  }

  stop(): void {
    this.running = false;
    this.outstanding = false;
    this.generation += 1;
    this.o.clock.clearTimeout(this.timer);
    this.o.clock.clearTimeout(this.holdTimer);
    this.timer = undefined;
    this.holdTimer = undefined;
    this.optionsDueAt = undefined;
  }

  private schedule(): void {
    this.o.clock.clearTimeout(this.timer);
    const ms = Math.max(1, this.o.intervalSeconds) * 1000;
    this.optionsDueAt = this.o.clock.now() + ms;
    this.timer = this.o.clock.setTimeout(() => this.tick(), ms);
  }

  /** (Re)starts the hold countdown: called after every datagram we put on the flow. */
  private armHold(): void {
    this.o.clock.clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    // A CRLF keep-alive at least as frequent as the hold needs no extra datagrams.
    if (this.holdMs === 0 || (this.o.method === 'crlf' && this.o.intervalSeconds * 1000 <= this.holdMs)) return;
    this.holdTimer = this.o.clock.setTimeout(() => this.holdTick(), this.holdMs);
  }

  private holdTick(): void {
    this.holdTimer = undefined;
    if (!this.running) return;
    const flow = this.o.flow();
    if (flow && this.o.method === 'options' && !this.outstanding && this.optionsDueAt !== undefined && this.optionsDueAt - this.o.clock.now() <= this.holdMs / 2) {
      // The OPTIONS was due within half a hold anyway: send it now rather than a CRLF just before it.
      this.o.clock.clearTimeout(this.timer);
      this.timer = undefined;
      this.optionsDueAt = undefined;
      this.sendOptions(flow);
      return;
    }
    if (flow) {
      this.o.transport.sendKeepAlive?.(flow.destination);
      if (this.o.method === 'crlf') this.schedule(); // the hold just did the CRLF's job
    }
    this.armHold();
  }

  private tick(): void {
    this.timer = undefined;
    if (!this.running) return;
    const flow = this.o.flow();
    if (!flow) {
      this.schedule();
      return;
    }
    if (this.o.method === 'crlf') {
      this.o.transport.sendKeepAlive?.(flow.destination);
      this.schedule();
      this.armHold();
      return;
    }
    this.optionsDueAt = undefined;
    if (this.outstanding) return; // the answer (or its timeout) schedules the next one
    this.sendOptions(flow);
  }

  private sendOptions(flow: ResolvedHop): void {
    const generation = this.generation;
    this.cseq += 1;
    const req: SipRequest = {
      method: 'OPTIONS',
      uri: this.o.target,
      headers: {
        via: [],
        to: { uri: this.o.target, params: {} },
        from: { uri: this.o.aor, params: { tag: this.fromTag } },
        'call-id': this.callId,
        cseq: { seq: this.cseq, method: 'OPTIONS' },
        'max-forwards': MAX_FORWARDS,
        'user-agent': this.o.userAgent,
        allow: ALLOW,
        accept: 'application/sdp',
      },
    };
    if (this.o.outboundProxy) req.headers.route = [{ uri: this.o.outboundProxy, params: {} }];
    this.outstanding = true;
    this.armHold();
    const dest = flow.destination;
    this.o.transport.sendRequest(req, dest, (res: SipResponse, info) => {
      if (res.status < 200 || generation !== this.generation) return;
      this.outstanding = false;
      if (info.synthetic) {
        // Timer F fired (RFC 3261 §17.1.2.2) or the send failed: nothing came back through the NAT.
        const why = res.status === 408 ? 'no answer to keep-alive OPTIONS' : `keep-alive OPTIONS failed (${statusText(res)})`;
        this.stop();
        this.o.onLost(`${why} from ${dest.address}:${dest.port}`);
        return;
      }
      // Any real answer, even 404 or 405, proves the path works both ways; its Via says where we appear.
      const mapping = viaMapping(res);
      if (mapping) this.o.onMapping(mapping);
      if (this.running) this.schedule();
    });
  }
}
