// Two real UserAgents in one process on 127.0.0.1 (real UDP sockets, the patched `sip` package):
// calls, BYE both ways, reject, CANCEL, OPTIONS, and garbage on the SIP port.
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { createUserAgent } from '../../src-main/sip/user-agent.node';
import type { Call, CallEndInfo, CallState, UserAgent, UserAgentConfig } from '../../src-main/sip/user-agent-api';
import type { MediaEndpoint, MediaSession, MediaSessionEvents, MediaStartParams, RtpStats } from '../../src-main/rtp/media-session';
import { Emitter } from '../../src-main/util/emitter';
import { createMediaSession } from '../../src-main/rtp/media-session.node';
import { createSipStack } from '../../src-main/sip/sip-stack.node';
import { DEFAULT_RATE_LIMITS } from '../../src-main/sip/rate-limit';
import { UserAgentCore } from '../../src-main/sip/user-agent-core';
import { systemClock } from '../../src-main/sip/sip-clock';
import { createLogger } from '../../src-main/util/logger';

/** Test double (not the product's media engine): records the parameters SIP negotiated for it. */
class RecordingMediaDouble implements MediaSession {
  static nextPort = 40000;
  readonly port = RecordingMediaDouble.nextPort += 2;
  started: MediaStartParams | undefined;
  updates: MediaStartParams[] = [];
  closed = false;
  private readonly events = new Emitter<MediaSessionEvents>();
  async open(): Promise<MediaEndpoint> {
    return { address: '0.0.0.0', rtpPort: this.port, rtcpPort: this.port + 1 };
  }
  async start(p: MediaStartParams): Promise<void> {
    this.started = p;
  }
  async update(p: MediaStartParams): Promise<void> {
    this.updates.push(p);
  }
  sendDtmf(): void {}
  setMuted(): void {}
  async stats(): Promise<RtpStats> {
    return { codec: this.started?.codec ?? null, packetsSent: 0, octetsSent: 0, packetsReceived: 0, octetsReceived: 0, packetsLost: 0, duplicates: 0, late: 0, jitterMs: 0, remote: null, maxSendGapMs: 0 };
  }
  async close(): Promise<RtpStats> {
    this.closed = true;
    return this.stats();
  }
  on<K extends keyof MediaSessionEvents>(event: K, listener: (p: MediaSessionEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }
}

interface Peer {
  ua: UserAgent;
  port: number;
  media: RecordingMediaDouble[];
}

const peers: Peer[] = [];

async function startPeer(extra: Partial<UserAgentConfig> = {}): Promise<Peer> {
  const media: RecordingMediaDouble[] = [];
  const ua = createUserAgent({
    bindAddress: '127.0.0.1',
    ...extra,
    port: 0,
    userAgentName: 'it-test',
    createMedia: () => {
      const m = new RecordingMediaDouble();
      media.push(m);
      return m;
    },
  });
  const { port } = await ua.start();
  const peer = { ua, port, media };
  peers.push(peer);
  return peer;
}

afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.ua.shutdown()));
});

function nextIncoming(ua: UserAgent, ms = 5000): Promise<Call> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no incoming call')), ms);
    const off = ua.on('incoming', (c) => {
      clearTimeout(t);
      off();
      resolve(c);
    });
  });
}

function waitState(call: Call, state: CallState, ms = 5000): Promise<void> {
  if (call.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`call never reached ${state} (is ${call.state})`)), ms);
    const off = call.on('state', (s) => {
      if (s === state) {
        clearTimeout(t);
        off();
        resolve();
      }
    });
  });
}

function waitEnded(call: Call, ms = 5000): Promise<CallEndInfo> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`call did not end (is ${call.state})`)), ms);
    call.on('ended', (info) => {
      clearTimeout(t);
      resolve(info);
    });
  });
}

/** Sends one datagram to 127.0.0.1:port and resolves with the first datagram that comes back (or null). */
async function probe(port: number, payload: string | Buffer, waitMs = 1500): Promise<string | null> {
  const s: Socket = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  try {
    return await new Promise<string | null>((resolve) => {
      const t = setTimeout(() => resolve(null), waitMs);
      s.on('message', (m) => {
        clearTimeout(t);
        resolve(m.toString('utf8'));
      });
      s.send(payload, port, '127.0.0.1');
    });
  } finally {
    s.close();
  }
}

