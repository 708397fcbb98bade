// SIP over TCP or TLS for the `sip` package's transaction layer (RFC 3261 §18): our own connections over
// node:net / node:tls, plugged in as the package's TCP/TLS transport (patch l., options.streams).
//
// Why ours and not the package's makeStreamTransport: that one frames with a regular expression over
// the whole buffer at each chunk (quadratic), takes a message without Content-Length, swallows every
// socket error, keys connections by IP only (a TLS server name never reaches the certificate check),
// keeps no cap on connections and knows no keep-alive. Here: stream-framer.ts frames (Content-Length
// mandatory, §18.3; size cap), every message passes the same gate as a UDP datagram, connections are
// capped and reused (§18.1.1: responses and later requests to the same server use the open
// connection; §18.2.2: responses go back on the connection the request came in), and RFC 5626 §4.4.1
// CRLF keep-alives keep them open.

import * as net from 'node:net';
import type * as Tls from 'node:tls';
import { StreamFramer } from './stream-framer';
import { describeTlsError } from './tls-errors';

export type StreamProtocol = 'TCP' | 'TLS';

/** Where a message came from, as the package's transaction layer sees it (and hands back to get()). */
export interface StreamRemote {
  protocol: StreamProtocol;
  address: string;
  port: number;
  local: { address: string; port: number };
  /** The connection's key, so a response finds the very connection its request came in on. */
  flow: string;
}

/** What the package's transaction layer calls (patch l.): flows with send/release, like its own. */
export interface PackageFlow {
  protocol: StreamProtocol;
  send(message: unknown): void;
  release(): void;
  /** Our end of the connection, for the Via sent-by (undefined until connected). */
  readonly local: { address: string; port: number } | undefined;
}

export interface PackageStreamTransport {
  open(target: { address: string; port: number; servername?: string; flow?: string }, onError?: (err: Error) => void): PackageFlow;
  get(target: { address: string; port: number; flow?: string }, onError?: (err: Error) => void): PackageFlow | undefined;
  destroy(): void;
}

export interface StreamTransportOptions {
  protocol: StreamProtocol;
  /** Largest message in bytes (the UDP gate's cap). */
  maxMessageBytes: number;
  /** Open connections at most; more are refused (targets come from hostile messages too). */
  maxConnections: number;
  /** The CA list for TLS (tls-trust.node.ts), read when the first TLS connection opens; may throw. */
  ca?: (tls: typeof Tls) => string[];
  /** RFC 5626 §4.4.1 keep-alive: a CRLF CRLF ping this often on connections we opened (ms); 0 = none. */
  keepAliveMs: number;
  /** A pong must follow a ping within this long, once the server has shown it answers pings (§4.4.1: 10 s). */
  pongTimeoutMs: number;
  /** A connection (and TLS handshake) not up after this long is given up (ms; a firewall may drop SYNs silently). */
  connectTimeoutMs: number;
  /** The same for quiet probes (§18.1.1: a large request must not wait long for a server without TCP). */
  probeTimeoutMs: number;
  /** The package's stringify (only sip-stack.node.ts imports the package). */
  stringify: (message: unknown) => string;
  /**
   * Every framed message before the package parses it (message-gate.ts and the rate limits):
   * true passes it, a Buffer is written back as the answer, false drops it.
   */
  gate: (data: Buffer, remote: StreamRemote) => boolean | Buffer;
  /** A connection problem worth telling the user (TLS certificate errors, framing errors). */
  warn: (message: string) => void;
  debug: (message: string, fields?: Record<string, unknown>) => void;
  /** Test hooks: pongs seen, pings answered. */
  onKeepAlive?: (event: 'ping-sent' | 'pong' | 'ping-answered', remote: string) => void;
}

interface Connection {
  key: string;
  socket: net.Socket;
  framer: StreamFramer;
  remote: { address: string; port: number };
  /** The host name the certificate is checked against (TLS), or the address. */
  name: string;
  ready: Promise<void>;
  connected: boolean;
  closed: boolean;
  /** Error listeners of the flows handed out (the package turns them into 503s). */
  errorListeners: Set<(err: Error) => void>;
  lastError?: Error;
  outgoing: boolean;
  pongSeen: boolean;
  pingTimer?: ReturnType<typeof setTimeout>;
  pongTimer?: ReturnType<typeof setTimeout>;
}

export function connectionKey(address: string, port: number, servername?: string): string {
  return `${address}|${port}|${servername ?? ''}`;
}

export class StreamTransport {
  private readonly o: StreamTransportOptions;
  private readonly connections = new Map<string, Connection>();
  private receive: ((data: Buffer, remote: StreamRemote) => void) | undefined;
  private closed = false;
  /** Built once: parsing a few hundred CA certificates per connection would cost tens of ms each time. */
  private secureContext: Tls.SecureContext | undefined;
  /** node:tls, loaded by the first TLS connect() (a UDP or TCP phone never pays for it). */
  private tls: typeof Tls | undefined;

