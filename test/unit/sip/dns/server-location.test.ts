import { describe, expect, it } from 'vitest';
import { locateSipServer, type LocateOptions, type LocationRequest } from '../../../../src-main/sip/dns/server-location';
import { FakeDns, naptr, srv, type Zone } from './fake-dns';

const UDP: LocateOptions = { supported: ['udp'], families: [4], random: () => 0 };

async function locate(req: LocationRequest, zone: Zone, opts: LocateOptions = UDP) {
  const dns = new FakeDns(zone);
  const result = await locateSipServer(req, dns, opts);
  return { result, asked: dns.asked };
}

/** "transport address:port" per target, or the error. */
function shown(result: Awaited<ReturnType<typeof locateSipServer>>): string[] | string {
  return 'error' in result ? result.error : result.targets.map((t) => `${t.transport} ${t.address}:${t.port}`);
}

describe('RFC 3263 §4: numeric addresses and explicit ports', () => {
  it('a numeric IP is used as it is, on 5060 when no port is given, without any DNS query', async () => {
    const { result, asked } = await locate({ host: '192.0.2.7' }, {});
    expect(shown(result)).toEqual(['udp 192.0.2.7:5060']);
    expect(asked).toEqual([]);
    const v6 = await locate({ host: '[2001:db8::1]', port: 5070 }, {}, { ...UDP, families: [6, 4] });
    expect(shown(v6.result)).toEqual(['udp 2001:db8::1:5070']);
  });

  it('an IP literal of a family the socket cannot send to is refused with the reason (issue 10), not sent into EINVAL', async () => {
    const v6 = await locate({ host: '[2001:db8::1]', port: 5070 }, {});
    expect(shown(v6.result)).toBe('2001:db8::1 is an IPv6 address and SIP is bound to IPv4 only (bind to :: for both)');
    const v4 = await locate({ host: '192.0.2.7' }, {}, { ...UDP, families: [6] });
    expect(shown(v4.result)).toBe('192.0.2.7 is an IPv4 address and SIP is bound to IPv6 only (bind to :: for both)');
  });

  it('a name with an explicit port gets A records only: no NAPTR, no SRV (§4.2)', async () => {
    const zone: Zone = { naptr: { 'example.com': [naptr(10, 10, 'SIP+D2U', '_sip._udp.example.com')] }, a: { 'example.com': ['198.51.100.1', '198.51.100.2'] } };
    const { result, asked } = await locate({ host: 'example.com', port: 5080 }, zone);
    expect(shown(result)).toEqual(['udp 198.51.100.1:5080', 'udp 198.51.100.2:5080']);
    expect(asked).toEqual(['A example.com']);
  });
});

