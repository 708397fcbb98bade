// Issue 10, no silent dead calls: two real user agents on loopback with the real media engine (null
// audio), their RTP and RTCP through a small UDP relay that stops forwarding the callee's packets. The
// caller warns ('media-warning'), recovers ('media-restored') when the relay resumes, and otherwise ends
// the call after its no-RTP timeout with a BYE that the callee receives.
import { afterEach, describe, expect, it } from 'vitest';
import { createUserAgent } from '../../src-main/sip/user-agent.node';
import { createMediaSession } from '../../src-main/rtp/media-session.node';
import type { MediaSession } from '../../src-main/rtp/media-session';
import type { Call, CallEndInfo, MediaRestored, MediaWarning, UserAgent, UserAgentConfig } from '../../src-main/sip/user-agent-api';
import { RtpRelay } from '../support/rtp-relay';

const uas: UserAgent[] = [];
const relays: RtpRelay[] = [];

afterEach(async () => {
  await Promise.all(uas.splice(0).map((ua) => ua.shutdown()));
  for (const r of relays.splice(0)) r.close();
});

/** A real media session whose SDP address is the relay's face for this side. */
function relayedMedia(relay: RtpRelay, side: 'caller' | 'callee', sessions: MediaSession[]): () => MediaSession {
  return () => {
    const real = createMediaSession({ audio: { kind: 'null' }, bindAddress: '127.0.0.1' });
    sessions.push(real);
    const face = side === 'caller' ? relay.callerFace : relay.calleeFace;
    return {
      open: async () => {
        const ep = await real.open();
        relay.connect(side, ep.rtpPort);
        return { address: '127.0.0.1', rtpPort: face.port, rtcpPort: face.port + 1 };
      },
      start: (p) => real.start(p),
      update: (p) => real.update(p),
      sendDtmf: (d, ms) => real.sendDtmf(d, ms),
      setMuted: (m) => real.setMuted(m),
      stats: () => real.stats(),
      close: () => real.close(),
      on: (event, listener) => real.on(event, listener),
    };
  };
}

interface Setup {
  relay: RtpRelay;
  caller: Call;
  callee: Call;
  callerSessions: MediaSession[];
  callerLog: Array<{ at: number; event: 'warning'; w: MediaWarning } | { at: number; event: 'restored'; r: MediaRestored }>;
  calleeWarnings: MediaWarning[];
  callerEnded: Promise<CallEndInfo>;
  calleeEnded: Promise<CallEndInfo>;
}

async function connectedCall(callerConfig: Partial<UserAgentConfig>, blockedFromStart: boolean): Promise<Setup> {
  const relay = await RtpRelay.create();
  relays.push(relay);
  relay.calleeToCaller = !blockedFromStart;
  const callerSessions: MediaSession[] = [];
  const a = createUserAgent({ bindAddress: '127.0.0.1', port: 0, ...callerConfig, createMedia: relayedMedia(relay, 'caller', callerSessions) });
  const b = createUserAgent({ bindAddress: '127.0.0.1', port: 0, createMedia: relayedMedia(relay, 'callee', []) });
  uas.push(a, b);
  await a.start();
  const { port } = await b.start();
  const incoming = new Promise<Call>((resolve) => {
    const off = b.on('incoming', (c) => {
      off();
      resolve(c);
    });
  });
  const caller = a.call(`sip:bob@127.0.0.1:${port}`);
  const callerLog: Setup['callerLog'] = [];
  caller.on('media-warning', (w) => callerLog.push({ at: Date.now(), event: 'warning', w }));
  caller.on('media-restored', (r) => callerLog.push({ at: Date.now(), event: 'restored', r }));
  const callerEnded = new Promise<CallEndInfo>((resolve) => caller.on('ended', resolve));
  const callee = await incoming;
  const calleeWarnings: MediaWarning[] = [];
  callee.on('media-warning', (w) => calleeWarnings.push(w));
  const calleeEnded = new Promise<CallEndInfo>((resolve) => callee.on('ended', resolve));
  await callee.answer();
  await expect.poll(() => caller.state, { timeout: 10_000 }).toBe('connected');
  return { relay, caller, callee, callerSessions, callerLog, calleeWarnings, callerEnded, calleeEnded };
}

