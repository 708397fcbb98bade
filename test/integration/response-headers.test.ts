// Our answers and requests as they look on the wire (real UDP, the real stack): every out-of-dialog
// answer carries a To tag (RFC 3261 §8.2.6.2), no header is empty, and Supported appears only with an
// option tag we implement (none today: no Supported at all on 200s, INVITEs and REGISTERs).
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createUserAgent } from '../../src-main/sip/user-agent.node';
import type { CallEndInfo, UserAgent, UserAgentConfig } from '../../src-main/sip/user-agent-api';
import type { MediaEndpoint, MediaSession, MediaSessionEvents, RtpStats } from '../../src-main/rtp/media-session';
import { Emitter } from '../../src-main/util/emitter';

/** Test double for media: SIP only needs a port to put in the SDP. */
class PortOnlyMedia implements MediaSession {
  static next = 47000;
  private readonly port = (PortOnlyMedia.next += 2);
  private readonly events = new Emitter<MediaSessionEvents>();
  async open(): Promise<MediaEndpoint> {
    return { address: '127.0.0.1', rtpPort: this.port, rtcpPort: this.port + 1 };
  }
  async start(): Promise<void> {}
  async update(): Promise<void> {}
  sendDtmf(): void {}
  setMuted(): void {}
  async stats(): Promise<RtpStats> {
    return { codec: null, packetsSent: 0, octetsSent: 0, packetsReceived: 0, octetsReceived: 0, packetsLost: 0, duplicates: 0, late: 0, jitterMs: 0, remote: null, maxSendGapMs: 0 };
  }
  async close(): Promise<RtpStats> {
    return this.stats();
  }
  on<K extends keyof MediaSessionEvents>(event: K, listener: (p: MediaSessionEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }
}

interface Wire {
  text: string;
  startLine: string;
  headers: Array<{ name: string; value: string }>;
  from: RemoteInfo;
}

function parseWire(text: string, from: RemoteInfo): Wire {
  const head = text.split('\r\n\r\n')[0] ?? '';
  const [startLine = '', ...lines] = head.split('\r\n');
  const headers = lines.map((l) => {
    const colon = l.indexOf(':');
    return { name: l.slice(0, colon).trim().toLowerCase(), value: l.slice(colon + 1).trim() };
  });
  return { text, startLine, headers, from };
}

const header = (w: Wire, name: string): string | undefined => w.headers.find((h) => h.name === name)?.value;
const statusOf = (w: Wire): number => Number(/^SIP\/2\.0 (\d{3})/.exec(w.startLine)?.[1] ?? 0);
/** The tag header parameter of a To/From value (after the name-addr's ">", if any). */
function tagOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const close = value.lastIndexOf('>');
  return /;\s*tag\s*=\s*([^;\s]+)/i.exec(close >= 0 ? value.slice(close + 1) : value)?.[1];
}

/** A raw SIP peer on a UDP socket: sends hand-written requests, collects whatever arrives. */
class RawPeer {
  readonly got: Wire[] = [];
  private waiters: Array<() => void> = [];
  private constructor(
    readonly socket: Socket,
    readonly port: number,
  ) {
    socket.on('message', (msg, rinfo) => {
      const w = parseWire(msg.toString('utf8'), rinfo);
      this.got.push(w);
      this.onMessage?.(w);
      for (const f of this.waiters.splice(0)) f();
    });
  }
  onMessage?: (w: Wire) => void;

  static async open(): Promise<RawPeer> {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    return new RawPeer(s, s.address().port);
  }

  send(text: string, port: number): void {
    this.socket.send(Buffer.from(text, 'utf8'), port, '127.0.0.1');
  }

