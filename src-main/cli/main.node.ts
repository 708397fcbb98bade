// Entry of the headless `softphone` command: wires argv, stdout/stderr, signals, the SIP user agent and
// the media engine to the pure command logic, and turns the outcome into the exit code.
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createUserAgent } from '../sip/user-agent.node';
import { createMediaSession } from '../rtp/media-session.node';
import { createLogger, setLogSink, type LogLevel } from '../util/logger';
import { version } from '../../package.json';
import { parseCliArgs, type CallArgs, type ListenArgs, type NatCheckArgs } from './cli-args';
import { mediaNatOptions } from './nat-args';
import { runNatCheck } from '../nat/nat-check.node';
import { formatEvent, type CliEvent } from './cli-events';
import { HELP_TEXT, USAGE } from './help-text';
import { accountSettingsFrom, audioConfigFor } from './cli-config';
import { MediaTracker } from './media-tracker';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, errorMessage, type CommandContext } from './command-context';
import { runCallCommand } from './call-command';
import { runListenCommand } from './listen-command';
import { isGuardedChild, runFilteredChild, watchParent } from './stdout-guard.node';
import { startLoopDiagnostics } from './loop-diagnostics.node';

const emit = (event: CliEvent): void => {
  process.stdout.write(`${formatEvent(event, new Date())}\n`);
};

function installLogSink(level: LogLevel): void {
  // Logs are best effort: a closed stderr (its reader went away) must not turn every later log line
  // into an uncaught exception (where that handler logs too, it loops at 100 % CPU).
  process.stderr.on('error', () => {});
  setLogSink((lvl, scope, msg, data) => {
    const extra = data === undefined ? '' : ` ${safeJson(data)}`;
    process.stderr.write(`${new Date().toISOString()} ${lvl.toUpperCase()} [${scope}] ${msg}${extra}\n`);
  }, level);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '[unserialisable]';
  }
}

function exit(code: number): void {
  // Flush what is queued on stdout before leaving.
  process.stdout.write('', () => process.exit(code));
}

function usageError(message: string): void {
  process.stderr.write(`softphone: ${message}\n\n${USAGE}\n\nRun "softphone --help" for every option.\n`);
  exit(EXIT_USAGE);
}

/** Files are checked before any socket is opened, so a typo is a usage error, not a failed call. */
function checkFiles(args: CallArgs | ListenArgs): string | null {
  if (args.play !== undefined) {
    try {
      accessSync(args.play, constants.R_OK);
      if (!statSync(args.play).isFile()) return `--play: ${args.play} is not a file`;
    } catch {
      return `--play: cannot read ${args.play}`;
    }
  }
  if (args.record !== undefined) {
    const dir = dirname(resolve(args.record));
    try {
      accessSync(dir, constants.W_OK);
    } catch {
      return `--record: cannot write into ${dir}`;
    }
  }
  return null;
}

async function runPhone(args: CallArgs | ListenArgs): Promise<number> {
  const log = createLogger('cli');
  const nat = mediaNatOptions(args.nat);
  const tracker = new MediaTracker((index) =>
    createMediaSession({
      audio: audioConfigFor(args, index),
      bindAddress: args.bind,
      portMin: args.rtpPorts.min,
      portMax: args.rtpPorts.max,
      ...(nat ? { nat } : {}),
    }),
  );
  const ua = createUserAgent({
    account: accountSettingsFrom(args.account),
    bindAddress: args.bind,
    port: args.port,
    userAgentName: `softphone/${version}`,
    createMedia: tracker.create,
    // The CLI's own --ring-timeout cancels first (with its reason); the core's is only a backstop.
    ringTimeoutSeconds: args.command === 'call' ? args.ringTimeout + 5 : undefined,
    keepAlive: args.keepAlive,
  });
  ua.on('warning', (w) => emit({ event: 'warning', message: w.message }));
  if (args.logLevel === 'debug' || process.env['SOFTPHONE_DIAGNOSTICS'] === '1') {
    startLoopDiagnostics(createLogger('diagnostics'), args.logLevel === 'debug' ? 'debug' : 'info');
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

  const ctx: CommandContext = { ua, media: tracker, emit, stop: controller.signal, log };
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
  // `softphone ui`: the desktop UI served on 127.0.0.1 (its own arguments; see src-main/web/ui-args.ts).
  if (argv[0] === 'ui') return exit(await (await import('../web/ui-command.node')).runUiCommand(argv.slice(1)));
  const parsed = parseCliArgs(argv, process.env);
  if (!parsed.ok) return usageError(parsed.error);
  const args = parsed.args;
  if (args.command === 'help') {
    process.stdout.write(HELP_TEXT);
    return exit(EXIT_OK);
  }
  if (args.command === 'version') {
    emit({ event: 'version', version });
    return exit(EXIT_OK);
  }
  if (args.command === 'nat-check') {
    installLogSink(args.logLevel);
    return exit(await natCheck(args));
  }
  // The sound card's native library writes to stdout: run behind a filter (see stdout-guard.node.ts).
  const soundCard = args.command === 'devices' || (args.play === undefined && args.record === undefined);
  if (soundCard && !isGuardedChild()) return exit(await runFilteredChild(argv));
  installLogSink(args.logLevel);
  // Bad input must never take the process down: report it and carry on (tests assert none happen).
  process.on('uncaughtException', (err) => emit({ event: 'error', message: `internal error: ${errorMessage(err)}` }));
  process.on('unhandledRejection', (err) => emit({ event: 'error', message: `internal error: ${errorMessage(err)}` }));
  if (args.command === 'devices') return exit(await listDevices());
  const fileProblem = checkFiles(args);
  if (fileProblem) return usageError(fileProblem);
  exit(await runPhone(args));
}

void main(process.argv.slice(2));
