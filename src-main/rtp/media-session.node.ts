// The main-thread MediaSession: a thin proxy that forwards every call to the media worker thread (one
// per process, started on first use and unref'd while no call is up so the process can exit), or, for
// plain-RTP calls when the addon loaded, the native engine (media-engine-switch.node.ts, issue 12).

import type { AudioDeviceInfo } from '../audio/audio-config';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { Emitter } from '../util/emitter';
import { createSwitchedSession, prestartNativeEngine, usesNativeEngine } from './media-engine-switch.node';
import { createLogger } from '../util/logger';
import { onMissingCodec } from '../codec/codec-registry';
import { registerOpus } from '../codec/opus-codec.node';
import type { DtmfMediaMode, MediaEndpoint, MediaSession, MediaSessionEvents, MediaSessionFactory, MediaSessionOptions, MediaStartParams, RtpStats } from './media-session';
import {
  checkFromWorker,
  checkOpenOptions,
  checkStartParams,
  DTMF_DIGITS,
  emptyStats,
  type FromWorker,
  type ToWorker,
  type WorkerOpenOptions,
} from './media-worker-protocol';

const log = createLogger('media');
const workerLog = createLogger('media-worker');

/** Where dist/media-worker.js is: next to the bundle that runs us, or in the repository's dist/. */
export function resolveMediaWorkerScript(): string {
  const tried: string[] = [];
  const fromEnv = process.env.SOFTPHONE_MEDIA_WORKER;
  if (fromEnv) tried.push(fromEnv);
  // In the CJS bundle (dist/cli.js, dist/app/…) __dirname is the bundle's folder; under vitest (ESM
  // sources) it may be missing, so the repository root is also searched from the working directory.
  const here = typeof __dirname === 'string' ? __dirname : null;
  if (here) tried.push(join(here, 'media-worker.js'));
  for (const start of [here, process.cwd()]) {
    const root = start ? findPackageRoot(start) : null;
    if (root) tried.push(join(root, 'dist', 'media-worker.js'));
  }
  const found = tried.find((p) => existsSync(p));
  if (!found) throw new Error(`media worker bundle not found (run \`npm run build\`); looked at: ${tried.join(', ')}`);
  return found;
}

function findPackageRoot(start: string): string | null {
  let dir = start;
  for (let i = 0; i < 10; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'softphone') return dir;
      } catch {
        // an unreadable package.json further down: keep walking up
      }
    }
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
  return null;
}

type Request = ToWorker extends infer T ? (T extends { req: number } ? Omit<T, 'req'> : never) : never;
type Notice = Exclude<ToWorker, { req: number }>;

interface Pending {
  resolve: (msg: FromWorker) => void;
  reject: (err: Error) => void;
}

/** Owns the worker thread and routes its messages to sessions. */
class WorkerHost {
  worker: Worker | null = null;
  private nextReq = 1;
  private nextSession = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly sessions = new Map<number, SessionProxy>();

  register(session: SessionProxy): number {
    this.ensure(); // throws (no session registered) when the worker bundle is missing
    const id = this.nextSession++;
    this.sessions.set(id, session);
    this.refresh();
    return id;
  }

  unregister(id: number): void {
    this.sessions.delete(id);
    this.refresh();
  }

  request(msg: Request): Promise<FromWorker> {
    const worker = this.ensure();
    const req = this.nextReq++;
    return new Promise((resolve, reject) => {
      this.pending.set(req, { resolve, reject });
      this.refresh();
      worker.postMessage({ ...msg, req });
    });
  }

  notify(msg: Notice): void {
    this.worker?.postMessage(msg);
  }

