// Follows each Call of the user agent into a CallSnapshot for the UI (state, mute, connect time, end)
// and turns a finished call into its history entry.
import type { CallAccount, CallSnapshot, HistoryEntry } from '../ipc/contract';
import type { Call, CallEndInfo, TransferProgress } from '../sip/user-agent-api';

export interface TrackedCall {
  call: Call;
  snapshot: CallSnapshot;
}

export interface CallTrackerHooks {
  now: () => number;
  changed: (snapshot: CallSnapshot) => void;
  ended: (snapshot: CallSnapshot, entry: HistoryEntry) => void;
  /** For the fallback below; injectable for fake clocks. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  /** Issue 11: progress of a transfer of the call (REFER, NOTIFY sipfrag). */
  transfer?: (callId: string, progress: TransferProgress) => void;
}

export function historyEntryFor(snapshot: CallSnapshot, end: CallEndInfo): HistoryEntry {
  return {
    id: snapshot.id,
    direction: snapshot.direction,
    // "Missed" = incoming and never answered (contract); a call we declined still counts.
    missed: snapshot.direction === 'incoming' && snapshot.connectedAt === null,
    remoteUri: snapshot.remoteUri,
    remoteDisplayName: snapshot.remoteDisplayName,
    startedAt: snapshot.startedAt,
    durationSeconds: Math.max(0, Math.round(end.durationSeconds)),
    endReason: end.reason,
    ...(end.stats?.quality ? { quality: end.stats.quality } : {}),
  };
}

export class CallTracker {
  private readonly active = new Map<string, TrackedCall>();
  /** Ended calls stay answerable (hangup of an ended call returns its final snapshot) for a while. */
  private readonly ended = new Map<string, CallSnapshot>();

  constructor(private readonly hooks: CallTrackerHooks) {}

  /** `account`: issue 11's tag, the account the call came in on or goes out on (absent = none). */
  track(call: Call, account?: CallAccount): CallSnapshot {
    const existing = this.active.get(call.id);
    if (existing) return existing.snapshot;
    const snapshot: CallSnapshot = {
      id: call.id,
      direction: call.direction,
      remoteUri: call.remoteUri,
      remoteDisplayName: call.remoteDisplayName,
      state: call.state === 'ended' ? 'calling' : call.state,
      muted: false,
      startedAt: this.hooks.now(),
      connectedAt: call.state === 'connected' ? this.hooks.now() : null,
      end: null,
      ...(account ? { account } : {}),
    };
    const tracked: TrackedCall = { call, snapshot };
    this.active.set(call.id, tracked);
    call.on('state', (state) => {
      if (state === 'ended') {
        // The end info normally follows at once; if a user agent forgot it, end the call anyway.
        (this.hooks.setTimer ?? setTimeout)(() => this.finish(call.id, { reason: 'ended', by: 'error', durationSeconds: this.connectedSeconds(tracked) }), 2000);
        return;
      }
      this.update(call.id, { state, connectedAt: state === 'connected' ? (tracked.snapshot.connectedAt ?? this.hooks.now()) : tracked.snapshot.connectedAt });
    });
    call.on('ended', (end) => this.finish(call.id, end));
    // Issue 10: the call card shows a banner while the other side is not heard.
    call.on('media-warning', (w) => this.update(call.id, { mediaWarning: w }));
    call.on('media-restored', () => this.update(call.id, { mediaWarning: null }));
    // Issue 11: the call card shows who holds the call.
    call.on('hold', (hold) => this.update(call.id, { hold }));
    call.on('transfer', (p) => this.hooks.transfer?.(call.id, p));
    // Issue 11: the keys the other side pressed, shown on the card (the last 32).
    call.on('dtmf', ({ digit }) => this.update(call.id, { dtmfReceived: `${tracked.snapshot.dtmfReceived ?? ''}${digit}`.slice(-32) }));
    this.hooks.changed(snapshot);
    // Refused before it started (an invalid target): its 'ended' with the reason is still on the way
    // (finish closes media first), so wait for it; the fallback only covers a call that never says.
    if (call.state === 'ended') (this.hooks.setTimer ?? setTimeout)(() => this.finish(call.id, { reason: 'ended', by: 'error', durationSeconds: 0 }), 2000);
    return snapshot;
  }

  private connectedSeconds(tracked: TrackedCall): number {
    return tracked.snapshot.connectedAt === null ? 0 : (this.hooks.now() - tracked.snapshot.connectedAt) / 1000;
  }

  /** Issue 13: the running score; the UI hears of it when the rounded MOS or R moves. */
  setQuality(id: string, quality: { r: number; mos: number }): void {
    const prev = this.active.get(id)?.snapshot.quality;
    if (prev && Math.round(prev.r) === Math.round(quality.r) && Math.abs(prev.mos - quality.mos) < 0.05) return;
    this.update(id, { quality });
  }

  private update(id: string, patch: Partial<CallSnapshot>): void {
    const tracked = this.active.get(id);
    if (!tracked) return;
    const next = { ...tracked.snapshot, ...patch };
    const prev = tracked.snapshot;
    const same = next.state === prev.state && next.muted === prev.muted && next.connectedAt === prev.connectedAt;
    const sameHold = next.hold?.local === prev.hold?.local && next.hold?.remote === prev.hold?.remote;
    if (same && sameHold && (next.mediaWarning ?? null) === (prev.mediaWarning ?? null) && next.quality === prev.quality && next.dtmfReceived === prev.dtmfReceived && (next.recording ?? null) === (prev.recording ?? null)) return;
    tracked.snapshot = next;
    this.hooks.changed(next);
  }

  private finish(id: string, end: CallEndInfo): void {
    const tracked = this.active.get(id);
    if (!tracked) return;
    this.active.delete(id);
    const snapshot: CallSnapshot = { ...tracked.snapshot, state: 'ended', end, mediaWarning: null };
    this.ended.set(id, snapshot);
    while (this.ended.size > 20) {
      const oldest = this.ended.keys().next().value;
      if (oldest === undefined) break;
      this.ended.delete(oldest);
    }
    this.hooks.changed(snapshot);
    this.hooks.ended(snapshot, historyEntryFor(snapshot, end));
  }

  setMuted(id: string, muted: boolean): void {
    this.update(id, { muted });
  }

  /** Issue 11: where the call is being recorded (null: not any more). */
  setRecording(id: string, recording: string | null): void {
    this.update(id, { recording });
  }

  getActive(id: string): TrackedCall | undefined {
    return this.active.get(id);
  }

  /** Active or recently ended. */
  snapshot(id: string): CallSnapshot | undefined {
    return this.active.get(id)?.snapshot ?? this.ended.get(id);
  }

  list(): CallSnapshot[] {
    return [...this.active.values()].map((t) => t.snapshot);
  }

  calls(): Call[] {
    return [...this.active.values()].map((t) => t.call);
  }

  get size(): number {
    return this.active.size;
  }

  /** The call media levels belong to when a session is not bound to one: the latest connected call. */
  latestConnectedId(): string | null {
    let best: CallSnapshot | null = null;
    for (const { snapshot } of this.active.values()) {
      if (snapshot.state === 'connected' && (!best || (snapshot.connectedAt ?? 0) >= (best.connectedAt ?? 0))) best = snapshot;
    }
    return best?.id ?? null;
  }
}