function optionsRequest(toPort: number, fromPort: number, callId: string): string {
  return [
    `OPTIONS sip:b@127.0.0.1:${toPort} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${fromPort};branch=z9hG4bK${callId};rport`,
    'Max-Forwards: 70',
    `From: <sip:probe@127.0.0.1:${fromPort}>;tag=p1`,
    `To: <sip:b@127.0.0.1:${toPort}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

describe('two user agents over loopback UDP', () => {
  it('direct-IP call A->B, answer, BYE from A; SDP reaches both media sessions', async () => {
    const a = await startPeer();
    const b = await startPeer();
    const traces: string[] = [];
    a.ua.on('trace', (t) => traces.push(`${t.direction} ${t.summary}`));
    const incoming = nextIncoming(b.ua);
    const call = a.ua.call(`sip:bob@127.0.0.1:${b.port}`);
    const inc = await incoming;
    expect(inc.direction).toBe('incoming');
    expect(inc.state).toBe('ringing');
    expect(inc.remoteUri).toContain('127.0.0.1');
    await waitState(call, 'ringing');
    await inc.answer();
    await waitState(call, 'connected');
    // Each side's media was started with the other side's RTP port from the SDP.
    const ma = a.media[0];
    const mb = b.media[0];
    await expect.poll(() => ma?.started?.remotePort).toBe(mb?.port);
    expect(mb?.started?.remotePort).toBe(ma?.port);
    expect(ma?.started?.codec).toBe('PCMU');
    expect(ma?.started?.remoteAddress).toBe('127.0.0.1');
    const endedB = waitEnded(inc);
    const infoA = await call.hangup();
    expect(infoA.by).toBe('local');
    const infoB = await endedB;
    expect(infoB.reason).toBe('hung up by remote');
    expect(infoB.by).toBe('remote');
    expect(ma?.closed && mb?.closed).toBe(true);
    // The trace saw the whole ladder, including our ACK for the 2xx.
    expect(traces).toEqual(expect.arrayContaining(['out INVITE', 'in 180 Ringing', 'in 200 OK', 'out ACK', 'out BYE']));
    await expect.poll(() => traces.includes('in 200 OK') && traces.filter((t) => t === 'in 200 OK').length >= 2).toBe(true);
  });

  it('BYE from B ends the call on A', async () => {
    const a = await startPeer();
    const b = await startPeer();
    const incoming = nextIncoming(b.ua);
    const call = a.ua.call(`sip:bob@127.0.0.1:${b.port}`);
    const inc = await incoming;
    await inc.answer();
    await waitState(call, 'connected');
    const endedA = waitEnded(call);
    await inc.hangup();
    const info = await endedA;
    expect(info.reason).toBe('hung up by remote');
    expect(info.by).toBe('remote');
  });

  it('reject: A sees 486 Busy Here', async () => {
    const a = await startPeer();
    const b = await startPeer();
    const incoming = nextIncoming(b.ua);
    const call = a.ua.call(`sip:bob@127.0.0.1:${b.port}`);
    const ended = waitEnded(call);
    (await incoming).reject(486);
    const info = await ended;
    expect(info.status).toBe(486);
    expect(info.reason).toBe('486 Busy Here');
    expect(info.by).toBe('remote');
  });

  it('CANCEL while ringing: B sees the cancel, A ends with 487', async () => {
    const a = await startPeer();
    const b = await startPeer();
    const incoming = nextIncoming(b.ua);
    const call = a.ua.call(`sip:bob@127.0.0.1:${b.port}`);
    const inc = await incoming;
    await waitState(call, 'ringing');
    const endedB = waitEnded(inc);
    const infoA = await call.hangup();
    expect(infoA.reason).toBe('cancelled');
    expect(infoA.status).toBe(487);
    const infoB = await endedB;
    expect(infoB.reason).toBe('cancelled by caller');
    expect(infoB.status).toBe(487);
  });

  it('OPTIONS to B returns 200 with Allow', async () => {
    const b = await startPeer();
    const res = await probe(b.port, optionsRequest(b.port, 5999, 'opt1'));
    expect(res).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    expect(res).toMatch(/\r\nAllow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK, MESSAGE, INFO, REFER, NOTIFY\r\n/);
    expect(res).toMatch(/\r\nAccept: application\/sdp\r\n/);
  });

  it('a request missing headers gets 400, random bytes are dropped, and B still takes the next call', async () => {
    const a = await startPeer();
    const b = await startPeer();
    const warnings: string[] = [];
    const traces: string[] = [];
    b.ua.on('warning', (w) => warnings.push(w.message));
    b.ua.on('trace', (t) => traces.push(`${t.direction} ${t.summary}`));
    // No Call-ID / CSeq: parseable, but not a valid request (RFC 3261 §8.2.2) -> 400.
    const missing = optionsRequest(b.port, 5999, 'bad1').replace(/Call-ID: .*\r\n/, '').replace(/CSeq: .*\r\n/, '');
    expect(await probe(b.port, missing)).toMatch(/^SIP\/2\.0 400 Bad Request/);
    expect(await probe(b.port, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff, 0x13, 0x37]), 300)).toBeNull();
    expect(warnings.filter((w) => w.includes('malformed SIP datagram (')).length).toBe(2);
    expect(traces).toContain('out 400 Bad Request');
    const incoming = nextIncoming(b.ua);
    const call = a.ua.call(`sip:bob@127.0.0.1:${b.port}`);
    const inc = await incoming;
    await inc.answer();
    await waitState(call, 'connected');
    expect(call.state).toBe('connected');
  });

  it('a request whose Call-ID or CSeq method is not printable ASCII gets 400 (it used to get no answer at all)', async () => {
    const b = await startPeer();
    const warnings: string[] = [];
    b.ua.on('warning', (w) => warnings.push(w.message));
    // Bytes that are not UTF-8 do not survive the stack's text translation, so the answer found no transaction.
    const latin1 = (s: string) => Buffer.from(s, 'latin1');
    const badCallId = optionsRequest(b.port, 5999, 'bad-id').replace('Call-ID: bad-id', 'Call-ID: bad-\x80\x80-id');
    expect(await probe(b.port, latin1(badCallId))).toMatch(/^SIP\/2\.0 400 Bad Request/);
    const badMethod = optionsRequest(b.port, 5999, 'bad-m').replace('CSeq: 1 OPTIONS', 'CSeq: 1 OPTIONS\xc0\x00');
    expect(await probe(b.port, latin1(badMethod))).toMatch(/^SIP\/2\.0 400 Bad Request/);
    // The first is answered by the package's transaction layer, the second already by the message gate.
    expect(warnings).toEqual([expect.stringContaining('Call-ID is not printable ASCII'), expect.stringContaining('400 CSeq method does not match the request')]);
  });

  it('a Korean display name survives the UTF-8 <-> binary boundary both ways, and traces carry it', async () => {
    // A binds to all addresses: Via/Contact must still carry a concrete address that reaches B.
    const a = await startPeer({
      bindAddress: '0.0.0.0',
      account: {
        accountName: 'x', userId: 'alice', domain: '127.0.0.1:9', password: '', displayName: '홍길동', authorizationName: '',
        registerWithDomain: false, sendOutboundVia: 'domain', proxyAddress: '', dialPlan: '', registerExpires: 300,
      },
    });
    const b = await startPeer();
    const bTraces: { raw: string; callId: string; direction: string }[] = [];
    b.ua.on('trace', (t) => bTraces.push(t));
    const incoming = nextIncoming(b.ua);
    const call = a.ua.call(`sip:bob@127.0.0.1:${b.port}`);
    const inc = await incoming;
    expect(inc.remoteDisplayName).toBe('홍길동');
    expect(inc.remoteUri).toBe('sip:alice@127.0.0.1:9');
    const invite = bTraces.find((t) => t.direction === 'in' && t.raw.startsWith('INVITE '));
    expect(invite?.raw).toContain('From: "홍길동" <sip:alice@127.0.0.1:9>');
    expect(invite?.callId).toBe(call.id);
    expect(invite?.raw).toMatch(/\r\nVia: SIP\/2\.0\/UDP 127\.0\.0\.1:\d+;/);
    expect(invite?.raw).toMatch(/\r\nContact: +<sip:alice@127\.0\.0\.1:\d+>\r\n/);
    inc.reject(603);
    const info = await waitEnded(call);
    expect(info.reason).toBe('603 Decline');
  });

  it('with the real media engine (null audio): RTP flows both ways and the end info carries the stats', async () => {
    const sessions: MediaSession[] = [];
    const realMedia = (): MediaSession => {
      const m = createMediaSession({ audio: { kind: 'null' }, bindAddress: '127.0.0.1' });
      sessions.push(m);
      return m;
    };
    const a = createUserAgent({ bindAddress: '127.0.0.1', port: 0, createMedia: realMedia });
    const b = createUserAgent({ bindAddress: '127.0.0.1', port: 0, createMedia: realMedia });
    peers.push({ ua: a, port: 0, media: [] }, { ua: b, port: 0, media: [] });
    await a.start();
    const { port } = await b.start();
    const incoming = nextIncoming(b);
    const call = a.call(`sip:bob@127.0.0.1:${port}`);
    const inc = await incoming;
    await inc.answer();
    await waitState(call, 'connected');
    // 20 ms packets: within a few seconds both sides have received a good number from the other.
    await expect
      .poll(async () => Math.min(...(await Promise.all(sessions.map(async (s) => (await s.stats()).packetsReceived)))), { timeout: 8000, interval: 200 })
      .toBeGreaterThanOrEqual(10);
    const endedB = waitEnded(inc);
    const infoA = await call.hangup();
    expect(infoA.stats?.codec).toBe('PCMU');
    expect(infoA.stats?.packetsReceived).toBeGreaterThanOrEqual(10);
    expect(infoA.stats?.packetsSent).toBeGreaterThanOrEqual(10);
    expect((await endedB).stats?.packetsReceived).toBeGreaterThanOrEqual(10);
  });

  it('survives 400 mangled SIP datagrams (seeded fuzz): each one parsed, answered with an error or dropped by the gate, requests answered; still answers OPTIONS and calls', async () => {
    const a = await startPeer();
    // B is the product's user agent on its real UDP stack, built as createUserAgent builds it, but with
    // rate limits out of the way (this test is about the parser; flood-smoke tests the limits) and a
    // handle on the stack's counters: dropped datagrams are only counted there (warnings are capped).
    const many = { burst: 10_000, perSecond: 10_000 };
    const stack = createSipStack({
      bindAddress: '127.0.0.1', port: 0, logger: createLogger('fuzz-b'),
      rateLimits: { ...DEFAULT_RATE_LIMITS, perMethod: { INVITE: many, REGISTER: many, OPTIONS: many, MESSAGE: many }, otherRequests: many },
    });
    const bUa = new UserAgentCore({
      transport: stack, clock: systemClock, log: createLogger('fuzz-b'),
      config: { bindAddress: '127.0.0.1', port: 0, userAgentName: 'it-test', createMedia: () => new RecordingMediaDouble() },
    });
    const b: Peer = { ua: bUa, port: (await bUa.start()).port, media: [] };
    peers.push(b);
    // Per datagram from the fuzzer, B's stack does one of three things: the package parses it (traced
    // 'in' by the package), the gate answers it with an error (traced 'in', then 'out'), or the gate
    // drops it (counted). The counters say how many went each way; the traces must agree with them.
    const inFromFuzz: Array<{ summary: string; callId: string }> = [];
    const answersToFuzz: Array<{ summary: string; callId: string }> = [];
    let fuzzFrom = '';
    b.ua.on('trace', (t) => {
      if (t.remote !== fuzzFrom) return;
      (t.direction === 'in' ? inFromFuzz : answersToFuzz).push({ summary: t.summary, callId: t.callId });
    });
    // The package's own check after the gate (mandatory headers, its parser): a warning each, not capped.
    const packageMalformed: string[] = [];
    b.ua.on('warning', (w) => {
      if (w.message.includes('malformed SIP datagram (') && w.message.endsWith(` from ${fuzzFrom}`)) packageMalformed.push(w.message);
    });
    const before = stack.stats();
    const handled = () => {
      const s = stack.stats();
      const rejected = Object.values(s.rejected).reduce((x, y) => x + y, 0) - Object.values(before.rejected).reduce((x, y) => x + y, 0);
      return { datagrams: s.datagrams - before.datagrams, passed: s.passed - before.passed, rejected, dropped: s.dropped - before.dropped, limited: s.rateLimited + s.overloaded + s.keepAlives };
    };
    const accounted = () => {
      const h = handled();
      return h.passed + h.rejected + h.dropped + h.limited;
    };
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return Math.floor((seed / 0x80000000) * n); // the high bits: an LCG's low bits repeat with a short period
    };
    // A valid message (but every fifth Record-Route, an unbalanced IPv6 bracket), then mangled below.
    const method = (i: number): string => ['INVITE', 'BYE', 'ACK', 'CANCEL', 'INVITE', 'INVITE'][i % 6] ?? 'INVITE';
    const base = (i: number): string[] => [
      [`INVITE sip:b@127.0.0.1:${b.port} SIP/2.0`, `BYE sip:b@127.0.0.1:${b.port} SIP/2.0`, `ACK sip:b@127.0.0.1:${b.port} SIP/2.0`, `CANCEL sip:b@127.0.0.1:${b.port} SIP/2.0`, 'SIP/2.0 200 OK', 'SIP/2.0 180 Ringing'][i % 6] ?? '',
      `Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKfz${i};rport`,
      'Max-Forwards: 70',
      `From: "퍼저" <sip:fuzz@127.0.0.1:5999>;tag=f${i}`,
      `To: <sip:b@127.0.0.1:${b.port}>${i % 3 === 0 ? ';tag=zz' : ''}`,
      `Call-ID: fuzz-${i}`,
      `CSeq: ${i} ${method(i)}`,
      'Contact: <sip:fuzz@127.0.0.1:5999>',
      i % 5 === 0 ? 'Record-Route: <sip:[::1;lr>, <sip:127.0.0.1:1;lr>' : 'Record-Route: <sip:127.0.0.1:1;lr>',
      'Content-Type: application/sdp',
    ];
    const body = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 7000 RTP/AVP 0\r\n';
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    fuzzFrom = `127.0.0.1:${sock.address().port}`;
    const sent: string[] = [];
    for (let i = 0; i < 400; i++) {
      const lines = base(i);
      const ops = 1 + rnd(3);
      for (let k = 0; k < ops; k++) {
        const at = 1 + rnd(lines.length - 1);
        const op = rnd(5);
        if (op === 0) lines.splice(at, 1);
        else if (op === 1) lines[at] = (lines[at] ?? '').slice(0, rnd(20));
        else if (op === 2) lines[at] = `${lines[at] ?? ''}${String.fromCharCode(...Array.from({ length: 8 }, () => rnd(256)))}`;
        else if (op === 3) lines[at] = (lines[at] ?? '').replace(/\d+/, String(rnd(2) ? -1 : 99999999999));
        else lines.splice(at, 0, `${['CSeq', 'Via', 'Content-Length', 'To', 'Contact'][rnd(5)]}: ${['', ';;;', '<>', 'x y z', '-5'][rnd(5)]}`);
      }
      const text = `${lines.join('\r\n')}\r\nContent-Length: ${rnd(4) === 0 ? 9999 : body.length}\r\n\r\n${body}`;
      sock.send(Buffer.from(text, 'utf8'), b.port, '127.0.0.1');
      sent.push(text);
      // B (same process) must read a batch before the next one: more than a socket buffer's worth of
      // datagrams queued at once would be dropped by the kernel, not by the code under test.
      if (i % 50 === 49) await expect.poll(accounted, { timeout: 10_000, interval: 5 }).toBe(i + 1);
    }
    await expect.poll(accounted, { timeout: 10_000, interval: 20 }).toBe(400);
    sock.close();
    const h = handled();
    expect(h.datagrams, 'datagrams B read').toBe(sent.length);
    expect(h.limited, 'nothing rate limited, overloaded or taken for a keep-alive').toBe(0);
    // What the gate let through, the package parsed or reported; what the gate answered was traced too.
    await expect.poll(() => inFromFuzz.length + packageMalformed.length, { timeout: 5000, interval: 20 }).toBe(h.passed + h.rejected);
    // All three outcomes occur: the fuzz is neither all valid nor all garbage.
    expect(h.passed).toBeGreaterThan(20);
    expect(h.rejected).toBeGreaterThan(20);
    expect(h.dropped).toBeGreaterThan(0);
    // Every parsed request (but ACK, RFC 3261 §17.2.3) got an answer back to the fuzzer.
    const answered = new Set(answersToFuzz.filter((t) => /^\d{3} /.test(t.summary)).map((t) => t.callId));
    const unanswered = inFromFuzz.filter((t) => /^[A-Z]+$/.test(t.summary.split(' ')[0] ?? '') && !t.summary.startsWith('ACK') && !answered.has(t.callId));
    // (With the datagram's text, to reproduce a failure.)
    expect(unanswered.map((u) => [u.summary, sent.find((t) => t.includes(`Call-ID: ${u.callId}\r`)) ?? u.callId]), 'parsed requests B never answered').toEqual([]);
    console.log(`fuzz: ${h.passed} passed the gate (${inFromFuzz.filter((t) => /^\d{3} /.test(t.summary)).length} responses), ${h.rejected} answered by the gate, ${h.dropped} dropped, ${answered.size} requests answered`);
    expect(await probe(b.port, optionsRequest(b.port, 5999, 'after-fuzz'))).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    const incoming = nextIncoming(b.ua);
    const call = a.ua.call(`sip:bob@127.0.0.1:${b.port}`);
    await (await incoming).answer();
    await waitState(call, 'connected');
  });
});
