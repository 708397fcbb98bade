// Session timers (RFC 4028): Session-Expires / Min-SE parsing, negotiation as UAC and UAS, and the
// per-call timer that refreshes the session (we are the refresher) or ends it with BYE (nobody did, §10).

import { headerText, optionTags } from './sip-headers';
import type { Clock, TimerId } from './sip-clock';
import type { SipMessage } from './sip-message';

export type Refresher = 'uac' | 'uas';

export interface SessionTimerConfig {
  /**
   * Session-Expires we ask for in our INVITEs (RFC 4028 §4 recommends 1800 s), and as callee the most we
   * grant when the caller asks for more or supports timers without asking (§9). 0: we ask for none
   * (a caller's request is still honoured: we advertise timer).
   */
  expiresSeconds: number;
  /** Our Min-SE: a request asking for less gets 422 (§5: at least 90 s; smaller values only for tests). */
  minSeconds: number;
}

export const DEFAULT_SESSION_TIMER: SessionTimerConfig = { expiresSeconds: 1800, minSeconds: 90 };

/** Longest interval we take from a peer (about 23 days: the clock's setTimeout holds 2^31-1 ms). */
export const MAX_INTERVAL_SECONDS = 2_000_000;

/** A negotiated session interval and who refreshes, in the terms of the transaction that negotiated it. */
export interface Negotiated {
  interval: number;
  refresher: Refresher;
}

function seconds(text: string): number | undefined {
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= MAX_INTERVAL_SECONDS ? n : undefined;
}

/**
 * Session-Expires (or its compact form x, §4): delta-seconds, optionally ;refresher=uac|uas. Undefined
 * when absent or malformed (a repeated header arrives joined by ',' and is malformed too).
 */
export function parseSessionExpires(msg: SipMessage): { seconds: number; refresher?: Refresher } | undefined {
  const text = headerText(msg, 'session-expires') ?? headerText(msg, 'x');
  if (text === undefined) return undefined;
  const [value = '', ...params] = text.split(';').map((p) => p.trim());
  const n = seconds(value);
  if (n === undefined) return undefined;
  for (const p of params) {
    const [name = '', v = ''] = p.split('=').map((x) => x.trim().toLowerCase());
    if (name === 'refresher' && (v === 'uac' || v === 'uas')) return { seconds: n, refresher: v };
  }
  return { seconds: n };
}

/** Min-SE (§5): delta-seconds, parameters ignored. */
export function parseMinSe(msg: SipMessage): number | undefined {
  const text = headerText(msg, 'min-se');
  if (text === undefined) return undefined;
  return seconds(text.split(';')[0]?.trim() ?? '');
}

/** Session-Expires and Min-SE for our INVITE or refresh (§7.1, §7.4: the refresher says refresher=uac). */
export function requestTimerHeaders(interval: number, minSe: number, refresher?: Refresher): Record<string, string> {
  return { 'session-expires': refresher ? `${interval};refresher=${refresher}` : String(interval), 'min-se': String(minSe) };
}

export type UasTimerOutcome =
  | { kind: 'none' }
  /** §9: the interval asked for is below our minimum: 422 with our Min-SE. */
  | { kind: 'too-small'; minSe: number }
  | { kind: 'timer'; negotiated: Negotiated; headers: Record<string, string> };

/**
 * As the UAS of an INVITE, re-INVITE or UPDATE (§9). Below our minimum: 422. No Session-Expires: no
 * session timer, unless the UAC supports timer and we have an interval of our own (§9: "The UAS may
 * request a session timer in the 2XX response"), then ours with us refreshing. An interval above ours is
 * reduced to ours (§9 MAY), never below the request's Min-SE. The refresher as asked, else us (the UAS)
 * — a UAC without Supported: timer cannot refresh, so then it is us anyway. Require: timer goes into
 * the 2xx when the UAC refreshes (§9 MUST) or said it supports timer. `mayInsert: false` (a refresh in
 * a running call): a request without Session-Expires turns the timer off, as the UAC asked.
 */