describe('RFC 3263 §4.1: NAPTR picks the transport and the SRV name', () => {
  const zone: Zone = {
    naptr: {
      'example.com': [
        naptr(20, 10, 'SIP+D2U', '_sip._udp.servers.example.com'),
        naptr(10, 10, 'SIP+D2T', '_sip._tcp.servers.example.com'),
        naptr(5, 10, 'SIPS+D2T', '_sips._tcp.servers.example.com'),
      ],
    },
    srv: {
      '_sip._udp.servers.example.com': [srv(20, 0, 5090, 'backup.example.com'), srv(10, 0, 5080, 'main.example.com')],
      '_sip._tcp.servers.example.com': [srv(10, 0, 5081, 'main.example.com')],
      '_sips._tcp.servers.example.com': [srv(10, 0, 5061, 'main.example.com')],
    },
    a: { 'main.example.com': ['198.51.100.10'], 'backup.example.com': ['198.51.100.20'] },
  };

  it('skips the services we cannot send on and follows the UDP record to its SRV targets, by priority', async () => {
    const { result, asked } = await locate({ host: 'example.com' }, zone);
    expect(shown(result)).toEqual(['udp 198.51.100.10:5080', 'udp 198.51.100.20:5090']);
    expect(result).toMatchObject({ targets: [{ source: 'naptr' }, { source: 'naptr' }] });
    // The replacement name is queried, not _sip._udp.example.com, and no A record of the domain itself.
    expect(asked).toEqual(['NAPTR example.com', 'SRV _sip._udp.servers.example.com', 'A main.example.com', 'A backup.example.com']);
  });

  it('with more transports supported, NAPTR order decides and the transport stays in the data', async () => {
    const { result } = await locate({ host: 'example.com' }, zone, { ...UDP, supported: ['udp', 'tcp'] });
    expect(shown(result)).toEqual(['tcp 198.51.100.10:5081', 'udp 198.51.100.10:5080', 'udp 198.51.100.20:5090']);
  });

  it('a sips: URI takes only SIPS+ services (TLS)', async () => {
    const { result } = await locate({ host: 'example.com', secure: true }, zone, { ...UDP, supported: ['udp', 'tcp', 'tls'] });
    expect(shown(result)).toEqual(['tls 198.51.100.10:5061']);
  });

  it('order first, then preference, among records of the same service', async () => {
    const z: Zone = {
      naptr: { 'example.org': [naptr(10, 50, 'SIP+D2U', '_sip._udp.b.example.org'), naptr(10, 20, 'SIP+D2U', '_sip._udp.a.example.org')] },
      srv: { '_sip._udp.a.example.org': [srv(1, 0, 5001, 'a.example.org')], '_sip._udp.b.example.org': [srv(1, 0, 5002, 'b.example.org')] },
      a: { 'a.example.org': ['192.0.2.1'], 'b.example.org': ['192.0.2.2'] },
    };
    expect(shown((await locate({ host: 'example.org' }, z)).result)).toEqual(['udp 192.0.2.1:5001', 'udp 192.0.2.2:5002']);
  });

  it('ignores NAPTR records that are not plain SRV pointers (flag other than s, a regexp, a bad name)', async () => {
    const z: Zone = {
      naptr: {
        'example.net': [
          naptr(1, 1, 'SIP+D2U', '_sip._udp.evil.example.net', 'u'),
          naptr(2, 1, 'SIP+D2U', '', 's', '!^.*$!sip:evil@example.net!'),
          naptr(3, 1, 'SIP+D2U', 'bad name with spaces'),
          naptr(9, 1, 'SIP+D2U', '_sip._udp.good.example.net'),
        ],
      },
      srv: { '_sip._udp.good.example.net': [srv(1, 0, 5062, 'good.example.net')], '_sip._udp.evil.example.net': [srv(1, 0, 6666, 'evil.example.net')] },
      a: { 'good.example.net': ['192.0.2.50'], 'evil.example.net': ['192.0.2.66'] },
    };
    expect(shown((await locate({ host: 'example.net' }, z)).result)).toEqual(['udp 192.0.2.50:5062']);
  });

  it('NAPTR records of unsupported services only: SRV queries for the transports we have (§4.1)', async () => {
    const z: Zone = {
      naptr: { 'example.com': [naptr(10, 10, 'SIP+D2T', '_sip._tcp.example.com')] },
      srv: { '_sip._udp.example.com': [srv(1, 0, 5070, 'pbx.example.com')] },
      a: { 'pbx.example.com': ['192.0.2.9'] },
    };
    expect(shown((await locate({ host: 'example.com' }, z)).result)).toEqual(['udp 192.0.2.9:5070']);
  });

  it('NAPTR pointing at SRV names that do not exist: the domain\'s A records with the NAPTR transport (§4.2)', async () => {
    const z: Zone = { naptr: { 'example.com': [naptr(10, 10, 'SIP+D2U', '_sip._udp.missing.example.com')] }, a: { 'example.com': ['192.0.2.44'] } };
    const { result, asked } = await locate({ host: 'example.com' }, z);
    expect(shown(result)).toEqual(['udp 192.0.2.44:5060']);
    expect(asked).toEqual(['NAPTR example.com', 'SRV _sip._udp.missing.example.com', 'A example.com']);
  });

  it('a NAPTR query that gets no answer (timeout) falls through to SRV', async () => {
    const z: Zone = { failing: ['example.com'], srv: { '_sip._udp.example.com': [srv(1, 0, 5070, 'pbx.example.com')] }, a: { 'pbx.example.com': ['192.0.2.9'] } };
    const { result, asked } = await locate({ host: 'example.com' }, z);
    expect(shown(result)).toEqual(['udp 192.0.2.9:5070']);
    expect(asked.slice(0, 2)).toEqual(['NAPTR example.com', 'SRV _sip._udp.example.com']);
  });
});