async function callerReceived(s: Setup): Promise<number> {
  const m = s.callerSessions[0];
  return m ? (await m.stats()).packetsReceived : 0;
}

describe('no RTP from the callee (a relay that drops its packets)', () => {
  it('blocked from the start: media-warning ("never"), then BYE with "no RTP for 3 s"; the callee gets the BYE', async () => {
    const s = await connectedCall({ mediaWarningSeconds: 1, noRtpTimeoutSeconds: 3 }, true);
    const connectedAt = Date.now();
    await expect.poll(() => s.callerLog.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    const first = s.callerLog[0];
    expect(first?.event).toBe('warning');
    if (first?.event !== 'warning') return;
    expect(first.w).toMatchObject({ kind: 'never', path: 'direct' });
    expect(first.w.reason).toBe("no audio from the other side for 1 s: the peer's media may be blocked by a firewall or NAT");
    expect(first.w.silentSeconds).toBeGreaterThanOrEqual(1);
    const end = await s.callerEnded;
    const endedAt = Date.now();
    expect(end).toMatchObject({ reason: 'no RTP for 3 s', by: 'error' });
    expect(end.stats?.packetsReceived).toBe(0);
    expect(end.stats?.packetsSent).toBeGreaterThan(0);
    // The BYE crossed the wire: the callee's call ended because the remote hung up.
    expect(await s.calleeEnded).toMatchObject({ reason: 'hung up by remote', by: 'remote' });
    // The callee heard the caller all along: no warning on its side.
    expect(s.calleeWarnings).toEqual([]);
    expect(s.relay.dropped).toBeGreaterThan(0);
    console.log(`[no-rtp] warning ${first.at - connectedAt} ms and end ${endedAt - connectedAt} ms after connect (warn 1 s, timeout 3 s)`);
  });

  it('blocked mid-call, then resumed before the timeout: media-warning ("stopped"), media-restored, and the call goes on', async () => {
    const s = await connectedCall({ mediaWarningSeconds: 1, noRtpTimeoutSeconds: 5 }, false);
    await expect.poll(() => callerReceived(s), { timeout: 10_000 }).toBeGreaterThanOrEqual(20);
    s.relay.calleeToCaller = false;
    const blockedAt = Date.now();
    await expect.poll(() => s.callerLog.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    const warning = s.callerLog[0];
    expect(warning?.event).toBe('warning');
    if (warning?.event !== 'warning') return;
    expect(warning.w).toMatchObject({ kind: 'stopped', path: 'direct' });
    expect(warning.w.reason).toMatch(/^no audio from the other side for 1 s \(it stopped mid-call\): the peer's media may be blocked by a firewall or NAT/);
    s.relay.calleeToCaller = true;
    await expect.poll(() => s.callerLog.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    const restored = s.callerLog[1];
    expect(restored?.event).toBe('restored');
    if (restored?.event !== 'restored') return;
    expect(restored.r.cause).toBe('media');
    // The call outlives its 5 s timeout: 400 more packets (8 s of 20 ms audio) arrive while it stays up.
    const before = await callerReceived(s);
    await expect.poll(() => callerReceived(s), { timeout: 30_000, interval: 250 }).toBeGreaterThanOrEqual(before + 400);
    expect(s.caller.state).toBe('connected');
    expect(s.callee.state).toBe('connected');
    expect(s.callerLog.map((e) => e.event)).toEqual(['warning', 'restored']);
    const end = await s.caller.hangup();
    expect(end.by).toBe('local');
    expect(end.reason).not.toMatch(/no RTP/);
    expect(await s.calleeEnded).toMatchObject({ reason: 'hung up by remote' });
    console.log(`[no-rtp] warning ${warning.at - blockedAt} ms after the block; restored ${restored.at - blockedAt} ms after it (resumed at the warning)`);
  });
});
