// A scripted SIP peer on a real UDP socket: records every datagram it gets and answers requests as the
// test says (a 407 for a realm of its choosing, a 302 elsewhere...). For attack tests (issue 9).
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';

export interface ScriptedPeer {
  port: number;
  /** Every datagram received, as text, in order. */
  readonly received: string[];
  /** Resolves with the first received datagram that matches. */
  waitFor(match: (text: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Sends a datagram (a request of the peer's own, e.g. a NOTIFY) to host:port. */
  send(text: string, port: number, host?: string): Promise<void>;
  close(): Promise<void>;
}

/** The response text for `request` (its Via, From, To + tag, Call-ID and CSeq copied, RFC 3261 §8.2.6.2). */
export function responseTo(request: string, status: number, reason: string, extra: string[] = []): string {
  const lines = request.split('\r\n');
  const pick = (name: string) => lines.filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  const to = pick('To')[0] ?? 'To: <sip:unknown@invalid>';
  const toWithTag = /;tag=/i.test(to) ? to : `${to};tag=${randomBytes(4).toString('hex')}`;
  return [
    `SIP/2.0 ${status} ${reason}`,
    ...pick('Via'),
    ...pick('From'),
    toWithTag,
    ...pick('Call-ID'),
    ...pick('CSeq'),
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** The method of a request ("INVITE"), or null for a response. */
export function methodOf(text: string): string | null {
  const m = /^([A-Z]+) \S+ SIP\/2\.0/.exec(text);
  return m?.[1] ?? null;
}

/**
 * Starts a peer on 127.0.0.1 (or `host`, e.g. "::1"). `answer` returns the response text for a request
 * (or null: stay silent); ACKs are never answered.
 */
export function startScriptedPeer(answer: (request: string) => string | null, host = '127.0.0.1'): Promise<ScriptedPeer> {
  const sock: Socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const received: string[] = [];
  const waiters = new Set<() => void>();
  sock.on('message', (msg, rinfo) => {
    const text = msg.toString('utf8');
    received.push(text);
    for (const w of [...waiters]) w();
    const method = methodOf(text);
    if (method === null || method === 'ACK') return;
    const reply = answer(text);
    if (reply !== null) sock.send(Buffer.from(reply, 'utf8'), rinfo.port, rinfo.address);
  });
  return new Promise((resolve) => {
    sock.bind(0, host, () => {
      resolve({
        port: sock.address().port,
        received,
        waitFor(match, timeoutMs = 10_000) {
          return new Promise((res, rej) => {
            const check = () => {
              const hit = received.find(match);
              if (hit === undefined) return;
              waiters.delete(check);
              clearTimeout(timer);
              res(hit);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              rej(new Error(`scripted peer: nothing matching within ${timeoutMs} ms; got:\n${received.join('\n---\n')}`));
            }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
        send: (text, port, to = host) =>
          new Promise<void>((res, rej) => sock.send(Buffer.from(text, 'utf8'), port, to, (err) => (err ? rej(err) : res()))),
        close: () => new Promise<void>((res) => sock.close(() => res())),
      });
    });
  });
}
