// Hand-written types for the untyped npm `sip` 0.0.6 (node_modules/sip/sip.js), as patched by
// patches/sip+0.0.6.patch (bound address, onListening, explicit destination). Only sip-stack.node.ts imports it.

declare module 'sip' {
  /** parseUri's result; `port` is NaN when the URI has none. */
  export interface Uri {
    schema: string;
    user?: string;
    password?: string;
    host: string;
    port: number;
    params: Record<string, string | null>;
    headers: Record<string, string>;
  }

  /**
   * A message as parsed / stringified: lower-case header names; via[], to/from {name, uri, params},
   * cseq {seq, method}, contact[] (or '*'), route/record-route[] {uri: Uri}, auth headers as
   * objects of still-quoted values, everything else a string. Text is 'binary' (latin1) strings.
   */
  export interface Message {
    method?: string;
    uri?: string | Uri;
    version?: string;
    status?: number;
    reason?: string;
    headers: Record<string, unknown>;
    content?: string;
  }

  export interface Remote {
    protocol: string;
    address: string;
    port: number;
    local?: { address: string; port: number };
  }

  /** A resolved next hop, as the patched `send` accepts it. */
  export interface Target {
    protocol: string;
    address: string;
    port: number;
    /** TLS: the host name the certificate is checked against (our stream transport reads it). */
    servername?: string;
  }

  /** Patched (l.): a TCP/TLS transport of ours; `receive` parses one framed message and runs the transaction layer. */
  export type StreamFactory = (receive: (data: Buffer, remote: Remote & { flow: string }) => void) => {
    open(target: Target, onError?: (err: Error) => void): Connection;
    get(target: Remote, onError?: (err: Error) => void): Connection | undefined;
    destroy(): void;
  };

  export interface StackLogger {
    send?(m: Message, target: Target): void;
    recv?(m: Message, remote: Remote): void;
    /** Socket errors, malformed datagrams, exceptions thrown by our callbacks (all patched to land here). */
    error?(e: unknown): void;
  }

  export interface CreateOptions {
    udp?: boolean;
    tcp?: boolean;
    address?: string;
    /** 0 = any free port (patched; was `port || 5060`). */
    port?: number;
    /** Put in Via; read at send time, so it may be changed later. */
    publicAddress?: string;
    hostname?: string;
    rport?: boolean;
    'max-forwards'?: number;
    logger?: StackLogger;
    /** Patched: called once the UDP socket is bound. */
    onListening?: (address: { address: string; port: number; family: string }) => void;
    /** Patched: sees each datagram first; true passes it on, a Buffer is sent back, anything else drops it. */
    gate?: (data: Buffer, remote: { address: string; port: number }) => boolean | Buffer;
    /** Patched (l.): TCP and TLS transports of ours instead of the package's own. */
    streams?: Record<string, StreamFactory>;
    /** Patched: server transactions alive at once before new requests go to onOverload instead. */
    maxServerTransactions?: number;
    onOverload?: (m: Message, remote: Remote) => void;
    /** Patched: RFC 3261 §17 base timers in ms (undefined = 500 / 4000 / 5000) and an optional clock. */
    timers?: TimerOptions;
  }

  export interface TimerOptions {
    T1?: number;
    T2?: number;
    T4?: number;
    setTimeout?: (fn: () => void, ms: number) => unknown;
    clearTimeout?: (id: unknown) => void;
  }

  /** What a transaction sends through: one UDP destination (or stream) of the transport. */
  export interface Connection {
    send(m: Message): void;
    protocol: string;
    release(): void;
    /** Patched (l.): our end of a TCP/TLS connection, put in Via. */
    readonly local?: { address: string; port: number } | undefined;
  }

  export interface Transaction {
    /** A message for this transaction from the wire (remote set) or made up locally. */
    message(m: Message, remote?: Remote): void;
    /** Server transactions: the TU's response. */
    send?(m: Message): void;
    shutdown(): void;
    /** INVITE server transactions: in Accepted (RFC 6026), where a matching ACK goes to the TU. */
    isAccepted?(): boolean;
  }

  /** The package's transaction layer (RFC 3261 §17), exported for tests of its timers. */
  export interface TransactionLayer {
    createServerTransaction(rq: Message, cn: Connection): Transaction;
    createClientTransaction(cn: Connection, rq: Message, onResponse: (rs: Message) => void): Transaction;
    getServer(m: Message): Transaction | undefined;
    getClient(m: Message): Transaction | undefined;
    destroy(): void;
  }

  export function makeTransactionLayer(options: { timers?: TimerOptions; 'max-forwards'?: number }, open: (target: Target) => Connection): TransactionLayer;

  export interface Instance {
    /**
     * Requests start a client transaction (ACK is just sent); the callback sees its responses, or a
     * made-up 408/503 on timeout/transport failure. Responses go out through their server transaction.
     * `destination` (patched) skips Route processing and DNS: the caller resolved the next hop.
     */
    send(m: Message, callback?: (response: Message) => void, destination?: Target): void;
    /** Patched: raw bytes from the SIP UDP socket (CRLF keep-alive); errors go to logger.error. */
    sendRaw(target: { address: string; port: number }, data: Buffer): void;
    /** Patched: the bound UDP address, undefined before binding. */
    address(): { address: string; port: number; family: string } | undefined;
    hostname(): string;
    destroy(): void;
  }

  export function create(options: CreateOptions, onRequest: (request: Message, remote: Remote) => void): Instance;
  export function stringify(m: Message): string;
  export function parse(data: string | Buffer): Message | undefined;
  export function parseUri(s: string | Uri): Uri | undefined;
  export function stringifyUri(u: string | Uri): string;
  export function makeResponse(rq: Message, status: number, reason?: string, extension?: { headers?: Record<string, unknown>; content?: string }): Message;
  export function generateBranch(): string;
}
