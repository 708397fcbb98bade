// The `sip` package adapter on real loopback sockets: port 0, the patched socket error handling,
// Via with the bound port and a crypto branch, UTF-8 text across the 'binary' boundary, traces,
// responses to the source of an rport request, CRLF keep-alives.
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { createSipStack, type SipStack } from '../../src-main/sip/sip-stack.node';
import { createResponse } from '../../src-main/sip/sip-headers';
import type { SipRequest, SipResponse } from '../../src-main/sip/sip-message';
import type { Destination } from '../../src-main/sip/sip-transport';
import type { SipTraceEntry } from '../../src-main/sip/user-agent-api';
import { createLogger } from '../../src-main/util/logger';

const stacks: SipStack[] = [];
const raws: Socket[] = [];

interface Harness {
  stack: SipStack;
  bound: Destination;
  requests: SipRequest[];
  traces: SipTraceEntry[];
  warnings: string[];
}

async function harness(bindAddress = '127.0.0.1', port = 0, answer = true): Promise<Harness> {
  const stack = createSipStack({ bindAddress, port, logger: createLogger('test') });
  stacks.push(stack);
  const h: Harness = { stack, bound: { address: '', port: 0 }, requests: [], traces: [], warnings: [] };
  stack.setHandlers({
    request: (req) => {
      h.requests.push(req);
      if (answer && req.method !== 'ACK') stack.sendResponse(createResponse(req, 200, { toTag: 'x', headers: { 'content-type': 'text/plain' }, content: `echo: ${req.content ?? ''}` }));
    },
    trace: (t) => h.traces.push(t),
    warning: (w) => h.warnings.push(w),
  });
  h.bound = await stack.start();
  return h;
}

afterEach(async () => {
  await Promise.all(stacks.splice(0).map((s) => s.stop()));
  for (const r of raws.splice(0)) r.close();
});

