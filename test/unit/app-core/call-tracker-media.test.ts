// Issue 10: the call tracker carries the call's media warning into the snapshot the UI gets
// ('call.changed'), clears it on 'media-restored' and when the call ends.
import { describe, expect, it } from 'vitest';
import { CallTracker } from '../../../src-main/app-core/call-tracker';
import type { CallSnapshot, HistoryEntry } from '../../../src-main/ipc/contract';
import type { CallEndInfo, MediaWarning } from '../../../src-main/sip/user-agent-api';
import { FakeCall, FakeUserAgent } from './fake-user-agent';

const warning: MediaWarning = { reason: 'no audio from the other side for 5 s: …', silentSeconds: 5, kind: 'stopped', path: 'relay' };

describe('CallTracker and media warnings', () => {
  it('warning in, restored out, and an ended call carries none', () => {
    const changes: CallSnapshot[] = [];
    const tracker = new CallTracker({ now: () => 1000, changed: (s) => changes.push(s), ended: () => {}, setTimer: () => 0 });
    const call = new FakeCall(new FakeUserAgent({} as never), 'c1', 'outgoing', 'sip:bob@example.com');
    tracker.track(call);
    call.setState('connected');
    call.events.emit('media-warning', warning);
    expect(changes.at(-1)).toMatchObject({ state: 'connected', mediaWarning: warning });
    const count = changes.length;
    call.events.emit('media-warning', warning);
    expect(changes).toHaveLength(count); // the same warning again is no change
    call.events.emit('media-restored', { silentSeconds: 8, cause: 'media' });
    expect(changes.at(-1)?.mediaWarning).toBeNull();
    call.events.emit('media-warning', warning);
    call.events.emit('ended', { reason: 'no RTP for 30 s', by: 'error', durationSeconds: 40 });
    expect(changes.at(-1)).toMatchObject({ state: 'ended', mediaWarning: null, end: { reason: 'no RTP for 30 s' } });
  });

  it('a call refused before it could start keeps its own reason (not "ended")', () => {
    const ends: string[] = [];
    const timers: Array<() => void> = [];
    const tracker = new CallTracker({ now: () => 1000, changed: () => {}, ended: (_s, e) => ends.push(e.endReason), setTimer: (fn) => timers.push(fn) });
    const call = new FakeCall(new FakeUserAgent({} as never), 'c2', 'outgoing', 'sip:100');
    call.state = 'ended';
    tracker.track(call);
    call.events.emit('ended', { reason: 'invalid target: no domain to call "100" at', by: 'error', durationSeconds: 0 });
    expect(ends).toEqual(['invalid target: no domain to call "100" at']);
    for (const t of timers) t();
    expect(ends).toHaveLength(1);
    expect(tracker.snapshot('c2')).toMatchObject({ state: 'ended', end: { reason: 'invalid target: no domain to call "100" at' } });
  });
});

describe('CallTracker and the call quality score (issue 13)', () => {
  it('puts the running score on the snapshot when it moves, and the final one into the history entry', () => {
    const changes: CallSnapshot[] = [];
    const entries: HistoryEntry[] = [];
    const tracker = new CallTracker({ now: () => 1000, changed: (s) => changes.push(s), ended: (_s, e) => entries.push(e), setTimer: () => 0 });
    const call = new FakeCall(new FakeUserAgent({} as never), 'q1', 'outgoing', 'sip:bob@example.com');
    tracker.track(call);
    call.setState('connected');
    tracker.setQuality('q1', { r: 92.1, mos: 4.38 });
    expect(changes.at(-1)?.quality).toEqual({ r: 92.1, mos: 4.38 });
    const count = changes.length;
    tracker.setQuality('q1', { r: 92.3, mos: 4.39 }); // no visible change: no message
    expect(changes).toHaveLength(count);
    tracker.setQuality('q1', { r: 70.2, mos: 3.6 });
    expect(changes.at(-1)?.quality).toEqual({ r: 70.2, mos: 3.6 });
    tracker.setQuality('unknown', { r: 1, mos: 1 }); // not a tracked call: ignored
    const stats = { quality: { r: 71.5, mos: 3.66 } } as unknown as CallEndInfo['stats'];
    call.events.emit('ended', { reason: 'hung up by remote', by: 'remote', durationSeconds: 12, stats });
    expect(entries.at(-1)).toMatchObject({ id: 'q1', quality: { r: 71.5, mos: 3.66 } });
  });

  it('keeps the peer\'s own score from its RTCP XR in the history entry (RFC 3611 VoIP metrics)', () => {
    const entries: HistoryEntry[] = [];
    const tracker = new CallTracker({ now: () => 1000, changed: () => {}, ended: (_s, e) => entries.push(e), setTimer: () => 0 });
    const call = new FakeCall(new FakeUserAgent({} as never), 'q3', 'outgoing', 'sip:bob@example.com');
    tracker.track(call);
    call.setState('connected');
    const peer = { lossPercent: 1.2, discardPercent: 0, r: 84, mosLq: 4.2, mosCq: 4.1, gmin: 16 };
    const stats = { quality: { r: 90.5, mos: 4.33, peer } } as unknown as CallEndInfo['stats'];
    call.events.emit('ended', { reason: 'hung up', by: 'local', durationSeconds: 5, stats });
    expect(entries.at(-1)?.quality).toEqual({ r: 90.5, mos: 4.33, peer: { r: 84, mos: 4.1 } });
  });

  it('leaves the score out of the history when no audio arrived', () => {
    const entries: HistoryEntry[] = [];
    const tracker = new CallTracker({ now: () => 1000, changed: () => {}, ended: (_s, e) => entries.push(e), setTimer: () => 0 });
    const call = new FakeCall(new FakeUserAgent({} as never), 'q2', 'outgoing', 'sip:bob@example.com');
    tracker.track(call);
    call.events.emit('ended', { reason: '486 Busy Here', by: 'remote', status: 486, durationSeconds: 0 });
    expect(entries.at(-1)).not.toHaveProperty('quality');
  });
});
