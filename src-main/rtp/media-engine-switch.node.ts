// The backend switch (issue 12): a call opens on the native engine when chooseMediaEngine says so, else
// on the worker thread. SRTP is only known at start(): such a call is handed over to the worker, which
// rebinds the same port pair the SDP already announced (the native sockets are closed first).

import { createLogger } from '../util/logger';
import { Emitter } from '../util/emitter';
import { loadNativeMedia } from '../native/native-addon.node';
import { chooseMediaEngine, preferenceFromEnv, type MediaEnginePreference } from './media-engine-choice';
import type { MediaEndpoint, MediaSession, MediaSessionEvents, MediaSessionFactory, MediaSessionOptions, MediaStartParams, RtpStats } from './media-session';
import { NativeMediaSession } from './native-media-session.node';
import { nativeUnsupported } from './native-start-params';
import { allowOptimisingCompiler } from '../native/v8-tiering.node';

const log = createLogger('media');
let preference: MediaEnginePreference = preferenceFromEnv(process.env.SOFTPHONE_MEDIA_ENGINE);
const warned = new Set<string>();

/** --media-engine native|worker (the CLI), or 'auto'. */
export function setMediaEnginePreference(p: MediaEnginePreference): void {
  preference = p;
}

/** Would a session with these options open on the native engine? (The worker need not be pre-started then.) */
export function usesNativeEngine(options: MediaSessionOptions): boolean {
  const load = loadNativeMedia();
  return chooseMediaEngine(options, preference, load.api ? null : load.error).engine === 'native';
}

/** Starts the native engine's thread before the first call (not between an INVITE and its 200 OK). */
export function prestartNativeEngine(): void {
  loadNativeMedia().api?.mediaPrestart?.();
}

export function createSwitchedSession(options: MediaSessionOptions, worker: MediaSessionFactory): MediaSession {
  const load = loadNativeMedia();
  const choice = chooseMediaEngine(options, preference, load.api ? null : load.error);
  if (choice.engine === 'native' && load.api) {
    const bindAddress = options.bindAddress ?? '0.0.0.0';
    const native = new NativeMediaSession(load.api, { audio: options.audio, bindAddress, portMin: options.portMin ?? 10000, portMax: options.portMax ?? 20000 });
    return new HandoverSession(native, options, worker);
  }
  // The worker runs the media path in JavaScript: V8's optimising compiler is needed again.
  allowOptimisingCompiler();
  if (choice.reason) {
    const message = `media on the worker thread: ${choice.reason}`;
    if (choice.warn && !warned.has(message)) {
      warned.add(message);
      log.warn(message);
    } else log.debug(message);
  }
  return worker(options);
}

/** A native session that moves to the worker if start() brings SRTP (or another feature it lacks). */
class HandoverSession implements MediaSession {
  private readonly events = new Emitter<MediaSessionEvents>();
  private inner: MediaSession;
  private offs: Array<() => void> = [];
  private muted = false;
  private handover: Promise<void> | null = null;

  constructor(
    private native: NativeMediaSession,
    private readonly options: MediaSessionOptions,
    private readonly worker: MediaSessionFactory,
  ) {
    this.inner = native;
    this.follow(native);
  }

  private follow(s: MediaSession): void {
    for (const off of this.offs) off();
    this.offs = [
      s.on('error', (e) => this.events.emit('error', e)),
      s.on('level', (e) => this.events.emit('level', e)),
      s.on('latched', (e) => this.events.emit('latched', e)),
    ];
  }

  open(): Promise<MediaEndpoint> {
    return this.inner.open();
  }

  async start(params: MediaStartParams): Promise<void> {
    const why = nativeUnsupported(params);
    if (why && this.inner === this.native) {
      this.handover ??= this.handOver(why);
      await this.handover;
    }
    await this.inner.start(params);
  }

  async update(params: MediaStartParams): Promise<void> {
    if (this.handover) await this.handover;
    if (this.inner === this.native && nativeUnsupported(params)) throw new Error(`media update: ${nativeUnsupported(params)} needs the worker engine, and the call runs natively`);
    await this.inner.update(params);
  }

  private async handOver(why: string): Promise<void> {
    await this.native.open();
    const port = this.native.rtpPort;
    log.info('media moves to the worker thread', { reason: why, rtpPort: port });
    await this.native.close();
    allowOptimisingCompiler();
    const w = this.worker({ ...this.options, portMin: port, portMax: port + 1 });
    this.inner = w;
    this.follow(w);
    if (this.muted) w.setMuted(true);
    const ep = await w.open();
    if (ep.rtpPort !== port) throw new Error(`media hand-over to the worker: port ${port} was taken meanwhile (got ${ep.rtpPort})`);
  }

  sendDtmf(digits: string, durationMs?: number): void {
    this.inner.sendDtmf(digits, durationMs);
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    this.inner.setMuted(muted);
  }

  stats(): Promise<RtpStats> {
    return this.inner.stats();
  }

  async close(): Promise<RtpStats> {
    if (this.handover) await this.handover.catch(() => {});
    return this.inner.close();
  }

  on<K extends keyof MediaSessionEvents>(event: K, listener: (payload: MediaSessionEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }
}
