// SIP messages per call for the call-flow ladder: the last ~200 messages of each of the last few
// dialogs, grouped by Call-ID; INVITE dialogs are kept in preference to REGISTER/OPTIONS chatter.
import type { SipTraceEntry } from '../sip/user-agent-api';

interface Bucket {
  callId: string;
  entries: SipTraceEntry[];
  /** Some message in it has CSeq method INVITE: a call, not a registration refresh. */
  isCall: boolean;
  lastTime: number;
}

/** The method in the CSeq header (RFC 3261 §20.16), which responses carry too. */
export function cseqMethod(raw: string): string | null {
  const match = /^(?:CSeq)\s*:\s*\d+\s+([A-Za-z]+)/im.exec(raw);
  return match?.[1]?.toUpperCase() ?? null;
}

export class FlowTraces {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly maxDialogs = 8,
    private readonly maxPerDialog = 200,
  ) {}

  add(entry: SipTraceEntry): void {
    let bucket = this.buckets.get(entry.callId);
    if (!bucket) {
      bucket = { callId: entry.callId, entries: [], isCall: false, lastTime: entry.time };
      this.buckets.set(entry.callId, bucket);
    }
    bucket.entries.push(entry);
    if (bucket.entries.length > this.maxPerDialog) bucket.entries.splice(0, bucket.entries.length - this.maxPerDialog);
    bucket.lastTime = entry.time;
    if (!bucket.isCall && cseqMethod(entry.raw) === 'INVITE') bucket.isCall = true;
    this.evict();
  }

  private evict(): void {
    while (this.buckets.size > this.maxDialogs) {
      // Oldest non-call dialog first (registrations refresh all day long), then the oldest call.
      const all = [...this.buckets.values()].sort((a, b) => a.lastTime - b.lastTime);
      const victim = all.find((b) => !b.isCall) ?? all[0];
      if (!victim) return;
      this.buckets.delete(victim.callId);
    }
  }

  /** Messages of one dialog, oldest first (empty when unknown). */
  get(callId: string): SipTraceEntry[] {
    return [...(this.buckets.get(callId)?.entries ?? [])];
  }

  has(callId: string): boolean {
    return this.buckets.has(callId);
  }

  /** The Call-ID of the most recent call (INVITE dialog), if any. */
  latestCallId(): string | null {
    let best: Bucket | null = null;
    for (const b of this.buckets.values()) if (b.isCall && (!best || b.lastTime >= best.lastTime)) best = b;
    return best?.callId ?? null;
  }
}
