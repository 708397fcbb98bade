// Sends hand-written SIP (or garbage) over UDP and waits for a reply: readiness checks and bad-input tests.
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';

/** Sends one datagram from an ephemeral port; resolves with the first reply's text, or null on timeout. */
export function sendDatagram(
  port: number,
  payload: Buffer | string,
  opts: { host?: string; timeoutMs?: number; expectReply?: boolean } = {},
): Promise<string | null> {
  const host = opts.host ?? '127.0.0.1';
  const timeoutMs = opts.timeoutMs ?? 1000;
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    let done = false;
    const finish = (value: string | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      resolve(value);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    sock.on('message', (msg) => finish(msg.toString('utf8')));
    sock.on('error', () => finish(null));
    sock.bind(0, '127.0.0.1', () => {
      const buf = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
      sock.send(buf, port, host, (err) => {
        if (err || opts.expectReply === false) finish(null);
      });
    });
  });
}

/** A well-formed out-of-dialog request (RFC 3261 §8.1.1) with the headers every request needs. */
export function buildRequest(method: string, targetUri: string, localPort = 5999, extraHeaders: string[] = []): string {
  const tag = randomBytes(4).toString('hex');
  const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
  return [
    `${method} ${targetUri} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=${branch};rport`,
    'Max-Forwards: 70',
    `From: <sip:probe@127.0.0.1>;tag=${tag}`,
    `To: <${targetUri}>`,
    `Call-ID: ${randomBytes(8).toString('hex')}@127.0.0.1`,
    `CSeq: 1 ${method}`,
    ...extraHeaders,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** Status code of a SIP response text ("SIP/2.0 405 Method Not Allowed" -> 405), or null. */
export function statusOf(response: string | null): number | null {
  const m = /^SIP\/2\.0 (\d{3})/.exec(response ?? '');
  return m?.[1] ? Number(m[1]) : null;
}

/** Repeats OPTIONS until a SIP server answers (any status) or the deadline passes. */
export async function waitForSipServer(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const reply = await sendDatagram(port, buildRequest('OPTIONS', `sip:${host}:${port}`), { host, timeoutMs: 250 });
    const status = statusOf(reply);
    if (status !== null) return status;
  }
  throw new Error(`no SIP answer from ${host}:${port} within ${timeoutMs} ms`);
}