  /** Starts the thread now (unreferenced: it does not keep the process alive). */
  warm(): void {
    this.ensure();
    this.refresh();
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    // Loaded here, not at start-up: a process whose calls all run natively never needs it (issue 12).
    const { Worker: WorkerThread } = process.getBuiltinModule('node:worker_threads');
    const worker = new WorkerThread(resolveMediaWorkerScript());
    this.worker = worker;
    worker.on('message', (raw: unknown) => this.onMessage(raw));
    worker.on('error', (err: Error) => this.onDeath(worker, `media worker crashed: ${err.message}`));
    worker.on('exit', (code: number) => this.onDeath(worker, `media worker exited (code ${code})`));
    return worker;
  }

  /** Keeps the process alive only while a session is open or an answer is awaited. */
  private refresh(): void {
    if (!this.worker) return;
    if (this.sessions.size > 0 || this.pending.size > 0) this.worker.ref();
    else this.worker.unref();
  }

  private onMessage(raw: unknown): void {
    const checked = checkFromWorker(raw);
    if (!checked.ok) {
      log.warn('invalid message from the media worker', { error: checked.error });
      return;
    }
    const msg = checked.value;
    if ('req' in msg) {
      const p = this.pending.get(msg.req);
      this.pending.delete(msg.req);
      this.refresh();
      p?.resolve(msg);
      return;
    }
    if (msg.type === 'log') {
      workerLog[msg.level](msg.msg, msg.data);
      return;
    }
    this.sessions.get(msg.session)?.deliver(msg);
  }

  private onDeath(worker: Worker, reason: string): void {
    if (this.worker !== worker) return; // the second of 'error' + 'exit'
    this.worker = null;
    log.error(reason);
    const pending = [...this.pending.values()];
    this.pending.clear();
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of sessions) s.workerDied(reason);
    for (const p of pending) p.reject(new Error(reason));
  }
}

const host = new WorkerHost();

/**
 * The sound devices, listed by the media thread: PortAudio may be loaded by one thread of a process
 * only (see portaudio-device.node.ts). Starts the worker if needed; it does not keep the process alive.
 */
export async function listAudioDevicesViaMediaThread(): Promise<AudioDeviceInfo[]> {
  const reply = await host.request({ type: 'devices', session: 0 });
  if (reply.type === 'devices') return reply.devices;
  throw new Error(reply.type === 'failed' ? `cannot list audio devices: ${reply.message}` : `unexpected reply ${reply.type}`);
}

/**
 * Starts the media thread ahead of the first call (issue 12, point 3): a thread start costs about
 * 140 ms, which would otherwise sit between an incoming INVITE and its 180 Ringing. Idle, the thread
 * only waits for messages; it does not keep the process alive.
 */
export function prewarmMediaThread(likely?: MediaSessionOptions): void {
  // Calls that will run natively need no worker (its thread and heap are most of an idle process's RSS);
  // the native engine's own thread starts now instead (it waits idle until the first call).
  if (likely && usesNativeEngine(likely)) {
    prestartNativeEngine();
    return;
  }
  host.warm();
}

/** The worker thread, for tests that need to kill it (crash handling); null before the first session. */
export function mediaWorkerThreadForTests(): Worker | null {
  return host.worker;
}

type State = 'new' | 'open' | 'closed' | 'dead';

class SessionProxy implements MediaSession {
  private readonly events = new Emitter<MediaSessionEvents>();
  private id = 0;
  private state: State = 'new';
  private opening: Promise<MediaEndpoint> | null = null;
  private closing: Promise<RtpStats> | null = null;
  private lastStats: RtpStats = emptyStats();
  private muted = false;
  /** 'level' listeners: the worker posts meter levels only while there is at least one. */
  private levelListeners = 0;
  private readonly openOptions: WorkerOpenOptions;
  private readonly optionsError: string | null;

