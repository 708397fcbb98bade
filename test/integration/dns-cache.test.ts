// The DNS TTL cache against a real DNS server (dnsmasq, every question logged): the SIP stack asks each
// NAPTR/SRV/A question once while the answers' TTL lasts, and again when the TTL is 0.
import { afterEach, describe, expect, it } from 'vitest';
import { dnsmasqMissing, startDnsmasq, type DnsmasqServer, type DnsRecords } from '../support/dnsmasq';
import { skipWithoutRealPeer } from '../support/real-peer-gate';
import { createSipStack, type SipStack } from '../../src-main/sip/sip-stack.node';
import { createLogger } from '../../src-main/util/logger';

const skip = skipWithoutRealPeer('DNS cache with dnsmasq', dnsmasqMissing() ?? (process.platform === 'linux' ? null : 'needs Linux'));

const running: Array<DnsmasqServer | SipStack> = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

function zone(localTtl: number): DnsRecords {
  return {
    localTtl,
    naptr: [{ name: 'test.local', order: 10, preference: 10, flags: 'S', service: 'SIP+D2U', replacement: '_sip._udp.test.local' }],
    srv: [
      { name: '_sip._udp.test.local', target: 'a.test.local', port: 5070, priority: 10, weight: 0 },
      { name: '_sip._udp.test.local', target: 'b.test.local', port: 5071, priority: 20, weight: 0 },
    ],
    a: [
      { name: 'a.test.local', address: '127.0.0.1' },
      { name: 'b.test.local', address: '127.0.0.2' },
    ],
    localDomains: ['test.local'],
  };
}

async function setup(localTtl: number): Promise<{ dns: DnsmasqServer; st: SipStack }> {
  const dns = await startDnsmasq(zone(localTtl));
  running.push(dns);
  const st = createSipStack({ bindAddress: '127.0.0.1', port: 0, logger: createLogger('test'), dnsServers: [dns.server] });
  await st.start();
  running.push(st);
  return { dns, st };
}

/** The questions about test.local that dnsmasq logged ("SRV _sip._udp.test.local"); its readiness probe left out. */
function questions(dns: DnsmasqServer): string[] {
  return [...dns.log().matchAll(/query\[(\w+)\] (\S+) from/g)].map((m) => `${m[1]} ${m[2]}`).filter((q) => q.endsWith('test.local'));
}

describe.skipIf(skip)('DNS answers cached for their TTL', () => {
  it('TTL 300: three lookups of test.local ask NAPTR, SRV and each A once; the servers stay in SRV order', async () => {
    const { dns, st } = await setup(300);
    for (let i = 0; i < 3; i++) {
      const list = (await st.resolveAll({ host: 'test.local' })).map((h) => `${h.destination.address}:${h.destination.port}`);
      expect(list).toEqual(['127.0.0.1:5070', '127.0.0.2:5071']);
    }
    const asked = questions(dns).filter((q) => !q.startsWith('AAAA'));
    console.log(`DNS questions for 3 lookups with TTL 300: ${asked.length} (${asked.join(', ')})`);
    expect(asked.sort()).toEqual(['A a.test.local', 'A b.test.local', 'NAPTR test.local', 'SRV _sip._udp.test.local']);
  });

  it('TTL 0: the A records are asked again at each lookup (NAPTR/SRV, whose TTL Node does not expose, stay cached 60 s)', async () => {
    const { dns, st } = await setup(0);
    await st.resolveAll({ host: 'test.local' });
    await st.resolveAll({ host: 'test.local' });
    const asked = questions(dns);
    expect(asked.filter((q) => q === 'A a.test.local')).toHaveLength(2);
    expect(asked.filter((q) => q === 'SRV _sip._udp.test.local')).toHaveLength(1);
    expect(asked.filter((q) => q === 'NAPTR test.local')).toHaveLength(1);
  });
});