  constructor(options: StreamTransportOptions) {
    this.o = options;
  }

  get protocol(): StreamProtocol {
    return this.o.protocol;
  }

  /** How many connections are open (diagnostics, tests). */
  get size(): number {
    return this.connections.size;
  }

  /** The package's side (patch l.): `receive` parses a gated message and runs the transaction layer. */
  forPackage(receive: (data: Buffer, remote: StreamRemote) => void): PackageStreamTransport {
    this.receive = receive;
    return {
      open: (target, onError) => this.flow(this.connectionFor(target.address, target.port, target.servername, target.flow), onError),
      get: (target, onError) => {
        const c = (target.flow !== undefined ? this.connections.get(target.flow) : undefined) ?? this.find(target.address, target.port);
        return c && !c.closed ? this.flow(c, onError) : undefined;
      },
      destroy: () => this.close(),
    };
  }

  /**
   * The connection to address:port (open, or opened now), once connected (and for TLS, verified):
   * resolves with our end of it (the Via sent-by and Contact), rejects with a readable reason.
   */
  async connect(address: string, port: number, servername?: string, quiet = false): Promise<{ address: string; port: number; flow: string }> {
    if (this.o.protocol === 'TLS') this.tls ??= await import('node:tls');
    const c = this.connectionFor(address, port, servername, undefined, quiet);
    await c.ready;
    return { address: c.socket.localAddress ?? '', port: c.socket.localPort ?? 0, flow: c.key };
  }

  /** Our end of the open connection to address:port (a request came in on it: the Contact of our answer). */
  localTo(address: string, port: number): { address: string; port: number } | undefined {
    const c = this.find(address, port);
    return c && c.connected && c.socket.localPort ? { address: c.socket.localAddress ?? '', port: c.socket.localPort } : undefined;
  }

  close(): void {
    this.closed = true;
    for (const c of this.connections.values()) this.drop(c, undefined);
    this.connections.clear();
  }

  private find(address: string, port: number): Connection | undefined {
    for (const c of this.connections.values()) if (!c.closed && c.remote.address === address && c.remote.port === port) return c;
    return undefined;
  }

  private flow(c: Connection, onError?: (err: Error) => void): PackageFlow {
    if (onError) {
      if (c.closed && c.lastError) queueMicrotask(() => onError(c.lastError as Error));
      else c.errorListeners.add(onError);
    }
    const socket = c.socket;
    return {
      protocol: this.o.protocol,
      send: (m: unknown) => this.write(c, Buffer.from(this.o.stringify(m), 'latin1')),
      release: () => {
        if (onError) c.errorListeners.delete(onError);
      },
      get local() {
        return socket.localPort ? { address: socket.localAddress ?? '', port: socket.localPort } : undefined;
      },
    };
  }

  private write(c: Connection, data: Buffer): void {
    if (c.closed) {
      this.o.debug('send on a closed connection', { to: c.key });
      return;
    }
    c.socket.write(data);
  }

  /** `quiet`: a failure to connect is no news (a probe, RFC 3261 §18.1.1's "does it take TCP?"). */
  private connectionFor(address: string, port: number, servername?: string, flow?: string, quiet = false): Connection {
    if (this.closed) throw new Error(`${this.o.protocol} transport closed`);
    const byFlow = flow !== undefined ? this.connections.get(flow) : undefined;
    if (byFlow && !byFlow.closed) return byFlow;
    const key = connectionKey(address, port, servername);
    const open = this.connections.get(key) ?? (servername === undefined ? this.find(address, port) : undefined);
    if (open && !open.closed) return open;
    if (this.connections.size >= this.o.maxConnections) {
      throw new Error(`too many ${this.o.protocol} connections (${this.o.maxConnections}): not connecting to ${address}:${port}`);
    }
    const name = servername ?? address;
    const tls = this.tls;
    if (this.o.protocol === 'TLS' && !tls) throw new Error(`no TLS connection to ${address}:${port} yet (the hop was not resolved)`);
    const socket =
      tls
        ? tls.connect({
            host: address,
            port,
            // RFC 6066 §3: SNI carries a host name, never an IP; the certificate is checked against the
            // name (or, without one, against the IP's subjectAltName).
            ...(servername !== undefined && net.isIP(servername) === 0 ? { servername } : {}),
            ...(this.o.ca ? { secureContext: (this.secureContext ??= tls.createSecureContext({ ca: this.o.ca(tls) })) } : {}),
            rejectUnauthorized: true,
          })
        : net.connect({ host: address, port });
    socket.setNoDelay(true);
    const connectTimer = setTimeout(() => {
      const err = new Error(`${this.o.protocol} connection to ${address}:${port} timed out`);
      c.lastError = err;
      if (quiet) this.o.debug(err.message);
      else this.o.warn(err.message);
      socket.destroy();
    }, quiet ? this.o.probeTimeoutMs : this.o.connectTimeoutMs);
    connectTimer.unref();
    const c: Connection = {
      key,
      socket,
      framer: new StreamFramer({ maxMessageBytes: this.o.maxMessageBytes }),
      remote: { address, port },
      name,
      ready: Promise.resolve(),
      connected: false,
      closed: false,
      errorListeners: new Set(),
      outgoing: true,
      pongSeen: false,
    };
    c.ready = new Promise<void>((resolve, reject) => {
      socket.once(this.o.protocol === 'TLS' ? 'secureConnect' : 'connect', () => {
        clearTimeout(connectTimer);
        c.connected = true;
        this.o.debug(`${this.o.protocol} connected`, { to: `${address}:${port}`, local: `${socket.localAddress ?? ''}:${socket.localPort ?? 0}` });
        this.schedulePing(c);
        resolve();
      });
      socket.once('close', () => reject(c.lastError ?? new Error(`${this.o.protocol} connection to ${address}:${port} closed`)));
    });
    c.ready.catch(() => {});
    socket.on('error', (err: Error) => {
      const nice = this.o.protocol === 'TLS' ? describeTlsError(err as NodeJS.ErrnoException, `${name}:${port}`) : `TCP connection to ${address}:${port} failed: ${err.message}`;
      // The code stays on the error: a certificate problem is not worth retrying, a refused connection is.
      c.lastError = Object.assign(new Error(nice), { code: (err as NodeJS.ErrnoException).code });
      if (quiet && !c.connected) this.o.debug(nice);
      else this.o.warn(nice);
    });
    socket.on('data', (chunk: Buffer) => this.onData(c, chunk));
    socket.on('close', () => {
      clearTimeout(connectTimer);
      this.drop(c, c.lastError);
    });
    this.connections.set(key, c);
    return c;
  }

