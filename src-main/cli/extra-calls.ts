// Calls the `call` and `listen` commands do not follow themselves (issue 11): one dialled over the
// control channel (call.dial), one placed for the peer's REFER, one that took over a call by Replaces.
// Each gets its connected and ended lines; the CallTracker makes it reachable by the control channel.
import { ApiFailure } from '../app-core/api-error';
import type { CallTracker } from '../app-core/call-tracker';
import type { RequestPayload, ResponseMap } from '../ipc/contract';
import type { Call, UserAgent } from '../sip/user-agent-api';
import { emitConnected, errorMessage, type CommandContext } from './command-context';
import { reportMediaWarnings } from './media-warning-report';
import { toTransferRequest } from '../app-core/transfer-requests';

/** Prints the call's connected and ended lines (in order: connected waits for the codec). */
export function followExtraCall(ctx: Pick<CommandContext, 'emit' | 'media'>, call: Call): void {
  let chain: Promise<void> = Promise.resolve();
  const then = (fn: () => void | Promise<void>) => {
    chain = chain.then(fn).catch((err: unknown) => ctx.emit({ event: 'error', message: errorMessage(err) }));
  };
  let connected = call.state === 'connected';
  if (connected) then(() => emitConnected(ctx as CommandContext, call));
  const offState = call.on('state', (s) => {
    if (s === 'ringing') then(() => ctx.emit({ event: 'ringing', callId: call.id }));
    if (s !== 'connected' || connected) return;
    connected = true;
    then(() => emitConnected(ctx as CommandContext, call));
  });
  const offMedia = reportMediaWarnings(call, (e) => then(() => ctx.emit(e)));
  const offEnded = call.on('ended', (info) => {
    offState();
    offEnded();
    offMedia();
    then(() =>
      ctx.emit({
        event: 'ended',
        callId: call.id,
        reason: info.reason,
        by: info.by,
        status: info.status,
        durationSeconds: Math.round(info.durationSeconds * 10) / 10,
        rtp: info.stats,
      }),
    );
  });
}

/**
 * Wires the transfer events of `ua` to the CLI's output: calls placed for a REFER and calls taken over
 * by Replaces are tracked (so call.* requests reach them) and followed.
 */
export function reportTransferCalls(ua: UserAgent, tracker: CallTracker, ctx: Pick<CommandContext, 'emit' | 'media'>): Array<() => void> {
  return [
    ua.on('transferCall', ({ call, referredBy }) => {
      tracker.track(call);
      ctx.emit({ event: 'transfer_call', callId: call.id, referredBy, uri: call.remoteUri });
      followExtraCall(ctx, call);
    }),
    ua.on('replaced', ({ call, replacedCallId }) => {
      // Asked about first (--ask-transfer): already tracked and followed.
      const followed = tracker.getActive(call.id) !== undefined;
      tracker.track(call);
      ctx.emit({ event: 'replaced', callId: call.id, replacesCallId: replacedCallId, from: call.remoteUri });
      if (!followed) followExtraCall(ctx, call);
    }),
  ];
}

/**
 * --ask-transfer (issue 11): each request is a transfer_request line (answered by call.transferReply) and
 * its end a transfer_request_ended line; a ringing Replaces INVITE is tracked and followed meanwhile.
 */
export function reportTransferAsks(ua: UserAgent, tracker: CallTracker, ctx: Pick<CommandContext, 'emit' | 'media'>): Array<() => void> {
  return [
    ua.on('transferAsk', ({ ask, call }) => {
      if (ask.kind === 'replaces' && !tracker.getActive(call.id)) {
        tracker.track(call);
        followExtraCall(ctx, call);
      }
      tracker.setTransferRequest(ask.callId, toTransferRequest(ask));
      const { id, kind, callId, target, referredBy, replacesCallId } = ask;
      ctx.emit({ event: 'transfer_request', requestId: id, kind, callId, target, ...(referredBy ? { referredBy } : {}), ...(replacesCallId ? { replacesCallId } : {}) });
    }),
    ua.on('transferAskEnded', (end) => {
      tracker.setTransferRequest(end.callId, null);
      ctx.emit({ event: 'transfer_request_ended', requestId: end.id, callId: end.callId, accepted: end.accepted, cause: end.cause });
    }),
  ];
}

/** call.dial on the control channel: a further call while the command runs (attended transfer, conference). */
export function dialHandler(
  ua: () => UserAgent,
  tracker: CallTracker,
  ctx: Pick<CommandContext, 'emit' | 'media'>,
): (payload: RequestPayload<'call.dial'>) => Promise<ResponseMap['call.dial']> {
  return async ({ target, accountId }) => {
    // Issue 11: the CLI runs the one account its flags give; a script must not believe it chose another.
    if (accountId !== undefined) throw new ApiFailure('invalid-request', 'the CLI has one account (its flags): call.dial takes no accountId here');
    const call = ua().call(target);
    const snapshot = tracker.track(call);
    ctx.emit({ event: 'calling', callId: call.id, uri: call.remoteUri });
    followExtraCall(ctx, call);
    if (call.state === 'ended') throw new ApiFailure('failed', `cannot call ${target.slice(0, 80)}`);
    return snapshot;
  };
}
