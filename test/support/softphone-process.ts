// Runs the built `softphone` CLI (node bin/softphone.js) as a child process and reads its JSON events.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import nodeFlags from '../../bin/node-flags.json';

export const SOFTPHONE_BIN = resolve(__dirname, '../../bin/softphone.js');
export const SOFTPHONE_NODE_FLAGS: readonly string[] = nodeFlags;

export interface SoftphoneEvent {
  event: string;
  time: string;
  [key: string]: unknown;
}

export interface SoftphoneOptions {
  env?: NodeJS.ProcessEnv;
  /** A name for failure messages ("alice", "B"). */
  name?: string;
  /** Run inside this network namespace (`ip netns exec NS node bin/softphone.js …`; needs root). */
  netns?: string;
  /** Keep stdin open for the control channel (request()); otherwise stdin is /dev/null. */
  control?: boolean;
}

/** A control-channel answer line: {"id":…,"result":{ok,value|error}}. */
export interface ControlResult {
  ok: boolean;
  value?: unknown;
  error?: { code: string; message: string; fields?: Record<string, string> };
}

const live = new Set<SoftphoneProcess>();

export class SoftphoneProcess {
  readonly events: SoftphoneEvent[] = [];
  /** stdout lines that were not JSON events (must stay empty: stdout is one event per line). */
  readonly strayLines: string[] = [];
  /** Control-channel answers by request id. */
  readonly results = new Map<number | string | null, ControlResult>();
  private nextRequestId = 1;
  readonly name: string;
  private readonly child: ChildProcess;
  private stderrText = '';
  private stdoutBuf = '';
  private exitCode: number | null | undefined = undefined;
  private exitSignal: NodeJS.Signals | null = null;
  private readonly exited: Promise<number | null>;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly args: string[],
    opts: SoftphoneOptions = {},
  ) {
    this.name = opts.name ?? args[0] ?? 'softphone';
    // The node flags the installed command runs with (its shebang), so tests measure the same process.
    const argv = [...SOFTPHONE_NODE_FLAGS, SOFTPHONE_BIN, ...args];
    // `ip netns exec` execs node in place, so signals still reach the softphone itself.
    this.child = spawn(opts.netns ? 'ip' : process.execPath, opts.netns ? ['netns', 'exec', opts.netns, process.execPath, ...argv] : argv, {
      env: { ...process.env, ...opts.env },
      stdio: [opts.control ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    live.add(this);
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: string) => this.onStdout(chunk));
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      // Keep the tail only: a debug-level run can be long.
      this.stderrText = (this.stderrText + chunk).slice(-200_000);
      this.wake();
    });
    this.exited = new Promise((res) => {
      this.child.once('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        live.delete(this);
        this.wake();
        res(code);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  get stderr(): string {
    return this.stderrText;
  }

  private onStdout(chunk: string): void {
    this.stdoutBuf += chunk;
    let nl: number;
    while ((nl = this.stdoutBuf.indexOf('\n')) >= 0) {
      const line = this.stdoutBuf.slice(0, nl);
      this.stdoutBuf = this.stdoutBuf.slice(nl + 1);
      if (line.trim() === '') continue;
      try {
        const value: unknown = JSON.parse(line);
        if (typeof value === 'object' && value !== null && typeof (value as SoftphoneEvent).event === 'string') {
          this.events.push(value as SoftphoneEvent);
        } else if (typeof value === 'object' && value !== null && 'id' in value && 'result' in value) {
          const { id, result } = value as { id: number | string | null; result: ControlResult };
          this.results.set(id, result);
        } else this.strayLines.push(line);
      } catch {
        this.strayLines.push(line);
      }
    }
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Events named `event` so far. */
  all(event: string): SoftphoneEvent[] {
    return this.events.filter((e) => e.event === event);
  }

  /**
   * The first event (already received or still to come) named `event` that satisfies `predicate`.
   * Rejects on timeout or if the process exits first, with the events and stderr in the message.
   */
  waitFor(
    event: string,
    predicate: (e: SoftphoneEvent) => boolean = () => true,
    // A deadline that only bounds a hang, not a speed claim: on a loaded 2-core machine starting a
    // peer process alone took 5 s, and a call waits on two of them.
    timeoutMs = 30_000,
  ): Promise<SoftphoneEvent> {
    const find = () => this.events.find((e) => e.event === event && predicate(e));
    return new Promise((res, rej) => {
      const check = () => {
        const hit = find();
        if (hit) {
          cleanup();
          res(hit);
        } else if (!this.running) {
          cleanup();
          rej(new Error(`${this.name} exited (code ${this.exitCode}, signal ${this.exitSignal}) before "${event}"\n${this.describe()}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        rej(new Error(`${this.name}: no "${event}" within ${timeoutMs} ms\n${this.describe()}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Resolves once stderr holds `text` (the log line may trail the event that a peer already saw). */
  waitForStderr(text: string, timeoutMs = 30_000): Promise<void> {
    return new Promise((res, rej) => {
      const check = () => {
        if (this.stderrText.includes(text)) {
          cleanup();
          res();
        } else if (!this.running) {
          cleanup();
          rej(new Error(`${this.name} exited before logging "${text}"\n${this.describe()}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        rej(new Error(`${this.name}: no "${text}" on stderr within ${timeoutMs} ms\n${this.describe()}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Writes a raw line to the control channel (stdin; needs `control: true`). */
  sendLine(line: string): void {
    if (!this.child.stdin) throw new Error(`${this.name}: started without control: true`);
    this.child.stdin.write(`${line}\n`);
  }

  /** Sends one control request and resolves with its result line's `result`. */
  async request(channel: string, payload: unknown, timeoutMs = 30_000): Promise<ControlResult> {
    const id = this.nextRequestId++;
    this.sendLine(JSON.stringify({ id, channel, payload }));
    return this.waitForResult(id, timeoutMs);
  }

  waitForResult(id: number | string | null, timeoutMs = 30_000): Promise<ControlResult> {
    return new Promise((res, rej) => {
      const check = () => {
        const hit = this.results.get(id);
        if (hit) {
          cleanup();
          res(hit);
        } else if (!this.running) {
          cleanup();
          rej(new Error(`${this.name} exited before the result of request ${String(id)}\n${this.describe()}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        rej(new Error(`${this.name}: no result for request ${String(id)} within ${timeoutMs} ms\n${this.describe()}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Resolves with the exit code (null if killed by a signal); rejects after timeoutMs. */
  waitForExit(timeoutMs = 30_000): Promise<number | null> {
    if (!this.running) return Promise.resolve(this.exitCode ?? null);
    return new Promise((res, rej) => {
      const timer = setTimeout(
        () => rej(new Error(`${this.name} still running after ${timeoutMs} ms\n${this.describe()}`)),
        timeoutMs,
      );
      void this.exited.then((code) => {
        clearTimeout(timer);
        res(code);
      });
    });
  }

  signal(sig: NodeJS.Signals = 'SIGTERM'): void {
    if (this.running) this.child.kill(sig);
  }

  /** SIGTERM, then SIGKILL if it does not exit in time. */
  async stop(graceMs = 8000): Promise<void> {
    if (!this.running) return;
    this.signal('SIGTERM');
    try {
      await this.waitForExit(graceMs);
    } catch {
      this.signal('SIGKILL');
      await this.exited;
    }
  }

  /** Events and the stderr tail, for failure messages. */
  describe(): string {
    const events = this.events.map((e) => JSON.stringify(e)).join('\n');
    const stray = this.strayLines.length ? `\n--- stray stdout ---\n${this.strayLines.join('\n')}` : '';
    return `--- ${this.name} (softphone ${this.args.join(' ')}) events ---\n${events}${stray}\n--- ${this.name} stderr ---\n${this.stderrText.slice(-6000)}`;
  }
}

export function startSoftphone(args: string[], opts: SoftphoneOptions = {}): SoftphoneProcess {
  return new SoftphoneProcess(args, opts);
}

/** Stops every softphone still running (afterEach/afterAll safety net). */
export async function stopAllSoftphones(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop(3000)));
}
