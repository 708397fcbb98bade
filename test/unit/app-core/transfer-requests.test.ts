// Issue 11 in the app core: a transfer's progress, a conference and the other side's transfer request on
// the call snapshot (what the call cards show), call.transferReply, and why unanswered calls are in the
// history (missed, declined by the user, refused by do-not-disturb).
import { beforeEach, describe, expect, it } from 'vitest';
import { CallTracker, historyEntryFor } from '../../../src-main/app-core/call-tracker';
import { createCallRequestHandlers } from '../../../src-main/app-core/call-requests';
import { wireTransfers } from '../../../src-main/app-core/transfer-requests';
import type { UserAgentHostEvents } from '../../../src-main/app-core/user-agent-host';
import type { CallSnapshot, HistoryEntry, TransferRequest } from '../../../src-main/ipc/contract';
import { Emitter } from '../../../src-main/util/emitter';
import { FakeCall, FakeUserAgent } from './fake-user-agent';
import { FakeMedia } from './fake-user-agent';

let ua: FakeUserAgent;
let tracker: CallTracker;
let events: Emitter<UserAgentHostEvents>;
let changes: CallSnapshot[];
let history: HistoryEntry[];
let requested: TransferRequest[];
let answers: Array<[string, boolean]>;
let handlers: ReturnType<typeof createCallRequestHandlers>;

beforeEach(() => {
  ua = new FakeUserAgent({ port: 0, createMedia: () => new FakeMedia({ audio: { kind: 'null' } }) });
  changes = [];
  history = [];
  requested = [];
  answers = [];
  tracker = new CallTracker({ now: () => 5000, changed: (s) => changes.push(s), ended: (_s, e) => history.push(e), setTimer: () => undefined });
  events = new Emitter<UserAgentHostEvents>();
  wireTransfers(events, { tracker, now: () => 7000, requested: (r) => requested.push(r), refused: (e) => history.push(e) });
  handlers = createCallRequestHandlers({
    tracker,
    answer: (c) => c.answer(),
    answerTransfer: (id, accept) => {
      answers.push([id, accept]);
      return id === 'tr1';
    },
  });
});

function connectedCall(who: string): FakeCall {
  const call = ua.call(`sip:${who}@192.0.2.1`);
  tracker.track(call);
  call.setState('connected');
  return call;
}

describe('transfer progress on the call card', () => {
  it('blind: the typed target with each step of the REFER and its NOTIFYs; a refusal to ask leaves none', async () => {
    const call = connectedCall('bob');
    await handlers['call.transfer']({ callId: call.id, target: 'carol' });
    expect(call.transfers).toEqual([{ target: 'carol' }]);
    call.events.emit('transfer', { status: 'requested', reason: 'REFER sent' });
    call.events.emit('transfer', { status: 'accepted', code: 202, reason: 'Accepted' });
    call.events.emit('transfer', { status: 'ringing', code: 180, reason: '180 Ringing' });
    expect(tracker.snapshot(call.id)?.transfer).toEqual({ status: 'ringing', code: 180, reason: '180 Ringing', target: 'carol', attended: false });
    call.events.emit('transfer', { status: 'failed', code: 486, reason: '486 Busy Here' });
    expect(tracker.snapshot(call.id)?.transfer).toMatchObject({ status: 'failed', reason: '486 Busy Here', target: 'carol' });

    const held = ua.call('sip:dave@192.0.2.1');
    tracker.track(held);
    await expect(handlers['call.transfer']({ callId: held.id, target: 'carol' })).rejects.toThrow('only a connected call can be transferred');
    expect(tracker.snapshot(held.id)?.transfer ?? null).toBeNull();
  });

  it("attended: the other call's party is the target", async () => {
    const bob = connectedCall('bob');
    const carol = ua.call('sip:carol@192.0.2.1');
    tracker.track(carol);
    carol.setState('connected');
    await handlers['call.transfer']({ callId: bob.id, replacesCallId: carol.id });
    bob.events.emit('transfer', { status: 'requested', reason: 'REFER sent' });
    expect(tracker.snapshot(bob.id)?.transfer).toEqual({ status: 'requested', reason: 'REFER sent', target: 'sip:carol@192.0.2.1', attended: true });
  });
});

describe('conference on the call cards', () => {
  it('each card names the other call; when one ends the other is on its own again', async () => {
    const a = connectedCall('bob');
    const b = connectedCall('carol');
    const joined = await handlers['call.conference']({ callIds: [a.id, b.id] });
    expect(joined.map((s) => s.conference)).toEqual([b.id, a.id]);
    await a.hangup();
    expect(tracker.snapshot(b.id)?.conference).toBeNull();
  });
});

