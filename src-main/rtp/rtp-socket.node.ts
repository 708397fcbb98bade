// The RTP/RTCP UDP socket pair (the only dgram user in media): an even RTP port and RTP+1 for RTCP.

import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP, isIPv6 } from 'node:net';
import { Emitter } from '../util/emitter';

export interface RtpSocketEvents {
  rtp: { data: Buffer; address: string; port: number };
  rtcp: { data: Buffer; address: string; port: number };
  /** Socket-level failures (send errors, ICMP unreachable on some systems); never thrown. */
  error: { message: string; code?: string };
}

export interface RtpSocketOptions {
  bindAddress: string;
  portMin: number;
  portMax: number;
  /** 0..1, picks where the port search starts so parallel sessions do not race for the same pair. */
  random?: () => number;
}

/**
 * One RTP send in this many carries a completion callback, so a lasting send error (no route, firewall)
 * is still reported within a second; the others skip the callback and its extra event-loop turn.
 */
const SEND_CHECK_EVERY = 50;

/** Bound pair of sockets; errors are events, sends never throw. */
export class RtpSocketPair extends Emitter<RtpSocketEvents> {
  private closed = false;
  private rtpSends = 0;
  /** udp6: IPv4 peers are addressed as ::ffff:a.b.c.d (a dual-stack socket on ::). */
  private readonly v6: boolean;

  private constructor(
    private readonly rtp: Socket,
    private readonly rtcp: Socket,
    readonly address: string,
    readonly rtpPort: number,
  ) {
    super();
    this.v6 = isIPv6(address);
    // Everything above the socket sees plain IPv4 (the latch compares it with the SDP's c= address).
    const from = this.v6 ? unmapped : (a: string) => a;
    rtp.on('message', (data: Buffer, r: RemoteInfo) => this.emit('rtp', { data, address: from(r.address), port: r.port }));
    rtcp.on('message', (data: Buffer, r: RemoteInfo) => this.emit('rtcp', { data, address: from(r.address), port: r.port }));
    const onError = (err: NodeJS.ErrnoException) => this.emit('error', { message: err.message, ...(err.code ? { code: err.code } : {}) });
    rtp.on('error', onError);
    rtcp.on('error', onError);
  }

  get rtcpPort(): number {
    return this.rtpPort + 1;
  }

  /**
   * Binds the first free even port >= a random start in [portMin, portMax] (wrapping), with RTCP on
   * the next port (RFC 3550 §11). EADDRINUSE moves on to the next pair; other errors fail at once.
   */
  static async create(opts: RtpSocketOptions): Promise<RtpSocketPair> {
    const lo = opts.portMin % 2 === 0 ? opts.portMin : opts.portMin + 1;
    const hi = opts.portMax - 1; // the RTCP port must fit too
    if (hi < lo) throw new Error(`RTP port range ${opts.portMin}-${opts.portMax} holds no even/odd pair`);
    const pairs = Math.floor((hi - lo) / 2) + 1;
    const first = Math.floor((opts.random ?? Math.random)() * pairs) % pairs;
    const type = isIPv6(opts.bindAddress) ? 'udp6' : 'udp4';
    for (let i = 0; i < pairs; i++) {
      const port = lo + 2 * ((first + i) % pairs);
      const rtp = await bindOne(type, opts.bindAddress, port);
      if (rtp instanceof Error) {
        if (isInUse(rtp)) continue;
        throw new Error(`cannot bind RTP on ${opts.bindAddress}:${port}: ${rtp.message}`);
      }
      const rtcp = await bindOne(type, opts.bindAddress, port + 1);
      if (rtcp instanceof Error) {
        await closeOne(rtp);
        if (isInUse(rtcp)) continue;
        throw new Error(`cannot bind RTCP on ${opts.bindAddress}:${port + 1}: ${rtcp.message}`);
      }
      return new RtpSocketPair(rtp, rtcp, opts.bindAddress, port);
    }
    throw new Error(`no free RTP port pair in ${opts.portMin}-${opts.portMax} on ${opts.bindAddress}`);
  }

  sendRtp(data: Uint8Array, length: number, port: number, address: string): void {
    this.send(this.rtp, data, length, port, address, this.rtpSends++ % SEND_CHECK_EVERY === 0);
  }

  sendRtcp(data: Uint8Array, length: number, port: number, address: string): void {
    this.send(this.rtcp, data, length, port, address, true);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Let sends queued in this tick (e.g. the RTCP BYE) reach the kernel before the sockets go away.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.closed = true;
    await Promise.all([closeOne(this.rtp), closeOne(this.rtcp)]);
    this.removeAllListeners();
  }

  private send(socket: Socket, data: Uint8Array, length: number, port: number, address: string, check: boolean): void {
    if (this.closed) return;
    // A udp6 socket given a plain IPv4 address fails with EINVAL: dual stack wants the mapped form.
    const to = this.v6 && isIP(address) === 4 ? `::ffff:${address}` : address;
    try {
      // The caller reuses its buffers from a ring long enough for any send still in flight.
      if (!check) {
        socket.send(data, 0, length, port, to);
        return;
      }
      socket.send(data, 0, length, port, to, (err) => {
        if (err) this.emit('error', { message: `send to ${address}:${port}: ${err.message}`, ...(codeOf(err) ? { code: codeOf(err) } : {}) });
      });
    } catch (err) {
      // Synchronous throws: a bad port or address, or the socket closed under us.
      this.emit('error', { message: `send to ${address}:${port}: ${(err as Error).message}` });
    }
  }
}

/** "::ffff:192.0.2.1" (an IPv4 peer on a dual-stack socket) is 192.0.2.1. */
function unmapped(address: string): string {
  const v4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return v4?.[1] ?? address;
}

function codeOf(err: Error): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

function isInUse(err: Error): boolean {
  const code = codeOf(err);
  return code === 'EADDRINUSE' || code === 'EACCES';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * The sockets' name lookup: dgram runs every send to an address through it. An IP literal (what SDP
 * gives in practice) is answered at once instead of by dns.lookup's deferred callback, 50 times a second.
 */
function literalFirstLookup(hostname: string, options: LookupOneOptions, callback: LookupCallback): void {
  const family = isIP(hostname);
  if (family !== 0) {
    callback(null, hostname, family);
    return;
  }
  dnsLookup(hostname, options, callback);
}

function bindOne(type: 'udp4' | 'udp6', address: string, port: number): Promise<Socket | Error> {
  return new Promise((resolve) => {
    const s = createSocket({ type, reuseAddr: false, lookup: literalFirstLookup });
    const onError = (err: Error) => {
      s.close();
      resolve(err);
    };
    s.once('error', onError);
    s.bind(port, address, () => {
      s.off('error', onError);
      resolve(s);
    });
  });
}

function closeOne(s: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      s.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}
