// The DNS adapter for RFC 3263 resolution: NAPTR and SRV through a c-ares Resolver (the system's servers,
// or --dns-server), addresses through getaddrinfo (so /etc/hosts counts) unless a server was given.
// Every query is bounded in time, so a dead resolver cannot stall a REGISTER or a call; answers are
// cached for their TTL (dns-cache.ts).

import { promises as dns, type RecordWithTtl } from 'node:dns';
import { DnsCache, type DnsQueriesWithTtl, type TtlAnswer } from './dns-cache';
import type { DnsQueries, NaptrRecord } from './server-location';
import type { SrvRecord } from './srv-order';

export interface DnsQueryOptions {
  /** "IP" or "IP:PORT" ("[v6]:PORT"), as dns.setServers takes them; absent = the system's resolvers. */
  servers?: readonly string[];
  /** Bound on each query (ms). */
  timeoutMs: number;
}

/** Answers that mean "no such record" rather than "no answer". */
const NO_RECORDS = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN', 'ENONAME']);

/**
 * Reuse of answers whose TTL Node does not expose (resolveSrv, resolveNaptr and getaddrinfo give none):
 * short, so a changed record is seen within a minute, yet a REGISTER refresh or a call does not ask again.
 */
export const UNKNOWN_TTL_SECONDS = 60;

function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`DNS timeout (${what})`), { code: 'ETIMEOUT' })), ms);
      timer.unref();
    }),
  ]);
}

async function orNone<T>(p: Promise<T[]>): Promise<T[]> {
  try {
    return await p;
  } catch (err) {
    if (NO_RECORDS.has((err as NodeJS.ErrnoException).code ?? '')) return [];
    throw err;
  }
}

function fixedTtl<T>(p: Promise<T[]>): Promise<TtlAnswer<T>> {
  return p.then((records) => ({ records, ttlSeconds: UNKNOWN_TTL_SECONDS }));
}

/** A/AAAA with their TTLs (the smallest of the set, RFC 2181 §5.2 wants them equal anyway). */
function withTtl(p: Promise<RecordWithTtl[]>): Promise<TtlAnswer<string>> {
  return orNone(p).then((list) => ({ records: list.map((r) => r.address), ttlSeconds: list.length > 0 ? Math.min(...list.map((r) => r.ttl)) : UNKNOWN_TTL_SECONDS }));
}

export function createDnsQueries(o: DnsQueryOptions): DnsQueries {
  // tries: 1 and the bound below: c-ares would otherwise retry with doubling timeouts.
  const resolver = new dns.Resolver({ timeout: Math.max(100, Math.min(o.timeoutMs, 2000)), tries: 1 });
  const custom = o.servers !== undefined && o.servers.length > 0;
  if (custom) resolver.setServers([...(o.servers ?? [])]);
  const ms = o.timeoutMs;
  const raw: DnsQueriesWithTtl = {
    naptr: (name) => bounded(fixedTtl(orNone<NaptrRecord>(resolver.resolveNaptr(name))), ms, `NAPTR ${name}`),
    srv: (name) => bounded(fixedTtl(orNone<SrvRecord>(resolver.resolveSrv(name))), ms, `SRV ${name}`),
    addresses: (name, family) => {
      if (custom) return bounded(withTtl(family === 4 ? resolver.resolve4(name, { ttl: true }) : resolver.resolve6(name, { ttl: true })), ms, `A ${name}`);
      return bounded(
        fixedTtl(dns.lookup(name, { family, all: true }).then((list) => list.map((a) => a.address))),
        ms,
        `A ${name}`,
      );
    },
  };
  return new DnsCache(raw, { now: () => performance.now() });
}
