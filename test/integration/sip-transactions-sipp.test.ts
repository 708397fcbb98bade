// Registration against SIPp as a misbehaving registrar, over real UDP with the real transaction layer
// (RFC 3261 §17.1.2.2) at T1 = 50 ms, T2 = 400 ms, T4 = 500 ms so Timer F comes after 3.2 s instead of 32 s:
// only 100 Trying then nothing; 100 Trying then a lost 200; 503 with Retry-After (§20.33), also to a call.
import { afterEach, describe, expect, it } from 'vitest';
import { createSipStack } from '../../src-main/sip/sip-stack.node';
import { systemClock } from '../../src-main/sip/sip-clock';
import { UserAgentCore } from '../../src-main/sip/user-agent-core';
import type { AccountSettings, CallEndInfo, RegistrationState, SipTraceEntry } from '../../src-main/sip/user-agent-api';
import type { MediaEndpoint, MediaSession, MediaSessionEvents, RtpStats } from '../../src-main/rtp/media-session';
import { Emitter } from '../../src-main/util/emitter';
import type { Logger } from '../../src-main/util/logger';
import { skipWithoutRealPeer } from '../support/real-peer-gate';
import { sippMissing, startSippServer, type SippServer } from '../support/sipp';

const skip = skipWithoutRealPeer('SIPp registrar scenarios', sippMissing());

const T1 = 50;
const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => quiet };

interface Run {
  ua: UserAgentCore;
  sipp: SippServer;
  states: Array<{ at: number; state: RegistrationState }>;
  traces: SipTraceEntry[];
}

const runs: Run[] = [];

afterEach(async () => {
  for (const r of runs.splice(0)) {
    await r.ua.shutdown();
    r.sipp.kill();
  }
});

