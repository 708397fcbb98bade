// Servers that recently failed (no answer at all, a transport error, or 503): RFC 3263 §4.3 moves on to
// the next target, and remembering the failure keeps the next request from waiting out the same dead
// server's 32 s timer again. Pure: time comes from the injected clock.

export interface TargetKey {
  address: string;
  port: number;
  transport?: string;
}

/** How long a target stays at the back of the list after a failure without Retry-After (seconds). */
export const DEFAULT_UNREACHABLE_SECONDS = 60;
/** Upper bound on a 503's Retry-After we honour, so one answer cannot bench a server for days. */
export const MAX_UNREACHABLE_SECONDS = 3600;
/** Entries kept at most (each failed server is one; a hostile DNS cannot grow this without bound). */
const MAX_ENTRIES = 256;

function keyOf(t: TargetKey): string {
  return `${(t.transport ?? 'udp').toLowerCase()} ${t.address.toLowerCase()} ${t.port}`;
}

export class TargetHealth {
  /** key -> time (clock ms) until which the target counts as unreachable. */
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  markUnreachable(target: TargetKey, seconds = DEFAULT_UNREACHABLE_SECONDS): void {
    const s = Math.min(MAX_UNREACHABLE_SECONDS, Math.max(1, Number.isFinite(seconds) ? seconds : DEFAULT_UNREACHABLE_SECONDS));
    const key = keyOf(target);
    this.until.delete(key);
    this.until.set(key, this.now() + s * 1000);
    this.prune();
  }

  /** Back in the running, e.g. once it answered. */
  markReachable(target: TargetKey): void {
    this.until.delete(keyOf(target));
  }

  isUnreachable(target: TargetKey): boolean {
    const t = this.until.get(keyOf(target));
    return t !== undefined && t > this.now();
  }

  /**
   * The targets in the same order, those marked unreachable moved to the back (still tried when all
   * else failed: a remembered failure must not make the account unusable once the server is back).
   */
  order<T extends TargetKey>(targets: readonly T[]): T[] {
    const alive = targets.filter((t) => !this.isUnreachable(t));
    const benched = targets.filter((t) => this.isUnreachable(t));
    return [...alive, ...benched];
  }

  private prune(): void {
    const now = this.now();
    for (const [k, t] of this.until) if (t <= now) this.until.delete(k);
    while (this.until.size > MAX_ENTRIES) {
      const oldest = this.until.keys().next().value;
      if (oldest === undefined) break;
      this.until.delete(oldest);
    }
  }
}
