// Watches a connected call's receive counters (media stats polled on the injected clock) and turns the
// watchdog's verdicts into call events: 'media-warning', 'media-restored', and the no-RTP hang-up.

import { mediaPathOf, noAudioText, NoRtpWatchdog, noRtpReason } from '../rtp/no-rtp-watchdog';
import type { MediaSession, MediaStartParams, RtpStats } from '../rtp/media-session';
import type { Clock, TimerId } from './sip-clock';
import type { MediaRestored, MediaWarning, UserAgentConfig } from './user-agent-api';

/** Defaults: warn after 5 s of silence, hang up after 30 s (Linphone's nortp_timeout default). */
export const DEFAULT_MEDIA_WARNING_SECONDS = 5;
export const DEFAULT_NO_RTP_TIMEOUT_SECONDS = 30;

export interface MediaWatchTimes {
  warnAfterMs: number;
  timeoutMs: number;
}

/**
 * The times from the user agent's config. Without an explicit warning time, a short timeout pulls the
 * warning forward to half of it, so that a warning still comes before the call is ended.
 */
export function mediaWatchTimes(config: Pick<UserAgentConfig, 'mediaWarningSeconds' | 'noRtpTimeoutSeconds'>): MediaWatchTimes {
  const timeout = finiteOr(config.noRtpTimeoutSeconds, DEFAULT_NO_RTP_TIMEOUT_SECONDS);
  const warnDefault = timeout > 0 ? Math.min(DEFAULT_MEDIA_WARNING_SECONDS, timeout / 2) : DEFAULT_MEDIA_WARNING_SECONDS;
  const warn = finiteOr(config.mediaWarningSeconds, warnDefault);
  return { warnAfterMs: Math.round(warn * 1000), timeoutMs: Math.round(timeout * 1000) };
}

function finiteOr(v: number | undefined, fallback: number): number {
  return v !== undefined && Number.isFinite(v) && v >= 0 ? v : fallback;
}

/** Only a sendrecv stream obliges the peer to send; hold in either direction or inactive does not. */
export function expectsRemoteMedia(params: MediaStartParams | undefined): boolean {
  return params !== undefined && (params.direction ?? 'sendrecv') === 'sendrecv';
}

/** Seconds, one decimal. */
function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

/** The watchdog's picture of the stats: RTP and RTCP both prove the peer's packets reach us. */
export function receivedOf(stats: RtpStats): number {
  return stats.packetsReceived + stats.duplicates + (stats.rtcpReceived ?? 0);
}

export interface CallMediaWatchOptions {
  clock: Clock;
  media: Pick<MediaSession, 'stats'>;
  times: MediaWatchTimes;
  /** The negotiated parameters now (they change with re-INVITEs: hold, resume). */
  params: () => MediaStartParams | undefined;
  onWarning: (w: MediaWarning) => void;
  onRestored: (r: MediaRestored) => void;
  /** The silence lasted the whole timeout: end the call with this reason. */
  onTimeout: (reason: string) => void;
}

export class CallMediaWatch {
  private readonly dog: NoRtpWatchdog;
  private timer: TimerId | undefined;
  private stopped = false;
  private readonly intervalMs: number;

  constructor(private readonly o: CallMediaWatchOptions) {
    this.dog = new NoRtpWatchdog(o.times, o.clock.now());
    const shortest = Math.min(...[o.times.warnAfterMs, o.times.timeoutMs].filter((t) => t > 0));
    // Four looks per period at least (so a 5 s warning comes within 6 s), never more than 10 a second.
    this.intervalMs = Math.max(100, Math.min(1000, Math.floor(shortest / 4)));
  }

  /** Off when both times are 0. */
  get enabled(): boolean {
    return this.o.times.warnAfterMs > 0 || this.o.times.timeoutMs > 0;
  }

  start(): void {
    if (this.enabled && !this.stopped) this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = this.o.clock.setTimeout(() => void this.poll(), this.intervalMs);
  }

  /** One look at the counters; the next is scheduled only after this one is answered (no pile-up). */
  private async poll(): Promise<void> {
    this.timer = undefined;
    let stats: RtpStats;
    try {
      stats = await this.o.media.stats();
    } catch {
      if (!this.stopped) this.schedule();
      return;
    }
    if (this.stopped) return;
    const now = this.o.clock.now();
    for (const a of this.dog.observe(now, { received: receivedOf(stats), expecting: expectsRemoteMedia(this.o.params()) })) {
      if (a.kind === 'warn') {
        const path = mediaPathOf(stats.ice);
        this.o.onWarning({
          // The threshold, not the measured gap: "for 5 s" reads the same at every poll phase.
          reason: noAudioText(this.o.times.warnAfterMs, a.never, path, stats.ice, stats.srtp),
          silentSeconds: seconds(a.silentMs),
          kind: a.never ? 'never' : 'stopped',
          path,
        });
      } else if (a.kind === 'restored') {
        this.o.onRestored({ silentSeconds: seconds(a.silentMs), cause: a.cause });
      } else {
        this.stop();
        this.o.onTimeout(noRtpReason(this.o.times.timeoutMs));
        return;
      }
    }
    if (!this.stopped) this.schedule();
  }
}
