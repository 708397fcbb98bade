// `softphone ui`: starts the core and the 127.0.0.1 web server, prints the URL with its token as the
// first line of stdout, optionally opens the browser, and serves until SIGINT/SIGTERM.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createNodeAppCore } from '../app-core/app-core.node';
import { defaultDataDir } from '../settings/data-dir.node';
import { createLogger, setLogSink, type LogLevel } from '../util/logger';
import { parseUiArgs, UI_USAGE } from './ui-args';
import { startWebServer } from './web-server.node';

/** dist/renderer next to the bundled CLI (dist/cli.js), else under the working directory. */
export function findRendererDir(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [
    env.SOFTPHONE_RENDERER_DIR,
    typeof __dirname !== 'undefined' ? join(__dirname, 'renderer') : undefined,
    typeof __dirname !== 'undefined' ? join(__dirname, '..', 'renderer') : undefined,
    join(process.cwd(), 'dist', 'renderer'),
  ].filter((c): c is string => !!c);
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[candidates.length - 1] ?? 'dist/renderer';
}

/** Opens `url` in the system browser; a failure is a message on stderr, never a crash. */
export function openBrowser(url: string, platform: NodeJS.Platform = process.platform): void {
  const [cmd, args] =
    platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : platform === 'darwin' ? ['open', [url]] : ['xdg-open', [url]];
  const hint = `could not open a browser; open the URL above yourself`;
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true, windowsHide: true });
    child.on('error', (err) => process.stderr.write(`softphone ui: ${hint} (${cmd}: ${err.message})\n`));
    child.on('exit', (code) => {
      if (code) process.stderr.write(`softphone ui: ${hint} (${cmd} exited with ${code})\n`);
    });
    child.unref();
  } catch (err) {
    process.stderr.write(`softphone ui: ${hint} (${(err as Error).message})\n`);
  }
}

/**
 * Log lines go to stderr, but only once the URL is out: the URL must be the first line a user (or
 * `npm start`, or a script reading `| head -1`) sees. Until then they are held; a start that fails
 * prints them. A closed stderr (its reader went away) drops them: never an error, never a retry loop.
 */
class StderrLog {
  private held: string[] | null = [];

  readonly sink = (level: LogLevel, scope: string, msg: string, data?: Record<string, unknown>): void => {
    const extra = data && Object.keys(data).length ? ` ${JSON.stringify(data)}` : '';
    const line = `${new Date().toISOString()} ${level} [${scope}] ${msg}${extra}\n`;
    if (this.held) {
      if (this.held.length < 1000) this.held.push(line);
    } else writeQuietly(process.stderr, line);
  };

  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const line of held) writeQuietly(process.stderr, line);
  }
}

/** Writes unless the stream is gone; its 'error' (EPIPE) is swallowed by the handler set in runUiCommand. */
function writeQuietly(stream: NodeJS.WriteStream, text: string): void {
  if (!stream.destroyed && stream.writable) stream.write(text);
}

/** Longest the goodbye may take after SIGINT/SIGTERM (hang up, un-register, close the server). */
const STOP_GUARD_MS = 1500;

export async function runUiCommand(argv: string[]): Promise<number> {
  const parsed = parseUiArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`softphone ui: ${parsed.message}\n\n${UI_USAGE}`);
    return 2;
  }
  const args = parsed.args;
  if (args.help) {
    process.stdout.write(UI_USAGE);
    return 0;
  }
  // A reader that goes away (`softphone ui 2>&1 | head -1`) makes every later write fail with EPIPE:
  // ignore it and keep serving the browser that already has the URL. Unhandled, each failed write
  // was an uncaught exception whose handler logged, failed again, and looped at ~90 % CPU, starving
  // the event loop so that even SIGTERM went unheard.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  // stdout carries only the URL: everything else goes to stderr.
  const stderrLog = new StderrLog();
  setLogSink(stderrLog.sink, args.logLevel);
  const log = createLogger('ui');
  // A bug reached by odd input must not take the phone down mid-call: report it and keep serving.
  process.on('uncaughtException', (err) => log.error('internal error', { error: err.message }));
  process.on('unhandledRejection', (err) => log.error('internal error', { error: err instanceof Error ? err.message : String(err) }));
  const dataDir = resolve(args.dataDir ?? defaultDataDir());
  const core = createNodeAppCore({ dataDir, sipPort: args.sipPort, bindAddress: args.bind, logger: createLogger('app') });
  try {
    await core.start();
  } catch (err) {
    stderrLog.release();
    writeQuietly(process.stderr, `softphone ui: cannot start: ${(err as Error).message}\n`);
    return 1;
  }

  let server;
  try {
    server = await startWebServer({ core, rendererDir: findRendererDir(), port: args.port, logger: createLogger('web') });
  } catch (err) {
    stderrLog.release();
    writeQuietly(process.stderr, `softphone ui: cannot listen on 127.0.0.1:${args.port} (${(err as Error).message})\n`);
    await core.shutdown();
    return 1;
  }
  writeQuietly(process.stdout, `${server.url}\n`);
  stderrLog.release();
  log.info('serving the UI', { port: server.port, dataDir });
  if (args.open) openBrowser(server.url);

  const signal = await new Promise<NodeJS.Signals>((done) => {
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
  });
  log.info('stopping', { signal });
  // A second signal while we hang up and un-register means "now".
  const force = () => process.exit(130);
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  // Bounded: a registrar or peer that does not answer must not keep the process past ~2 s.
  const guard = new Promise<void>((done) => setTimeout(done, STOP_GUARD_MS).unref());
  await Promise.race([Promise.all([server.close(), core.shutdown()]), guard]);
  process.off('SIGINT', force);
  process.off('SIGTERM', force);
  return 0;
}
