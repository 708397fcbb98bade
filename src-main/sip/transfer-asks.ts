// Transfers the other side asks for while the account says "ask" (issue 11): each waits for the user's
// answer, and no answer within ASK_TIMEOUT_MS counts as Decline (RFC 3515 §2.4.5: the NOTIFY then says
// 603). Pure: time comes from the injected clock, the user's answer through answer().
import type { Clock, TimerId } from './sip-clock';

/** An unanswered transfer request is declined after this long. */
export const ASK_TIMEOUT_MS = 30_000;
const MAX_PENDING = 16;

export interface TransferAskInfo {
  kind: 'refer' | 'replaces';
  /** The call the request is about: the REFER's dialog, or the ringing INVITE with Replaces. */
  callId: string;
  /** The REFER's target URI, or the URI of who takes over. */
  target: string;
  referredBy?: string;
  /** Replaces: the connected call that would be taken over. */
  replacesCallId?: string;
}

export interface TransferAsk extends TransferAskInfo {
  id: string;
  /** Clock time when it counts as declined. */
  expiresAt: number;
}

/** How a request ended: the user answered, nobody did in time, or its call went away first. */
export type TransferAskEnd = { id: string; callId: string; accepted: boolean; cause: 'user' | 'timeout' | 'ended' };

export interface PendingAsk {
  readonly id: string;
  /** True when the user accepted; false on Decline, timeout or cancel(). */
  readonly decision: Promise<boolean>;
  /** The call went away: the request is dropped (nothing more is sent for it). */
  cancel(): void;
}

interface Entry {
  ask: TransferAsk;
  timer: TimerId;
  settle: (accepted: boolean, cause: TransferAskEnd['cause']) => void;
}

export class TransferAsks {
  private readonly pending = new Map<string, Entry>();
  private seq = 0;

  constructor(
    private readonly clock: Clock,
    private readonly onAsk: (ask: TransferAsk) => void,
    private readonly onEnd: (end: TransferAskEnd) => void,
    private readonly timeoutMs = ASK_TIMEOUT_MS,
  ) {}

  /** Asks the user; null when too many requests wait already (the caller refuses this one). */
  ask(info: TransferAskInfo): PendingAsk | null {
    if (this.pending.size >= MAX_PENDING) return null;
    const id = `tr${++this.seq}-${Math.floor(this.clock.now() % 1e6).toString(36)}`;
    const ask: TransferAsk = { ...info, id, expiresAt: this.clock.now() + this.timeoutMs };
    let resolve!: (accepted: boolean) => void;
    const decision = new Promise<boolean>((r) => (resolve = r));
    const entry: Entry = {
      ask,
      timer: this.clock.setTimeout(() => entry.settle(false, 'timeout'), this.timeoutMs),
      settle: (accepted, cause) => {
        if (this.pending.get(id) !== entry) return;
        this.pending.delete(id);
        this.clock.clearTimeout(entry.timer);
        this.onEnd({ id, callId: ask.callId, accepted, cause });
        resolve(accepted);
      },
    };
    this.pending.set(id, entry);
    this.onAsk(ask);
    return { id, decision, cancel: () => entry.settle(false, 'ended') };
  }

  /** The user's answer; false when no such request waits (answered, expired, or never asked). */
  answer(id: string, accept: boolean): boolean {
    const entry = this.pending.get(id);
    if (!entry) return false;
    entry.settle(accept, 'user');
    return true;
  }

  /** Requests still waiting (e.g. for a UI that connects later). */
  list(): TransferAsk[] {
    return [...this.pending.values()].map((e) => e.ask);
  }

  /** Shutdown: every waiting request is dropped. */
  clear(): void {
    for (const e of [...this.pending.values()]) e.settle(false, 'ended');
  }
}
