// RFC 3261 §18.3 framing of TCP/TLS streams and RFC 5626 §4.4.1 CRLF keep-alives, chunk by chunk.
import { describe, expect, it } from 'vitest';
import { StreamFramer, type FrameEvent } from '../../../../src-main/sip/transport/stream-framer';

const MSG = (body = '') =>
  `OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK1\r\nCall-ID: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

function feed(f: StreamFramer, ...chunks: string[]): FrameEvent[] {
  return chunks.flatMap((c) => f.push(Buffer.from(c, 'latin1')));
}
const texts = (evs: FrameEvent[]) => evs.map((e) => (e.kind === 'message' ? e.data.toString('latin1') : e.kind === 'error' ? `error: ${e.reason}` : e.kind));

describe('StreamFramer', () => {
  it('cuts two messages out of one chunk, bodies by Content-Length', () => {
    const f = new StreamFramer({ maxMessageBytes: 4096 });
    expect(texts(feed(f, MSG('hello') + MSG('v=0\r\n')))).toEqual([MSG('hello'), MSG('v=0\r\n')]);
    expect(f.buffered).toBe(0);
  });

  it('waits for a message split anywhere, byte by byte included', () => {
    const f = new StreamFramer({ maxMessageBytes: 4096 });
    const whole = MSG('body with \r\n\r\n inside');
    const out = feed(f, ...whole.split(''));
    expect(texts(out)).toEqual([whole]);
  });

  it('double CRLF between messages is a ping, a single CRLF a pong (RFC 5626 §4.4.1)', () => {
    const f = new StreamFramer({ maxMessageBytes: 4096 });
    expect(texts(feed(f, '\r\n\r\n'))).toEqual(['ping']);
    expect(texts(feed(f, '\r\n'))).toEqual(['pong']);
    expect(texts(feed(f, `\r\n${MSG()}`))).toEqual(['pong', MSG()]);
    // A ping split after its third byte is still one ping.
    expect(texts(feed(f, '\r\n\r', '\n'))).toEqual(['ping']);
  });

  it('a message without Content-Length kills the stream (RFC 3261 §18.3: MUST on streams)', () => {
    const f = new StreamFramer({ maxMessageBytes: 4096 });
    const noLength = 'OPTIONS sip:a@example.com SIP/2.0\r\nCall-ID: x\r\n\r\n';
    const out = texts(feed(f, noLength + MSG()));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^error: .*Content-Length.*18\.3/);
    expect(texts(feed(f, MSG()))).toEqual([]);
  });

  it('accepts the compact form "l:" (RFC 3261 §7.3.3)', () => {
    const f = new StreamFramer({ maxMessageBytes: 4096 });
    const m = 'OPTIONS sip:a@example.com SIP/2.0\r\nCall-ID: x\r\nl: 2\r\n\r\nhi';
    expect(texts(feed(f, m))).toEqual([m]);
  });

  it('bounds the buffer: an endless header or a huge Content-Length is an error, not memory', () => {
    const a = new StreamFramer({ maxMessageBytes: 1024 });
    const out = texts(feed(a, 'OPTIONS sip:a@example.com SIP/2.0\r\n', ...Array.from({ length: 40 }, () => 'X-Filler: 0123456789012345678901234567890123456789\r\n')));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^error: header over the 1024-byte cap/);
    expect(a.buffered).toBe(0);

    const b = new StreamFramer({ maxMessageBytes: 1024 });
    const big = texts(feed(b, 'OPTIONS sip:a@example.com SIP/2.0\r\nContent-Length: 999999\r\n\r\n'));
    expect(big[0]).toMatch(/^error: message of \d+ bytes over the 1024-byte cap/);
  });

  it('a bare CR between messages is an error', () => {
    const f = new StreamFramer({ maxMessageBytes: 1024 });
    expect(texts(feed(f, '\rX'))[0]).toMatch(/^error: bare CR/);
  });
});
