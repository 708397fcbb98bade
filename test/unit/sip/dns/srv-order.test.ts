import { describe, expect, it } from 'vitest';
import { orderSrv, type SrvRecord } from '../../../../src-main/sip/dns/srv-order';

const rec = (name: string, priority: number, weight: number): SrvRecord => ({ name, priority, weight, port: 5060 });

/** A fixed sequence of "random" numbers in [0, 1). */
function seq(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

describe('RFC 2782 SRV ordering', () => {
  it('lowest priority first, whatever the weights', () => {
    const out = orderSrv([rec('b', 20, 100), rec('a', 10, 0), rec('c', 30, 5)], seq(0.99));
    expect(out.map((r) => r.name)).toEqual(['a', 'b', 'c']);
  });

  it('within a priority, the running-sum pick follows the random number', () => {
    const list = [rec('light', 10, 10), rec('heavy', 10, 90)];
    // random 0 -> pick 0 -> first running sum >= 0 is "light" (10).
    expect(orderSrv(list, seq(0)).map((r) => r.name)).toEqual(['light', 'heavy']);
    // random 0.5 -> pick floor(0.5 * 101) = 50 -> light (10) < 50 <= 100 heavy.
    expect(orderSrv(list, seq(0.5)).map((r) => r.name)).toEqual(['heavy', 'light']);
  });

  it('zero-weight records come first in the running sum, so they keep a small chance', () => {
    const list = [rec('w50', 10, 50), rec('zero', 10, 0)];
    expect(orderSrv(list, seq(0)).map((r) => r.name)).toEqual(['zero', 'w50']);
    expect(orderSrv(list, seq(0.9)).map((r) => r.name)).toEqual(['w50', 'zero']);
  });

  it('shares the first place in proportion to the weights over many draws', () => {
    let x = 12345;
    const lcg = () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x / 2 ** 31;
    };
    const counts: Record<string, number> = { a: 0, b: 0 };
    for (let i = 0; i < 4000; i++) {
      const first = orderSrv([rec('a', 1, 75), rec('b', 1, 25)], lcg)[0]?.name ?? '';
      counts[first] = (counts[first] ?? 0) + 1;
    }
    expect(counts['a'] ?? 0).toBeGreaterThan(2700);
    expect(counts['a'] ?? 0).toBeLessThan(3300);
  });

  it('keeps every record exactly once', () => {
    const list = [rec('a', 1, 1), rec('b', 1, 2), rec('c', 2, 0), rec('d', 1, 0)];
    const out = orderSrv(list, Math.random);
    expect(out).toHaveLength(4);
    expect(new Set(out.map((r) => r.name))).toEqual(new Set(['a', 'b', 'c', 'd']));
    expect(out.at(-1)?.name).toBe('c');
  });
});