export function answerSessionTimer(req: SipMessage, cfg: SessionTimerConfig, opts: { mayInsert?: boolean } = {}): UasTimerOutcome {
  const se = parseSessionExpires(req);
  const tags = [...optionTags(headerText(req, 'supported')), ...optionTags(headerText(req, 'require'))];
  const uacSupports = tags.includes('timer');
  const ours = cfg.expiresSeconds > 0 ? Math.max(cfg.expiresSeconds, cfg.minSeconds, parseMinSe(req) ?? 0) : undefined;
  if (!se && !(uacSupports && ours !== undefined && opts.mayInsert !== false)) return { kind: 'none' };
  if (se && se.seconds < cfg.minSeconds) return { kind: 'too-small', minSe: cfg.minSeconds };
  const interval = se ? (ours !== undefined ? Math.min(se.seconds, ours) : se.seconds) : (ours ?? cfg.minSeconds);
  const refresher: Refresher = uacSupports && se?.refresher === 'uac' ? 'uac' : 'uas';
  const headers: Record<string, string> = { 'session-expires': `${interval};refresher=${refresher}` };
  if (uacSupports) headers.require = 'timer';
  return { kind: 'timer', negotiated: { interval, refresher }, headers };
}

/**
 * The 2xx to our INVITE or refresh (§7.2): its Session-Expires is the interval, refresher=uac when it
 * does not say (a proxy inserting it for a UAS without timer support makes us refresh). No
 * Session-Expires: no session timer. An interval below the Min-SE we sent is raised to it, so a peer
 * cannot make us refresh many times a second.
 */
export function sessionFromAnswer(res: SipMessage, minSe: number): Negotiated | undefined {
  const se = parseSessionExpires(res);
  if (!se) return undefined;
  return { interval: Math.max(se.seconds, minSe), refresher: se.refresher ?? 'uac' };
}

/**
 * 422 Session Interval Too Small (§7.3 / §6): the Min-SE to retry with, or undefined when the 422 does
 * not ask for more than we already sent (retrying would loop).
 */
export function minSeFrom422(res: SipMessage, sentInterval: number): number | undefined {
  const min = parseMinSe(res);
  return min !== undefined && min > sentInterval ? min : undefined;
}

/** §7.4: the refresher refreshes at half the interval (RECOMMENDED). */
export function refreshDelayMs(interval: number): number {
  return interval * 500;
}

/** §10: without a refresh, BYE at the smaller of 32 s and a third of the interval before it expires. */
export function expiryDelayMs(interval: number): number {
  return Math.round((interval - Math.min(32, interval / 3)) * 1000);
}

/** True when `n` (negotiated in a transaction we were the UAC of when `weWereUac`) makes us the refresher. */
export function weRefresh(n: Negotiated, weWereUac: boolean): boolean {
  return (n.refresher === 'uac') === weWereUac;
}

/**
 * One call's session timer: (re)started by every successful refresh, stopped when the call ends or a
 * refresh turns the timer off. `refresh` fires at half the interval when we refresh; `expire` at the
 * §10 point either way (a refresher whose refreshes all failed ends the call too).
 */
export class SessionTimer {
  private refreshTimer: TimerId | undefined;
  private expireTimer: TimerId | undefined;
  private active: (Negotiated & { ours: boolean }) | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly handlers: { refresh: () => void; expire: () => void },
  ) {}

  /** The running interval and whether we refresh, or undefined when no session timer runs. */
  get current(): (Negotiated & { ours: boolean }) | undefined {
    return this.active;
  }

  start(n: Negotiated, weWereUac: boolean): void {
    this.stop();
    const ours = weRefresh(n, weWereUac);
    this.active = { ...n, ours };
    if (ours) this.refreshTimer = this.clock.setTimeout(() => this.handlers.refresh(), refreshDelayMs(n.interval));
    this.expireTimer = this.clock.setTimeout(() => {
      this.stop();
      this.handlers.expire();
    }, expiryDelayMs(n.interval));
  }

  stop(): void {
    this.clock.clearTimeout(this.refreshTimer);
    this.clock.clearTimeout(this.expireTimer);
    this.refreshTimer = undefined;
    this.expireTimer = undefined;
    this.active = undefined;
  }
}
