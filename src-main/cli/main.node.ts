// Entry of the headless `softphone` command: wires argv, stdout/stderr, signals, the SIP user agent and
// the media engine to the pure command logic, and turns the outcome into the exit code.
import { createUserAgent } from '../sip/user-agent.node';
import { createMediaSession, prewarmMediaThread } from '../rtp/media-session.node';
import { setMediaEnginePreference, usesNativeEngine } from '../rtp/media-engine-switch.node';
import { stopOptimisingCompiler } from '../native/v8-tiering.node';
import { createLogger, setLogSink, type LogLevel, type Logger } from '../util/logger';
import { NO_SOUND_CARD, soundCardWarning } from './sound-card-report';
import { version } from '../../package.json';
import { COMMANDS, parseCliArgs, type CallArgs, type ListenArgs, type NatCheckArgs } from './cli-args';
import { mediaNatOptions } from './nat-args';
import { runNatCheck } from '../nat/nat-check.node';
import { formatEvent, type CliEvent } from './cli-events';
import { HELP_TEXT, USAGE, commandHelp } from './help-text';
import { checkFiles } from './file-checks.node';
import { accountSettingsFrom, audioConfigFor } from './cli-config';
import { MediaTracker } from './media-tracker';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, errorMessage, type CommandContext } from './command-context';
import { runCallCommand } from './call-command';
import { runListenCommand } from './listen-command';
import { announceExit, isGuardedChild, watchParent } from './stdout-guard-child.node';
import { CallTracker } from '../app-core/call-tracker';
import { createCallRequestHandlers, holdOtherCalls } from '../app-core/call-requests';
import type { Call, UserAgent } from '../sip/user-agent-api';
import { createChatBook } from '../app-core/chat-requests';
import { ApiFailure } from '../app-core/api-error';
import { EventReports } from './event-report';
import { resolveDialTarget } from '../sip/dial-target';
import { startStdinControl } from './stdin-control.node';
import { dialHandler, reportTransferAsks, reportTransferCalls } from './extra-calls';
import { trackingCalls } from './tracked-user-agent';
import { recordWhenConnected, recordingPathIn } from './call-recording-report';
import { gainFromPercent } from '../audio/gain';
import { tuneProcessHeap, type HeapTuningResult } from '../native/heap-tuning.node';

const emit = (event: CliEvent): void => {
  process.stdout.write(`${formatEvent(event, new Date())}\n`);
};

let heapTuning: HeapTuningResult | null = null;

function installLogSink(level: LogLevel): void {
  // Logs are best effort: a closed stderr (its reader went away) must not turn every later log line
  // into an uncaught exception (where that handler logs too, it loops at 100 % CPU).
  process.stderr.on('error', () => {});
  setLogSink((lvl, scope, msg, data) => {
    if (process.stderr.destroyed) return;
    const extra = data === undefined ? '' : ` ${safeJson(data)}`;
    process.stderr.write(`${new Date().toISOString()} ${lvl.toUpperCase()} [${scope}] ${msg}${extra}\n`);
  }, level);
  if (heapTuning) {
    const log = createLogger('native');
    if (heapTuning.applied) log.debug('heap tuned for datagram floods (glibc mallopt)');
    else log.debug(`heap not tuned: ${heapTuning.reason}`);
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '[unserialisable]';
  }
}

function exit(code: number): void {
  if (isGuardedChild()) announceExit(code);
  // Flush what is queued on stdout before leaving.
  process.stdout.write('', () => process.exit(code));
}

function usageError(message: string, command?: string): void {
  const more = command && (COMMANDS as readonly string[]).includes(command) ? `softphone ${command} --help` : 'softphone --help';
  process.stderr.write(`softphone: ${message}\n\n${USAGE}\n\nRun "${more}" for every option.\n`);
  exit(EXIT_USAGE);
}

/**
 * Sound-card mode: checks (in the media thread, without delaying the start) that there is a card, and
 * warns once if not. Resolves true when the whole card is missing (its device errors then say nothing new).
 */
function reportMissingSoundCard(log: Logger): Promise<boolean> {
  return import('../audio/portaudio-device.node')
    .then((pa) => pa.listAudioDevices())
    .catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))))
    .then((devices) => {
      const warning = soundCardWarning(devices);
      if (warning) {
        emit({ event: 'warning', message: warning });
        log.warn(warning);
      }
      return warning === NO_SOUND_CARD;
    });
}

