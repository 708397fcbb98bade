// Cuts a TCP/TLS byte stream into SIP messages (RFC 3261 §18.3) and RFC 5626 §4.4.1 CRLF keep-alives.
// Pure and bounded: one per connection, fed with whatever the socket delivers.
//
// RFC 3261 §18.3: "In the case of stream-oriented transports such as TCP, the Content-Length header
// field indicates the size of the body. All stream-oriented transports MUST use Content-Length." A
// message without it cannot be framed, so the stream is unusable from there on: an error, and the
// caller closes the connection. The same goes for a message over the size cap (the UDP gate's cap):
// a peer cannot make us buffer more than that per connection.
//
// RFC 5626 §4.4.1: between messages a double CRLF is a keep-alive "ping" (answered with a single CRLF),
// a single CRLF is the "pong".

export type FrameEvent =
  | { kind: 'message'; data: Buffer }
  | { kind: 'ping' }
  | { kind: 'pong' }
  | { kind: 'error'; reason: string };

export interface FramerLimits {
  /** Largest message (header + body) in bytes; the UDP gate's maxBytes. */
  maxMessageBytes: number;
}

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:[ \t]*([0-9]{1,9})[ \t]*$/im;

export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);
  /** Where to resume the search for the end of the header (no rescanning of bytes already searched). */
  private scanFrom = 0;
  private failed = false;

  constructor(private readonly limits: FramerLimits) {}

  /** Bytes held for an incomplete message (bounded by the cap). */
  get buffered(): number {
    return this.buf.length;
  }

  /** Feeds bytes; returns what they completed. After an 'error' the stream is dead and nothing more comes out. */
  push(chunk: Buffer): FrameEvent[] {
    if (this.failed) return [];
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: FrameEvent[] = [];
    for (;;) {
      const ev = this.next();
      if (!ev) break;
      out.push(ev);
      if (ev.kind === 'error') {
        this.failed = true;
        this.buf = Buffer.alloc(0);
        break;
      }
    }
    return out;
  }

  private take(n: number): Buffer {
    const head = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    this.scanFrom = 0;
    return head;
  }

  private next(): FrameEvent | null {
    const b = this.buf;
    if (b.length === 0) return null;
    // §4.4.1 keep-alives sit between messages: CRLF CRLF = ping, a lone CRLF = pong.
    if (b[0] === 0x0d) {
      if (b.length < 2) return null;
      if (b[1] !== 0x0a) return { kind: 'error', reason: 'bare CR between messages' };
      if (b.length >= 4 && b[2] === 0x0d && b[3] === 0x0a) {
        this.take(4);
        return { kind: 'ping' };
      }
      // "\r\n\r" may still become a ping; "\r\n" alone or followed by a message is a pong.
      if (b.length === 3 && b[2] === 0x0d) return null;
      this.take(2);
      return { kind: 'pong' };
    }
    const end = b.indexOf(CRLFCRLF, this.scanFrom);
    if (end < 0) {
      if (b.length > this.limits.maxMessageBytes) return { kind: 'error', reason: `header over the ${this.limits.maxMessageBytes}-byte cap` };
      this.scanFrom = Math.max(0, b.length - 3);
      return null;
    }
    const headerEnd = end + 4;
    const header = b.toString('latin1', 0, end);
    const cl = CONTENT_LENGTH.exec(header);
    if (!cl) return { kind: 'error', reason: 'a message without Content-Length on a stream (RFC 3261 §18.3)' };
    const total = headerEnd + Number(cl[1]);
    if (total > this.limits.maxMessageBytes) return { kind: 'error', reason: `message of ${total} bytes over the ${this.limits.maxMessageBytes}-byte cap` };
    if (b.length < total) {
      this.scanFrom = end;
      return null;
    }
    // A copy: the socket's chunk may be larger than this message and must not be kept alive by it.
    return { kind: 'message', data: Buffer.from(this.take(total)) };
  }
}
