// Issue 10, no silent dead calls: a connected call whose media stats stop moving warns, recovers, and after
// the no-RTP timeout ends with a BYE; hold pauses the watch. Fake clock, recording transport, media double.
import { beforeEach, describe, expect, it } from 'vitest';
import { UserAgentCore } from '../../../src-main/sip/user-agent-core';
import { mediaWatchTimes } from '../../../src-main/sip/call-media-watch';
import type { SipRequest } from '../../../src-main/sip/sip-message';
import type { Call, CallEndInfo, MediaRestored, MediaWarning, UserAgentConfig } from '../../../src-main/sip/user-agent-api';
import { FakeClock, FakeTransport, flush, peerSdp, RecordingMedia, silentLogger } from './fake-sip-network';

let clock: FakeClock;
let net: FakeTransport;
let media: RecordingMedia[];
let incoming: Call[];

function request(method: string, opts: { seq?: number; toTag?: string; content?: string } = {}): SipRequest {
  const req: SipRequest = {
    method,
    uri: 'sip:softphone@192.0.2.10:5060',
    headers: {
      via: [{ version: '2.0', protocol: 'UDP', host: '203.0.113.5', port: 5062, params: { branch: `z9hG4bKw${method}${opts.seq ?? 1}` } }],
      to: { uri: 'sip:softphone@192.0.2.10', params: opts.toTag ? { tag: opts.toTag } : {} },
      from: { uri: 'sip:kim@203.0.113.5:5062', params: { tag: 'ktag' } },
      'call-id': 'watch-1',
      cseq: { seq: opts.seq ?? 1, method },
      contact: [{ uri: 'sip:kim@203.0.113.5:5062', params: {} }],
      'max-forwards': '70',
    },
  };
  if (opts.content !== undefined) {
    req.content = opts.content;
    req.headers['content-type'] = 'application/sdp';
  }
  return req;
}

async function startUa(extra: Partial<UserAgentConfig> = {}): Promise<void> {
  const ua = new UserAgentCore({
    transport: net,
    clock,
    log: silentLogger,
    config: {
      port: 5060,
      userAgentName: 'unit',
      ...extra,
      createMedia: () => {
        const m = new RecordingMedia(6000 + media.length * 2);
        media.push(m);
        return m;
      },
    },
  });
  ua.on('incoming', (c) => incoming.push(c));
  await ua.start();
}

interface Connected {
  call: Call;
  toTag: string;
  m: RecordingMedia;
  events: Array<['warning', MediaWarning] | ['restored', MediaRestored]>;
  ended: CallEndInfo[];
}

/** An incoming call, answered and ACKed: connected with media started. */
async function connect(): Promise<Connected> {
  net.deliver(request('INVITE', { content: peerSdp(30000) }));
  await flush();
  const call = incoming.at(-1);
  const m = media.at(-1);
  if (!call || !m) throw new Error('no incoming call');
  const events: Connected['events'] = [];
  const ended: CallEndInfo[] = [];
  call.on('media-warning', (w) => events.push(['warning', w]));
  call.on('media-restored', (r) => events.push(['restored', r]));
  call.on('ended', (e) => ended.push(e));
  await call.answer();
  const toTag = net.lastResponse(200).headers.to.params.tag ?? '';
  net.deliver(request('ACK', { toTag }));
  await flush();
  return { call, toTag, m, events, ended };
}

beforeEach(() => {
  clock = new FakeClock();
  net = new FakeTransport();
  media = [];
  incoming = [];
});

