// STUN client transaction timing (RFC 8489 §6.2.1) as a pure state machine on an injected clock, and a
// table that matches responses to outstanding requests by transaction id.

import type { Clock, TimerId } from './nat-clock';
import { transactionKey, type DecodedStun } from './stun-message';

export interface RetransmitPolicy {
  /** Initial retransmission timeout, ms. §6.2.1: SHOULD be 500 ms (or an estimate of the RTT). */
  rto: number;
  /** Total number of transmissions over UDP. §6.2.1: Rc = 7. */
  rc: number;
  /** After the last transmission wait rm * rto before timing out. §6.2.1: Rm = 16. */
  rm: number;
  /** Reliable transport: one transmission, then a 39.5 s timeout (Ti, §6.2.2). */
  reliable?: boolean;
}

export const DEFAULT_RETRANSMIT: RetransmitPolicy = { rto: 500, rc: 7, rm: 16 };

/**
 * When each transmission happens and when the transaction times out, in ms from the start.
 * Defaults: sends at 0, 500, 1500, 3500, 7500, 15500, 31500 ms; timeout at 39500 ms (§6.2.1's example).
 */
export function retransmitSchedule(policy: RetransmitPolicy = DEFAULT_RETRANSMIT): { sends: number[]; timeout: number } {
  if (policy.reliable) return { sends: [0], timeout: 39_500 };
  const sends: number[] = [];
  let t = 0;
  let rto = policy.rto;
  for (let i = 0; i < Math.max(1, policy.rc); i++) {
    sends.push(t);
    if (i < policy.rc - 1) {
      t += rto;
      rto *= 2; // §6.2.1: the RTO doubles after each retransmission.
    }
  }
  return { sends, timeout: t + policy.rm * policy.rto };
}

export type TransactionState = 'idle' | 'running' | 'completed' | 'timed-out' | 'cancelled';

export interface TransactionHandlers {
  /** Put the (same) request on the wire again. */
  transmit(): void;
  /** No response in time (§6.2.1): the transaction failed. */
  timeout(): void;
}

/** One client transaction: transmits at the schedule's times until complete(), cancel() or timeout. */
export class StunClientTransaction {
  private stateValue: TransactionState = 'idle';
  private timer: TimerId | undefined;
  private sent = 0;
  private readonly schedule: { sends: number[]; timeout: number };
  private startedAt = 0;

  constructor(
    private readonly clock: Clock,
    private readonly handlers: TransactionHandlers,
    policy: RetransmitPolicy = DEFAULT_RETRANSMIT,
  ) {
    this.schedule = retransmitSchedule(policy);
  }

  get state(): TransactionState {
    return this.stateValue;
  }

  get transmissions(): number {
    return this.sent;
  }

  start(): void {
    if (this.stateValue !== 'idle') return;
    this.stateValue = 'running';
    this.startedAt = this.clock.now();
    this.fire();
  }

  /** A response arrived: stop retransmitting. Returns false if the transaction had already ended. */
  complete(): boolean {
    if (this.stateValue !== 'running') return false;
    this.stop('completed');
    return true;
  }

  /** Stop without reporting anything (the caller gave up or closed). */
  cancel(): void {
    if (this.stateValue === 'running' || this.stateValue === 'idle') this.stop('cancelled');
  }

  /** RFC 8445 §7.3.1.4 "cancel": no more retransmissions, but a late response is still taken until the timeout. */
  stopRetransmitting(): void {
    if (this.stateValue !== 'running') return;
    this.sent = this.schedule.sends.length;
    this.arm();
  }

  private stop(state: TransactionState): void {
    this.stateValue = state;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fire(): void {
    if (this.stateValue !== 'running') return;
    if (this.sent < this.schedule.sends.length) {
      this.sent++;
      this.handlers.transmit();
    }
    this.arm();
  }

  private arm(): void {
    if (this.stateValue !== 'running') return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    const elapsed = this.clock.now() - this.startedAt;
    const next = this.sent < this.schedule.sends.length ? (this.schedule.sends[this.sent] ?? 0) : this.schedule.timeout;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.sent >= this.schedule.sends.length && this.clock.now() - this.startedAt >= this.schedule.timeout) {
        this.stop('timed-out');
        this.handlers.timeout();
        return;
      }
      this.fire();
    }, Math.max(0, next - elapsed));
  }
}

interface Pending<T> {
  context: T;
  transaction: StunClientTransaction;
}

/**
 * Outstanding requests by transaction id. send() starts the retransmissions; match() hands back the
 * context of the request a response answers (once), or undefined for stray or duplicate responses.
 */
export class StunRequestTable<T> {
  private readonly pending = new Map<string, Pending<T>>();

  constructor(private readonly clock: Clock) {}

  send(
    transactionId: Uint8Array,
    context: T,
    transmit: () => void,
    onTimeout: (context: T) => void,
    policy: RetransmitPolicy = DEFAULT_RETRANSMIT,
  ): StunClientTransaction {
    const key = transactionKey(transactionId);
    const transaction = new StunClientTransaction(
      this.clock,
      {
        transmit,
        timeout: () => {
          this.pending.delete(key);
          onTimeout(context);
        },
      },
      policy,
    );
    this.pending.set(key, { context, transaction });
    transaction.start();
    return transaction;
  }

  /** The context for a success/error response, removing the request; undefined if unknown. */
  match(response: DecodedStun): T | undefined {
    if (response.cls !== 'success' && response.cls !== 'error') return undefined;
    const key = transactionKey(response.transactionId);
    const p = this.pending.get(key);
    if (!p) return undefined;
    this.pending.delete(key);
    p.transaction.complete();
    return p.context;
  }

  /** Peek without completing (e.g. to check integrity before accepting the response). */
  peek(transactionId: Uint8Array): T | undefined {
    return this.pending.get(transactionKey(transactionId))?.context;
  }

  /** Whether a pending request's context matches. */
  some(predicate: (context: T) => boolean): boolean {
    for (const p of this.pending.values()) if (predicate(p.context)) return true;
    return false;
  }

  cancel(predicate: (context: T) => boolean): void {
    for (const [key, p] of this.pending) {
      if (predicate(p.context)) {
        p.transaction.cancel();
        this.pending.delete(key);
      }
    }
  }

  /** Keep waiting for a response but transmit no more (RFC 8445 §7.3.1.4 "cancel"). */
  quiet(predicate: (context: T) => boolean): void {
    for (const p of this.pending.values()) if (predicate(p.context)) p.transaction.stopRetransmitting();
  }

  cancelAll(): void {
    for (const p of this.pending.values()) p.transaction.cancel();
    this.pending.clear();
  }

  get size(): number {
    return this.pending.size;
  }
}
