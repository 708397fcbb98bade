// SIP over TCP through the stack adapter, against a scripted TCP peer on loopback: Via and connection
// reuse (RFC 3261 §18.1.1, §18.2.2), requests from the server on our connection, the gate on streams
// (Content-Length mandatory, §18.3), RFC 5626 §4.4.1 CRLF ping/pong, and §18.1.1's switch to TCP for
// requests over 1300 bytes.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSipStack, type SipStack } from '../../src-main/sip/sip-stack.node';
import { createResponse } from '../../src-main/sip/sip-headers';
import { StreamFramer } from '../../src-main/sip/transport/stream-framer';
import { StreamTransport } from '../../src-main/sip/transport/stream-transport.node';
import type { SipRequest, SipResponse } from '../../src-main/sip/sip-message';
import type { Destination } from '../../src-main/sip/sip-transport';
import { createLogger } from '../../src-main/util/logger';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Resolves when `cond` holds, checked on every event the test records; rejects after `ms`. */
function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = (): void => {
      if (cond()) return resolve();
      if (Date.now() - started > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

interface Peer {
  port: number;
  server: Server;
  sockets: Socket[];
  /** Messages received (text) and keep-alives ("ping"/"pong"). */
  got: string[];
  /** Raw bytes received, per connection. */
  raw: string[];
  closed: number;
}

/** A TCP SIP peer: answers every request except ACK with 200 on the connection it came in on. */
async function tcpPeer(port = 0, answer = true): Promise<Peer> {
  const peer: Peer = { port: 0, server: createServer(), sockets: [], got: [], raw: [], closed: 0 };
  peer.server.on('connection', (s) => {
    const index = peer.sockets.push(s) - 1;
    peer.raw[index] = '';
    const framer = new StreamFramer({ maxMessageBytes: 65536 });
    s.on('data', (chunk: Buffer) => {
      peer.raw[index] += chunk.toString('latin1');
      for (const ev of framer.push(chunk)) {
        if (ev.kind !== 'message') {
          peer.got.push(ev.kind);
          continue;
        }
        const text = ev.data.toString('latin1');
        peer.got.push(text);
        if (!answer || !/^[A-Z]+ /.test(text) || text.startsWith('ACK ')) continue;
        const head = text.slice(0, text.indexOf('\r\n\r\n'));
        const keep = head.split('\r\n').filter((l) => /^(via|from|to|call-id|cseq):/i.test(l));
        s.write(`SIP/2.0 200 OK\r\n${keep.map((l) => (/^to:/i.test(l) ? `${l};tag=peer` : l)).join('\r\n')}\r\nContent-Length: 0\r\n\r\n`);
      }
    });
    s.on('close', () => peer.closed++);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => peer.server.listen(port, '127.0.0.1', r));
  peer.port = (peer.server.address() as { port: number }).port;
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of peer.sockets) s.destroy();
        peer.server.close(() => r());
      }),
  );
  return peer;
}

interface Harness {
  stack: SipStack;
  requests: { req: SipRequest; remote: Destination }[];
  warnings: string[];
}

async function harness(extra: Partial<Parameters<typeof createSipStack>[0]> = {}): Promise<Harness> {
  const stack = createSipStack({ bindAddress: '127.0.0.1', port: 0, logger: createLogger('test'), ...extra });
  const h: Harness = { stack, requests: [], warnings: [] };
  stack.setHandlers({
    request: (req, remote) => {
      h.requests.push({ req, remote });
      if (req.method !== 'ACK') stack.sendResponse(createResponse(req, 200, { toTag: 'us' }));
    },
    trace: () => {},
    warning: (w) => h.warnings.push(w),
  });
  await stack.start();
  cleanups.push(() => stack.stop());
  return h;
}

function request(method: string, to: Destination, callId: string, content = ''): SipRequest {
  return {
    method,
    uri: `sip:peer@${to.address}:${to.port}`,
    headers: {
      via: [],
      to: { uri: `sip:peer@${to.address}:${to.port}`, params: {} },
      from: { uri: 'sip:me@127.0.0.1', params: { tag: 'f1' } },
      'call-id': callId,
      cseq: { seq: 1, method },
      'max-forwards': 70,
      ...(content ? { 'content-type': 'text/plain' } : {}),
    },
    ...(content ? { content } : {}),
  };
}

