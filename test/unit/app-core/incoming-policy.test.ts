// Issue 11: what the preferences decide about an incoming call (DND status, auto-answer delay), the
// auto-answer timer against a call that rings, is answered by hand or ends, and received keys on the card.
import { describe, expect, it } from 'vitest';
import { autoAnswerDelayMs, dndStatus, scheduleAutoAnswer } from '../../../src-main/app-core/incoming-policy';
import { CallTracker } from '../../../src-main/app-core/call-tracker';
import { toAccountSettings } from '../../../src-main/app-core/account-mapping';
import { DEFAULT_ACCOUNT, DEFAULT_PREFERENCES } from '../../../src-main/settings/settings-schema';
import type { CallSnapshot } from '../../../src-main/ipc/contract';
import type { Call } from '../../../src-main/sip/user-agent-api';
import { FakeCall, FakeUserAgent } from './fake-user-agent';

function timers() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  return {
    pending,
    setTimer: (fn: () => void, ms: number) => {
      pending.set(next, { fn, ms });
      return next++;
    },
    clearTimer: (id: unknown) => void pending.delete(id as number),
    fire() {
      for (const [id, t] of [...pending]) {
        pending.delete(id);
        t.fn();
      }
    },
  };
}

describe('incoming-call preferences', () => {
  it('maps do-not-disturb and auto-answer; absent means off (files from before issue 11)', () => {
    expect(dndStatus(DEFAULT_PREFERENCES)).toBeUndefined();
    expect(dndStatus({ ...DEFAULT_PREFERENCES, doNotDisturb: 'off' })).toBeUndefined();
    expect(dndStatus({ ...DEFAULT_PREFERENCES, doNotDisturb: '486' })).toBe(486);
    expect(dndStatus({ ...DEFAULT_PREFERENCES, doNotDisturb: '480' })).toBe(480);
    expect(autoAnswerDelayMs(DEFAULT_PREFERENCES)).toBeUndefined();
    expect(autoAnswerDelayMs({ ...DEFAULT_PREFERENCES, autoAnswer: true })).toBe(0);
    expect(autoAnswerDelayMs({ ...DEFAULT_PREFERENCES, autoAnswer: true, autoAnswerDelaySeconds: 3 })).toBe(3000);
    expect(autoAnswerDelayMs({ ...DEFAULT_PREFERENCES, autoAnswer: false, autoAnswerDelaySeconds: 3 })).toBeUndefined();
  });

  it('auto-answers a call still ringing when the delay is over, and not one answered, declined or gone', async () => {
    const t = timers();
    const answered: string[] = [];
    const deps = { setTimer: t.setTimer, clearTimer: t.clearTimer, answer: async (c: Call) => void answered.push(c.id), report: () => {} };
    const ua = new FakeUserAgent({} as never);
    const ringing = new FakeCall(ua, 'r', 'incoming', 'sip:a@x');
    ringing.setState('ringing');
    scheduleAutoAnswer(ringing, 2000, deps);
    expect([...t.pending.values()].map((p) => p.ms)).toEqual([2000]);
    const gone = new FakeCall(ua, 'g', 'incoming', 'sip:b@x');
    gone.setState('ringing');
    scheduleAutoAnswer(gone, 2000, deps);
    gone.setState('ended');
    expect(t.pending.size).toBe(1); // the ended call's timer went with it
    t.fire();
    await Promise.resolve();
    expect(answered).toEqual(['r']);
  });

  it('puts the keys the other side pressed on the call card (the last 32)', () => {
    const changes: CallSnapshot[] = [];
    const tracker = new CallTracker({ now: () => 1000, changed: (s) => changes.push(s), ended: () => {}, setTimer: () => 0 });
    const call = new FakeCall(new FakeUserAgent({} as never), 'k', 'incoming', 'sip:bob@example.com');
    tracker.track(call);
    call.setState('connected');
    for (const digit of '12#') call.events.emit('dtmf', { digit, via: 'rfc4733' });
    expect(changes.at(-1)?.dtmfReceived).toBe('12#');
    for (let i = 0; i < 40; i++) call.events.emit('dtmf', { digit: String(i % 10), via: 'info' });
    expect(changes.at(-1)?.dtmfReceived).toHaveLength(32);
    expect(changes.at(-1)?.dtmfReceived?.endsWith('789')).toBe(true);
  });

  it('hands the account\'s DTMF mode to the user agent', () => {
    const settings = toAccountSettings({ ...DEFAULT_ACCOUNT, domain: 'pbx.example', userId: 'a', passwordBlob: '', dtmfMode: 'info' }, 'pw');
    expect(settings?.dtmfMode).toBe('info');
  });
});
