// RFC 3263 §4 client usage: a SIP URI's host, port, transport parameter and scheme become the ordered
// list of (transport, address, port) targets to try: NAPTR, then SRV, then A/AAAA. Pure: the DNS
// queries are injected (dns-queries.node.ts does them for real, the unit tests answer from fixtures).

import { orderSrv, type SrvRecord } from './srv-order';
import { isIPv4, isIPv6 } from '../sip-uri';

export type SipTransportName = 'udp' | 'tcp' | 'tls' | 'sctp';

/** What a URI says about where to send (RFC 3263 §4: host, port, transport param, sips). */
export interface LocationRequest {
  host: string;
  port?: number;
  /** The URI's transport parameter, as written (any case). */
  transport?: string;
  /** sips: URI: TLS on every hop (RFC 3261 §26.2.2). */
  secure?: boolean;
}

export interface NaptrRecord {
  order: number;
  preference: number;
  flags: string;
  service: string;
  regexp: string;
  replacement: string;
}

/**
 * The DNS questions RFC 3263 asks. "No such record" (NXDOMAIN, NODATA) resolves to []; a failure to get
 * an answer (timeout, SERVFAIL) rejects.
 */
export interface DnsQueries {
  naptr(name: string): Promise<NaptrRecord[]>;
  srv(name: string): Promise<SrvRecord[]>;
  addresses(name: string, family: 4 | 6): Promise<string[]>;
}

export interface LocatedTarget {
  transport: SipTransportName;
  address: string;
  port: number;
  /** Which step found it, for logs and the tests. */
  source: 'ip' | 'a' | 'srv' | 'naptr';
}

export interface LocateOptions {
  /** Transports we can send on (today ['udp']); NAPTR services and SRV queries for others are skipped. */
  supported: readonly SipTransportName[];
  /** Address families to look up, in order of preference. */
  families: readonly (4 | 6)[];
  random?: () => number;
}

export type LocateResult = { targets: LocatedTarget[] } | { error: string };

/** RFC 3263 §4.1 / §9 (and RFC 4168 for SCTP): NAPTR service fields and the transport each stands for. */
const SERVICES: Readonly<Record<string, { transport: SipTransportName; secure: boolean }>> = {
  'SIP+D2U': { transport: 'udp', secure: false },
  'SIP+D2T': { transport: 'tcp', secure: false },
  'SIP+D2S': { transport: 'sctp', secure: false },
  'SIPS+D2T': { transport: 'tls', secure: true },
  'SIPS+D2S': { transport: 'sctp', secure: true },
};

/** RFC 3263 §4.1: the SRV prefix for each transport ("_sips._tcp" for TLS). */
const SRV_PREFIX: Readonly<Record<SipTransportName, string>> = {
  udp: '_sip._udp.',
  tcp: '_sip._tcp.',
  tls: '_sips._tcp.',
  sctp: '_sip._sctp.',
};

/** RFC 3261 §19.1.2: 5060, or 5061 for TLS. */
export function defaultPort(transport: SipTransportName): number {
  return transport === 'tls' ? 5061 : 5060;
}

// Answers from the network are hostile: bounded in number, names checked before they are queried again.
const MAX_NAPTR = 16;
const MAX_SRV = 16;
const MAX_ADDRESSES = 8;
const MAX_TARGETS = 32;
const DNS_NAME = /^(?=.{1,253}\.?$)(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.?$/;

function validName(name: string): boolean {
  return DNS_NAME.test(name);
}

function validPort(p: number): boolean {
  return Number.isInteger(p) && p >= 1 && p <= 65535;
}

function message(err: unknown): string {
  return err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err);
}

function ipFamily(host: string): 4 | 6 | 0 {
  if (isIPv4(host)) return 4;
  if (isIPv6(host)) return 6;
  return 0;
}

/**
 * The transports the URI allows (RFC 3263 §4.1): its transport parameter when it has one; for sips
 * only TLS (TCP or SCTP underneath); otherwise any.
 */
function allowedTransports(req: LocationRequest): SipTransportName[] | { error: string } {
  const t = req.transport?.toLowerCase();
  if (t !== undefined) {
    if (t !== 'udp' && t !== 'tcp' && t !== 'tls' && t !== 'sctp') return { error: `unknown transport "${req.transport ?? ''}"` };
    if (req.secure && t === 'udp') return { error: 'a sips: URI cannot use transport=udp (RFC 3261 §26.2.2)' };
    return [req.secure && t === 'tcp' ? 'tls' : t];
  }
  return req.secure ? ['tls'] : ['udp', 'tcp', 'tls', 'sctp'];
}

/** The transport used without NAPTR/SRV (RFC 3263 §4.1): the URI's, else UDP for sip and TLS for sips. */
function plainTransport(req: LocationRequest, allowed: SipTransportName[]): SipTransportName {
  if (req.transport !== undefined) return allowed[0] ?? 'udp';
  return req.secure ? 'tls' : 'udp';
}

async function addressTargets(
  dns: DnsQueries,
  name: string,
  port: number,
  transport: SipTransportName,
  source: LocatedTarget['source'],
  families: readonly (4 | 6)[],
): Promise<{ targets: LocatedTarget[]; error?: string }> {
  const targets: LocatedTarget[] = [];
  let error: string | undefined;
  for (const family of families) {
    try {
      const list = await dns.addresses(name, family);
      for (const address of list.slice(0, MAX_ADDRESSES)) {
        if (ipFamily(address) === family) targets.push({ transport, address, port, source });
      }
    } catch (err) {
      error = message(err);
    }
  }
  return error === undefined ? { targets } : { targets, error };
}