async function runPhone(args: CallArgs | ListenArgs): Promise<number> {
  const log = createLogger('cli');
  const nat = mediaNatOptions(args.nat);
  const soundCard = args.play === undefined && args.record === undefined;
  const noCard = soundCard ? reportMissingSoundCard(log) : Promise.resolve(false);
  // The warning comes first, before anything is dialled or answered (PortAudio starts up in the media
  // thread meanwhile, which the call's devices then reuse); bounded, in case the library hangs.
  if (soundCard) await Promise.race([noCard, new Promise((r) => setTimeout(r, 3000).unref())]);
  // A device that fails during a call (unplugged, disk full for --record) is a warning: the call goes on.
  const reported = new Set<string>();
  const onMediaError = ({ message }: { message: string }) => {
    void noCard.then((missing) => {
      if (missing || reported.has(message)) return;
      reported.add(message);
      emit({ event: 'warning', message: `audio: ${message}` });
    });
  };
  // Issue 11: --mic-volume / --speaker-volume as the media engine's gains.
  const gain = args.micVolume !== undefined || args.speakerVolume !== undefined ? { input: gainFromPercent(args.micVolume), output: gainFromPercent(args.speakerVolume) } : undefined;
  const tracker = new MediaTracker((index) => {
    const session = createMediaSession({
      audio: audioConfigFor(args, index),
      bindAddress: args.bind,
      portMin: args.rtpPorts.min,
      portMax: args.rtpPorts.max,
      ...(nat ? { nat } : {}),
      ...(gain ? { gain } : {}),
    });
    session.on('error', onMediaError);
    return session;
  });
  // Mandatory SRTP is known now: every call needs the worker, so it is chosen (and pre-started) up front.
  if (args.mediaEngine) setMediaEnginePreference(args.mediaEngine);
  else if (args.srtp.mode === 'mandatory') setMediaEnginePreference('worker');
  // The media thread starts now, not on the first INVITE (it would delay the 180 by ~140 ms), unless
  // the calls will run on the native engine.
  const likely = { audio: audioConfigFor(args, 0), bindAddress: args.bind, ...(nat ? { nat } : {}) };
  // Calls on the native engine run little JavaScript: V8's optimising compiler stays off (v8-tiering.node.ts).
  if (usesNativeEngine(likely)) stopOptimisingCompiler();
  prewarmMediaThread(likely);
  const ua = createUserAgent({
    account: accountSettingsFrom(args.account),
    bindAddress: args.bind,
    port: args.port,
    userAgentName: `softphone/${version}`,
    createMedia: tracker.create,
    // The CLI's own --ring-timeout cancels first (with its reason); the core's is only a backstop.
    ringTimeoutSeconds: args.command === 'call' ? args.ringTimeout + 5 : undefined,
    keepAlive: args.keepAlive,
    ...(args.dnsServers ? { dnsServers: args.dnsServers } : {}),
    ...(args.sipT1Ms !== undefined ? { sipT1Ms: args.sipT1Ms } : {}),
    ...(args.transport !== 'udp' ? { transport: args.transport } : {}),
    ...(args.caFile !== undefined ? { caFile: args.caFile } : {}),
    noRtpTimeoutSeconds: args.noRtpTimeout,
    ...(args.sessionExpires !== undefined ? { sessionTimer: { expiresSeconds: args.sessionExpires } } : {}),
    srtp: args.srtp,
    ...(args.codecs ? { codecs: args.codecs } : {}),
    ...(args.comfortNoise ? { comfortNoise: true } : {}),
    acceptTransfer: args.acceptTransfer,
    ...(args.askTransfer ? { transferPolicy: 'ask' as const } : {}),
    ...(args.dtmfMode ? { dtmfMode: args.dtmfMode } : {}),
    ...(args.command === 'listen' && args.dnd ? { doNotDisturb: () => args.dnd } : {}),
  });
  ua.on('warning', (w) => emit({ event: 'warning', message: w.message }));
  ua.on('rejected', (r) => emit({ event: 'rejected', from: r.from, source: r.source, requestUri: r.requestUri, reason: r.reason }));
  if (args.logLevel === 'debug' || process.env['SOFTPHONE_DIAGNOSTICS'] === '1') {
    // Loaded only here (perf_hooks, v8): a plain call or listen does not carry them (issue 12).
    void import('./loop-diagnostics.node').then((d) => d.startLoopDiagnostics(createLogger('diagnostics'), args.logLevel === 'debug' ? 'debug' : 'info'));
  }
  if (args.logLevel === 'debug') {
    const trace = createLogger('sip-trace');
    ua.on('trace', (t) => trace.debug(`${t.direction === 'in' ? '<<<' : '>>>'} ${t.remote} ${t.summary}\n${t.raw}`));
  }

  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: string) => {
    signals++;
    if (signals === 1) {
      log.info(`${name}: hanging up and un-registering`);
      controller.abort();
    } else {
      // A second Ctrl-C means "now": skip the goodbyes.
      log.warn(`${name} again: exiting at once`);
      exit(EXIT_OK);
    }
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  if (isGuardedChild()) watchParent(() => onSignal('parent gone'));
  // Whoever read our events went away (e.g. `softphone listen | head -1`): finish like on SIGTERM
  // (once: every later write fails the same way, and a second "signal" would skip the goodbyes).
  let stdoutGone = false;
  process.stdout.on('error', () => {
    if (!stdoutGone) onSignal('stdout closed');
    stdoutGone = true;
  });

  // Issue 11: requests on stdin ({"id":1,"channel":"call.hangup","payload":{"callId":"…"}} per line).
  const calls = new CallTracker({
    now: Date.now,
    changed: () => {},
    ended: () => {},
    transfer: (callId, p) => emit({ event: 'transfer', callId, status: p.status, ...(p.code !== undefined ? { code: p.code } : {}), reason: p.reason }),
  });
  const trackedUa = trackingCalls(ua, calls, (call) => {
    call.on('hold', (h) => emit({ event: 'hold', callId: call.id, local: h.local, remote: h.remote }));
    call.on('dtmf', (k) => emit({ event: 'dtmf', callId: call.id, digit: k.digit, via: k.via }));
    if (args.recordCalls !== undefined) recordWhenConnected(call, args.recordCalls, emit, (path) => calls.setRecording(call.id, path));
  });
  ua.on('dnd', (d) => emit({ event: 'dnd', from: d.from, displayName: d.displayName, status: d.status }));
  // Issue 11, part 6: the same chat channels as the window (messages.list / get / markRead), in memory.
  const chat = createChatBook({
    send: (to, text) => ua.sendMessage(to, text),
    // Issue 11: one account (the flags): an accountId is refused, as call.dial does, rather than ignored.
    pickAccount: (requested) => {
      if (requested !== undefined) throw new ApiFailure('invalid-request', 'the CLI has one account (its flags): message.send takes no accountId here');
      return undefined;
    },
    resolve: (to) => {
      const r = resolveDialTarget(to, { ...(args.account.domain ? { domain: args.account.domain } : {}), ...(args.account.dialPlan ? { dialPlan: args.account.dialPlan } : {}) });
      return 'uri' in r ? r.uri : to;
    },
    changed: () => {},
    report: (message) => emit({ event: 'warning', message }),
    now: Date.now,
  });
  ua.on('message', (m) => {
    emit({ event: 'message', from: m.from, displayName: m.displayName, text: m.text });
    chat.received(m);
  });
  reportTransferCalls(ua, calls, { emit, media: tracker });
  reportTransferAsks(ua, calls, { emit, media: tracker });
  const recordDir = args.recordCalls;
  const handlers = {
    ...createCallRequestHandlers({
      tracker: calls,
      answer: (call) => call.answer(),
      answerTransfer: (id, accept) => ua.answerTransfer?.(id, accept) ?? false,
      ...(recordDir !== undefined ? { recordingPath: async (call: Call) => recordingPathIn(recordDir, call, new Date()) } : {}),
    }),
    ...chat.handlers,
    'call.dial': dialHandler(() => trackedUa, calls, { emit, media: tracker }),
  };
  // --auto-answer goes through the same policy as call.answer: the other live calls are held first.
  const answerHoldingOthers = (call: Call): Promise<void> => {
    holdOtherCalls(calls, call.id);
    return call.answer();
  };
  startStdinControl(handlers, (line) => {
    if (!process.stdout.destroyed) process.stdout.write(`${line}\n`);
  });
  // Issue 11, part 6: --presence, --watch, --voicemail start once registered (or once the socket is bound).
  const account = accountSettingsFrom(args.account);
  const reports = new EventReports(ua, emit, {
    events: args.events,
    ...(account ? { aor: `sip:${account.userId}@${account.domain}` } : {}),
    registers: account?.registerWithDomain === true,
  });
  const commandUa: UserAgent = Object.create(trackedUa, {
    start: { value: () => trackedUa.start().then((bound) => (reports.started(), bound)) },
  }) as UserAgent;
  const ctx: CommandContext = { ua: commandUa, media: tracker, emit, stop: controller.signal, log, answer: answerHoldingOthers };
  try {
    return args.command === 'call' ? await runCallCommand(ctx, args) : await runListenCommand(ctx, args);
  } catch (err) {
    emit({ event: 'error', message: errorMessage(err) });
    await Promise.race([ua.shutdown().catch(() => undefined), new Promise((r) => setTimeout(r, 3000))]);
    return EXIT_FAILED;
  }
}