  constructor(options: MediaSessionOptions) {
    const checked = checkOpenOptions({
      audio: options.audio,
      bindAddress: options.bindAddress ?? '0.0.0.0',
      portMin: options.portMin ?? 10000,
      portMax: options.portMax ?? 20000,
      ...(options.nat ? { nat: options.nat } : {}),
      ...(options.gain ? { gain: options.gain } : {}),
      ...(options.ringtone ? { ringtone: true } : {}),
      ...(options.jitterAdapt ? { jitterAdapt: options.jitterAdapt } : {}),
      ...(options.ringtone && options.ringtoneSound ? { ringtoneSound: options.ringtoneSound } : {}),
    });
    this.optionsError = checked.ok ? null : checked.error;
    this.openOptions = checked.ok ? checked.value : { audio: { kind: 'null' }, bindAddress: '0.0.0.0', portMin: 10000, portMax: 20000 };
  }

  get bindAddress(): string {
    return this.openOptions.bindAddress;
  }

  open(): Promise<MediaEndpoint> {
    if (!this.opening) this.opening = this.doOpen();
    return this.opening;
  }

  async start(params: MediaStartParams): Promise<void> {
    await this.send('start', params);
  }

  async update(params: MediaStartParams): Promise<void> {
    await this.send('update', params);
  }

  sendDtmf(digits: string, durationMs = 100, mode: DtmfMediaMode = 'rfc4733'): void {
    if (typeof digits !== 'string' || digits.length > 256 || !DTMF_DIGITS.test(digits)) {
      this.events.emit('error', { message: `invalid DTMF digits: ${String(digits).slice(0, 40)}` });
      return;
    }
    if (this.state !== 'open' || digits.length === 0) return;
    const ms = Number.isFinite(durationMs) ? Math.round(Math.min(5000, Math.max(40, durationMs))) : 100;
    host.notify({ type: 'dtmf', session: this.id, digits, durationMs: ms, ...(mode === 'inband' ? { inband: true } : {}) });
  }

  setMuted(muted: boolean): void {
    this.muted = muted === true;
    // Before open() the worker has no session yet: the flag is sent once it has.
    if (this.state === 'open' && this.id !== 0) host.notify({ type: 'mute', session: this.id, muted: this.muted });
  }

  mixWith(other: MediaSession | null): boolean {
    if (this.state !== 'open' || this.id === 0) return false;
    if (other === null) {
      host.notify({ type: 'mix', session: this.id, with: 0 });
      return true;
    }
    // Both sessions live in the one media thread: it adds the partner's heard frame each tick.
    if (!(other instanceof SessionProxy) || other === this || other.state !== 'open' || other.id === 0) return false;
    host.notify({ type: 'mix', session: this.id, with: other.id });
    return true;
  }

  setGain(input: number, output: number): void {
    const ok = (g: number) => Number.isFinite(g) && g >= 0 && g <= 4;
    if (!ok(input) || !ok(output)) return;
    this.openOptions.gain = { input, output };
    if (this.state === 'open' && this.id !== 0) host.notify({ type: 'gain', session: this.id, input, output });
  }

  async record(path: string | null): Promise<void> {
    if (this.opening) await this.opening;
    if (this.state !== 'open') throw new Error(`recording: media session is ${this.state === 'new' ? 'not open yet' : this.state}`);
    const reply = await host.request({ type: 'record', session: this.id, path });
    if (reply.type === 'failed') throw new Error(reply.message);
  }

  async stats(): Promise<RtpStats> {
    if (this.state !== 'open') return { ...this.lastStats };
    try {
      const reply = await host.request({ type: 'stats', session: this.id });
      if (reply.type === 'stats') this.lastStats = reply.stats;
    } catch {
      // the worker died meanwhile: the last numbers we have
    }
    return { ...this.lastStats };
  }

  close(): Promise<RtpStats> {
    if (!this.closing) this.closing = this.doClose();
    return this.closing;
  }

  on<K extends keyof MediaSessionEvents>(event: K, listener: (payload: MediaSessionEvents[K]) => void): () => void {
    const off = this.events.on(event, listener);
    if (event !== 'level') return off;
    if (++this.levelListeners === 1) this.sendLevels();
    let removed = false;
    return () => {
      off();
      if (removed) return;
      removed = true;
      if (--this.levelListeners === 0) this.sendLevels();
    };
  }