/** SRV for one name (RFC 3263 §4.2), each target's addresses in RFC 2782 order; null = no SRV records at all. */
async function srvTargets(
  dns: DnsQueries,
  name: string,
  transport: SipTransportName,
  source: LocatedTarget['source'],
  opts: LocateOptions,
): Promise<LocatedTarget[] | null> {
  let records: SrvRecord[];
  try {
    records = (await dns.srv(name)).slice(0, MAX_SRV);
  } catch {
    // No answer (timeout, SERVFAIL) is treated like no records: the next step may still work.
    return null;
  }
  if (records.length === 0) return null;
  // RFC 2782: a single record with target "." means the service is decidedly not available here.
  const usable = records.filter((r) => r.name !== '.' && r.name !== '' && validName(r.name) && validPort(r.port));
  const out: LocatedTarget[] = [];
  for (const r of orderSrv(usable, opts.random)) {
    const found = await addressTargets(dns, r.name, r.port, transport, source, opts.families);
    out.push(...found.targets);
  }
  return out;
}

function dedupe(targets: LocatedTarget[]): LocatedTarget[] {
  const seen = new Set<string>();
  return targets.filter((t) => {
    const key = `${t.transport} ${t.address} ${t.port}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  }).slice(0, MAX_TARGETS);
}

/** RFC 3263 §4: the ordered targets for a URI, or why there are none. */
export async function locateSipServer(req: LocationRequest, dns: DnsQueries, opts: LocateOptions): Promise<LocateResult> {
  const host = req.host.replace(/^\[(.*)\]$/, '$1');
  const allowed = allowedTransports(req);
  if ('error' in allowed) return allowed;
  const usable = allowed.filter((t) => opts.supported.includes(t));
  if (usable.length === 0) {
    const wanted = req.transport !== undefined ? `transport=${req.transport.toLowerCase()}` : 'sips: (TLS)';
    return { error: `${wanted} is not supported: this phone sends SIP over ${opts.supported.join('/').toUpperCase()} only` };
  }
  const plain = plainTransport(req, usable);
  if (req.port !== undefined && !validPort(req.port)) return { error: `bad port ${req.port}` };

  // §4.1/§4.2: a numeric IP address is used as it is, on the given or the default port; one of a family
  // our socket cannot send to is refused here with the reason, not later by the socket with EINVAL.
  const family = ipFamily(host);
  if (family !== 0 && !opts.families.includes(family)) {
    return { error: `${host} is an IPv${family} address and SIP is bound to IPv${family === 6 ? 4 : 6} only (bind to :: for both)` };
  }
  if (family !== 0) {
    return { targets: [{ transport: plain, address: host, port: req.port ?? defaultPort(plain), source: 'ip' }] };
  }
  if (!validName(host)) return { error: `bad host name "${host}"` };

  // §4.2: with an explicit port, only A/AAAA records: no NAPTR, no SRV.
  if (req.port !== undefined) return addressResult(dns, host, req.port, plain, opts);

  // §4.1: no transport in the URI and no port: NAPTR picks the transport.
  if (req.transport === undefined) {
    let naptr: NaptrRecord[] = [];
    try {
      naptr = (await dns.naptr(host)).slice(0, MAX_NAPTR);
    } catch {
      naptr = [];
    }
    // §4.1: only records whose service we support (for sips, only SIPS+ services), with flag "s" and an
    // SRV name as replacement (the regexp field stays empty for SIP), in order, then preference.
    const picked = naptr
      .filter((r) => {
        const s = SERVICES[r.service.toUpperCase()];
        return s !== undefined && usable.includes(s.transport) && (!req.secure || s.secure) && r.flags.toLowerCase() === 's' && r.regexp === '' && validName(r.replacement);
      })
      .sort((a, b) => a.order - b.order || a.preference - b.preference);
    const first = SERVICES[picked[0]?.service.toUpperCase() ?? ''];
    if (first) {
      const targets: LocatedTarget[] = [];
      let sawSrv = false;
      for (const r of picked) {
        const s = SERVICES[r.service.toUpperCase()];
        if (!s) continue;
        const found = await srvTargets(dns, r.replacement, s.transport, 'naptr', opts);
        if (found !== null) sawSrv = true;
        targets.push(...(found ?? []));
      }
      if (targets.length > 0) return { targets: dedupe(targets) };
      if (sawSrv) return { error: `${host}: the NAPTR and SRV records name no reachable server` };
      // §4.2: "If no SRV records were found, the client performs an A or AAAA record lookup of the
      // domain name", with the transport NAPTR chose, on its default port.
      return addressResult(dns, host, defaultPort(first.transport), first.transport, opts);
    }
  }

  // §4.1: without (usable) NAPTR records, SRV queries for the transports we support.
  let sawSrv = false;
  const targets: LocatedTarget[] = [];
  for (const t of usable) {
    const found = await srvTargets(dns, `${SRV_PREFIX[t]}${host}`, t, 'srv', opts);
    if (found === null) continue;
    sawSrv = true;
    targets.push(...found);
  }
  if (targets.length > 0) return { targets: dedupe(targets) };
  if (sawSrv) return { error: `${host}: its SRV records name no reachable server` };

  // §4.2: no SRV records: the host's own A/AAAA records, on the default port.
  return addressResult(dns, host, defaultPort(plain), plain, opts);
}

async function addressResult(dns: DnsQueries, host: string, port: number, transport: SipTransportName, opts: LocateOptions): Promise<LocateResult> {
  const found = await addressTargets(dns, host, port, transport, 'a', opts.families);
  if (found.targets.length > 0) return { targets: dedupe(found.targets) };
  return { error: `cannot resolve ${host}: ${found.error ?? 'no address records'}` };
}
