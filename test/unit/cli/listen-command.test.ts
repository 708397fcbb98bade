// `softphone listen` logic against a scripted user agent: answering, rejecting, busy, max-calls,
// registration retry with back-off, and exit codes.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runListenCommand } from '../../../src-main/cli/listen-command';
import { parseCliArgs, type ListenArgs } from '../../../src-main/cli/cli-args';
import type { CliEvent } from '../../../src-main/cli/cli-events';
import type { CommandContext } from '../../../src-main/cli/command-context';
import { createLogger } from '../../../src-main/util/logger';
import { FakeUserAgent } from './fake-user-agent';

function listenArgs(argv: string[]): ListenArgs {
  const r = parseCliArgs(['listen', ...argv]);
  if (!r.ok || r.args.command !== 'listen') throw new Error('bad test args');
  return r.args;
}

function setup() {
  const ua = new FakeUserAgent();
  const events: CliEvent[] = [];
  const controller = new AbortController();
  const media = { codecSoon: vi.fn(async () => 'PCMU'), closeAll: vi.fn(async () => {}) };
  const ctx: CommandContext = { ua, media, emit: (e) => events.push(e), stop: controller.signal, log: createLogger('test') };
  return { ua, events, controller, ctx, names: () => events.map((e) => e.event) };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe('runListenCommand', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reports an incoming call, answers after --answer-after, and exits 0 after --max-calls', async () => {
    const { ua, events, ctx, names } = setup();
    const done = runListenCommand(ctx, listenArgs(['--answer-after', '2', '--max-calls', '1']));
    await flush();
    const call = ua.incoming('sip:alice@127.0.0.1', 'Alice');
    await vi.advanceTimersByTimeAsync(1900);
    expect(call.answered).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(call.answered).toBe(1);
    call.end({ reason: 'hung up by remote', by: 'remote', durationSeconds: 4 });
    expect(await done).toBe(0);
    expect(names()).toEqual(['listening', 'incoming', 'connected', 'ended']);
    expect(events[1]).toEqual({ event: 'incoming', callId: call.id, from: 'sip:alice@127.0.0.1', displayName: 'Alice' });
    expect(events[2]).toMatchObject({ codec: 'PCMU' });
  });

  it('without --auto-answer lets the call ring until the caller cancels', async () => {
    const { ua, events, ctx } = setup();
    const done = runListenCommand(ctx, listenArgs(['--max-calls', '1']));
    await flush();
    const call = ua.incoming('sip:alice@127.0.0.1');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(call.answered).toBe(0);
    expect(call.rejectedWith).toBeUndefined();
    call.end({ reason: 'cancelled', by: 'remote', durationSeconds: 0 });
    expect(await done).toBe(0);
    expect(events.find((e) => e.event === 'ended')).toMatchObject({ reason: 'cancelled', by: 'remote' });
  });

  it('--reject declines with the given status', async () => {
    const { ua, ctx } = setup();
    const done = runListenCommand(ctx, listenArgs(['--reject', '603', '--max-calls', '1']));
    await flush();
    const call = ua.incoming('sip:alice@127.0.0.1');
    expect(await done).toBe(0);
    expect(call.rejectedWith).toBe(603);
  });

  it('answers 486 to a second caller while a call is up', async () => {
    const { ua, events, ctx, controller } = setup();
    const done = runListenCommand(ctx, listenArgs(['--auto-answer']));
    await flush();
    const first = ua.incoming('sip:alice@127.0.0.1');
    await vi.advanceTimersByTimeAsync(0);
    expect(first.state).toBe('connected');
    const second = ua.incoming('sip:carol@127.0.0.1');
    expect(second.rejectedWith).toBe(486);
    expect(events.some((e) => e.event === 'warning' && e.message.includes('carol'))).toBe(true);
    controller.abort();
    expect(await done).toBe(0);
    // The call still up was hung up on the way out, and said so.
    expect(first.hangups).toBe(1);
    expect(events.filter((e) => e.event === 'ended')).toHaveLength(2);
  });

  it('with --max-calls 1, a busy-rejected second caller neither counts nor ends the call in progress', async () => {
    const { ua, ctx } = setup();
    let exited = false;
    const done = runListenCommand(ctx, listenArgs(['--auto-answer', '--max-calls', '1'])).then((c) => {
      exited = true;
      return c;
    });
    await flush();
    const first = ua.incoming('sip:alice@127.0.0.1');
    await vi.advanceTimersByTimeAsync(0);
    const second = ua.incoming('sip:carol@127.0.0.1');
    expect(second.rejectedWith).toBe(486);
    await vi.advanceTimersByTimeAsync(1000);
    expect(exited).toBe(false);
    expect(first.state).toBe('connected');
    first.end({ reason: 'hung up by remote', by: 'remote', durationSeconds: 1 });
    expect(await done).toBe(0);
    expect(first.hangups).toBe(0);
  });

  it('--max-concurrent 2: a second caller is answered through ctx.answer (which holds the first), a third gets 486', async () => {
    const { ua, events, ctx, controller } = setup();
    const answeredVia: string[] = [];
    ctx.answer = (call) => {
      answeredVia.push(call.remoteUri);
      return call.answer();
    };
    const done = runListenCommand(ctx, listenArgs(['--auto-answer', '--max-concurrent', '2', '--max-calls', '2']));
    await flush();
    const first = ua.incoming('sip:alice@127.0.0.1');
    await vi.advanceTimersByTimeAsync(0);
    const second = ua.incoming('sip:bob@127.0.0.1');
    await vi.advanceTimersByTimeAsync(0);
    expect([first.state, second.state]).toEqual(['connected', 'connected']);
    expect(second.rejectedWith).toBeUndefined();
    expect(answeredVia).toEqual(['sip:alice@127.0.0.1', 'sip:bob@127.0.0.1']);
    const third = ua.incoming('sip:carol@127.0.0.1');
    expect(third.rejectedWith).toBe(486);
    expect(events.find((e) => e.event === 'warning')).toMatchObject({ message: expect.stringContaining('2 of --max-concurrent 2') });
    // A place frees up: the next caller is taken again.
    first.end({ reason: 'hung up by remote', by: 'remote', durationSeconds: 1 });
    const fourth = ua.incoming('sip:dave@127.0.0.1');
    await vi.advanceTimersByTimeAsync(0);
    expect(fourth.rejectedWith).toBeUndefined();
    expect(fourth.state).toBe('connected');
    controller.abort();
    expect(await done).toBe(0);
  });

  it('exits 1 when the registrar rejects the credentials', async () => {
    const { ua, events, ctx } = setup();
    ua.registerResults = [{ state: 'failed', reason: '401 Unauthorized', status: 401 }];
    const code = await runListenCommand(ctx, listenArgs(['--user', 'bob', '--domain', 'pbx']));
    expect(code).toBe(1);
    expect(events.filter((e) => e.event === 'registration_failed')).toHaveLength(1);
  });

  it('retries a registrar that does not answer, with back-off, until it does', async () => {
    const { ua, events, ctx, controller } = setup();
    ua.registerResults = [
      { state: 'failed', reason: 'timeout: no answer from 10.0.0.1:5060' },
      { state: 'failed', reason: '503 Service Unavailable', status: 503 },
      { state: 'registered', expires: 600, contact: '<sip:bob@127.0.0.1:5062>' },
    ];
    const done = runListenCommand(ctx, listenArgs(['--user', 'bob', '--domain', 'pbx']));
    await flush();
    expect(events.filter((e) => e.event === 'registration_failed')).toEqual([
      { event: 'registration_failed', reason: 'timeout: no answer from 10.0.0.1:5060', status: undefined, retryInSeconds: 5 },
    ]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(ua.registerCalls).toBe(2);
    expect(events.filter((e) => e.event === 'registration_failed').at(-1)).toMatchObject({ status: 503, retryInSeconds: 10 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ua.registerCalls).toBe(3);
    expect(events.at(-1)).toMatchObject({ event: 'registered', expires: 600 });
    controller.abort();
    expect(await done).toBe(0);
    expect(events.at(-1)).toEqual({ event: 'unregistered' });
  });

  it('a 503 with Retry-After (RFC 3261 §20.33) is retried after the server\'s time, not the back-off', async () => {
    const { ua, events, ctx, controller } = setup();
    ua.registerResults = [
      { state: 'failed', reason: '503 Service Unavailable, retry after 42 s', status: 503, retryInSeconds: 42, retryAfterSeconds: 42 },
      { state: 'registered', expires: 600, contact: '<sip:bob@127.0.0.1:5062>' },
    ];
    const done = runListenCommand(ctx, listenArgs(['--user', 'bob', '--domain', 'pbx']));
    await flush();
    expect(events.filter((e) => e.event === 'registration_failed')).toEqual([
      { event: 'registration_failed', reason: '503 Service Unavailable, retry after 42 s', status: 503, retryInSeconds: 42 },
    ]);
    await vi.advanceTimersByTimeAsync(41_999);
    expect(ua.registerCalls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(ua.registerCalls).toBe(2);
    controller.abort();
    expect(await done).toBe(0);
  });
});
