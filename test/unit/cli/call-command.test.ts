// `softphone call` logic against a scripted user agent: event order, exit codes, timers and signals.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCallCommand } from '../../../src-main/cli/call-command';
import { parseCliArgs, type CallArgs } from '../../../src-main/cli/cli-args';
import type { CliEvent } from '../../../src-main/cli/cli-events';
import type { CommandContext } from '../../../src-main/cli/command-context';
import { createLogger } from '../../../src-main/util/logger';
import { FakeUserAgent, type FakeCall } from './fake-user-agent';

function callArgs(argv: string[]): CallArgs {
  const r = parseCliArgs(['call', ...argv]);
  if (!r.ok || r.args.command !== 'call') throw new Error('bad test args');
  return r.args;
}

function setup() {
  const ua = new FakeUserAgent();
  const events: CliEvent[] = [];
  const controller = new AbortController();
  const media = { codecSoon: vi.fn(async () => 'PCMA'), closeAll: vi.fn(async () => {}) };
  const ctx: CommandContext = { ua, media, emit: (e) => events.push(e), stop: controller.signal, log: createLogger('test') };
  const names = () => events.map((e) => e.event);
  return { ua, events, controller, media, ctx, names };
}

/** Lets pending promise callbacks run (the fake UA resolves on microtasks). */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe('runCallCommand', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('registers, dials, reports ringing/connected with the codec, hangs up after --duration, exits 0', async () => {
    const { ua, events, ctx, names, media } = setup();
    const done = runCallCommand(ctx, callArgs(['bob', '--user', 'alice', '--domain', 'pbx', '--duration', '5', '--dtmf', '42']));
    await flush();
    const call = ua.calls[0] as FakeCall;
    expect(call.remoteUri).toBe('bob');
    call.setState('ringing');
    call.setState('connected');
    await flush();
    expect(call.dtmf).toEqual(['42']);
    await vi.advanceTimersByTimeAsync(4900);
    expect(call.hangups).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(await done).toBe(0);
    expect(call.hangups).toBe(1);
    expect(names()).toEqual([
      'listening', 'registering', 'registered', 'calling', 'ringing', 'connected', 'dtmf_sent', 'ended', 'unregistered',
    ]);
    expect(events.find((e) => e.event === 'connected')).toMatchObject({ codec: 'PCMA', callId: call.id });
    expect(events.find((e) => e.event === 'ended')).toMatchObject({ by: 'local', reason: 'hung up', durationSeconds: 2 });
    expect(ua.shutdownCalls).toBe(1);
    expect(media.closeAll).toHaveBeenCalled();
  });

  it('exits 1 with registration_failed when the password is wrong, without dialing', async () => {
    const { ua, events, ctx } = setup();
    ua.registerResults = [{ state: 'failed', reason: '403 Forbidden', status: 403 }];
    const code = await runCallCommand(ctx, callArgs(['bob', '--user', 'alice', '--domain', 'pbx']));
    expect(code).toBe(1);
    expect(ua.calls).toHaveLength(0);
    const failed = events.filter((e) => e.event === 'registration_failed');
    expect(failed).toEqual([{ event: 'registration_failed', reason: '403 Forbidden', status: 403, retryInSeconds: undefined }]);
  });

  it('says the call was not placed when registration fails', async () => {
    const { ua, events, ctx } = setup();
    ua.registerResults = [{ state: 'failed', reason: 'timeout: the registrar did not answer' }];
    expect(await runCallCommand(ctx, callArgs(['bob', '--user', 'alice', '--domain', 'pbx']))).toBe(1);
    expect(ua.calls).toHaveLength(0);
    expect(events).toContainEqual({ event: 'error', message: 'call not placed: registration failed: timeout: the registrar did not answer' });
    expect(events.map((e) => e.event)).not.toContain('calling');
  });

  it('reports progress every 5 s while the INVITE goes unanswered, and stops when it rings', async () => {
    const { ua, events, ctx } = setup();
    const done = runCallCommand(ctx, callArgs(['sip:b@192.0.2.9:5099', '--duration', '1']));
    await flush();
    const call = ua.calls[0] as FakeCall;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(events.filter((e) => e.event === 'progress')).toEqual([
      { event: 'progress', message: 'no answer from 192.0.2.9:5099 yet (5 s)', seconds: 5 },
      { event: 'progress', message: 'no answer from 192.0.2.9:5099 yet (10 s)', seconds: 10 },
    ]);
    call.setState('ringing');
    await vi.advanceTimersByTimeAsync(20_000);
    expect(events.filter((e) => e.event === 'progress')).toHaveLength(2);
    call.setState('connected');
    await vi.advanceTimersByTimeAsync(1_100);
    expect(await done).toBe(0);
  });

  it('a signal while nobody answers the INVITE ends the command without waiting for timer B', async () => {
    const { ua, events, ctx, controller } = setup();
    const done = runCallCommand(ctx, callArgs(['sip:b@192.0.2.9:5099']));
    await flush();
    const call = ua.calls[0] as FakeCall;
    // No provisional response: the CANCEL cannot go out (RFC 3261 §9.1), so the hang-up never resolves.
    call.hangup = () => new Promise(() => {});
    controller.abort();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await done).toBe(0);
    expect(events.find((e) => e.event === 'ended')).toMatchObject({ reason: 'cancelled', by: 'local' });
  });

  it('skips REGISTER with --no-register and in direct-IP mode', async () => {
    for (const argv of [['bob', '--user', 'a', '--domain', 'pbx', '--no-register'], ['sip:b@127.0.0.1:5062']]) {
      const { ua, ctx } = setup();
      const done = runCallCommand(ctx, callArgs(argv));
      await flush();
      expect(ua.registerCalls).toBe(0);
      (ua.calls[0] as FakeCall).end({ reason: '486 Busy Here', status: 486, by: 'remote', durationSeconds: 0 });
      expect(await done).toBe(1);
    }
  });

  it('puts the call\'s G.107 quality in the ended event (issue 13)', async () => {
    const { ua, events, ctx } = setup();
    const done = runCallCommand(ctx, callArgs(['sip:b@127.0.0.1:5062']));
    await flush();
    const call = ua.calls[0] as FakeCall;
    call.setState('connected');
    const stats = { codec: 'PCMU', packetsSent: 50, octetsSent: 8000, packetsReceived: 50, octetsReceived: 8000, packetsLost: 0, duplicates: 0, late: 0, jitterMs: 0.5, remote: '127.0.0.1:4000', maxSendGapMs: 20, quality: { r: 91.8, mos: 4.39 } } as const;
    call.end({ reason: 'hung up by remote', by: 'remote', durationSeconds: 1, stats: { ...stats } });
    expect(await done).toBe(0);
    expect(events.find((e) => e.event === 'ended')).toMatchObject({ quality: { r: 91.8, mos: 4.39 }, rtp: { quality: { r: 91.8, mos: 4.39 } } });
  });

  it('exits 1 and reports the status when the callee is busy', async () => {
    const { ua, events, ctx } = setup();
    const done = runCallCommand(ctx, callArgs(['sip:b@127.0.0.1:5062']));
    await flush();
    (ua.calls[0] as FakeCall).end({ reason: '486 Busy Here', status: 486, by: 'remote', durationSeconds: 0 });
    expect(await done).toBe(1);
    expect(events.find((e) => e.event === 'ended')).toMatchObject({ reason: '486 Busy Here', status: 486, by: 'remote' });
  });

  it('exits 0 when the remote hangs up a connected call', async () => {
    const { ua, ctx } = setup();
    const done = runCallCommand(ctx, callArgs(['sip:b@127.0.0.1:5062']));
    await flush();
    const call = ua.calls[0] as FakeCall;
    call.setState('connected');
    call.end({ reason: 'hung up by remote', by: 'remote', durationSeconds: 3.14159 });
    expect(await done).toBe(0);
  });

  it('CANCELs on SIGTERM while ringing and exits 0', async () => {
    const { ua, events, ctx, controller } = setup();
    const done = runCallCommand(ctx, callArgs(['sip:b@127.0.0.1:5062']));
    await flush();
    const call = ua.calls[0] as FakeCall;
    call.setState('ringing');
    controller.abort();
    expect(await done).toBe(0);
    expect(call.hangups).toBe(1);
    expect(events.find((e) => e.event === 'ended')).toMatchObject({ reason: 'cancelled', by: 'local' });
  });

  it('gives up after --ring-timeout with a clear reason and exit 1', async () => {
    const { ua, events, ctx } = setup();
    const done = runCallCommand(ctx, callArgs(['sip:b@127.0.0.1:5062', '--ring-timeout', '10']));
    await flush();
    (ua.calls[0] as FakeCall).setState('ringing');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await done).toBe(1);
    expect(events.find((e) => e.event === 'ended')).toMatchObject({ reason: 'no answer within 10 s', by: 'local' });
  });

  it('exits 2 when the user agent cannot make a call of the target', async () => {
    const { ua, events, ctx } = setup();
    ua.callError = new Error('not a SIP URI');
    expect(await runCallCommand(ctx, callArgs(['sip:b@192.0.2.1']))).toBe(2);
    expect(events.at(-1)).toMatchObject({ event: 'error', message: expect.stringContaining('not a SIP URI') });
  });

  it('stops during registration without dialing and exits 0', async () => {
    const { ua, ctx, controller } = setup();
    ua.register = () => new Promise(() => {});
    const done = runCallCommand(ctx, callArgs(['bob', '--user', 'a', '--domain', 'pbx']));
    await flush();
    controller.abort();
    expect(await done).toBe(0);
    expect(ua.calls).toHaveLength(0);
  });
});
