// Wraps the media sessions the user agent creates for the CLI: learns each call's negotiated codec (the
// Call API does not carry it) and lets the process wait until every recording is finished before exit.
import type { MediaSession, MediaStartParams, RtpStats } from '../rtp/media-session';
import { forwardMediaSession } from '../rtp/media-session-forwarder';

export interface TrackedMedia {
  /** 1 for the first session created, 2 for the next, ... */
  readonly index: number;
  readonly session: MediaSession;
  /** Parameters of the last start()/update(), or null before start. */
  readonly params: MediaStartParams | null;
  readonly closed: boolean;
}

export class MediaTracker {
  /** Sessions not yet closed (closed ones are let go: an INVITE flood creates many, issue 9). */
  private readonly sessions: TrackedMedia[] = [];
  private created = 0;
  private readonly pendingCloses = new Set<Promise<unknown>>();
  private readonly startWaiters = new Set<(m: TrackedMedia) => void>();

  /** `make(index)` builds the real session (index lets the caller number per-call recordings). */
  constructor(private readonly make: (index: number) => MediaSession) {}
  /** The engine session inside each wrapper handed out. */
  private readonly inners = new WeakMap<MediaSession, MediaSession>();

  /** The factory to hand to the user agent (UserAgentConfig.createMedia). */
  readonly create = (): MediaSession => {
    const index = ++this.created;
    const inner = this.make(index);
    const entry: { index: number; session: MediaSession; params: MediaStartParams | null; closed: boolean } = {
      index,
      session: inner,
      params: null,
      closed: false,
    };
    const started = (params: MediaStartParams) => {
      entry.params = params;
      for (const w of [...this.startWaiters]) w(entry);
    };
    const wrapper: MediaSession = forwardMediaSession(inner, {
      start: async (params) => {
        await inner.start(params);
        started(params);
      },
      update: async (params) => {
        await inner.update(params);
        entry.params = params;
      },
      // A conference partner is another wrapper of ours: the engine mixes the sessions inside them.
      mixWith: (other) => inner.mixWith?.(other === null ? null : (this.inners.get(other) ?? other)) ?? false,
      record: (path) => (inner.record ? inner.record(path) : Promise.reject(new Error('this media engine cannot record'))),
      close: (): Promise<RtpStats> => {
        entry.closed = true;
        const at = this.sessions.indexOf(entry);
        if (at >= 0) this.sessions.splice(at, 1);
        const p = inner.close();
        const settled = p.catch(() => undefined);
        this.pendingCloses.add(settled);
        void settled.finally(() => this.pendingCloses.delete(settled));
        return p;
      },
    });
    entry.session = wrapper;
    this.sessions.push(entry);
    this.inners.set(wrapper, inner);
    return wrapper;
  };

  /** The most recently started session that is still open, if any. */
  latestStarted(): TrackedMedia | undefined {
    for (let i = this.sessions.length - 1; i >= 0; i--) {
      const s = this.sessions[i];
      if (s && s.params && !s.closed) return s;
    }
    return undefined;
  }

  /** The codec of the running session, waiting up to `timeoutMs` for a start that has not happened yet. */
  codecSoon(timeoutMs: number): Promise<string | null> {
    const now = this.latestStarted();
    if (now?.params) return Promise.resolve(now.params.codec);
    return new Promise((resolve) => {
      const done = (codec: string | null) => {
        clearTimeout(timer);
        this.startWaiters.delete(waiter);
        resolve(codec);
      };
      const waiter = (m: TrackedMedia) => done(m.params?.codec ?? null);
      const timer = setTimeout(() => done(null), timeoutMs);
      this.startWaiters.add(waiter);
    });
  }

  /** Resolves when every close() so far has finished (WAV headers written), or after timeoutMs. */
  async settled(timeoutMs: number): Promise<void> {
    if (this.pendingCloses.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all([...this.pendingCloses]),
      new Promise<void>((r) => {
        timer = setTimeout(r, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Closes sessions the user agent never closed (e.g. an offer that led nowhere). */
  async closeAll(timeoutMs: number): Promise<void> {
    for (const s of [...this.sessions]) if (!s.closed) void s.session.close().catch(() => undefined);
    await this.settled(timeoutMs);
  }
}
