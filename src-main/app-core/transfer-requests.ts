// The app's side of transfers (issue 11): calls a transfer brought (placed for a REFER, or taking over
// one by Replaces) are tracked so the window shows them; the other side's requests under the "ask"
// policy become 'call.transferRequest' events and an Accept / Decline prompt on the call's card; a
// call refused by do-not-disturb becomes a history entry. Pure.
import type { HistoryEntry, TransferRequest } from '../ipc/contract';
import type { DndStatus, TransferAsk } from '../sip/user-agent-api';
import type { Emitter } from '../util/emitter';
import type { CallTracker } from './call-tracker';
import type { UserAgentHostEvents } from './user-agent-host';

export function toTransferRequest(ask: TransferAsk): TransferRequest {
  return {
    requestId: ask.id,
    kind: ask.kind,
    callId: ask.callId,
    target: ask.target,
    expiresAt: ask.expiresAt,
    ...(ask.referredBy ? { referredBy: ask.referredBy } : {}),
    ...(ask.replacesCallId ? { replacesCallId: ask.replacesCallId } : {}),
  };
}

const DND_WORDS: Record<DndStatus, string> = { 486: '486 Busy Here', 480: '480 Temporarily Unavailable' };

/** The history entry of an INVITE do-not-disturb answered before it rang. */
export function refusedEntry(d: { from: string; displayName: string; status: DndStatus }, now: number, id: string): HistoryEntry {
  return {
    id,
    direction: 'incoming',
    missed: true,
    outcome: 'refused',
    remoteUri: d.from,
    remoteDisplayName: d.displayName,
    startedAt: now,
    durationSeconds: 0,
    endReason: `${DND_WORDS[d.status]} (do not disturb)`,
  };
}

export interface TransferWiring {
  tracker: CallTracker;
  /** A transfer request to show (the contract's event). */
  requested: (request: TransferRequest) => void;
  /** A refused call for the history. */
  refused: (entry: HistoryEntry) => void;
  now: () => number;
}

export function wireTransfers(events: Emitter<UserAgentHostEvents>, w: TransferWiring): Array<() => void> {
  let refusedSeq = 0;
  return [
    events.on('transferCall', (call) => void w.tracker.track(call)),
    events.on('transferAsk', ({ ask, call }) => {
      // A Replaces INVITE is not announced as 'incoming': it is tracked here, ringing, with its question.
      w.tracker.track(call);
      const request = toTransferRequest(ask);
      w.tracker.setTransferRequest(ask.callId, request);
      w.requested(request);
    }),
    events.on('transferAskEnded', (end) => w.tracker.setTransferRequest(end.callId, null)),
    events.on('dnd', (d) => {
      const now = w.now();
      w.refused(refusedEntry(d, now, `dnd-${now.toString(36)}-${++refusedSeq}`));
    }),
  ];
}