function options(to: Destination, content = ''): SipRequest {
  return {
    method: 'OPTIONS',
    uri: `sip:peer@${to.address}:${to.port}`,
    headers: {
      via: [],
      to: { uri: `sip:peer@${to.address}:${to.port}`, params: {} },
      from: { name: '"홍길동"', uri: 'sip:hong@127.0.0.1', params: { tag: 'f1' } },
      'call-id': 'stack-test-1',
      cseq: { seq: 1, method: 'OPTIONS' },
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

describe('sip-stack adapter (patched sip 0.0.6)', () => {
  it('port 0 binds a free port; Via carries it with a crypto-random branch and rport', async () => {
    const a = await harness();
    const b = await harness();
    expect(a.bound.port).toBeGreaterThan(0);
    expect(a.bound.port).not.toBe(5060);
    await a.stack.resolve({ host: '127.0.0.1', port: b.bound.port });
    const { res, synthetic } = await send(a, options(b.bound), b.bound);
    expect(res.status).toBe(200);
    expect(synthetic).toBe(false);
    const via = b.requests[0]?.headers.via[0];
    expect(via?.host).toBe('127.0.0.1');
    expect(via?.port).toBe(a.bound.port);
    expect(via?.params.branch).toMatch(/^z9hG4bK[0-9a-f]{24}$/);
    expect(via?.params.rport).toBe(a.bound.port);
    expect(via?.params.received).toBe('127.0.0.1');
  });

  it('UTF-8 display names and bodies survive both directions', async () => {
    const a = await harness();
    const b = await harness();
    const { res } = await send(a, options(b.bound, '안녕하세요 ☎'), b.bound);
    expect(b.requests[0]?.headers.from.name).toBe('"홍길동"');
    expect(b.requests[0]?.content).toBe('안녕하세요 ☎');
    expect(res.content).toBe('echo: 안녕하세요 ☎');
    // Content-Length counts bytes, not characters.
    const out = a.traces.find((t) => t.direction === 'out' && t.summary === 'OPTIONS');
    expect(out?.raw).toContain(`Content-Length: ${Buffer.byteLength('안녕하세요 ☎')}`);
    expect(out?.raw).toContain('From: "홍길동" <sip:hong@127.0.0.1>;tag=f1');
    expect(out?.callId).toBe('stack-test-1');
    expect(out?.remote).toBe(`127.0.0.1:${b.bound.port}`);
    expect(a.traces.find((t) => t.direction === 'in')?.summary).toBe('200 OK');
  });

  it('EADDRINUSE rejects start() instead of crashing, and the first stack keeps working', async () => {
    const a = await harness();
    const b = await harness();
    await expect(harness('127.0.0.1', a.bound.port)).rejects.toThrow(/cannot bind SIP to 127\.0\.0\.1:\d+: EADDRINUSE/);
    const { res } = await send(b, options(a.bound), a.bound);
    expect(res.status).toBe(200);
  });

  it('a send error (bad port) becomes a warning, not a crash', async () => {
    const a = await harness();
    a.stack.sendRequest(options({ address: '127.0.0.1', port: 0 }), { address: '127.0.0.1', port: 0 }, () => {});
    await expect.poll(() => a.warnings.join('\n'), { timeout: 2000 }).toMatch(/port/i);
  });

  it('resolves names through getaddrinfo (/etc/hosts) and finds the local address that reaches them', async () => {
    const a = await harness('0.0.0.0');
    const hop = await a.stack.resolve({ host: 'localhost', port: 5070 });
    expect(hop.destination).toEqual({ address: '127.0.0.1', port: 5070 });
    expect(hop.local).toEqual({ address: '127.0.0.1', port: a.bound.port });
    await expect(a.stack.resolve({ host: 'no-such-host.invalid' })).rejects.toThrow(/cannot resolve no-such-host\.invalid/);
  });

  it('rport: the answer goes to the source address and port, not the Via sent-by, with received/rport filled in (RFC 3581 §4)', async () => {
    const b = await harness();
    const raw = await rawSocket();
    // As from behind a NAT: the sent-by names a private address and a port nobody listens on.
    const request = [
      `OPTIONS sip:peer@127.0.0.1:${b.bound.port} SIP/2.0`,
      'Via: SIP/2.0/UDP 10.88.1.2:5999;branch=z9hG4bKnattest1;rport',
      'Max-Forwards: 70',
      'From: <sip:alice@10.88.1.2:5999>;tag=n1',
      `To: <sip:peer@127.0.0.1:${b.bound.port}>`,
      'Call-ID: rport-test-1',
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    const reply = waitDatagram(raw.socket, (text) => text.startsWith('SIP/2.0 '));
    raw.socket.send(request, b.bound.port, '127.0.0.1');
    const text = await reply;
    expect(text).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    const via = /^Via: (.*)$/im.exec(text)?.[1] ?? '';
    expect(via).toContain('10.88.1.2:5999');
    expect(via).toContain(`rport=${raw.port}`);
    expect(via).toContain('received=127.0.0.1');
    expect(b.requests[0]?.headers.via[0]?.params).toMatchObject({ received: '127.0.0.1', rport: raw.port });
  });

  it('CRLF keep-alive: sent from the SIP port; a received one is dropped quietly and the stack keeps answering', async () => {
    const a = await harness();
    const raw = await rawSocket();
    const got = new Promise<{ data: Buffer; port: number }>((resolve) => raw.socket.once('message', (data, rinfo) => resolve({ data, port: rinfo.port })));
    a.stack.sendKeepAlive({ address: '127.0.0.1', port: raw.port });
    const ka = await got;
    expect(ka.data.toString('latin1')).toBe('\r\n\r\n');
    expect(ka.port).toBe(a.bound.port);
    // A peer's keep-alive is neither a warning nor a request; a real request right after still works.
    raw.socket.send('\r\n\r\n', a.bound.port, '127.0.0.1');
    raw.socket.send(Buffer.from([13, 10, 0, 0]), a.bound.port, '127.0.0.1');
    const b = await harness();
    const { res } = await send(b, options(a.bound), a.bound);
    expect(res.status).toBe(200);
    expect(a.requests).toHaveLength(1);
    expect(a.warnings).toEqual([]);
  });
});

async function rawSocket(): Promise<{ socket: Socket; port: number }> {
  const socket = createSocket('udp4');
  raws.push(socket);
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return { socket, port: socket.address().port };
}

function waitDatagram(socket: Socket, match: (text: string) => boolean, ms = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no datagram')), ms);
    const on = (m: Buffer): void => {
      const text = m.toString('utf8');
      if (!match(text)) return;
      clearTimeout(t);
      socket.off('message', on);
      resolve(text);
    };
    socket.on('message', on);
  });
}