  /** Resolves with the first message matching `pred` (already received or still to come); bounded. */
  async next(what: string, pred: (w: Wire) => boolean, ms = 5000): Promise<Wire> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.got.find(pred);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} (got: ${this.got.map((w) => w.startLine).join(' | ')})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The final (or given) answer to the request with this Call-ID and CSeq method. */
  answer(callId: string, method: string, status?: number): Promise<Wire> {
    return this.next(`${status ?? 'final'} answer to ${method} ${callId}`, (w) => {
      if (!w.startLine.startsWith('SIP/2.0 ') || header(w, 'call-id') !== callId) return false;
      if (!(header(w, 'cseq') ?? '').endsWith(` ${method}`)) return false;
      return status === undefined ? statusOf(w) >= 200 : statusOf(w) === status;
    });
  }

  close(): void {
    this.socket.close();
  }
}

interface Req {
  text: string;
  callId: string;
}

function request(method: string, from: RawPeer, uaPort: number, o: { callId?: string; fromTag?: string; cseq?: number; branch?: string; to?: string; extra?: string[]; sdp?: string } = {}): Req {
  const callId = o.callId ?? randomBytes(8).toString('hex');
  const body = o.sdp ?? '';
  const text = [
    `${method} sip:softphone@127.0.0.1:${uaPort} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${from.port};branch=${o.branch ?? `z9hG4bK${randomBytes(6).toString('hex')}`};rport`,
    'Max-Forwards: 70',
    `From: <sip:probe@127.0.0.1:${from.port}>;tag=${o.fromTag ?? randomBytes(4).toString('hex')}`,
    `To: ${o.to ?? `<sip:softphone@127.0.0.1:${uaPort}>`}`,
    `Call-ID: ${callId}`,
    `CSeq: ${o.cseq ?? 1} ${method}`,
    `Contact: <sip:probe@127.0.0.1:${from.port}>`,
    ...(o.extra ?? []),
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
  return { text, callId };
}

function sdp(port: number, payloads = '0 8 101'): string {
  return ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP ${payloads}`, 'a=rtpmap:101 telephone-event/8000', ''].join('\r\n');
}

/**
 * No header of the message is empty, and Supported lists only what we implement: 100rel (RFC 3262, as
 * caller and callee) and timer (RFC 4028); never replaces or outbound.
 */
function expectCleanHeaders(w: Wire): void {
  for (const h of w.headers) expect(h.value, `empty ${h.name} in ${w.startLine}`).not.toBe('');
  const supported = w.headers.filter((h) => h.name === 'supported' || h.name === 'k').map((h) => h.value);
  const allowed = ['100rel, timer'];
  for (const v of supported) expect(allowed, `Supported: ${v} in ${w.startLine}`).toContain(v);
}

/** An answer with a To tag of ours (the request's To had none). */
function expectTagged(w: Wire, status: number): string {
  expect(statusOf(w)).toBe(status);
  const tag = tagOf(header(w, 'to'));
  expect(tag, `${w.startLine}: To ${header(w, 'to')}`).toMatch(/^[0-9a-zA-Z]{6,}$/);
  expectCleanHeaders(w);
  return tag as string;
}

const uas: UserAgent[] = [];
const raws: RawPeer[] = [];

async function startUa(extra: Partial<UserAgentConfig> = {}): Promise<{ ua: UserAgent; port: number }> {
  const ua = createUserAgent({ bindAddress: '127.0.0.1', port: 0, userAgentName: 'wire-test', createMedia: () => new PortOnlyMedia(), ...extra });
  uas.push(ua);
  const { port } = await ua.start();
  return { ua, port };
}

async function raw(): Promise<RawPeer> {
  const r = await RawPeer.open();
  raws.push(r);
  return r;
}

afterEach(async () => {
  await Promise.all(uas.splice(0).map((u) => u.shutdown()));
  for (const r of raws.splice(0)) r.close();
});

describe('our answers on the wire (RFC 3261 §8.2.6.2)', () => {
  it('tags the To of every out-of-dialog answer: 200 OPTIONS, 481 BYE/CANCEL, 405, 501, 420, 400, 482, 486, 488', async () => {
    const { port } = await startUa();
    const p = await raw();
    const send = (r: Req): Req => {
      p.send(r.text, port);
      return r;
    };

    const opt = send(request('OPTIONS', p, port));
    const ok = await p.answer(opt.callId, 'OPTIONS');
    expectTagged(ok, 200);
    expect(header(ok, 'allow')).toBe('INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK, MESSAGE, INFO, REFER, NOTIFY');
    expect(header(ok, 'accept')).toBe('application/sdp');

    const bye = send(request('BYE', p, port));
    expectTagged(await p.answer(bye.callId, 'BYE'), 481);
    const cancel = send(request('CANCEL', p, port));
    expectTagged(await p.answer(cancel.callId, 'CANCEL'), 481);
    const message = send(request('PUBLISH', p, port));
    const m405 = await p.answer(message.callId, 'PUBLISH');
    expectTagged(m405, 405);
    expect(header(m405, 'allow')).toBe('INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK, MESSAGE, INFO, REFER, NOTIFY');
    // The message gate answers these two statelessly, before the package parses them.
    const frob = send(request('FROBNICATE', p, port));
    expectTagged(await p.answer(frob.callId, 'FROBNICATE'), 501);
    const badCseq = request('OPTIONS', p, port);
    p.send(badCseq.text.replace('CSeq: 1 OPTIONS', 'CSeq: 1x OPTIONS'), port);
    expectTagged(await p.answer(badCseq.callId, 'OPTIONS'), 400);
    // A "tag" inside the To URI is no tag: the gate's answer still adds one.
    const uriTag = request('FROBNICATE', p, port, { to: `<sip:softphone@127.0.0.1:${port};tag=inuri>` });
    p.send(uriTag.text, port);
    const u501 = await p.answer(uriTag.callId, 'FROBNICATE');
    expect(header(u501, 'to')).toMatch(/;tag=inuri>;tag=\w+$/);

    const req = send(request('INVITE', p, port, { extra: ['Require: 100rel, foo'], sdp: sdp(4000) }));
    const r420 = await p.answer(req.callId, 'INVITE');
    expectTagged(r420, 420);
    expect(header(r420, 'unsupported')).toBe('foo');

    const bad = send(request('INVITE', p, port, { sdp: sdp(4000, '18') }));
    const r488 = await p.answer(bad.callId, 'INVITE');
    expectTagged(r488, 488);
    const trying = await p.answer(bad.callId, 'INVITE', 100);
    expect(tagOf(header(trying, 'to'))).toBeUndefined();
    expectCleanHeaders(trying);

    // Merged request (§8.2.2.2): the same INVITE by another path (new branch) gets 482.
    const first = send(request('INVITE', p, port, { fromTag: 'merge', sdp: sdp(4002) }));
    const ringing = await p.answer(first.callId, 'INVITE', 180);
    const ringTag = tagOf(header(ringing, 'to'));
    expectCleanHeaders(ringing);
    send(request('INVITE', p, port, { callId: first.callId, fromTag: 'merge', sdp: sdp(4002) }));
    const r482 = await p.next('482', (w) => statusOf(w) === 482 && header(w, 'call-id') === first.callId);
    expect(tagOf(header(r482, 'to'))).not.toBe(ringTag);
    expectTagged(r482, 482);

    // Ringing caps (issue 9): the third ringing call from one address gets 486.
    const second = send(request('INVITE', p, port, { sdp: sdp(4004) }));
    await p.answer(second.callId, 'INVITE', 180);
    const third = send(request('INVITE', p, port, { sdp: sdp(4006) }));
    expectTagged(await p.answer(third.callId, 'INVITE'), 486);

    // CANCEL of a ringing call: 200 and 487 with the tag of the 180 (§9.2).
    const inviteBranch = /branch=([^;\r\n]+)/.exec(first.text)?.[1] ?? '';
    send(request('CANCEL', p, port, { callId: first.callId, fromTag: 'merge', branch: inviteBranch }));
    const c200 = await p.answer(first.callId, 'CANCEL');
    expect(statusOf(c200)).toBe(200);
    expect(tagOf(header(c200, 'to'))).toBe(ringTag);
    const r487 = await p.answer(first.callId, 'INVITE', 487);
    expect(tagOf(header(r487, 'to'))).toBe(ringTag);

    // Every answer of this test: a To tag but on 100 Trying, no empty header, no Supported.
    const answers = p.got.filter((w) => w.startLine.startsWith('SIP/2.0 '));
    expect(answers.length).toBeGreaterThanOrEqual(16);
    for (const w of answers) {
      expectCleanHeaders(w);
      if (statusOf(w) !== 100) expect(tagOf(header(w, 'to')), w.startLine).toBeDefined();
    }
  });

  it('answers an INVITE refused by the ghost-call filter with a tagged 403; its REGISTER carries no Supported or empty header', async () => {
    const registrar = await raw();
    registrar.onMessage = (w) => {
      const method = w.startLine.split(' ')[0];
      if (method !== 'REGISTER' && method !== 'OPTIONS') return;
      const lines = [
        'SIP/2.0 200 OK',
        ...w.headers.filter((h) => ['via', 'from', 'call-id', 'cseq'].includes(h.name)).map((h) => `${h.name === 'call-id' ? 'Call-ID' : h.name === 'cseq' ? 'CSeq' : h.name[0]?.toUpperCase() + h.name.slice(1)}: ${h.value}`),
        `To: ${header(w, 'to')};tag=reg`,
        ...(method === 'REGISTER' ? [`Contact: ${header(w, 'contact')};expires=300`] : []),
        'Content-Length: 0',
        '',
        '',
      ];
      registrar.send(lines.join('\r\n'), w.from.port);
    };
    const { ua, port } = await startUa({
      account: {
        accountName: 'x', userId: 'alice', domain: `127.0.0.1:${registrar.port}`, password: 'pw', displayName: '', authorizationName: '',
        registerWithDomain: true, sendOutboundVia: 'domain', proxyAddress: '', dialPlan: '', registerExpires: 300,
      },
    });
    const state = await ua.register();
    expect(state.state).toBe('registered');
    const register = await registrar.next('REGISTER', (w) => w.startLine.startsWith('REGISTER '));
    expectCleanHeaders(register);
    expect(header(register, 'allow')).toBe('INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK, MESSAGE, INFO, REFER, NOTIFY');

    const stranger = await raw();
    const inv = request('INVITE', stranger, port, { sdp: sdp(4010) });
    stranger.send(inv.text, port);
    expectTagged(await stranger.answer(inv.callId, 'INVITE'), 403);
  });

  it('sends its INVITE with Allow, no Supported and no empty header, even with an empty user-agent name', async () => {
    const callee = await raw();
    callee.onMessage = (w) => {
      if (!w.startLine.startsWith('INVITE ')) return;
      const copy = ['via', 'from', 'call-id'].map((n) => `${n === 'call-id' ? 'Call-ID' : n === 'via' ? 'Via' : 'From'}: ${header(w, n)}`);
      callee.send(['SIP/2.0 486 Busy Here', ...copy, `To: ${header(w, 'to')};tag=busy`, `CSeq: ${header(w, 'cseq')}`, 'Content-Length: 0', '', ''].join('\r\n'), w.from.port);
    };
    const { ua } = await startUa({ userAgentName: '' });
    const call = ua.call(`sip:bob@127.0.0.1:${callee.port}`);
    const ended = new Promise<CallEndInfo>((resolve) => call.on('ended', resolve));
    const invite = await callee.next('INVITE', (w) => w.startLine.startsWith('INVITE '));
    expectCleanHeaders(invite);
    expect(header(invite, 'allow')).toBe('INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK, MESSAGE, INFO, REFER, NOTIFY');
    expect(invite.headers.map((h) => h.name)).not.toContain('user-agent');
    const end = await ended;
    expect(end.status).toBe(486);
  });
});