describe('a connected call that hears nothing (defaults: warn 5 s, end 30 s)', () => {
  it('media flows: no warning and no end, however long', async () => {
    await startUa();
    const c = await connect();
    await clock.advance(10 * 60_000);
    expect(c.events).toEqual([]);
    expect(c.call.state).toBe('connected');
  });

  it('audio stops: media-warning after 5 s, then BYE and "no RTP for 30 s" at 30 s', async () => {
    await startUa();
    const c = await connect();
    c.m.silent = true;
    await clock.advance(4000);
    expect(c.events).toEqual([]);
    await clock.advance(2000);
    expect(c.events).toHaveLength(1);
    const [kind, w] = c.events[0] ?? [];
    expect(kind).toBe('warning');
    // The double says 5 packets came before: the audio "stopped" (never-heard calls: test/integration/no-rtp.test.ts).
    expect(w).toEqual({
      kind: 'stopped',
      path: 'direct',
      silentSeconds: 5,
      reason: "no audio from the other side for 5 s (it stopped mid-call): the peer's media may be blocked by a firewall or NAT, or its network went down",
    });
    expect(net.requests('BYE')).toHaveLength(0);
    await clock.advance(25_000);
    expect(c.call.state).toBe('ended');
    expect(net.requests('BYE')).toHaveLength(1);
    expect(net.last('BYE').request.headers.to.params.tag).toBe('ktag');
    expect(c.ended).toHaveLength(1);
    expect(c.ended[0]).toMatchObject({ reason: 'no RTP for 30 s', by: 'error' });
    expect(c.m.closed).toBe(true);
  });

  it('media comes back before the timeout: media-restored, and the call goes on', async () => {
    await startUa();
    const c = await connect();
    await clock.advance(3000);
    c.m.silent = true;
    await clock.advance(9000);
    c.m.silent = false;
    await clock.advance(2000);
    expect(c.events.map((e) => e[0])).toEqual(['warning', 'restored']);
    // It had been heard before: the audio "stopped" (a different sentence from "never").
    expect(c.events[0]?.[1]).toMatchObject({ kind: 'stopped', path: 'direct' });
    expect((c.events[0]?.[1] as MediaWarning).reason).toMatch(/\(it stopped mid-call\)/);
    expect(c.events[1]?.[1]).toMatchObject({ cause: 'media' });
    await clock.advance(120_000);
    expect(c.call.state).toBe('connected');
    expect(net.requests('BYE')).toHaveLength(0);
  });

  it('on hold (re-INVITE sendonly) silence is expected: the warning is withdrawn and nothing ends the call; off hold the watch starts again', async () => {
    await startUa();
    const c = await connect();
    c.m.silent = true;
    await clock.advance(6000);
    net.deliver(request('INVITE', { seq: 2, toTag: c.toTag, content: peerSdp(30000, 'sendonly') }));
    net.deliver(request('ACK', { seq: 2, toTag: c.toTag }));
    await clock.advance(5 * 60_000);
    expect(c.events.map((e) => e[0])).toEqual(['warning', 'restored']);
    expect(c.events[1]?.[1]).toMatchObject({ cause: 'hold' });
    expect(c.call.state).toBe('connected');
    net.deliver(request('INVITE', { seq: 3, toTag: c.toTag, content: peerSdp(30000, 'sendrecv') }));
    net.deliver(request('ACK', { seq: 3, toTag: c.toTag }));
    await clock.advance(31_000);
    expect(c.events.map((e) => e[0])).toEqual(['warning', 'restored', 'warning']);
    expect(c.ended[0]).toMatchObject({ reason: 'no RTP for 30 s' });
  });

  it('noRtpTimeoutSeconds: 0 keeps a silent call up (the warning still comes); 4 ends it after 4 s with a warning at 2 s', async () => {
    await startUa({ noRtpTimeoutSeconds: 0 });
    const c = await connect();
    c.m.silent = true;
    await clock.advance(10 * 60_000);
    expect(c.events.map((e) => e[0])).toEqual(['warning']);
    expect(c.call.state).toBe('connected');

    net = new FakeTransport();
    await startUa({ noRtpTimeoutSeconds: 4 });
    const d = await connect();
    d.m.silent = true;
    await clock.advance(2500);
    expect(d.events.map((e) => e[0])).toEqual(['warning']);
    await clock.advance(2000);
    expect(d.ended[0]).toMatchObject({ reason: 'no RTP for 4 s', by: 'error' });
    expect(net.requests('BYE')).toHaveLength(1);
  });
});

describe('mediaWatchTimes', () => {
  it('defaults 5 s / 30 s; a short timeout pulls the warning to half of it; explicit values and 0 win', () => {
    expect(mediaWatchTimes({})).toEqual({ warnAfterMs: 5000, timeoutMs: 30_000 });
    expect(mediaWatchTimes({ noRtpTimeoutSeconds: 4 })).toEqual({ warnAfterMs: 2000, timeoutMs: 4000 });
    expect(mediaWatchTimes({ noRtpTimeoutSeconds: 0 })).toEqual({ warnAfterMs: 5000, timeoutMs: 0 });
    expect(mediaWatchTimes({ mediaWarningSeconds: 0, noRtpTimeoutSeconds: 60 })).toEqual({ warnAfterMs: 0, timeoutMs: 60_000 });
    expect(mediaWatchTimes({ mediaWarningSeconds: -1, noRtpTimeoutSeconds: Number.NaN })).toEqual({ warnAfterMs: 5000, timeoutMs: 30_000 });
  });
});
