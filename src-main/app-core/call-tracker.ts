// Follows each Call of the user agent into a CallSnapshot for the UI (state, mute, connect time, end)
// and turns a finished call into its history entry.
import type { CallAccount, CallSnapshot, CallTransferStatus, HistoryEntry, TransferRequest } from '../ipc/contract';
import type { Call, CallEndInfo, TransferProgress } from '../sip/user-agent-api';
import type { RtpStats } from '../rtp/media-session';

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
    ...(snapshot.direction === 'incoming' && snapshot.connectedAt === null ? { outcome: unansweredOutcome(end) } : {}),
    remoteUri: snapshot.remoteUri,
    remoteDisplayName: snapshot.remoteDisplayName,
    startedAt: snapshot.startedAt,
    durationSeconds: Math.max(0, Math.round(end.durationSeconds)),
    endReason: end.reason,
    ...(end.stats?.quality ? { quality: historyQuality(end.stats.quality) } : {}),
  };
}

/** The score kept in the history: ours, and the peer's R and MOS-CQ when its RTCP XR told us (issue 13). */
function historyQuality(q: NonNullable<RtpStats['quality']>): HistoryEntry['quality'] {
  const peer = q.peer;
  const peerScore = peer ? { ...(peer.r !== undefined ? { r: peer.r } : {}), ...(peer.mosCq !== undefined ? { mos: peer.mosCq } : {}) } : null;
  return { r: q.r, mos: q.mos, ...(peerScore && Object.keys(peerScore).length > 0 ? { peer: peerScore } : {}) };
}

/**
 * Issue 11: why an incoming call never connected, for the history: our own final answer (the user's
 * Decline, 486/603) is "declined"; a caller who gave up, or any other ending, "missed".
 */
export function unansweredOutcome(end: CallEndInfo): 'missed' | 'declined' {
  return end.by === 'local' && (end.status === 486 || end.status === 603 || end.reason === 'hung up') ? 'declined' : 'missed';
}

export class CallTracker {
  /** The target of the transfer being asked for, per call, until its progress reports in. */
  private readonly transferTargets = new Map<string, { target: string; attended: boolean }>();

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
    call.on('transfer', (p) => {
      this.hooks.transfer?.(call.id, p);
      const to = this.transferTargets.get(call.id) ?? { target: '', attended: false };
      const transfer: CallTransferStatus = { status: p.status, reason: p.reason, target: to.target, attended: to.attended, ...(p.code !== undefined ? { code: p.code } : {}) };
      this.update(call.id, { transfer });
    });
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
    const prev = tracked.snapshot;
    // Only a real change reaches the UI (absent and null are the same "none").
    const changed = (Object.keys(patch) as Array<keyof CallSnapshot>).some((k) => JSON.stringify(patch[k] ?? null) !== JSON.stringify(prev[k] ?? null));
    if (!changed) return;
    const next = { ...prev, ...patch };
    tracked.snapshot = next;
    this.hooks.changed(next);
  }

  /** Issue 11: the transfer about to be asked for `id` (shown with its progress on the card). */
  setTransferTarget(id: string, target: string, attended: boolean): void {
    this.transferTargets.set(id, { target, attended });
  }

  /** Issue 11: the transfer could not even be asked: nothing to show. */
  clearTransfer(id: string): void {
    this.transferTargets.delete(id);
    this.update(id, { transfer: null });
  }

  /** Issue 11: two calls joined in a conference (each card names the other), or `a` left it (b null). */
  setConference(a: string, b: string | null): void {
    const before = this.active.get(a)?.snapshot.conference ?? null;
    if (b === null) {
      this.update(a, { conference: null });
      if (before && this.active.get(before)?.snapshot.conference === a) this.update(before, { conference: null });
      return;
    }
    this.update(a, { conference: b });
    this.update(b, { conference: a });
  }

  /** Issue 11: a transfer request the user is asked about on this call's card, or its end (null). */
  setTransferRequest(id: string, request: TransferRequest | null): void {
    this.update(id, { transferRequest: request });
  }

  private finish(id: string, end: CallEndInfo): void {
    const tracked = this.active.get(id);
    if (!tracked) return;
    this.active.delete(id);
    this.transferTargets.delete(id);
    // The other call of a conference is on its own again.
    for (const other of this.active.values()) if (other.snapshot.conference === id) this.update(other.call.id, { conference: null });
    const snapshot: CallSnapshot = { ...tracked.snapshot, state: 'ended', end, mediaWarning: null, transferRequest: null };
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