function send(h: Harness, req: SipRequest, to: Destination): Promise<{ res: SipResponse; synthetic: boolean }> {
  return new Promise((resolve) => {
    h.stack.sendRequest(req, to, (res, info) => {
      if (res.status >= 200) resolve({ res, synthetic: info.synthetic });
    });
  });
}

describe('SIP over TCP (stack adapter)', () => {
  it('one connection carries our requests, their answers and the server requests; Via names our end of it', async () => {
    const peer = await tcpPeer();
    const h = await harness({ transport: 'tcp' });
    const [hop] = await h.stack.resolveAll({ host: '127.0.0.1', port: peer.port });
    expect(hop?.destination).toEqual({ address: '127.0.0.1', port: peer.port, transport: 'tcp' });
    expect(hop?.local.transport).toBe('tcp');
    const first = await send(h, request('OPTIONS', hop!.destination, 'tcp-1'), hop!.destination);
    expect(first).toMatchObject({ synthetic: false, res: { status: 200 } });
    // §18.1.1: the same connection for the next request.
    const [again] = await h.stack.resolveAll({ host: '127.0.0.1', port: peer.port });
    expect(again?.local).toEqual(hop?.local);
    await send(h, request('OPTIONS', hop!.destination, 'tcp-2'), hop!.destination);
    expect(peer.sockets).toHaveLength(1);
    const sent = peer.got.filter((m) => m.startsWith('OPTIONS '));
    expect(sent).toHaveLength(2);
    expect(sent[0]).toContain(`Via: SIP/2.0/TCP 127.0.0.1:${hop!.local.port};branch=z9hG4bK`);
    // The server's own request comes in on our connection and is answered there (§18.2.2).
    peer.sockets[0]?.write(
      'OPTIONS sip:me@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKsrv1\r\nFrom: <sip:srv@127.0.0.1>;tag=s\r\n' +
        'To: <sip:me@127.0.0.1>\r\nCall-ID: srv-1\r\nCSeq: 7 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n',
    );
    await until(() => peer.got.some((m) => m.startsWith('SIP/2.0 200') && m.includes('srv-1')), 'our 200 on the connection');
    expect(h.requests[0]?.remote).toMatchObject({ address: '127.0.0.1', port: peer.port, transport: 'tcp' });
    // The Contact of our answer would be our end of that connection.
    expect(await h.stack.localFor('127.0.0.1', h.requests[0]!.remote)).toEqual(hop!.local);
    expect(peer.sockets).toHaveLength(1);
  });

  it('a message without Content-Length closes the connection with a warning (RFC 3261 §18.3)', async () => {
    const peer = await tcpPeer();
    const h = await harness({ transport: 'tcp' });
    await h.stack.resolveAll({ host: '127.0.0.1', port: peer.port });
    peer.sockets[0]?.write('OPTIONS sip:me@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKx\r\nCall-ID: nolen\r\n\r\n');
    await until(() => peer.closed === 1, 'the connection closed');
    expect(h.warnings.join('\n')).toMatch(/without Content-Length on a stream \(RFC 3261 §18\.3\)/);
    expect(h.requests).toEqual([]);
  });

  it('a malformed but framed request is answered by the gate on the same connection', async () => {
    const peer = await tcpPeer();
    const h = await harness({ transport: 'tcp' });
    await h.stack.resolveAll({ host: '127.0.0.1', port: peer.port });
    peer.sockets[0]?.write(
      'OPTIONS sip:me@127.0.0.1 SIP/7.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKv7\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:me@127.0.0.1>\r\n' +
        'Call-ID: v7\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n',
    );
    await until(() => peer.got.some((m) => m.startsWith('SIP/2.0 505')), 'a 505 from the gate');
    expect(h.requests).toEqual([]);
  });

  it('answers a CRLF CRLF ping with one CRLF, and pings its own connections (RFC 5626 §4.4.1)', async () => {
    const peer = await tcpPeer();
    const h = await harness({ transport: 'tcp', streamKeepAliveMs: 100 });
    await h.stack.resolveAll({ host: '127.0.0.1', port: peer.port });
    await until(() => peer.got.includes('ping'), 'a ping from the stack');
    peer.sockets[0]?.write('\r\n\r\n');
    await until(() => peer.got.includes('pong'), 'the pong to our ping');
    expect(peer.raw[0]?.startsWith('\r\n\r\n')).toBe(true);
  });

  it('RFC 3261 §18.1.1: a request over 1300 bytes for a UDP target goes over TCP when the target takes TCP', async () => {
    // A UDP socket and a TCP listener on the same port, like a server that does both.
    const peer = await tcpPeer();
    const udpGot: string[] = [];
    const udp: UdpSocket = createSocket('udp4');
    udp.on('message', (m) => udpGot.push(m.toString('latin1')));
    await new Promise<void>((r) => udp.bind(peer.port, '127.0.0.1', () => r()));
    cleanups.push(() => udp.close());
    const h = await harness();
    const to = { address: '127.0.0.1', port: peer.port };
    const big = await send(h, request('MESSAGE', to, 'big-1', 'x'.repeat(1400)), to);
    expect(big).toMatchObject({ synthetic: false, res: { status: 200 } });
    const overTcp = peer.got.find((m) => m.startsWith('MESSAGE '));
    expect(overTcp).toContain('Via: SIP/2.0/TCP 127.0.0.1:');
    expect(udpGot).toEqual([]);
    // A small one stays on UDP.
    h.stack.sendRequest(request('MESSAGE', to, 'small-1', 'hello'), to);
    await until(() => udpGot.length > 0, 'the small MESSAGE over UDP');
    expect(udpGot[0]).toMatch(/^MESSAGE [^]*Via: SIP\/2\.0\/UDP /);
  });

  it('RFC 3261 §18.1.1: a large request to a UDP-only target still goes, over UDP', async () => {
    const udpGot: string[] = [];
    const udp: UdpSocket = createSocket('udp4');
    udp.on('message', (m) => udpGot.push(m.toString('latin1')));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
    cleanups.push(() => udp.close());
    const h = await harness();
    const to = { address: '127.0.0.1', port: udp.address().port };
    h.stack.sendRequest(request('MESSAGE', to, 'big-udp', 'y'.repeat(1400)), to);
    await until(() => udpGot.length > 0, 'the large MESSAGE over UDP');
    expect(udpGot[0]).toContain('Via: SIP/2.0/UDP ');
    expect(h.warnings).toEqual([]);
  });

  it('caps the connections it opens (targets come from hostile messages too)', async () => {
    const peers = [await tcpPeer(), await tcpPeer(), await tcpPeer()];
    const warnings: string[] = [];
    const t = new StreamTransport({
      protocol: 'TCP',
      maxMessageBytes: 16384,
      maxConnections: 2,
      keepAliveMs: 0,
      pongTimeoutMs: 10_000,
      connectTimeoutMs: 10_000,
      probeTimeoutMs: 1000,
      stringify: String,
      gate: () => true,
      warn: (m) => warnings.push(m),
      debug: () => {},
    });
    cleanups.push(() => t.close());
    await t.connect('127.0.0.1', peers[0]!.port);
    await t.connect('127.0.0.1', peers[1]!.port);
    // The same server again is the same connection, not a new one.
    await t.connect('127.0.0.1', peers[0]!.port);
    expect(t.size).toBe(2);
    await expect(t.connect('127.0.0.1', peers[2]!.port)).rejects.toThrow(/too many TCP connections \(2\)/);
    expect(peers[2]!.sockets).toHaveLength(0);
  });

  it('a server that answered pings and then goes silent has lost the flow: the connection is closed (RFC 5626 §4.4.1)', async () => {
    const peer = await tcpPeer();
    let pongs = 0;
    peer.server.on('connection', (sock) =>
      sock.on('data', (d: Buffer) => {
        // One pong for the first ping, then nothing: a dead flow behind a NAT looks like this.
        if (d.toString('latin1').startsWith('\r\n\r\n') && pongs++ === 0) sock.write('\r\n');
      }),
    );
    const warnings: string[] = [];
    const events: string[] = [];
    const t = new StreamTransport({
      protocol: 'TCP',
      maxMessageBytes: 16384,
      maxConnections: 2,
      keepAliveMs: 100,
      pongTimeoutMs: 300,
      connectTimeoutMs: 10_000,
      probeTimeoutMs: 1000,
      stringify: String,
      gate: () => true,
      warn: (m) => warnings.push(m),
      debug: () => {},
      onKeepAlive: (e) => events.push(e),
    });
    cleanups.push(() => t.close());
    await t.connect('127.0.0.1', peer.port);
    await until(() => peer.closed === 1, 'the connection closed after the missing pong');
    expect(events).toContain('pong');
    expect(warnings.join('\n')).toMatch(/no keep-alive answer from 127\.0\.0\.1:\d+ within 300 ms/);
    expect(t.size).toBe(0);
  });
});
