// The DNS adapter for RFC 3263 resolution: NAPTR and SRV through a c-ares Resolver (the system's servers,
// or --dns-server), addresses through getaddrinfo (so /etc/hosts counts) unless a server was given.
// Every query is bounded in time, so a dead resolver cannot stall a REGISTER or a call.

import { promises as dns } from 'node:dns';
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

export function createDnsQueries(o: DnsQueryOptions): DnsQueries {
  // tries: 1 and the bound below: c-ares would otherwise retry with doubling timeouts.
  const resolver = new dns.Resolver({ timeout: Math.max(100, Math.min(o.timeoutMs, 2000)), tries: 1 });
  const custom = o.servers !== undefined && o.servers.length > 0;
  if (custom) resolver.setServers([...(o.servers ?? [])]);
  const ms = o.timeoutMs;
  return {
    naptr: (name) => bounded(orNone<NaptrRecord>(resolver.resolveNaptr(name)), ms, `NAPTR ${name}`),
    srv: (name) => bounded(orNone<SrvRecord>(resolver.resolveSrv(name)), ms, `SRV ${name}`),
    addresses: (name, family) => {
      if (custom) return bounded(orNone(family === 4 ? resolver.resolve4(name) : resolver.resolve6(name)), ms, `A ${name}`);
      return bounded(
        dns.lookup(name, { family, all: true }).then((list) => list.map((a) => a.address)),
        ms,
        `A ${name}`,
      );
    },
  };
}
