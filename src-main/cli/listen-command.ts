// `softphone listen`: (register and stay registered,) report incoming calls, answer them when told to,
// up to --max-concurrent at once (default 1; past it 486 Busy Here); exit 0 after --max-calls calls or
// on a signal, 1 if the registrar rejects us.
import type { Call } from '../sip/user-agent-api';
import type { ListenArgs } from './cli-args';
import {
  EXIT_FAILED,
  EXIT_OK,
  emitConnected,
  errorMessage,
  failedEvent,
  registerOnce,
  shutdown,
  type CommandContext,
} from './command-context';
import { RegistrationReporter, isPermanentFailure, retryDelaySeconds } from './registration-report';
import { reportMediaWarnings } from './media-warning-report';

export async function runListenCommand(ctx: CommandContext, args: ListenArgs): Promise<number> {
  const { ua, emit, stop } = ctx;
  const bound = await ua.start();
  emit({ event: 'listening', address: bound.address, port: bound.port });

  return new Promise<number>((resolve) => {
    let exiting = false;
    /** Calls taken (ringing or connected), at most --max-concurrent. */
    const taken = new Set<Call>();
    // Answering holds the other live calls when the command is given the shared policy (main.node.ts).
    const answer = ctx.answer ?? ((call: Call) => call.answer());
    let endedCalls = 0;
    let failures = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    const disposers: Array<() => void> = [];

    const exit = (code: number) => {
      if (exiting) return;
      exiting = true;
      clearTimeout(retryTimer);
      // Calls still up are hung up by shutdown(); their `ended` lines are still printed.
      void shutdown(ctx).then(() => {
        for (const d of disposers) d();
        reporter.dispose();
        resolve(code);
      });
    };

    const reporter = new RegistrationReporter(ua, emit, (state) => {
      if (exiting) return;
      if (isPermanentFailure(state)) {
        // Wrong password, unknown user, forbidden: retrying cannot help.
        emit(failedEvent(state));
        exit(EXIT_FAILED);
        return;
      }
      failures++;
      // The server's Retry-After (RFC 3261 §20.33) wins over our own back-off.
      const delay = state.retryAfterSeconds !== undefined ? Math.max(1, state.retryAfterSeconds) : retryDelaySeconds(failures);
      emit(failedEvent(state, delay));
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => void register(), delay * 1000);
    });

    const register = async () => {
      if (exiting) return;
      const result = await registerOnce(ctx, reporter, args.account.proxy ?? args.account.domain);
      if (result !== 'stopped' && result.state === 'registered') failures = 0;
    };

    disposers.push(ua.on('incoming', (call) => onIncoming(call)));

    // Calls a transfer brought (placed for the peer's REFER, or taking over one by Replaces, issue 11):
    // printed by extra-calls.ts; --max-calls waits for them too.
    let transferCalls = 0;
    const followTransferCall = (call: Call) => {
      transferCalls++;
      const off = call.on('ended', () => {
        off();
        transferCalls--;
        maybeDone();
      });
    };
    disposers.push(ua.on('transferCall', ({ call }) => followTransferCall(call)));
    disposers.push(ua.on('replaced', ({ call }) => followTransferCall(call)));

    /** --max-calls: count handled calls, and never leave while one is still up. */
    const maybeDone = () => {
      if (args.maxCalls !== undefined && endedCalls >= args.maxCalls && taken.size === 0 && transferCalls === 0) exit(EXIT_OK);
    };

    function onIncoming(call: Call): void {
      emit({ event: 'incoming', callId: call.id, from: call.remoteUri, displayName: call.remoteDisplayName });
      // A caller turned away because we are already in a call is not one of the --max-calls.
      let counts = true;
      let connected = false;
      let answerTimer: ReturnType<typeof setTimeout> | undefined;
      let chain: Promise<void> = Promise.resolve();
      const then = (fn: () => void | Promise<void>) => {
        chain = chain.then(fn).catch((err: unknown) => emit({ event: 'error', message: errorMessage(err) }));
      };
      const offState = call.on('state', (state) => {
        if (state === 'connected' && !connected) {
          connected = true;
          then(() => emitConnected(ctx, call));
        }
      });
      const offMedia = reportMediaWarnings(call, (e) => then(() => emit(e)));
      const offEnded = call.on('ended', (info) => {
        clearTimeout(answerTimer);
        offState();
        offEnded();
        offMedia();
        taken.delete(call);
        if (counts) endedCalls++;
        then(() => {
          emit({
            event: 'ended',
            callId: call.id,
            reason: info.reason,
            by: info.by,
            status: info.status,
            durationSeconds: Math.round(info.durationSeconds * 10) / 10,
            quality: info.stats?.quality,
            rtp: info.stats,
          });
          maybeDone();
        });
      });

      if (exiting) {
        counts = false;
        call.reject(486);
        return;
      }
      if (args.reject !== undefined) {
        call.reject(args.reject);
        return;
      }
      if (taken.size >= args.maxConcurrent) {
        // RFC 3261 §21.4.24: busy. Past --max-concurrent (default 1) we take no more calls at once.
        counts = false;
        emit({ event: 'warning', message: `busy: rejected a call from ${call.remoteUri} (${taken.size} of --max-concurrent ${args.maxConcurrent} taken)` });
        call.reject(486);
        return;
      }
      taken.add(call);
      if (args.autoAnswer) {
        const take = () => {
          if (call.state === 'ended') return;
          answer(call).catch((err: unknown) => emit({ event: 'error', message: `answer failed: ${errorMessage(err)}` }));
        };
        // Issue 12: at once means at once; a 0 ms timer still waits for the next timers phase (≥ 1 ms).
        if (args.answerAfter > 0) answerTimer = setTimeout(take, args.answerAfter * 1000);
        else take();
      }
      // Without --auto-answer the call rings until the caller gives up (CANCEL) or we are stopped.
    }

    stop.addEventListener('abort', () => exit(EXIT_OK), { once: true });
    if (stop.aborted) exit(EXIT_OK);
    else if (args.account.user !== undefined && args.account.register) void register();
  });
}
