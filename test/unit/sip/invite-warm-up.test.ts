// The answering path's warm-up (issue 12): one sample call rings on a dry context and nothing of it
// reaches the user agent's transport, media, dialogs, timers or listeners.
import { describe, expect, it } from 'vitest';
import { UserAgentCore } from '../../../src-main/sip/user-agent-core';
import { sampleInvite, warmUpIncomingCall } from '../../../src-main/sip/invite-warm-up';
import type { CallContext } from '../../../src-main/sip/call-context';
import type { Call } from '../../../src-main/sip/user-agent-api';
import { FakeClock, FakeTransport, flush, RecordingMedia, silentLogger } from './fake-sip-network';

function recordingContext(): { ctx: CallContext; seen: string[] } {
  const seen: string[] = [];
  const net = new FakeTransport();
  const clock = new FakeClock();
  const ctx: CallContext = {
    transport: net,
    clock: { now: () => clock.now(), setTimeout: (fn, ms) => (seen.push(`timer ${ms}`), clock.setTimeout(fn, ms)), clearTimeout: (id) => clock.clearTimeout(id) },
    log: { ...silentLogger, info: (m) => seen.push(`log ${m}`), warn: (m) => seen.push(`log ${m}`), error: (m) => seen.push(`log ${m}`) },
    userAgent: 'unit',
    contactUser: 'softphone',
    ringTimeoutMs: 60_000,
    createMedia: () => (seen.push('media'), new RecordingMedia(7000)),
    addDialog: () => seen.push('dialog'),
    removeDialog: () => seen.push('dialog removed'),
    onCallEnded: () => seen.push('ended'),
  };
  const original = net.sendResponse.bind(net);
  net.sendResponse = (r) => (seen.push(`response ${r.status}`), original(r));
  return { ctx, seen };
}

describe('answering-path warm-up', () => {
  it('rings the sample call (the whole path ran) and touches nothing of the real context', async () => {
    const { ctx, seen } = recordingContext();
    expect(await warmUpIncomingCall(ctx)).toBe(true);
    expect(seen).toEqual([]);
  });

  it('a user agent that starts runs it unseen: no response, media port, incoming call or timer', async () => {
    const net = new FakeTransport();
    const clock = new FakeClock();
    let media = 0;
    const ua = new UserAgentCore({
      transport: net,
      clock,
      log: silentLogger,
      config: { port: 5060, userAgentName: 'unit', createMedia: () => (media++, new RecordingMedia(6000)) },
    });
    const incoming: Call[] = [];
    ua.on('incoming', (c) => incoming.push(c));
    await ua.start();
    await flush();
    expect(net.responses).toHaveLength(0);
    expect(net.sent).toHaveLength(0);
    expect(media).toBe(0);
    expect(incoming).toHaveLength(0);
    expect(clock.pending).toBe(0);
  });

  it('the sample INVITE offers both G.711 laws and RFC 4733 events, as typical callers do', () => {
    const invite = sampleInvite();
    expect(invite.method).toBe('INVITE');
    expect(invite.content).toMatch(/m=audio \d+ RTP\/AVP 0 8 101/);
  });
});
