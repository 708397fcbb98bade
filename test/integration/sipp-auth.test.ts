// Digest authentication on every request that can be challenged (issue 10), against SIPp playing the
// registrar / SBC / PBX and the real user agent on real UDP sockets: 423 after a challenge, a refresh
// after a server restart, a challenged BYE, an SBC's 407 then a PBX's 401, the ACK's credentials.
// SIPp checks the headers it must see (ereg check_it); the test checks the digests on the wire.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createUserAgent } from '../../src-main/sip/user-agent.node';
import type { AccountSettings, CallEndInfo, RegistrationState, SipTraceEntry, UserAgent } from '../../src-main/sip/user-agent-api';
import type { MediaEndpoint, MediaSession, MediaSessionEvents, RtpStats } from '../../src-main/rtp/media-session';
import { startSippServer, type SippServer } from '../support/sipp-server';
import { skipWithoutRealPeer } from '../support/real-peer-gate';

function sippMissing(): string | null {
  try {
    execFileSync('sipp', ['-v'], { stdio: 'ignore' });
    return null;
  } catch (err) {
    // sipp -v exits 99 after printing its version; only a missing binary is a problem.
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'sipp (Debian sip-tester) is not installed' : null;
  }
}
const skip = skipWithoutRealPeer('SIPp auth scenarios', sippMissing());

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** Test double (no RTP): SIPp's SDP points at the discard port and nothing is sent. */
class SilentMedia implements MediaSession {
  async open(): Promise<MediaEndpoint> {
    return { address: '127.0.0.1', rtpPort: 40998, rtcpPort: 40999 };
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
  on<K extends keyof MediaSessionEvents>(_event: K, _listener: (p: MediaSessionEvents[K]) => void): () => void {
    return () => {};
  }
}

interface Harness {
  ua: UserAgent;
  trace: SipTraceEntry[];
  warnings: string[];
  states: RegistrationState[];
  /** Resolves once `pred` holds, checked after every event; rejects naming `what` after `ms` (a bound, not a pace). */
  until(pred: () => boolean, what: string, ms?: number): Promise<void>;
}

const uas: UserAgent[] = [];
const servers: SippServer[] = [];
afterEach(async () => {
  await Promise.all(uas.splice(0).map((ua) => ua.shutdown().catch(() => undefined)));
  for (const s of servers.splice(0)) s.stop();
});

async function startUa(sipp: SippServer, extra: Partial<AccountSettings> = {}): Promise<Harness> {
  const account: AccountSettings = {
    accountName: 'it',
    userId: 'alice',
    domain: `127.0.0.1:${sipp.port}`,
    password: 'secret',
    displayName: '',
    authorizationName: '',
    registerWithDomain: true,
    sendOutboundVia: 'domain',
    proxyAddress: '',
    dialPlan: '',
    registerExpires: 300,
    ...extra,
  };
  // keep-alive off: SIPp plays one scenario and would take an OPTIONS as an unexpected call.
  const ua = createUserAgent({ bindAddress: '127.0.0.1', port: 0, userAgentName: 'it-auth', account, keepAlive: { method: 'off' }, createMedia: () => new SilentMedia() });
  uas.push(ua);
  const trace: SipTraceEntry[] = [];
  const warnings: string[] = [];
  const states: RegistrationState[] = [];
  const checks = new Set<() => void>();
  const poke = (): void => checks.forEach((c) => c());
  ua.on('trace', (t) => (trace.push(t), poke()));
  ua.on('warning', (w) => (warnings.push(w.message), poke()));
  ua.on('registration', (s) => (states.push(s), poke()));
  await ua.start();
  const until = (pred: () => boolean, what: string, ms = 20_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        checks.delete(check);
        reject(new Error(`gave up waiting for ${what}; trace: ${trace.map((t) => `${t.direction} ${t.summary}`).join(', ')}`));
      }, ms);
      const check = (): void => {
        if (!pred()) return;
        clearTimeout(timer);
        checks.delete(check);
        resolve();
      };
      checks.add(check);
      check();
    });
  return { ua, trace, warnings, states, until };
}

