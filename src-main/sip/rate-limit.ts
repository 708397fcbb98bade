// Per-source token buckets for the requests a stranger can send us cheaply (INVITE, REGISTER, OPTIONS,
// MESSAGE) and a global one for everything else out of the ordinary, with a bounded LRU of sources and
// counters. Pure: time comes in as an argument.
//
// Why: one source flooding INVITEs at 500/s made us open an RTP port pair and a transaction per
// INVITE; with a bucket per source the flood costs a map lookup, and other sources keep their share.
// The LRU bounds the memory when sources are many (spoofed UDP addresses): an evicted source starts
// again with a full bucket, which only gives it its burst back.

export interface BucketSpec {
  /** Tokens a source may spend at once. */
  burst: number;
  /** Tokens added per second. */
  perSecond: number;
}

export interface RateLimitConfig {
  perMethod: Readonly<Record<string, BucketSpec>>;
  /** Any other request from one source (BYE, CANCEL, INFO, ...). */
  otherRequests: BucketSpec;
  /** Sources remembered at once (least recently seen forgotten first). */
  maxSources: number;
}

/** Generous for people, small for floods: a phone sends a few of these a minute. */
export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  perMethod: {
    INVITE: { burst: 10, perSecond: 2 },
    REGISTER: { burst: 10, perSecond: 2 },
    OPTIONS: { burst: 20, perSecond: 5 },
    MESSAGE: { burst: 20, perSecond: 5 },
  },
  otherRequests: { burst: 100, perSecond: 50 },
  maxSources: 4096,
};

interface Bucket {
  tokens: number;
  at: number;
}

export interface RateLimitCounters {
  allowed: number;
  limited: number;
  limitedByMethod: Record<string, number>;
  sources: number;
  evictedSources: number;
}

export class RateLimiter {
  private readonly c: RateLimitConfig;
  /** Insertion order is recency order: a Map re-inserted on use is an LRU. */
  private readonly sources = new Map<string, Map<string, Bucket>>();
  private readonly counters: RateLimitCounters = { allowed: 0, limited: 0, limitedByMethod: {}, sources: 0, evictedSources: 0 };

  constructor(config: RateLimitConfig = DEFAULT_RATE_LIMITS) {
    this.c = config;
  }

  /** True if a request `method` from `source` (an IP address) may go on at time `nowMs`. */
  allow(source: string, method: string, nowMs: number): boolean {
    const spec = this.c.perMethod[method] ?? this.c.otherRequests;
    const key = this.c.perMethod[method] ? method : '*';
    let buckets = this.sources.get(source);
    if (buckets) {
      this.sources.delete(source);
    } else {
      buckets = new Map();
      if (this.sources.size >= this.c.maxSources) {
        const oldest = this.sources.keys().next().value;
        if (oldest !== undefined) this.sources.delete(oldest);
        this.counters.evictedSources++;
      }
    }
    this.sources.set(source, buckets);
    let b = buckets.get(key);
    if (!b) {
      b = { tokens: spec.burst, at: nowMs };
      buckets.set(key, b);
    } else {
      b.tokens = Math.min(spec.burst, b.tokens + ((nowMs - b.at) / 1000) * spec.perSecond);
      b.at = nowMs;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.counters.allowed++;
      return true;
    }
    this.counters.limited++;
    this.counters.limitedByMethod[method] = (this.counters.limitedByMethod[method] ?? 0) + 1;
    return false;
  }

  stats(): RateLimitCounters {
    return { ...this.counters, limitedByMethod: { ...this.counters.limitedByMethod }, sources: this.sources.size };
  }
}
