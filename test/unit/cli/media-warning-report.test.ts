// Issue 10 in the CLI: --no-rtp-timeout, and a call's media warnings as media_warning / media_restored
// lines in order with the others; a call ended for no RTP exits 1 (call) and is counted (listen).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCallCommand } from '../../../src-main/cli/call-command';
import { runListenCommand } from '../../../src-main/cli/listen-command';
import { DEFAULT_NO_RTP_TIMEOUT, parseCliArgs, type CallArgs, type ListenArgs } from '../../../src-main/cli/cli-args';
import { formatEvent, type CliEvent } from '../../../src-main/cli/cli-events';
import type { CommandContext } from '../../../src-main/cli/command-context';
import { HELP_TEXT, commandHelp } from '../../../src-main/cli/help-text';
import { createLogger } from '../../../src-main/util/logger';
import { FakeUserAgent, type FakeCall } from './fake-user-agent';

function args<T extends CallArgs | ListenArgs>(argv: string[]): T {
  const r = parseCliArgs(argv);
  if (!r.ok) throw new Error(r.error);
  return r.args as T;
}

function setup() {
  const ua = new FakeUserAgent();
  const events: CliEvent[] = [];
  const media = { codecSoon: vi.fn(async () => 'PCMU'), closeAll: vi.fn(async () => {}) };
  const ctx: CommandContext = { ua, media, emit: (e) => events.push(e), stop: new AbortController().signal, log: createLogger('test') };
  return { ua, events, ctx, names: () => events.map((e) => e.event) };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

const warning = {
  reason: "no audio from the other side for 5 s: the peer's media may be blocked by a firewall or NAT",
  silentSeconds: 5,
  kind: 'never' as const,
  path: 'direct' as const,
};

describe('--no-rtp-timeout', () => {
  it('defaults to 30 s for call and listen; takes seconds, 0 = never; rejects nonsense', () => {
    expect(DEFAULT_NO_RTP_TIMEOUT).toBe(30);
    expect(args<CallArgs>(['call', 'sip:b@127.0.0.1']).noRtpTimeout).toBe(30);
    expect(args<ListenArgs>(['listen', '--no-rtp-timeout', '0']).noRtpTimeout).toBe(0);
    expect(args<CallArgs>(['call', 'sip:b@127.0.0.1', '--no-rtp-timeout', '12.5']).noRtpTimeout).toBe(12.5);
    const bad = parseCliArgs(['call', 'sip:b@127.0.0.1', '--no-rtp-timeout', 'soon']);
    expect(bad).toEqual({ ok: false, error: '--no-rtp-timeout must be a number of seconds, got "soon"' });
    expect(parseCliArgs(['call', 'sip:b@127.0.0.1', '--no-rtp-timeout', '-1']).ok).toBe(false);
  });

  it('is documented in both commands\' help, with the output lines', () => {
    for (const text of [commandHelp('call'), commandHelp('listen')]) expect(text).toMatch(/--no-rtp-timeout S +hang up a connected call that has received no RTP\/RTCP for S seconds/);
    expect(HELP_TEXT).toMatch(/media_warning \{callId, message, silentSeconds, kind: never\|stopped, path: direct\|ice\|relay\}/);
    expect(HELP_TEXT).toMatch(/media_restored \{callId, silentSeconds, cause: media\|hold\}/);
  });
});

describe('media warnings as event lines', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('call: connected, media_warning, media_restored, media_warning, then ended "no RTP for 30 s" and exit 1', async () => {
    const { ua, events, ctx, names } = setup();
    const done = runCallCommand(ctx, args<CallArgs>(['call', 'sip:b@127.0.0.1:5062']));
    await flush();
    const call = ua.calls[0] as FakeCall;
    call.setState('connected');
    await flush();
    call.events.emit('media-warning', warning);
    call.events.emit('media-restored', { silentSeconds: 7.5, cause: 'media' });
    call.events.emit('media-warning', { ...warning, kind: 'stopped', reason: 'no audio from the other side for 5 s (it stopped mid-call): …' });
    call.end({ reason: 'no RTP for 30 s', by: 'error', durationSeconds: 40 });
    expect(await done).toBe(1);
    expect(names()).toEqual(['listening', 'calling', 'connected', 'media_warning', 'media_restored', 'media_warning', 'ended']);
    expect(events[3]).toEqual({ event: 'media_warning', callId: call.id, message: warning.reason, silentSeconds: 5, kind: 'never', path: 'direct' });
    expect(events[4]).toEqual({ event: 'media_restored', callId: call.id, silentSeconds: 7.5, cause: 'media' });
    expect(events[6]).toMatchObject({ event: 'ended', reason: 'no RTP for 30 s', by: 'error' });
    // The line on stdout: "event" first, "time" last, as every other line.
    expect(formatEvent(events[3] as CliEvent, new Date(0))).toBe(
      `{"event":"media_warning","callId":"${call.id}","message":"${warning.reason}","silentSeconds":5,"kind":"never","path":"direct","time":"1970-01-01T00:00:00.000Z"}`,
    );
  });

  it('listen: the answered call\'s warning is printed, and nothing after the call ended', async () => {
    const { ua, events, ctx, names } = setup();
    const done = runListenCommand(ctx, args<ListenArgs>(['listen', '--auto-answer', '--max-calls', '1', '--no-rtp-timeout', '10']));
    await flush();
    const call = ua.incoming('sip:alice@127.0.0.1', 'Alice');
    await vi.advanceTimersByTimeAsync(10);
    call.events.emit('media-warning', warning);
    call.end({ reason: 'no RTP for 10 s', by: 'error', durationSeconds: 12 });
    call.events.emit('media-restored', { silentSeconds: 1, cause: 'media' });
    expect(await done).toBe(0);
    expect(names()).toEqual(['listening', 'incoming', 'connected', 'media_warning', 'ended']);
    expect(events.at(-1)).toMatchObject({ reason: 'no RTP for 10 s' });
  });
});
