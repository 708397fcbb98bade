// One wrapper for MediaSession decorators (per-call recording slots, the CLI's tracker): every method,
// optional ones included, goes to the inner session unless the decorator overrides it.
import type { MediaSession } from './media-session';

/** Methods a decorator may replace; everything it leaves out is forwarded as is. */
export type MediaSessionOverrides = Partial<Omit<MediaSession, 'bindAddress'>>;

export function forwardMediaSession(inner: MediaSession, overrides: MediaSessionOverrides = {}): MediaSession {
  // Optional engine features stay optional: a wrapper must not claim a feature its engine lacks
  // (callers test `if (session.record)` to show the Record button).
  const optional: Partial<MediaSession> = {
    ...(inner.record ? { record: (path: string | null) => inner.record!(path) } : {}),
    ...(inner.setGain ? { setGain: (input: number, output: number) => inner.setGain!(input, output) } : {}),
    ...(inner.mixWith ? { mixWith: (other: MediaSession | null) => inner.mixWith!(other) } : {}),
  };
  return {
    get bindAddress() {
      return inner.bindAddress;
    },
    open: () => inner.open(),
    start: (params) => inner.start(params),
    update: (params) => inner.update(params),
    sendDtmf: (digits, durationMs, mode) => inner.sendDtmf(digits, durationMs, mode),
    setMuted: (muted) => inner.setMuted(muted),
    stats: () => inner.stats(),
    close: () => inner.close(),
    on: (event, listener) => inner.on(event, listener),
    ...optional,
    ...overrides,
  };
}