describe('RFC 3263 §4.2: SRV, then A/AAAA', () => {
  it('without NAPTR: _sip._udp SRV records, priority order, each target on its SRV port', async () => {
    const z: Zone = {
      srv: { '_sip._udp.example.com': [srv(20, 0, 5062, 'two.example.com'), srv(10, 0, 5061, 'one.example.com')] },
      a: { 'one.example.com': ['192.0.2.1', '192.0.2.11'], 'two.example.com': ['192.0.2.2'] },
    };
    const { result } = await locate({ host: 'example.com' }, z);
    expect(shown(result)).toEqual(['udp 192.0.2.1:5061', 'udp 192.0.2.11:5061', 'udp 192.0.2.2:5062']);
    expect(result).toMatchObject({ targets: [{ source: 'srv' }, { source: 'srv' }, { source: 'srv' }] });
  });

  it('an SRV target that does not resolve is skipped, the next one used', async () => {
    const z: Zone = {
      srv: { '_sip._udp.example.com': [srv(10, 0, 5061, 'gone.example.com'), srv(20, 0, 5062, 'two.example.com')] },
      a: { 'two.example.com': ['192.0.2.2'] },
    };
    expect(shown((await locate({ host: 'example.com' }, z)).result)).toEqual(['udp 192.0.2.2:5062']);
  });

  it('no NAPTR and no SRV: the domain\'s own A records on 5060', async () => {
    const { result, asked } = await locate({ host: 'example.com' }, { a: { 'example.com': ['192.0.2.80'] } });
    expect(shown(result)).toEqual(['udp 192.0.2.80:5060']);
    expect(asked).toEqual(['NAPTR example.com', 'SRV _sip._udp.example.com', 'A example.com']);
  });

  it('AAAA too when the family is wanted, in the given family order', async () => {
    const z: Zone = { a: { 'example.com': ['192.0.2.80'] }, aaaa: { 'example.com': ['2001:db8::80'] } };
    const { result } = await locate({ host: 'example.com' }, z, { ...UDP, families: [6, 4] });
    expect(shown(result)).toEqual(['udp 2001:db8::80:5060', 'udp 192.0.2.80:5060']);
  });

  it('an SRV target of "." means no SIP service there: an error, no A fallback (RFC 2782)', async () => {
    const { result, asked } = await locate({ host: 'example.com' }, { srv: { '_sip._udp.example.com': [srv(0, 0, 0, '.')] }, a: { 'example.com': ['192.0.2.80'] } });
    expect(shown(result)).toMatch(/SRV records name no reachable server/);
    expect(asked).not.toContain('A example.com');
  });

  it('explicit transport=udp without port: SRV for UDP only, no NAPTR (§4.1)', async () => {
    const z: Zone = { naptr: { 'example.com': [naptr(1, 1, 'SIP+D2U', '_sip._udp.x.example.com')] }, srv: { '_sip._udp.example.com': [srv(1, 0, 5099, 'pbx.example.com')] }, a: { 'pbx.example.com': ['192.0.2.9'] } };
    const { result, asked } = await locate({ host: 'example.com', transport: 'UDP' }, z);
    expect(shown(result)).toEqual(['udp 192.0.2.9:5099']);
    expect(asked[0]).toBe('SRV _sip._udp.example.com');
  });

  it('nothing resolves: an error that names the host and the cause', async () => {
    expect(shown((await locate({ host: 'nowhere.example' }, {})).result)).toMatch(/cannot resolve nowhere\.example: no address records/);
    expect(shown((await locate({ host: 'nowhere.example', port: 5060 }, { failing: ['nowhere.example'] })).result)).toMatch(/cannot resolve nowhere\.example: ETIMEOUT/);
  });
});

describe('transports we do not have, and hostile answers', () => {
  it('transport=tcp, transport=tls and sips: are refused with a reason, not sent over UDP', async () => {
    expect(shown((await locate({ host: 'example.com', transport: 'tcp' }, {})).result)).toMatch(/transport=tcp is not supported.*UDP only/);
    expect(shown((await locate({ host: '192.0.2.1', transport: 'tls' }, {})).result)).toMatch(/transport=tls is not supported/);
    expect(shown((await locate({ host: 'example.com', secure: true }, {})).result)).toMatch(/sips: \(TLS\) is not supported/);
    expect(shown((await locate({ host: 'example.com', transport: 'carrier-pigeon' }, {})).result)).toMatch(/unknown transport/);
  });

  it('SRV records with port 0 or a malformed target are dropped; answers are capped', async () => {
    const many = Array.from({ length: 100 }, (_, i) => srv(1, 0, 6000 + i, `h${i}.example.com`));
    const z: Zone = {
      srv: { '_sip._udp.example.com': [srv(0, 0, 0, 'zero.example.com'), srv(0, 0, 5060, 'bad..name'), ...many] },
      a: Object.fromEntries([['zero.example.com', ['192.0.2.1']], ...many.map((r) => [r.name, ['192.0.2.2']])]),
    };
    const { result } = await locate({ host: 'example.com' }, z);
    const list = shown(result);
    expect(Array.isArray(list) && list.length).toBe(14);
    expect(list).not.toContain('udp 192.0.2.1:0');
  });

  it('addresses of the wrong family or that are not addresses are dropped', async () => {
    const { result } = await locate({ host: 'example.com', port: 5060 }, { a: { 'example.com': ['2001:db8::1', 'not-an-ip', '192.0.2.3'] } });
    expect(shown(result)).toEqual(['udp 192.0.2.3:5060']);
  });
});