async function listDevices(): Promise<number> {
  try {
    // Loaded only here: the native PortAudio binding is not needed for calls with WAV files.
    const { listAudioDevices } = await import('../audio/portaudio-device.node');
    const devices = await listAudioDevices();
    for (const d of devices) emit({ event: 'device', ...d });
    if (devices.length === 0) emit({ event: 'warning', message: 'no audio devices found (no sound card, or no access to it)' });
    return EXIT_OK;
  } catch (err) {
    emit({ event: 'error', message: `cannot list audio devices: ${errorMessage(err)}` });
    return EXIT_FAILED;
  }
}

/** `nat-check`: RFC 5780 binding tests from the given port; exit 1 when the server did not answer enough. */
async function natCheck(args: NatCheckArgs): Promise<number> {
  try {
    const r = await runNatCheck({ stun: args.stun, bindAddress: args.bind, port: args.port });
    emit({ event: 'nat_check', behavior: r.behavior, publicAddress: r.publicAddress, portPreserved: r.portPreserved, summary: r.summary, local: r.local, server: r.server, results: r.results });
    return r.behavior === 'unknown' ? EXIT_FAILED : EXIT_OK;
  } catch (err) {
    emit({ event: 'error', message: `nat-check: ${errorMessage(err)}` });
    return EXIT_FAILED;
  }
}

