// The in-call request channels (answer, reject, hang up, DTMF, mute, hold) over a CallTracker: one
// implementation for the desktop UI's API (app-core.ts) and the CLI's stdin control (issue 11, point 9).
// With several calls each request acts on its callId; answering or resuming one call holds the others
// (call-switch.ts, issue 11 point 1).
import type { RequestPayload, ResponseMap } from '../ipc/contract';
import type { Call } from '../sip/user-agent-api';
import { ApiFailure } from './api-error';
import type { CallTracker, TrackedCall } from './call-tracker';
import { withTimeout } from './user-agent-host';
import { callsToHold } from './call-switch';

export type CallRequestChannel =
  | 'call.answer'
  | 'call.reject'
  | 'call.hangup'
  | 'call.dtmf'
  | 'call.mute'
  | 'call.hold'
  | 'call.transfer'
  | 'call.conference'
  | 'call.transferReply'
  | 'call.record';
export type CallRequestHandlers = { [C in CallRequestChannel]: (payload: RequestPayload<C>) => Promise<ResponseMap[C]> };

/** A hang-up resolves when the call has ended (BYE answered, CANCEL done); bounded so no caller hangs. */
export const HANGUP_WAIT_MS = 5000;

export interface CallRequestDeps {
  tracker: CallTracker;
  /** Answers an incoming call (the app binds the sound card to it first). */
  answer: (call: Call) => Promise<void>;
  /** Issue 11: the WAV a call is recorded to (undefined: this app cannot record, e.g. no place for it). */
  recordingPath?: (call: Call) => Promise<string | undefined>;
  /** Issue 11: the user's answer to a transfer request (UserAgent.answerTransfer); false = not waiting any more. */
  answerTransfer?: (requestId: string, accept: boolean) => boolean;
}

/**
 * Puts every live call but `keepId` on hold (re-INVITE a=sendonly): before answering or resuming
 * `keepId`, so at most one call has the microphone and speaker. Returns the ids put on hold.
 */
export function holdOtherCalls(tracker: CallTracker, keepId: string): string[] {
  const held: string[] = [];
  for (const id of callsToHold(tracker.list(), keepId)) {
    if (tracker.getActive(id)?.call.hold(true)) held.push(id);
  }
  return held;
}

export function createCallRequestHandlers({ tracker, answer, recordingPath, answerTransfer }: CallRequestDeps): CallRequestHandlers {
  const requireCall = (callId: string): TrackedCall => {
    const tracked = tracker.getActive(callId);
    if (!tracked) {
      if (tracker.snapshot(callId)) throw new ApiFailure('failed', 'the call has already ended');
      throw new ApiFailure('not-found', `no call ${callId.slice(0, 80)}`);
    }
    return tracked;
  };
  return {
    'call.answer': async ({ callId }) => {
      const { call } = requireCall(callId);
      if (call.direction !== 'incoming') throw new ApiFailure('failed', 'only an incoming call can be answered');
      if (call.state !== 'connected') holdOtherCalls(tracker, callId);
      await answer(call).catch((err: Error) => {
        throw new ApiFailure('failed', `answer failed: ${err.message}`);
      });
      return tracker.snapshot(callId) ?? requireCall(callId).snapshot;
    },
    'call.reject': async ({ callId, status }) => {
      const { call } = requireCall(callId);
      if (call.direction !== 'incoming' || call.state === 'connected') throw new ApiFailure('failed', 'only a ringing incoming call can be rejected');
      call.reject(status);
      return tracker.snapshot(callId) ?? requireCall(callId).snapshot;
    },
    'call.hangup': async ({ callId }) => {
      const tracked = tracker.getActive(callId);
      if (!tracked) {
        const ended = tracker.snapshot(callId);
        if (ended) return ended;
        throw new ApiFailure('not-found', `no call ${callId.slice(0, 80)}`);
      }
      await withTimeout(tracked.call.hangup().then(() => undefined), HANGUP_WAIT_MS, undefined);
      return tracker.snapshot(callId) ?? tracked.snapshot;
    },
    'call.dtmf': async ({ callId, digits }) => {
      const { call } = requireCall(callId);
      if (call.state !== 'connected') throw new ApiFailure('failed', 'DTMF needs a connected call');
      call.sendDtmf(digits);
      return null;
    },
    'call.mute': async ({ callId, muted }) => {
      const { call } = requireCall(callId);
      call.setMuted(muted);
      tracker.setMuted(callId, muted);
      return requireCall(callId).snapshot;
    },
    'call.hold': async ({ callId, hold }) => {
      const { call } = requireCall(callId);
      // Resuming one call is the swap: the call that was live goes on hold first.
      if (!hold && call.state === 'connected') holdOtherCalls(tracker, callId);
      if (!call.hold(hold)) throw new ApiFailure('failed', 'only a connected call can be put on hold');
      return requireCall(callId).snapshot;
    },
    'call.transfer': async (payload) => {
      const { call } = requireCall(payload.callId);
      let asked;
      if ('replacesCallId' in payload) {
        if (payload.replacesCallId === payload.callId) throw new ApiFailure('failed', 'a call cannot be transferred to itself');
        const other = requireCall(payload.replacesCallId);
        tracker.setTransferTarget(payload.callId, other.snapshot.remoteDisplayName || other.snapshot.remoteUri, true);
        asked = call.transfer('', other.call);
      } else {
        tracker.setTransferTarget(payload.callId, payload.target, false);
        asked = call.transfer(payload.target);
      }
      if (!asked.ok) {
        tracker.clearTransfer(payload.callId);
        throw new ApiFailure('failed', asked.reason);
      }
      return requireCall(payload.callId).snapshot;
    },
    'call.conference': async ({ callIds }) => {
      const [a, b] = callIds.map((id) => requireCall(id).call);
      if (!a || !b || a === b) throw new ApiFailure('failed', 'a conference needs two different calls');
      // A held call is taken off hold: everybody hears everybody (X-Lite's "conference" does the same).
      for (const c of [a, b]) if (c.state === 'connected') c.hold(false);
      if (!a.conference(b)) throw new ApiFailure('failed', 'both calls must be connected, with their audio running, to be joined');
      tracker.setConference(a.id, b.id);
      return callIds.map((id) => requireCall(id).snapshot);
    },
    'call.transferReply': async ({ requestId, accept }) => {
      const asked = tracker.list().find((s) => s.transferRequest?.requestId === requestId);
      if (!answerTransfer || !asked) throw new ApiFailure('not-found', 'no such transfer request (answered, timed out or its call ended)');
      if (!answerTransfer(requestId, accept)) {
        tracker.setTransferRequest(asked.id, null);
        throw new ApiFailure('not-found', 'the transfer request is no longer waiting (answered, timed out or its call ended)');
      }
      return tracker.snapshot(asked.id) ?? asked;
    },
    'call.record': async ({ callId, on }) => {
      const { call, snapshot } = requireCall(callId);
      if (!on) {
        if (snapshot.recording) await call.record?.(null).catch(() => undefined);
        tracker.setRecording(callId, null);
        return requireCall(callId).snapshot;
      }
      if (call.state !== 'connected') throw new ApiFailure('failed', 'only a connected call can be recorded');
      if (snapshot.recording) return snapshot;
      const path = recordingPath ? await recordingPath(call) : undefined;
      if (!path || !call.record) throw new ApiFailure('failed', 'call recording is not available here (the CLI needs --record-calls DIR)');
      await call.record(path).catch((err: Error) => {
        throw new ApiFailure('failed', `cannot record the call: ${err.message}`);
      });
      tracker.setRecording(callId, path);
      return requireCall(callId).snapshot;
    },
  };
}