/** Test double for calls (no audio here): binds nothing, records nothing. */
class NoMedia implements MediaSession {
  private readonly events = new Emitter<MediaSessionEvents>();
  async open(): Promise<MediaEndpoint> {
    return { address: '127.0.0.1', rtpPort: 40_000, rtcpPort: 40_001 };
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

/** SIPp running `scenario`, and our user agent at T1 = 50 ms: registering there (withAccount) or by IP only. */
async function start(scenario: string, sippArgs: string[] = [], withAccount = true): Promise<Run> {
  const sipp = await startSippServer(scenario, sippArgs);
  const transport = createSipStack({ bindAddress: '127.0.0.1', port: 0, logger: quiet, timers: { t1Ms: T1, t2Ms: 8 * T1, t4Ms: 10 * T1 } });
  const account: AccountSettings = {
    accountName: 'test', userId: 'alice', domain: `127.0.0.1:${sipp.port}`, password: 'secret', displayName: '',
    authorizationName: '', registerWithDomain: true, sendOutboundVia: 'domain', proxyAddress: '', dialPlan: '',
    registerExpires: 60,
  };
  const ua = new UserAgentCore({
    transport,
    clock: systemClock,
    log: quiet,
    config: {
      bindAddress: '127.0.0.1',
      port: 0,
      ...(withAccount ? { account } : {}),
      createMedia: () => new NoMedia(),
      keepAlive: { method: 'off' },
    },
  });
  const run: Run = { ua, sipp, states: [], traces: [] };
  ua.on('registration', (state) => run.states.push({ at: performance.now(), state }));
  ua.on('trace', (t) => run.traces.push(t));
  await ua.start();
  runs.push(run);
  return run;
}

/** The next registration state that satisfies `pred` (bounded, so a broken client fails instead of hanging). */
function nextState(run: Run, pred: (s: RegistrationState) => boolean): Promise<RegistrationState> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no such registration state; saw ${JSON.stringify(run.states.map((s) => s.state))}`));
    }, 60_000);
    const off = run.ua.on('registration', (s) => {
      if (!pred(s)) return;
      clearTimeout(timer);
      off();
      resolve(s);
    });
  });
}

const registersOut = (run: Run): SipTraceEntry[] => run.traces.filter((t) => t.direction === 'out' && t.summary === 'REGISTER');
const responsesIn = (run: Run, status: number): SipTraceEntry[] => run.traces.filter((t) => t.direction === 'in' && t.summary.startsWith(`${status} `));
const header = (raw: string, name: string): string | undefined => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(raw)?.[1]?.trim();
const branchOf = (raw: string): string | undefined => /branch=([^;\s]+)/i.exec(header(raw, 'Via') ?? '')?.[1];

describe.skipIf(skip)('registration against a misbehaving registrar (SIPp, real UDP)', () => {
  it('(a) 100 Trying, then nothing: retransmits every T2 after the 100, fails at Timer F (64*T1), recovers on the next REGISTER', async () => {
    const run = await start('registrar-100-only.xml');
    const first = await run.ua.register();
    expect(first).toEqual({ state: 'failed', reason: `timeout: no answer from 127.0.0.1:${run.sipp.port}`, retryInSeconds: 30 });

    const sent = registersOut(run);
    const trying = responsesIn(run, 100);
    expect(trying.length).toBeGreaterThanOrEqual(1);
    // One transaction: every REGISTER so far is the same request (same branch and CSeq), retransmitted.
    expect(new Set(sent.map((t) => branchOf(t.raw))).size).toBe(1);
    expect(new Set(sent.map((t) => header(t.raw, 'CSeq'))).size).toBe(1);
    // RFC 3261 §17.1.2.2: the 100 did not stop the retransmissions.
    expect(sent.filter((t) => t.time > trying[0]!.time).length).toBeGreaterThanOrEqual(2);
    // Timer F: not before 64*T1 after the REGISTER went out.
    const failedAt = run.states.find((s) => s.state.state === 'failed')!;
    const firstAt = run.states.find((s) => s.state.state === 'registering')!;
    expect(failedAt.at - firstAt.at).toBeGreaterThanOrEqual(64 * T1 - 5);
    console.info(`(a) REGISTER sent ${sent.length} times (1 + ${sent.length - 1} retransmissions), ${trying.length} × 100 Trying, failed after ${Math.round(failedAt.at - firstAt.at)} ms (Timer F = ${64 * T1} ms)`);

    // The registrar answers the next transaction: the phone registers.
    const second = await run.ua.register();
    expect(second.state).toBe('registered');
    const result = await run.sipp.done;
    expect(result.code, `${result.output}\n${result.errors}`).toBe(0);
  });

  it('(b) 100 Trying, then a lost 200: the retransmission in Proceeding gets the 200, registered', async () => {
    const run = await start('registrar-lost-200.xml', ['-nr']);
    const result = await run.ua.register();
    expect(result.state).toBe('registered');

    const sent = registersOut(run);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(new Set(sent.map((t) => branchOf(t.raw))).size).toBe(1);
    const trying = responsesIn(run, 100);
    const ok = responsesIn(run, 200);
    expect(trying.length).toBe(1);
    expect(ok.length).toBe(1);
    // The 200 that arrived answers a retransmission sent after the 100.
    expect(sent.some((t) => t.time >= trying[0]!.time && t.time <= ok[0]!.time)).toBe(true);
    console.info(`(b) REGISTER sent ${sent.length} times; registered ${ok[0]!.time - sent[0]!.time} ms after the first`);
    const sippResult = await run.sipp.done;
    expect(sippResult.code, `${sippResult.output}\n${sippResult.errors}`).toBe(0);
  });

  it('(c) 503 with Retry-After: 2: the state says so, the retry comes after 2 s, registered', async () => {
    const run = await start('registrar-503-retry-after.xml');
    const registered = nextState(run, (s) => s.state === 'registered');
    const first = await run.ua.register();
    expect(first).toEqual({
      state: 'failed',
      reason: '503 Service Unavailable, retry after 2 s',
      status: 503,
      retryInSeconds: 2,
      retryAfterSeconds: 2,
    });
    await registered;

    // Two transactions: the refused REGISTER and the retry. On a loaded machine SIPp may answer after
    // T1, so a datagram can be a retransmission (Timer E, §17.1.2.2): same branch, same transaction.
    const sent = registersOut(run);
    const branches = [...new Set(sent.map((t) => branchOf(t.raw)))];
    const unavailable = responsesIn(run, 503);
    expect(branches).toHaveLength(2);
    expect(unavailable).toHaveLength(1);
    const retry = sent.find((t) => branchOf(t.raw) === branches[1])!;
    expect(header(retry.raw, 'CSeq')).not.toBe(header(sent[0]!.raw, 'CSeq'));
    // §20.33: not before the time the server asked for.
    const gap = retry.time - unavailable[0]!.time;
    expect(gap).toBeGreaterThanOrEqual(2000 - 5);
    console.info(`(c) retried ${gap} ms after the 503 (Retry-After: 2)`);
    expect(run.states.map((s) => s.state.state)).toEqual(['registering', 'failed', 'registering', 'registered']);
    const sippResult = await run.sipp.done;
    expect(sippResult.code, `${sippResult.output}\n${sippResult.errors}`).toBe(0);
  });
});

describe.skipIf(skip)('a call refused with Retry-After (SIPp, real UDP)', () => {
  it('503 with Retry-After: 30 ends the call with "503 Service Unavailable, retry after 30 s" (not "cannot reach"), ACKed', async () => {
    const run = await start('callee-503-retry-after.xml', [], false);
    const call = run.ua.call(`sip:bob@127.0.0.1:${run.sipp.port}`);
    const end = await new Promise<CallEndInfo>((resolve) => call.on('ended', resolve));
    expect(end).toMatchObject({ reason: '503 Service Unavailable, retry after 30 s', status: 503, by: 'remote' });
    expect(run.traces.filter((t) => t.direction === 'out' && t.summary === 'ACK')).toHaveLength(1);
    const sippResult = await run.sipp.done;
    expect(sippResult.code, `${sippResult.output}\n${sippResult.errors}`).toBe(0);
  });
});
