// Keeps the NAT binding of the registration open while registered: OPTIONS (answered, so a lost
// binding shows as silence and a new one as a changed rport) or a bare CRLF datagram. Pure: transport
// and clock are injected.
//
// RFC 5626 §4.4.1 defines CRLF keep-alives for stream transports only and STUN for UDP; phones in the
// field (X-Lite, MicroSIP) send CRLF or OPTIONS over UDP, and any datagram from our SIP port refreshes
// the NAT binding. Only OPTIONS gets an answer, so only OPTIONS can tell us the binding is gone.

import { ALLOW, MAX_FORWARDS, statusText } from './sip-headers';
import { viaMapping, type ViaMapping } from './nat-mapping';
import { newCallId, newTag } from './sip-random';
import type { Clock, TimerId } from './sip-clock';
import type { SipRequest, SipResponse } from './sip-message';
import type { ResolvedHop, SipTransport } from './sip-transport';

export const DEFAULT_KEEP_ALIVE_SECONDS = 25;

export interface KeepAliveOptions {
  transport: SipTransport;
  clock: Clock;
  method: 'options' | 'crlf';
  /** Seconds between keep-alives (for OPTIONS: from the answer to the next request). */
  intervalSeconds: number;
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
  /** Bumped by stop(): answers to keep-alives sent before it are ignored. */
  private generation = 0;
  private running = false;
  private outstanding = false;

  constructor(options: KeepAliveOptions) {
    this.o = options;
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
  }

  stop(): void {
    this.running = false;
    this.outstanding = false;
    this.generation += 1;
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.o.clock.clearTimeout(this.timer);
    const ms = Math.max(1, this.o.intervalSeconds) * 1000;
    this.timer = this.o.clock.setTimeout(() => this.tick(), ms);
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
      return;
    }
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