async function main(argv: string[]): Promise<void> {
  // Before the first socket: a datagram flood must not leave the heap fragmented (issue 9).
  heapTuning = tuneProcessHeap();
  // `softphone ui`: the desktop UI served on 127.0.0.1 (its own arguments; see src-main/web/ui-args.ts).
  if (argv[0] === 'ui') return exit(await (await import('../web/ui-command.node')).runUiCommand(argv.slice(1)));
  const parsed = parseCliArgs(argv, process.env);
  if (!parsed.ok) return usageError(parsed.error, argv[0]);
  const args = parsed.args;
  if (args.command === 'help') {
    process.stdout.write(args.topic ? commandHelp(args.topic) : HELP_TEXT);
    return exit(EXIT_OK);
  }
  if (args.command === 'version') {
    emit({ event: 'version', version });
    return exit(EXIT_OK);
  }
  // Commands with nothing to hang up stop at once on a signal (calls and listen say goodbye first).
  const stopNow = () => exit(EXIT_OK);
  if (args.command === 'nat-check' || args.command === 'devices') {
    process.once('SIGINT', stopNow);
    process.once('SIGTERM', stopNow);
    process.stdout.on('error', stopNow);
  }
  if (args.command === 'nat-check') {
    installLogSink(args.logLevel);
    return exit(await natCheck(args));
  }
  // The sound card's native library writes to stdout: run behind a filter (see stdout-guard.node.ts).
  const soundCard = args.command === 'devices' || (args.play === undefined && args.record === undefined);
  if (soundCard && !isGuardedChild()) return exit(await (await import('./stdout-guard.node')).runFilteredChild(argv, args.logLevel === 'debug'));
  installLogSink(args.logLevel);
  // Bad input must never take the process down: report it and carry on (tests assert none happen).
  process.on('uncaughtException', (err) => emit({ event: 'error', message: `internal error: ${errorMessage(err)}` }));
  process.on('unhandledRejection', (err) => emit({ event: 'error', message: `internal error: ${errorMessage(err)}` }));
  if (args.command === 'devices') return exit(await listDevices());
  const fileProblem = checkFiles(args);
  if (fileProblem) return usageError(fileProblem, args.command);
  exit(await runPhone(args));
}

void main(process.argv.slice(2));
