// The SIP adapter over IPv6 on real sockets (issue 10): bracketed Via sent-by, received/rport for IPv6
// sources, one dual-stack socket on :: answering IPv4 and IPv6 peers, IPv6 Record-Route entries kept
// (RFC 5118 §4), and a clear refusal of an address family the socket cannot reach.
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { createSipStack, type SipStack } from '../../src-main/sip/sip-stack.node';
import { createResponse, routeUri } from '../../src-main/sip/sip-headers';
import type { SipRequest, SipResponse } from '../../src-main/sip/sip-message';
import type { Destination } from '../../src-main/sip/sip-transport';
import type { SipTraceEntry } from '../../src-main/sip/user-agent-api';
import { createLogger } from '../../src-main/util/logger';
import { ipv6LoopbackMissing, skipWithoutRealPeer } from '../support/real-peer-gate';

const noIpv6 = skipWithoutRealPeer('IPv6 SIP stack tests', ipv6LoopbackMissing());

const stacks: SipStack[] = [];
const raws: Socket[] = [];

interface Harness {
  stack: SipStack;
  bound: Destination;
  requests: SipRequest[];
  sources: Destination[];
  traces: SipTraceEntry[];
  warnings: string[];
}

async function harness(bindAddress: string): Promise<Harness> {
  const stack = createSipStack({ bindAddress, port: 0, logger: createLogger('test') });
  stacks.push(stack);
  const h: Harness = { stack, bound: { address: '', port: 0 }, requests: [], sources: [], traces: [], warnings: [] };
  stack.setHandlers({
    request: (req, remote) => {
      h.requests.push(req);
      h.sources.push(remote);
      if (req.method !== 'ACK') stack.sendResponse(createResponse(req, 200, { toTag: 'x' }));
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

function hostPort(d: Destination): string {
  return d.address.includes(':') ? `[${d.address}]:${d.port}` : `${d.address}:${d.port}`;
}

function options(to: Destination, extra: Partial<SipRequest['headers']> = {}): SipRequest {
  return {
    method: 'OPTIONS',
    uri: `sip:peer@${hostPort(to)}`,
    headers: {
      via: [],
      to: { uri: `sip:peer@${hostPort(to)}`, params: {} },
      from: { uri: 'sip:me@example.com', params: { tag: 'f1' } },
      'call-id': `v6-${Math.random()}`,
      cseq: { seq: 1, method: 'OPTIONS' },
      'max-forwards': 70,
      ...extra,
    },
  };
}

async function send(h: Harness, req: SipRequest, to: Destination): Promise<{ res: SipResponse; synthetic: boolean }> {
  await h.stack.resolve({ host: to.address, port: to.port });
  return new Promise((resolve) => {
    h.stack.sendRequest(req, to, (res, info) => {
      if (res.status >= 200) resolve({ res, synthetic: info.synthetic });
    });
  });
}

/** A raw UDP client: sends `text` to `to` and resolves with the first datagram back. */
async function rawExchange(type: 'udp4' | 'udp6', host: string, to: Destination, text: (port: number) => string): Promise<string> {
  const s = createSocket(type);
  raws.push(s);
  await new Promise<void>((r) => s.bind(0, host, () => r()));
  const port = s.address().port;
  return new Promise((resolve) => {
    s.once('message', (m) => resolve(m.toString('latin1')));
    s.send(Buffer.from(text(port), 'latin1'), to.port, to.address);
  });
}

function rawOptions(host: string, port: number, target: Destination, extra = ''): string {
  return [
    `OPTIONS sip:peer@${hostPort(target)} SIP/2.0`,
    `Via: SIP/2.0/UDP ${host}:${port};rport;branch=z9hG4bKraw${port}`,
    'Max-Forwards: 70',
    `To: <sip:peer@${hostPort(target)}>`,
    'From: <sip:raw@example.com>;tag=r1',
    `Call-ID: raw-${port}`,
    'CSeq: 1 OPTIONS',
    ...(extra ? [extra] : []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

describe.skipIf(noIpv6)('SIP over IPv6 (patched sip 0.0.6)', () => {
  it('two stacks on ::1: Via sent-by in brackets, received/rport filled for the IPv6 source, the answer matches', async () => {
    const a = await harness('::1');
    const b = await harness('::1');
    expect(a.bound.address).toBe('::1');
    const { res, synthetic } = await send(a, options(b.bound), b.bound);
    expect(res.status).toBe(200);
    expect(synthetic).toBe(false);
    const via = b.requests[0]?.headers.via[0];
    expect(via).toMatchObject({ host: '[::1]', port: a.bound.port, params: { received: '::1', rport: a.bound.port } });
    expect(String(via?.params.branch)).toMatch(/^z9hG4bK[0-9a-f]{24}$/);
    expect(b.sources[0]).toEqual({ address: '::1', port: a.bound.port });
    // Traces show IPv6 endpoints as [v6]:port, and the wire text carries the bracketed Via.
    const out = a.traces.find((t) => t.direction === 'out');
    expect(out?.remote).toBe(`[::1]:${b.bound.port}`);
    expect(out?.raw).toMatch(new RegExp(`^Via: SIP/2\\.0/UDP \\[::1\\]:${a.bound.port};branch=z9hG4bK[0-9a-f]+;rport\\r?$`, 'm'));
    expect(a.warnings.concat(b.warnings)).toEqual([]);
  });

  it('one socket on :: (dual stack) answers an IPv4 and an IPv6 client, with plain received addresses', async () => {
    const s = await harness('::');
    const v4 = await rawExchange('udp4', '127.0.0.1', { address: '127.0.0.1', port: s.bound.port }, (p) => rawOptions('127.0.0.1', p, s.bound));
    expect(v4).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    // RFC 3581 §4: received is the packet's source as the client knows it, not the ::ffff: mapped form.
    expect(v4).toMatch(/\r\nVia: SIP\/2\.0\/UDP 127\.0\.0\.1:\d+;rport=\d+;branch=z9hG4bKraw\d+;received=127\.0\.0\.1\r\n/);
    const v6 = await rawExchange('udp6', '::1', { address: '::1', port: s.bound.port }, (p) => rawOptions('[::1]', p, s.bound));
    expect(v6).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    expect(v6).toMatch(/\r\nVia: SIP\/2\.0\/UDP \[::1\]:\d+;rport=\d+;branch=z9hG4bKraw\d+;received=::1\r\n/);
    expect(s.sources.map((x) => x.address)).toEqual(['127.0.0.1', '::1']);
    expect(s.warnings).toEqual([]);
  });

  it('a stack on :: reaches an IPv4 and an IPv6 peer, each with the Via of its own family', async () => {
    const dual = await harness('::');
    const v4 = await harness('127.0.0.1');
    const v6 = await harness('::1');
    expect((await send(dual, options(v4.bound), v4.bound)).res.status).toBe(200);
    expect((await send(dual, options(v6.bound), v6.bound)).res.status).toBe(200);
    expect(v4.requests[0]?.headers.via[0]).toMatchObject({ host: '127.0.0.1', port: dual.bound.port });
    expect(v6.requests[0]?.headers.via[0]).toMatchObject({ host: '[::1]', port: dual.bound.port });
    expect(await dual.stack.localFor('::1')).toEqual({ address: '::1', port: dual.bound.port });
    expect(await dual.stack.localFor('127.0.0.1')).toEqual({ address: '127.0.0.1', port: dual.bound.port });
    expect(dual.warnings).toEqual([]);
  });

  it('IPv6 Record-Route and Route entries survive parsing (RFC 5118 §4.3), and an IPv6 received before the branch keeps the branch', async () => {
    const s = await harness('::1');
    const reply = await rawExchange('udp6', '::1', s.bound, (p) =>
      rawOptions('[::1]', p, s.bound, 'Record-Route: <sip:[2001:db8::1]:5070;lr>, <sip:[2001:db8::2];lr;transport=udp>\r\nRoute: <sip:[::1]:5999;lr>')
        // A proxy's Via with received= an IPv6 address before its branch (RFC 5118 §4.5).
        .replace(/^Via: /m, 'Via: SIP/2.0/UDP [2001:db8::9]:5060;received=2001:db8::9;branch=z9hG4bKproxy1\r\nVia: '),
    );
    expect(reply).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    const req = s.requests[0];
    expect((req?.headers['record-route'] ?? []).map(routeUri)).toEqual(['sip:[2001:db8::1]:5070;lr', 'sip:[2001:db8::2];lr;transport=udp']);
    expect((req?.headers.route ?? []).map(routeUri)).toEqual(['sip:[::1]:5999;lr']);
    expect(req?.headers.via[0]?.params).toMatchObject({ branch: 'z9hG4bKproxy1' });
  });

  it('an IPv4-only stack refuses an IPv6 next hop by name of the problem instead of EINVAL', async () => {
    const v4 = await harness('0.0.0.0');
    await expect(v4.stack.resolve({ host: '::1', port: 5060 })).rejects.toThrow(/::1 is an IPv6 address and SIP is bound to IPv4 only/);
    const v6 = await harness('::1');
    await expect(v6.stack.resolve({ host: '127.0.0.1', port: 5060 })).rejects.toThrow(/127\.0\.0\.1 is an IPv4 address and SIP is bound to IPv6 only/);
  });
});