  private onData(c: Connection, chunk: Buffer): void {
    for (const ev of c.framer.push(chunk)) {
      if (ev.kind === 'ping') {
        // RFC 5626 §4.4.1: a ping is answered with a single CRLF.
        this.write(c, Buffer.from('\r\n', 'latin1'));
        this.o.onKeepAlive?.('ping-answered', c.key);
      } else if (ev.kind === 'pong') {
        c.pongSeen = true;
        clearTimeout(c.pongTimer);
        c.pongTimer = undefined;
        this.o.onKeepAlive?.('pong', c.key);
      } else if (ev.kind === 'error') {
        this.o.warn(`${this.o.protocol} connection to ${c.remote.address}:${c.remote.port} closed: ${ev.reason}`);
        c.lastError = new Error(ev.reason);
        c.socket.destroy();
        return;
      } else {
        const remote: StreamRemote = {
          protocol: this.o.protocol,
          address: c.remote.address,
          port: c.remote.port,
          local: { address: c.socket.localAddress ?? '', port: c.socket.localPort ?? 0 },
          flow: c.key,
        };
        const verdict = this.o.gate(ev.data, remote);
        if (verdict === true) this.receive?.(ev.data, remote);
        else if (verdict !== false) this.write(c, verdict);
      }
    }
  }

  /**
   * RFC 5626 §4.4.1: pings at a random 80-100 % of the interval. A server that never answered one may not
   * do §4.4.1 at all (the ping still refreshes NAT state); one that did and goes silent for
   * pongTimeoutMs has lost the flow: the connection is closed, so the next request opens a new one.
   */
  private schedulePing(c: Connection): void {
    if (this.o.keepAliveMs <= 0 || !c.outgoing) return;
    const delay = this.o.keepAliveMs * (0.8 + 0.2 * Math.random());
    c.pingTimer = setTimeout(() => {
      if (c.closed) return;
      this.write(c, Buffer.from('\r\n\r\n', 'latin1'));
      this.o.onKeepAlive?.('ping-sent', c.key);
      if (c.pongSeen && !c.pongTimer) {
        c.pongTimer = setTimeout(() => {
          this.o.warn(`no keep-alive answer from ${c.remote.address}:${c.remote.port} within ${this.o.pongTimeoutMs} ms: closing the connection (RFC 5626 §4.4.1)`);
          c.socket.destroy();
        }, this.o.pongTimeoutMs);
        c.pongTimer.unref();
      }
      this.schedulePing(c);
    }, delay);
    c.pingTimer.unref();
  }

  private drop(c: Connection, err: Error | undefined): void {
    if (c.closed) return;
    c.closed = true;
    clearTimeout(c.pingTimer);
    clearTimeout(c.pongTimer);
    if (this.connections.get(c.key) === c) this.connections.delete(c.key);
    c.socket.destroy();
    const failure = err ?? new Error(`${this.o.protocol} connection to ${c.remote.address}:${c.remote.port} closed`);
    for (const l of [...c.errorListeners]) {
      try {
        l(failure);
      } catch (e) {
        this.o.debug('error listener failed', { error: String(e) });
      }
    }
    c.errorListeners.clear();
  }
}