async function sippServer(scenario: string): Promise<SippServer> {
  const s = await startSippServer(scenario);
  servers.push(s);
  return s;
}

/** Requests we sent with `method`, one per CSeq (a UDP retransmission is the same request). */
function sent(h: Harness, method: string): string[] {
  const byCseq = new Map<string, string>();
  for (const t of h.trace) {
    if (t.direction !== 'out' || t.summary !== method) continue;
    const cseq = /^CSeq: *(\d+)/im.exec(t.raw)?.[1] ?? '';
    if (!byCseq.has(cseq)) byCseq.set(cseq, t.raw);
  }
  return [...byCseq.values()];
}

function header(raw: string, name: string): string[] {
  const re = new RegExp(`^${name}: *(.*?)\\r?$`, 'gim');
  return [...raw.matchAll(re)].map((m) => m[1] ?? '');
}

function requestUri(raw: string): string {
  return /^\S+ (\S+) SIP\/2\.0/.exec(raw)?.[1] ?? '';
}

/** Checks one Digest credentials value against the password, as the server would (RFC 7616 §3.4.1, qop=auth). */
function expectValidDigest(value: string | undefined, method: string, realm: string, nonce: string, nc: string): void {
  expect(value).toBeDefined();
  const p = new Map([...(value ?? '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)].map((m) => [m[1] ?? '', m[2] ?? m[3] ?? '']));
  expect(p.get('realm')).toBe(realm);
  expect(p.get('nonce')).toBe(nonce);
  expect(p.get('nc')).toBe(nc);
  expect(p.get('qop')).toBe('auth');
  const ha1 = md5(`alice:${realm}:secret`);
  const ha2 = md5(`${method}:${p.get('uri') ?? ''}`);
  expect(p.get('response')).toBe(md5(`${ha1}:${nonce}:${nc}:${p.get('cnonce') ?? ''}:auth:${ha2}`));
}

describe.skipIf(skip)('digest auth against SIPp as the server (issue 10)', () => {
  it('(a) 401, 423 Min-Expires 1200, 401 again: registered; the retry carries Authorization; the refresh asks for 1200 at once', async () => {
    const sipp = await sippServer('registrar-423-auth.xml');
    const h = await startUa(sipp);
    expect(await h.ua.register()).toMatchObject({ state: 'registered', expires: 3 });
    await h.until(() => h.states.filter((s) => s.state === 'registered').length >= 2, 'the refresh');
    expect(h.ua.registration).toMatchObject({ state: 'registered', expires: 1200 });
    await h.ua.shutdown();
    const r = await sipp.done;
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);

    const regs = sent(h, 'REGISTER');
    expect(regs.map((m) => header(m, 'Expires')[0])).toEqual(['300', '300', '1200', '1200', '1200', '0']);
    expect(header(regs[0] ?? '', 'Authorization')).toEqual([]);
    expectValidDigest(header(regs[1] ?? '', 'Authorization')[0], 'REGISTER', '127.0.0.1', 'reg-nonce-1', '00000001');
    // The 423 retry: the same credentials (nonce used a second time), not a bare REGISTER.
    expectValidDigest(header(regs[2] ?? '', 'Authorization')[0], 'REGISTER', '127.0.0.1', 'reg-nonce-1', '00000002');
    expectValidDigest(header(regs[3] ?? '', 'Authorization')[0], 'REGISTER', '127.0.0.1', 'reg-nonce-2', '00000001');
    expectValidDigest(header(regs[4] ?? '', 'Authorization')[0], 'REGISTER', '127.0.0.1', 'reg-nonce-2', '00000002');
    expect(h.states.filter((s) => s.state === 'failed')).toEqual([]);
  });

  it('(e) refreshes after a server restart (a new nonce, plain and stale=true): re-authenticated, never unregistered', async () => {
    const sipp = await sippServer('registrar-restart.xml');
    const h = await startUa(sipp);
    expect(await h.ua.register()).toMatchObject({ state: 'registered', expires: 3 });
    await h.until(() => h.states.filter((s) => s.state === 'registered').length >= 3, 'two refreshes');
    await h.ua.shutdown();
    const r = await sipp.done;
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);

    expect(h.states.map((s) => s.state)).toEqual(['registering', 'registered', 'registered', 'registered', 'unregistered']);
    const regs = sent(h, 'REGISTER');
    expect(regs).toHaveLength(7);
    expectValidDigest(header(regs[2] ?? '', 'Authorization')[0], 'REGISTER', '127.0.0.1', 'boot1-nonce', '00000002');
    expectValidDigest(header(regs[3] ?? '', 'Authorization')[0], 'REGISTER', '127.0.0.1', 'boot2-nonce', '00000001');
    expectValidDigest(header(regs[5] ?? '', 'Authorization')[0], 'REGISTER', '127.0.0.1', 'boot3-nonce', '00000001');
  });

  it('(b) 401 to the BYE: BYE sent again with Authorization and a new CSeq, 200, the hang-up reported', async () => {
    const sipp = await sippServer('pbx-bye-401.xml');
    const h = await startUa(sipp, { registerWithDomain: false });
    const call = h.ua.call('bob');
    const ended = new Promise<CallEndInfo>((resolve) => call.on('ended', resolve));
    await h.until(() => call.state === 'connected' || call.state === 'ended', 'the call to connect');
    expect(call.state).toBe('connected');
    await call.hangup();
    expect(await ended).toMatchObject({ reason: 'hung up', by: 'local' });
    await h.until(() => h.trace.some((t) => t.direction === 'in' && t.summary === '200 OK' && /^CSeq: *\d+ BYE/im.test(t.raw)), 'the 200 to the BYE');
    const r = await sipp.done;
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);

    const byes = sent(h, 'BYE');
    expect(byes).toHaveLength(2);
    const seq = (m: string) => Number(/^CSeq: *(\d+) BYE/im.exec(m)?.[1]);
    expect(seq(byes[1] ?? '')).toBe(seq(byes[0] ?? '') + 1);
    expect(header(byes[0] ?? '', 'Authorization')).toEqual([]);
    const auth = header(byes[1] ?? '', 'Authorization')[0];
    expectValidDigest(auth, 'BYE', '127.0.0.1', 'bye-nonce-1', '00000001');
    expect(auth).toContain(`uri="${requestUri(byes[1] ?? '')}"`);
    expect(h.warnings).toEqual([]);
  });

  it('(c, d) 407 from the SBC then 401 from the PBX: connected; the last INVITE and the ACK carry both credentials', async () => {
    const sipp = await sippServer('pbx-407-401-call.xml');
    const h = await startUa(sipp, { registerWithDomain: false, authRealms: ['sbc.test'] });
    const call = h.ua.call('bob');
    await h.until(() => call.state === 'connected' || call.state === 'ended', 'the call to connect');
    expect(call.state).toBe('connected');
    await h.until(() => sent(h, 'ACK').length > 0, 'the ACK');
    await call.hangup();
    const r = await sipp.done;
    expect(r.code, `${r.output}\n${r.errors}`).toBe(0);

    const invites = sent(h, 'INVITE');
    expect(invites).toHaveLength(3);
    const last = invites[2] ?? '';
    expect(header(last, 'Proxy-Authorization')).toHaveLength(1);
    expect(header(last, 'Authorization')).toHaveLength(1);
    expectValidDigest(header(last, 'Proxy-Authorization')[0], 'INVITE', 'sbc.test', 'sbc-nonce-1', '00000002');
    expectValidDigest(header(last, 'Authorization')[0], 'INVITE', '127.0.0.1', 'pbx-nonce-1', '00000001');
    // RFC 3261 §13.2.2.4: the ACK for the 2xx carries exactly the INVITE's credentials.
    const ack = sent(h, 'ACK').at(-1) ?? '';
    expect(header(ack, 'Proxy-Authorization')).toEqual(header(last, 'Proxy-Authorization'));
    expect(header(ack, 'Authorization')).toEqual(header(last, 'Authorization'));
  });
});
