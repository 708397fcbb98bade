// The DNS TTL cache on a fake clock: answers reused for their TTL (capped), "no such record" briefly,
// failures never, one query for concurrent questions, a bounded table.
import { describe, expect, it } from 'vitest';
import { DnsCache, type DnsQueriesWithTtl, type TtlAnswer } from '../../../../src-main/sip/dns/dns-cache';
import type { NaptrRecord } from '../../../../src-main/sip/dns/server-location';
import type { SrvRecord } from '../../../../src-main/sip/dns/srv-order';
import { naptr, srv } from './fake-dns';

/** Answers from a table the test may change, with TTLs, counting the questions that reached it. */
class TtlDns implements DnsQueriesWithTtl {
  readonly asked: string[] = [];
  a = new Map<string, TtlAnswer<string>>();
  srvs = new Map<string, TtlAnswer<SrvRecord>>();
  failing = new Set<string>();
  private answer<T>(q: string, table: Map<string, TtlAnswer<T>>, name: string): Promise<TtlAnswer<T>> {
    this.asked.push(q);
    if (this.failing.has(name)) return Promise.reject(Object.assign(new Error('DNS timeout'), { code: 'ETIMEOUT' }));
    return Promise.resolve(table.get(name) ?? { records: [], ttlSeconds: 86_400 });
  }
  naptr(name: string): Promise<TtlAnswer<NaptrRecord>> {
    this.asked.push(`NAPTR ${name}`);
    return Promise.resolve({ records: [naptr(10, 10, 'SIP+D2U', `_sip._udp.${name}`)], ttlSeconds: 300 });
  }
  srv(name: string): Promise<TtlAnswer<SrvRecord>> {
    return this.answer(`SRV ${name}`, this.srvs, name);
  }
  addresses(name: string, family: 4 | 6): Promise<TtlAnswer<string>> {
    return this.answer(`${family === 4 ? 'A' : 'AAAA'} ${name}`, this.a, name);
  }
}

function setup(opts: { maxEntries?: number; maxTtlSeconds?: number } = {}): { dns: TtlDns; cache: DnsCache; clock: { t: number } } {
  const clock = { t: 1_000_000 };
  const dns = new TtlDns();
  return { dns, clock, cache: new DnsCache(dns, { now: () => clock.t, ...opts }) };
}

describe('DnsCache', () => {
  it('reuses an A answer until its TTL runs out, then asks again and sees the new record', async () => {
    const { dns, cache, clock } = setup();
    dns.a.set('sip.example.com', { records: ['192.0.2.1'], ttlSeconds: 120 });
    expect(await cache.addresses('sip.example.com', 4)).toEqual(['192.0.2.1']);
    dns.a.set('sip.example.com', { records: ['192.0.2.2'], ttlSeconds: 120 });
    clock.t += 119_999;
    expect(await cache.addresses('SIP.Example.com.', 4)).toEqual(['192.0.2.1']);
    expect(dns.asked).toEqual(['A sip.example.com']);
    clock.t += 1;
    expect(await cache.addresses('sip.example.com', 4)).toEqual(['192.0.2.2']);
    expect(dns.asked).toEqual(['A sip.example.com', 'A sip.example.com']);
    // AAAA and A are separate questions.
    await cache.addresses('sip.example.com', 6);
    expect(dns.asked.at(-1)).toBe('AAAA sip.example.com');
  });

  it('caps a long TTL, keeps "no such record" for 30 s only, and never keeps a failure', async () => {
    const { dns, cache, clock } = setup({ maxTtlSeconds: 600 });
    dns.srvs.set('_sip._udp.example.com', { records: [srv(10, 1, 5070, 'a.example.com')], ttlSeconds: 604_800 });
    await cache.srv('_sip._udp.example.com');
    clock.t += 599_999;
    await cache.srv('_sip._udp.example.com');
    expect(dns.asked.filter((q) => q.startsWith('SRV'))).toHaveLength(1);
    clock.t += 1;
    await cache.srv('_sip._udp.example.com');
    expect(dns.asked.filter((q) => q.startsWith('SRV'))).toHaveLength(2);

    expect(await cache.addresses('nowhere.example.com', 4)).toEqual([]);
    clock.t += 29_999;
    await cache.addresses('nowhere.example.com', 4);
    expect(dns.asked.filter((q) => q === 'A nowhere.example.com')).toHaveLength(1);
    clock.t += 1;
    await cache.addresses('nowhere.example.com', 4);
    expect(dns.asked.filter((q) => q === 'A nowhere.example.com')).toHaveLength(2);

    dns.failing.add('down.example.com');
    await expect(cache.addresses('down.example.com', 4)).rejects.toThrow('DNS timeout');
    await expect(cache.addresses('down.example.com', 4)).rejects.toThrow('DNS timeout');
    expect(dns.asked.filter((q) => q === 'A down.example.com')).toHaveLength(2);
  });

  it('questions asked while the first is on its way share its query; a TTL of 0 is not kept', async () => {
    const { dns, cache } = setup();
    dns.a.set('x.example.com', { records: ['192.0.2.9'], ttlSeconds: 0 });
    const answers = await Promise.all([cache.addresses('x.example.com', 4), cache.addresses('x.example.com', 4), cache.naptr('example.com'), cache.naptr('example.com')]);
    expect(answers[0]).toEqual(['192.0.2.9']);
    expect(answers[1]).toEqual(['192.0.2.9']);
    expect(dns.asked).toEqual(['A x.example.com', 'NAPTR example.com']);
    await cache.addresses('x.example.com', 4);
    expect(dns.asked.filter((q) => q === 'A x.example.com')).toHaveLength(2);
  });

  it('holds at most maxEntries answers, dropping the least recently used; callers get their own copy', async () => {
    const { dns, cache } = setup({ maxEntries: 3 });
    for (const n of ['a', 'b', 'c']) dns.a.set(`${n}.example.com`, { records: [`192.0.2.${n.charCodeAt(0) - 96}`], ttlSeconds: 300 });
    await cache.addresses('a.example.com', 4);
    await cache.addresses('b.example.com', 4);
    await cache.addresses('c.example.com', 4);
    await cache.addresses('a.example.com', 4); // a is now the most recent
    await cache.addresses('d.example.com', 4); // pushes out b
    expect(cache.size).toBe(3);
    await cache.addresses('a.example.com', 4);
    await cache.addresses('c.example.com', 4);
    expect(dns.asked.filter((q) => q === 'A b.example.com')).toHaveLength(1);
    await cache.addresses('b.example.com', 4);
    expect(dns.asked.filter((q) => q === 'A b.example.com')).toHaveLength(2);
    expect(dns.asked.filter((q) => q === 'A a.example.com' || q === 'A c.example.com')).toHaveLength(2);

    const mine = await cache.addresses('a.example.com', 4);
    mine.push('203.0.113.66');
    expect(await cache.addresses('a.example.com', 4)).toEqual(['192.0.2.1']);
  });
});
