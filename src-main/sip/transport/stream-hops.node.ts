// The TCP and TLS side of the SIP stack: one StreamTransport per protocol, the located targets of a hop
// turned into open connections (our end of each is the Via sent-by and Contact), and the lookups the
// stack needs for incoming requests. Only sip-stack.node.ts uses it.

import { isIP } from 'node:net';
import { StreamTransport, type PackageStreamTransport, type StreamProtocol, type StreamRemote } from './stream-transport.node';
import { trustedCertificates } from './tls-trust.node';
import type { Destination, ResolvedHop } from '../sip-transport';

export interface StreamHopsOptions {
  caFile?: string;
  maxMessageBytes: number;
  /** Default 30 connections per protocol. */
  maxConnections?: number;
  /** RFC 5626 §4.4.1 ping interval in ms (default 90 s, below the 95-120 s the RFC suggests for servers' timers); 0 = off. */
  keepAliveMs?: number;
  pongTimeoutMs?: number;
  stringify: (message: unknown) => string;
  gate: (data: Buffer, remote: StreamRemote) => boolean | Buffer;
  warn: (message: string) => void;
  debug: (message: string, fields?: Record<string, unknown>) => void;
  onKeepAlive?: (event: 'ping-sent' | 'pong' | 'ping-answered', remote: string) => void;
}

/** A target RFC 3263 located over TCP or TLS, and the name it was found under (for the certificate check). */
export interface StreamTarget {
  transport: 'tcp' | 'tls';
  address: string;
  port: number;
  host: string;
}

export class StreamHops {
  readonly tcp: StreamTransport;
  readonly tls: StreamTransport;
  private ca: string[] | undefined;
  /** Servers that refused TCP lately (address|port -> until, ms): large requests go to them over UDP. */
  private readonly noTcp = new Map<string, number>();

  constructor(o: StreamHopsOptions) {
    const common = {
      maxMessageBytes: o.maxMessageBytes,
      maxConnections: o.maxConnections ?? 30,
      keepAliveMs: o.keepAliveMs ?? 90_000,
      pongTimeoutMs: o.pongTimeoutMs ?? 10_000,
      connectTimeoutMs: 10_000,
      probeTimeoutMs: 1000,
      stringify: o.stringify,
      gate: o.gate,
      warn: o.warn,
      debug: o.debug,
      ...(o.onKeepAlive ? { onKeepAlive: o.onKeepAlive } : {}),
    };
    this.tcp = new StreamTransport({ ...common, protocol: 'TCP' });
    this.tls = new StreamTransport({
      ...common,
      protocol: 'TLS',
      ca: (tls) => (this.ca ??= trustedCertificates(tls, o.caFile)),
    });
  }

  of(transport: 'tcp' | 'tls'): StreamTransport {
    return transport === 'tls' ? this.tls : this.tcp;
  }

  /** The package's options.streams (patch l.). */
  packageStreams(): Record<StreamProtocol, (receive: (data: Buffer, remote: StreamRemote) => void) => PackageStreamTransport> {
    return { TCP: (receive) => this.tcp.forPackage(receive), TLS: (receive) => this.tls.forPackage(receive) };
  }

  /**
   * Opens (or reuses) the connection to a located target. For TLS the certificate must be valid for the
   * host name of the URI (RFC 5922 §7.2); a target given as an IP is checked against the IP.
   */
  async hop(t: StreamTarget): Promise<ResolvedHop> {
    const serverName = t.transport === 'tls' && isIP(t.host) === 0 ? t.host : undefined;
    const local = await this.of(t.transport).connect(t.address, t.port, serverName);
    return {
      destination: { address: t.address, port: t.port, transport: t.transport, ...(serverName ? { serverName } : {}) },
      local: { address: local.address, port: local.port, transport: t.transport },
    };
  }

  /**
   * RFC 3261 §18.1.1: does address:port take a TCP connection (one is then open for the request)? A
   * refusal is remembered for 5 minutes, so a UDP-only server costs one probe, not one per request.
   */
  async tcpReaches(address: string, port: number): Promise<boolean> {
    const key = `${address}|${port}`;
    const until = this.noTcp.get(key);
    if (until !== undefined && until > performance.now()) return false;
    try {
      await this.tcp.connect(address, port, undefined, true);
      this.noTcp.delete(key);
      return true;
    } catch {
      if (this.noTcp.size > 1000) this.noTcp.clear();
      this.noTcp.set(key, performance.now() + 5 * 60_000);
      return false;
    }
  }

  /** Our end of the open connection to `remote` (a request came in on it), with its transport. */
  localTo(remote: Destination): Destination | undefined {
    if (!remote.transport) return undefined;
    const local = this.of(remote.transport).localTo(remote.address, remote.port);
    return local ? { ...local, transport: remote.transport } : undefined;
  }

  close(): void {
    this.tcp.close();
    this.tls.close();
  }
}