  /** Tells the worker whether levels are wanted (10 messages a second that a headless call never reads). */
  private sendLevels(): void {
    if (this.state === 'open' && this.id !== 0) host.notify({ type: 'levels', session: this.id, enabled: this.levelListeners > 0 });
  }

  /** A message from the worker about this session. */
  deliver(msg: FromWorker): void {
    switch (msg.type) {
      case 'error':
        this.events.emit('error', { message: msg.message });
        break;
      case 'level':
        this.events.emit('level', { input: msg.input, output: msg.output });
        break;
      case 'latched':
        this.events.emit('latched', { address: msg.address, port: msg.port });
        break;
      case 'dtmf':
        this.events.emit('dtmf', { digit: msg.digit });
        break;
      case 'snapshot':
        this.lastStats = msg.stats;
        this.events.emit('stats', msg.stats);
        break;
    }
  }

  workerDied(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'dead';
    this.events.emit('error', { message: reason });
  }

  private async doOpen(): Promise<MediaEndpoint> {
    if (this.optionsError) throw new Error(`media session options: ${this.optionsError}`);
    if (this.state !== 'new') throw new Error(`media session is ${this.state}`);
    this.id = host.register(this);
    this.state = 'open';
    let reply: FromWorker;
    try {
      reply = await host.request({ type: 'open', session: this.id, options: this.openOptions });
    } catch (err) {
      host.unregister(this.id);
      throw err;
    }
    if (reply.type === 'opened') {
      if (this.muted) host.notify({ type: 'mute', session: this.id, muted: true });
      if (this.levelListeners > 0) this.sendLevels();
      return reply.endpoint;
    }
    host.unregister(this.id);
    this.state = 'closed';
    throw new Error(reply.type === 'failed' ? reply.message : `unexpected reply ${reply.type}`);
  }

  private async send(type: 'start' | 'update', params: MediaStartParams): Promise<void> {
    const checked = checkStartParams(params);
    if (!checked.ok) throw new Error(`media ${type}: ${checked.error}`);
    if (this.opening) await this.opening;
    if (this.state !== 'open') throw new Error(`media ${type}: session is ${this.state === 'new' ? 'not open yet' : this.state}`);
    const reply = await host.request({ type, session: this.id, params: checked.value });
    if (reply.type === 'failed') throw new Error(`media ${type}: ${reply.message}`);
    this.lastStats = { ...this.lastStats, codec: checked.value.codec };
  }

  private async doClose(): Promise<RtpStats> {
    if (this.opening) await this.opening.catch(() => {});
    if (this.state !== 'open') {
      this.state = this.state === 'dead' ? 'dead' : 'closed';
      return { ...this.lastStats };
    }
    try {
      const reply = await host.request({ type: 'close', session: this.id });
      if (reply.type === 'stats') this.lastStats = reply.stats;
    } catch {
      // the worker died: what it last reported is all there is
    }
    if (this.state === 'open') {
      this.state = 'closed';
      host.unregister(this.id);
    }
    return { ...this.lastStats };
  }
}

let codecsRegistered = false;
/**
 * Issue 13: the SDP of this thread offers Opus only when the addon has libopus (the media worker
 * registers it too); without it, the first call that would have offered it warns once.
 */
function registerCodecs(): void {
  if (codecsRegistered) return;
  codecsRegistered = true;
  const codecLog = createLogger('codec');
  onMissingCodec((name, why) => codecLog.warn(`${name.toLowerCase()} is not offered: ${why}`));
  registerOpus();
}

/** A session on the worker thread, whatever the engine preference. */
export const createWorkerMediaSession: MediaSessionFactory = (options) => (registerCodecs(), new SessionProxy(options));

/** The native engine when it can carry the call, else the worker (media-engine-switch.node.ts). */
export const createMediaSession: MediaSessionFactory = (options) => (registerCodecs(), createSwitchedSession(options, createWorkerMediaSession));
