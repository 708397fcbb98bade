// A TTL cache in front of the RFC 3263 DNS queries: each answer is reused for as long as its TTL allows
// (capped), "no such record" briefly, failures never; the table is bounded, and concurrent questions
// for one name share one query. Pure: the clock is injected.

import type { DnsQueries, NaptrRecord } from './server-location';
import type { SrvRecord } from './srv-order';

/** An answer and how long it may be reused (seconds; RFC 1035 §3.2.1 TTL, or our cap when unknown). */
export interface TtlAnswer<T> {
  records: T[];
  ttlSeconds: number;
}

/** The queries with the TTL of each answer (dns-queries.node.ts; fixtures in the tests). */
export interface DnsQueriesWithTtl {
  naptr(name: string): Promise<TtlAnswer<NaptrRecord>>;
  srv(name: string): Promise<TtlAnswer<SrvRecord>>;
  addresses(name: string, family: 4 | 6): Promise<TtlAnswer<string>>;
}

export interface DnsCacheOptions {
  /** Monotonic milliseconds. */
  now: () => number;
  /** Most answers kept; the least recently used goes first. */
  maxEntries?: number;
  /** Longest reuse of any answer, whatever its TTL says (a hostile or mistaken zone may say weeks). */
  maxTtlSeconds?: number;
  /** Reuse of "no such record" (RFC 2308 negative caching; the SOA minimum is not exposed to us). */
  negativeTtlSeconds?: number;
}

export const DNS_CACHE_DEFAULTS = { maxEntries: 256, maxTtlSeconds: 3600, negativeTtlSeconds: 30 } as const;

interface Entry {
  expires: number;
  value: Promise<unknown[]>;
  /** Still waiting for the answer: shared, but not yet known to be cacheable. */
  pending: boolean;
}

export class DnsCache implements DnsQueries {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly maxTtl: number;
  private readonly negativeTtl: number;

  constructor(
    private readonly queries: DnsQueriesWithTtl,
    private readonly o: DnsCacheOptions,
  ) {
    this.maxEntries = Math.max(1, o.maxEntries ?? DNS_CACHE_DEFAULTS.maxEntries);
    this.maxTtl = o.maxTtlSeconds ?? DNS_CACHE_DEFAULTS.maxTtlSeconds;
    this.negativeTtl = o.negativeTtlSeconds ?? DNS_CACHE_DEFAULTS.negativeTtlSeconds;
  }

  /** Answers held now (expired ones included until they are asked for or pushed out). */
  get size(): number {
    return this.entries.size;
  }

  naptr(name: string): Promise<NaptrRecord[]> {
    return this.lookup(`NAPTR ${name}`, () => this.queries.naptr(name));
  }

  srv(name: string): Promise<SrvRecord[]> {
    return this.lookup(`SRV ${name}`, () => this.queries.srv(name));
  }

  addresses(name: string, family: 4 | 6): Promise<string[]> {
    return this.lookup(`${family === 4 ? 'A' : 'AAAA'} ${name}`, () => this.queries.addresses(name, family));
  }

  private lookup<T>(question: string, ask: () => Promise<TtlAnswer<T>>): Promise<T[]> {
    // DNS names are case-insensitive (RFC 4343); a trailing dot names the same node.
    const key = question.toLowerCase().replace(/\.$/, '');
    const now = this.o.now();
    const hit = this.entries.get(key);
    if (hit && (hit.pending || hit.expires > now)) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      // A copy each time: one caller sorting its list must not reorder another's.
      return (hit.value as Promise<T[]>).then((r) => r.slice());
    }
    if (hit) this.entries.delete(key);
    const entry: Entry = { expires: 0, pending: true, value: Promise.resolve([]) };
    const value = ask().then(
      (answer) => {
        const ttl = answer.records.length === 0 ? Math.min(answer.ttlSeconds, this.negativeTtl) : answer.ttlSeconds;
        const seconds = Math.max(0, Math.min(Number.isFinite(ttl) ? ttl : 0, this.maxTtl));
        entry.pending = false;
        entry.expires = this.o.now() + seconds * 1000;
        if (seconds === 0 && this.entries.get(key) === entry) this.entries.delete(key);
        return answer.records;
      },
      (err: unknown) => {
        // A timeout or SERVFAIL says nothing about the name: the next question asks again.
        if (this.entries.get(key) === entry) this.entries.delete(key);
        throw err;
      },
    );
    entry.value = value;
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return value.then((r) => r.slice());
  }
}
