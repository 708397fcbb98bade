// Per-source token buckets (rate-limit.ts): burst then refill, sources independent, methods apart,
// the LRU bounded, counters kept.
import { describe, expect, it } from 'vitest';
import { RateLimiter, type RateLimitConfig } from '../../../src-main/sip/rate-limit';

const config: RateLimitConfig = {
  perMethod: { INVITE: { burst: 3, perSecond: 1 }, OPTIONS: { burst: 2, perSecond: 10 } },
  otherRequests: { burst: 5, perSecond: 5 },
  maxSources: 3,
};

describe('RateLimiter', () => {
  it('lets a burst through, then one per refill interval', () => {
    const r = new RateLimiter(config);
    expect([0, 0, 0, 0].map(() => r.allow('10.0.0.1', 'INVITE', 0))).toEqual([true, true, true, false]);
    expect(r.allow('10.0.0.1', 'INVITE', 500)).toBe(false);
    expect(r.allow('10.0.0.1', 'INVITE', 1000)).toBe(true);
    expect(r.allow('10.0.0.1', 'INVITE', 1000)).toBe(false);
    expect(r.stats()).toMatchObject({ allowed: 4, limited: 3, limitedByMethod: { INVITE: 3 } });
  });

  it('keeps sources and methods apart: a flooding source does not starve another, nor its own OPTIONS', () => {
    const r = new RateLimiter(config);
    for (let i = 0; i < 100; i++) r.allow('10.0.0.66', 'INVITE', i);
    expect(r.allow('10.0.0.1', 'INVITE', 100)).toBe(true);
    expect(r.allow('10.0.0.66', 'OPTIONS', 100)).toBe(true);
    expect(r.allow('10.0.0.66', 'BYE', 100)).toBe(true);
  });

  it('remembers at most maxSources sources, forgetting the least recently seen', () => {
    const r = new RateLimiter(config);
    for (let i = 0; i < 1000; i++) r.allow(`10.0.${i >> 8}.${i & 255}`, 'INVITE', 0);
    expect(r.stats().sources).toBe(3);
    expect(r.stats().evictedSources).toBe(997);
  });
});
