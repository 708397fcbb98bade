// `softphone call URI`: (register,) dial, report progress, hang up after --duration, exit 0 if the call
// connected and 1 if it never did (busy, declined, not found, wrong password, no answer, timeout).
import type { Call, CallEndInfo } from '../sip/user-agent-api';
import type { CallArgs } from './cli-args';
import {
  EXIT_FAILED,
  EXIT_OK,
  EXIT_USAGE,
  STOP_HANGUP_MS,
  emitConnected,
  errorMessage,
  failedEvent,
  registerOnce,
  shutdown,
  type CommandContext,
} from './command-context';
import { RegistrationReporter } from './registration-report';
import { NoAnswerProgress } from './no-answer-progress';
import { reportMediaWarnings } from './media-warning-report';

export async function runCallCommand(ctx: CommandContext, args: CallArgs): Promise<number> {
  const { ua, emit, stop } = ctx;
  const bound = await ua.start();
  emit({ event: 'listening', address: bound.address, port: bound.port });

  // A refresh failing mid-call is only worth a line: the call itself goes on.
  let registeredOnce = false;
  const reporter = new RegistrationReporter(ua, emit, (state) => {
    emit(failedEvent(state));
    if (registeredOnce) emit({ event: 'warning', message: 'registration lost; the call continues' });
  });
  try {
    if (args.account.user !== undefined && args.account.register) {
      const result = await registerOnce(ctx, reporter, args.account.proxy ?? args.account.domain);
      if (result === 'stopped') {
        await shutdown(ctx);
        return EXIT_OK;
      }
      if (result.state !== 'registered') {
        // Say that nothing was dialled: "registration_failed" alone reads like a side note to the call.
        const reason = result.state === 'failed' ? result.reason : result.state;
        emit({ event: 'error', message: `call not placed: registration failed: ${reason}` });
        await shutdown(ctx);
        return EXIT_FAILED;
      }
      registeredOnce = true;
    }
    if (stop.aborted) {
      await shutdown(ctx);
      return EXIT_OK;
    }

    let call: Call;
    // Watching starts before the INVITE leaves: the trace tells where it went.
    const progress = new NoAnswerProgress(ua, emit, 'INVITE', nextHopGuess(args));
    try {
      call = ua.call(args.uri);
    } catch (err) {
      progress.stop();
      emit({ event: 'error', message: `cannot call ${args.uri}: ${errorMessage(err)}` });
      await shutdown(ctx);
      return EXIT_USAGE;
    }
    progress.watchCall(call.id);
    const code = await followCall(ctx, args, call, progress);
    await shutdown(ctx);
    return code;
  } finally {
    reporter.dispose();
  }
}

/** Where the INVITE goes, until the trace says: the proxy, the domain, or the URI's host. */
function nextHopGuess(args: CallArgs): string {
  if (args.account.user !== undefined) return args.account.proxy ?? args.account.domain ?? args.uri;
  return /@([^;?>]+)/.exec(args.uri)?.[1] ?? args.uri.replace(/^sips?:/i, '');
}

/** Runs one outgoing call to its end and returns the exit code; `progress` is stopped once it rings. */
function followCall(ctx: CommandContext, args: CallArgs, call: Call, progress: NoAnswerProgress): Promise<number> {
  const { emit, stop } = ctx;
  emit({ event: 'calling', callId: call.id, uri: call.remoteUri });
  return new Promise<number>((resolve) => {
    let connected = false;
    let ringingSeen = false;
    let stopRequested = false;
    let ringTimedOut = false;
    let finished = false;
    let durationTimer: ReturnType<typeof setTimeout> | undefined;
    let stopTimer: ReturnType<typeof setTimeout> | undefined;
    // Events go out in order even though `connected` waits for the codec.
    let chain: Promise<void> = Promise.resolve();
    const then = (fn: () => void | Promise<void>) => {
      chain = chain.then(fn).catch((err: unknown) => emit({ event: 'error', message: errorMessage(err) }));
    };

    const hangup = () => {
      call.hangup().then(finish, (err: unknown) => {
        emit({ event: 'error', message: `hang-up failed: ${errorMessage(err)}` });
        finish({ reason: 'hang-up failed', by: 'error', durationSeconds: 0 });
      });
    };

    const ringTimer = setTimeout(() => {
      if (connected || finished) return;
      ringTimedOut = true;
      hangup();
    }, args.ringTimeout * 1000);

    const onStop = () => {
      stopRequested = true;
      if (finished) return;
      hangup();
      // Bounded: an INVITE nobody answered cannot be cancelled yet, and a BYE may go unanswered.
      stopTimer = setTimeout(
        () => finish({ reason: connected ? 'hung up (no answer to BYE)' : 'cancelled', by: 'local', durationSeconds: 0 }),
        STOP_HANGUP_MS,
      );
    };
    stop.addEventListener('abort', onStop, { once: true });

    const offState = call.on('state', (state) => {
      if (state === 'ringing' || state === 'connected') progress.stop();
      if (state === 'ringing' && !ringingSeen && !connected) {
        ringingSeen = true;
        then(() => emit({ event: 'ringing', callId: call.id }));
      } else if (state === 'connected' && !connected) {
        connected = true;
        clearTimeout(ringTimer);
        then(() => emitConnected(ctx, call));
        if (args.dtmf) {
          const digits = args.dtmf;
          then(() => {
            call.sendDtmf(digits);
            emit({ event: 'dtmf_sent', callId: call.id, digits });
          });
        }
        if (args.duration !== undefined) durationTimer = setTimeout(hangup, args.duration * 1000);
      }
    });
    const offEnded = call.on('ended', (info) => finish(info));
    const offMedia = reportMediaWarnings(call, (e) => then(() => emit(e)));

    // Called by the 'ended' event and by hangup()'s result, whichever comes first.
    function finish(info: CallEndInfo): void {
      if (finished) return;
      finished = true;
      progress.stop();
      clearTimeout(ringTimer);
      clearTimeout(durationTimer);
      clearTimeout(stopTimer);
      stop.removeEventListener('abort', onStop);
      offState();
      offEnded();
      offMedia();
      const reason = ringTimedOut && !connected ? `no answer within ${args.ringTimeout} s` : info.reason;
      then(() =>
        emit({
          event: 'ended',
          callId: call.id,
          reason,
          by: info.by,
          status: info.status,
          durationSeconds: Math.round(info.durationSeconds * 10) / 10,
          quality: info.stats?.quality,
          rtp: info.stats,
        }),
      );
      let code = EXIT_FAILED;
      if (stopRequested) code = EXIT_OK;
      else if (connected && info.by !== 'error') code = EXIT_OK;
      then(() => resolve(code));
    }

    if (stop.aborted) onStop();
  });
}