describe('the other side asks to transfer us', () => {
  it('the request goes on the card and out as an event; the reply reaches the user agent; its end clears it', async () => {
    const call = connectedCall('bob');
    events.emit('transferAsk', { ask: { id: 'tr1', kind: 'refer', callId: call.id, target: 'sip:carol@192.0.2.30', referredBy: '<sip:bob@192.0.2.1>', expiresAt: 9000 }, call });
    const request = { requestId: 'tr1', kind: 'refer', callId: call.id, target: 'sip:carol@192.0.2.30', referredBy: '<sip:bob@192.0.2.1>', expiresAt: 9000 };
    expect(requested).toEqual([request]);
    expect(tracker.snapshot(call.id)?.transferRequest).toEqual(request);
    await expect(handlers['call.transferReply']({ requestId: 'nope', accept: true })).rejects.toThrow(/no such transfer request/);
    const after = await handlers['call.transferReply']({ requestId: 'tr1', accept: false });
    expect(answers).toEqual([['tr1', false]]);
    expect(after.id).toBe(call.id);
    events.emit('transferAskEnded', { id: 'tr1', callId: call.id, accepted: false, cause: 'user' });
    expect(tracker.snapshot(call.id)?.transferRequest).toBeNull();
  });

  it('a Replaces INVITE asked about is tracked as a ringing call with its question', () => {
    const old = connectedCall('bob');
    const ringing = new FakeCall(ua, 'rep-1', 'incoming', 'sip:carol@192.0.2.30');
    events.emit('transferAsk', { ask: { id: 'tr2', kind: 'replaces', callId: 'rep-1', target: 'sip:carol@192.0.2.30', replacesCallId: old.id, expiresAt: 9000 }, call: ringing });
    expect(tracker.snapshot('rep-1')).toMatchObject({ state: 'ringing', direction: 'incoming', transferRequest: { requestId: 'tr2', kind: 'replaces', replacesCallId: old.id } });
  });

  it('a call a transfer brought is tracked', () => {
    const placed = ua.call('sip:carol@192.0.2.30');
    events.emit('transferCall', placed);
    expect(tracker.snapshot(placed.id)).toMatchObject({ remoteUri: 'sip:carol@192.0.2.30' });
  });
});

describe('unanswered calls in the history', () => {
  it('declined by the user, given up by the caller, refused by do-not-disturb: each with its reason', () => {
    const declined = ua.incoming('sip:bob@192.0.2.1', 'Bob');
    tracker.track(declined);
    declined.reject(603);
    const missed = ua.incoming('sip:carol@192.0.2.1');
    tracker.track(missed);
    missed.end({ reason: 'cancelled by caller', status: 487, by: 'remote', durationSeconds: 0 });
    events.emit('dnd', { from: 'sip:dave@192.0.2.1', displayName: 'Dave', status: 480 });
    expect(history.map((e) => [e.remoteUri, e.missed, e.outcome, e.endReason])).toEqual([
      ['sip:bob@192.0.2.1', true, 'declined', '603 Decline'],
      ['sip:carol@192.0.2.1', true, 'missed', 'cancelled by caller'],
      ['sip:dave@192.0.2.1', true, 'refused', '480 Temporarily Unavailable (do not disturb)'],
    ]);
    expect(history[2]).toMatchObject({ direction: 'incoming', remoteDisplayName: 'Dave', startedAt: 7000, durationSeconds: 0 });
    // Answered and outgoing calls carry no outcome.
    const snap = { id: 'x', direction: 'outgoing', remoteUri: 'sip:e@h', remoteDisplayName: '', state: 'ended', muted: false, startedAt: 1, connectedAt: null, end: null } as const;
    expect(historyEntryFor(snap, { reason: '486 Busy Here', status: 486, by: 'remote', durationSeconds: 0 }).outcome).toBeUndefined();
  });
});

describe('the account setting "Transfers the other side asks for"', () => {
  it('an older settings file with the boolean still loads, and the UI sees it as always / never', async () => {
    const { migrateSettings, DEFAULT_ACCOUNT } = await import('../../../src-main/settings/settings-schema');
    const { toAccountView } = await import('../../../src-main/app-core/account-mapping');
    for (const [old, view] of [[true, 'always'], [false, 'never'], ['ask', 'ask']] as const) {
      const decoded = migrateSettings({ version: 2, account: { ...DEFAULT_ACCOUNT, passwordBlob: '', acceptTransfer: old }, preferences: {}, turnPasswordBlob: '' });
      if (!decoded.ok) throw new Error(decoded.reason);
      expect(decoded.settings.account?.acceptTransfer).toBe(old);
      expect(toAccountView(decoded.settings.account!).acceptTransfer).toBe(view);
    }
    expect(migrateSettings({ version: 2, account: { ...DEFAULT_ACCOUNT, passwordBlob: '', acceptTransfer: 'sometimes' }, preferences: {}, turnPasswordBlob: '' }).ok).toBe(false);
  });
});
