// Pure decision logic for "no audio from the other side": fed cumulative receive counters at times the
// caller chooses (injected clock), it says when to warn, when the warning is over, and when to give up.

import type { IceStats, RtpStats } from './media-session';

export interface NoRtpWatchdogOptions {
  /** Silence (no RTP, no RTCP) before the warning, in ms; 0 = never warn. */
  warnAfterMs: number;
  /** Silence before the call is ended (Linphone's nortp_timeout), in ms; 0 = never. */
  timeoutMs: number;
}

export interface MediaSample {
  /** RTP plus RTCP packets accepted from the peer so far (cumulative; any change counts as life). */
  received: number;
  /**
   * The peer is expected to send now: the negotiated direction is sendrecv. On hold (sendonly,
   * recvonly, inactive) silence is normal, RFC 3264 §8.4, and many peers then send nothing at all.
   */
  expecting: boolean;
}

export type WatchdogAction =
  /** never: nothing at all arrived since the watch began (blocked from the start), else it stopped. */
  | { kind: 'warn'; silentMs: number; never: boolean }
  /** cause 'media': packets again; 'hold': the call went on hold, so the silence is expected now. */
  | { kind: 'restored'; silentMs: number; cause: 'media' | 'hold' }
  | { kind: 'timeout'; silentMs: number; never: boolean };

export class NoRtpWatchdog {
  private lastCount = 0;
  private lastActivityMs: number;
  private everReceived = false;
  private warned = false;
  private expired = false;

  /** `startMs`: when the watch began (the call connected); silence is counted from there. */
  constructor(
    private readonly opts: NoRtpWatchdogOptions,
    startMs: number,
  ) {
    this.lastActivityMs = startMs;
  }

  /** True once a timeout was reported (it is reported once). */
  get timedOut(): boolean {
    return this.expired;
  }

  observe(nowMs: number, sample: MediaSample): WatchdogAction[] {
    if (this.expired) return [];
    const silentMs = Math.max(0, nowMs - this.lastActivityMs);
    const changed = sample.received !== this.lastCount;
    this.lastCount = sample.received;
    if (changed) {
      this.everReceived = true;
      this.lastActivityMs = nowMs;
      if (!this.warned) return [];
      this.warned = false;
      return [{ kind: 'restored', silentMs, cause: 'media' }];
    }
    if (!sample.expecting) {
      // Silence on hold does not count: the clock starts again when the call is taken off hold.
      this.lastActivityMs = nowMs;
      if (!this.warned) return [];
      this.warned = false;
      return [{ kind: 'restored', silentMs, cause: 'hold' }];
    }
    const out: WatchdogAction[] = [];
    const never = !this.everReceived;
    if (this.opts.warnAfterMs > 0 && !this.warned && silentMs >= this.opts.warnAfterMs) {
      this.warned = true;
      out.push({ kind: 'warn', silentMs, never });
    }
    if (this.opts.timeoutMs > 0 && silentMs >= this.opts.timeoutMs) {
      this.expired = true;
      out.push({ kind: 'timeout', silentMs, never });
    }
    return out;
  }
}

/** Which path the media takes, for the wording: plain RTP, an ICE pair, or a TURN relay. */
export type MediaPath = 'direct' | 'ice' | 'relay';

export function mediaPathOf(ice: IceStats | undefined): MediaPath {
  if (!ice || ice.state === 'unused') return 'direct';
  return ice.selectedPair?.local.type === 'relay' ? 'relay' : 'ice';
}

/** "5", "2.5": seconds for people. */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? String(s) : String(Math.round(s * 10) / 10);
}

/**
 * The warning in plain words, with the likely cause for the path in use. `ice` is the session's ICE
 * state: a failed check list is said as such, since no path was ever found.
 */
export function noAudioText(silentMs: number, never: boolean, path: MediaPath, ice?: IceStats, srtp?: RtpStats['srtp']): string {
  const head = `no audio from the other side for ${formatSeconds(silentMs)} s`;
  // Packets that arrive and fail SRTP authentication are not silence on the network: the keys differ.
  if (srtp && srtp.authFailures > 0) {
    return `${head}: its packets arrive but fail SRTP authentication (${srtp.authFailures} dropped); the keys do not match, e.g. a server in the path changed the SDP`;
  }
  if (path === 'relay' && ice?.relayProblem) {
    return `${head} over the TURN relay: the TURN server dropped the relay (${ice.relayProblem}); the audio cannot come back on it, call again`;
  }
  if (ice?.state === 'failed') return `${head}: ICE found no working path to the peer (every check failed); a TURN server may help`;
  if (path === 'relay') {
    return `${head} over the TURN relay: the relay may have dropped the allocation or its permission (RFC 8656 §8, §9), or a firewall blocks it`;
  }
  if (path === 'ice') {
    return `${head} on the path ICE chose: a NAT or firewall may have closed it${never ? '' : ' mid-call'}; a TURN server gives ICE a relay to fall back on`;
  }
  return never
    ? `${head}: the peer's media may be blocked by a firewall or NAT`
    : `${head} (it stopped mid-call): the peer's media may be blocked by a firewall or NAT, or its network went down`;
}

/** The end reason of a call the timeout ended. */
export function noRtpReason(timeoutMs: number): string {
  return `no RTP for ${formatSeconds(timeoutMs)} s`;
}
