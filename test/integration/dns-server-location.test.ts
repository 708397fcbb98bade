// RFC 3263 server location against a real DNS server (dnsmasq on loopback) and a real Kamailio on a
// non-5060 port: a domain reachable only through NAPTR/SRV registers and calls, and when the preferred
// SRV target is silent or answers 503, REGISTER and INVITE go on to the next one (RFC 3263 §4.3).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USERS, startKamailio, type KamailioServer } from '../support/kamailio';
import { dnsmasqMissing, startDnsmasq, type DnsmasqServer, type DnsRecords } from '../support/dnsmasq';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { skipWithoutRealPeer } from '../support/real-peer-gate';
import { methodOf, responseTo, startScriptedPeer, type ScriptedPeer } from '../support/scripted-sip-peer';
import { startSoftphone, stopAllSoftphones, type SoftphoneProcess } from '../support/softphone-process';
import { TONE_A_HZ, TONE_B_HZ, makeTempDir, removeDir, writeToneWav } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';
import { createSipStack } from '../../src-main/sip/sip-stack.node';
import { createLogger } from '../../src-main/util/logger';
import type { SipRequest } from '../../src-main/sip/sip-message';

const missing = dnsmasqMissing() ?? (process.platform === 'linux' ? null : 'needs Linux');
const skip = skipWithoutRealPeer('RFC 3263 tests with dnsmasq', missing);

let kam: KamailioServer;
let dir: string;
let toneA: string;
let toneB: string;
const servers: Array<{ stop(): Promise<void> } | { close(): Promise<void> }> = [];

beforeAll(async () => {
  if (skip) return;
  kam = await startKamailio({ users: { ...DEFAULT_USERS, dave: 'davepw', erin: 'erinpw' } });
  dir = makeTempDir('dns-location-');
  toneA = writeToneWav(dir, TONE_A_HZ);
  toneB = writeToneWav(dir, TONE_B_HZ);
});
afterEach(async () => {
  await stopAllSoftphones();
  for (const s of servers.splice(0)) await ('stop' in s ? s.stop() : s.close());
});
afterAll(async () => {
  await kam?.stop();
  if (dir) removeDir(dir);
});

/** The test zone: "test.local" (Kamailio's alias) has no A record of its own, only what `records` add. */
async function dnsServer(records: DnsRecords): Promise<DnsmasqServer> {
  const d = await startDnsmasq({ localDomains: ['test.local'], ...records });
  servers.push(d);
  printOnFailure(d);
  return d;
}

async function peer(answer: (req: string) => string | null): Promise<ScriptedPeer> {
  const p = await startScriptedPeer(answer);
  servers.push(p);
  printOnFailure(() => `scripted peer on ${p.port} received:\n${p.received.join('\n---\n')}`);
  return p;
}

async function softphone(user: string, args: string[], name = user): Promise<SoftphoneProcess> {
  const rtp = await freePortRange(10);
  const p = startSoftphone([...args, '--user', user, '--bind', '127.0.0.1', '--rtp-ports', `${rtp.min}-${rtp.max}`], {
    name,
    env: { SOFTPHONE_PASSWORD: kam.users[user] ?? '' },
  });
  printOnFailure(p);
  return p;
}

/** A callee registered straight to Kamailio's address (no DNS), answering at once. */
async function callee(user: string): Promise<SoftphoneProcess> {
  const p = await softphone(user, ['listen', '--domain', kam.domain, '--port', String(await freeUdpPort()), '--auto-answer', '--play', toneB, '--max-calls', '1']);
  await p.waitFor('registered');
  return p;
}

const methods = (p: ScriptedPeer) => p.received.map(methodOf).filter((m): m is string => m !== null);

describe.skipIf(skip)('RFC 3263 with a real DNS server and Kamailio', () => {
  it('a domain found only through NAPTR -> SRV registers with Kamailio on its SRV port, and a call goes through it', async () => {
    printOnFailure(kam);
    const dns = await dnsServer({
      naptr: [
        // TCP preferred by the zone, but we speak UDP only: that record must be skipped, not queried.
        { name: 'test.local', order: 10, preference: 10, flags: 'S', service: 'SIP+D2T', replacement: '_sip._tcp.servers.test.local' },
        { name: 'test.local', order: 20, preference: 10, flags: 'S', service: 'SIP+D2U', replacement: '_sip._udp.servers.test.local' },
      ],
      srv: [{ name: '_sip._udp.servers.test.local', target: 'pbx.test.local', port: kam.port, priority: 10, weight: 0 }],
      a: [{ name: 'pbx.test.local', address: '127.0.0.1' }],
    });
    expect(kam.port).not.toBe(5060);
    const bob = await softphone('bob', ['listen', '--domain', 'test.local', '--dns-server', dns.server, '--port', String(await freeUdpPort()), '--auto-answer', '--play', toneB, '--max-calls', '1']);
    const reg = await bob.waitFor('registered');
    expect(String(reg['contact'])).toMatch(/^sip:bob@127\.0\.0\.1:\d+$/);
    const alice = await softphone('alice', ['call', 'bob', '--domain', 'test.local', '--dns-server', dns.server, '--play', toneA, '--duration', '2']);
    await alice.waitFor('registered');
    expect((await bob.waitFor('incoming'))['from']).toBe('sip:alice@test.local');
    await alice.waitFor('connected');
    expect(await alice.waitFor('ended')).toMatchObject({ by: 'local' });
    expect(await alice.waitForExit()).toBe(0);
    expect(await bob.waitForExit()).toBe(0);
    // What was asked: the NAPTR, then the SRV name of the UDP record; never the TCP one.
    const log = dns.log();
    expect(log).toMatch(/query\[NAPTR\] test\.local from 127\.0\.0\.1/);
    expect(log).toMatch(/query\[SRV\] _sip\._udp\.servers\.test\.local from 127\.0\.0\.1/);
    expect(log).not.toMatch(/_sip\._tcp\.servers\.test\.local from/);
    expect(kam.log()).toMatch(/REGISTER sip:test\.local from 127\.0\.0\.1/);
    expect(kam.log()).toMatch(/INVITE sip:bob@test\.local from 127\.0\.0\.1/);
  });

  it('the preferred SRV target never answers: REGISTER moves to the second after timer F, and the call goes straight there', async () => {
    printOnFailure(kam);
    const silent = await peer(() => null);
    const dns = await dnsServer({
      srv: [
        { name: '_sip._udp.test.local', target: 'dead.test.local', port: silent.port, priority: 10, weight: 0 },
        { name: '_sip._udp.test.local', target: 'pbx.test.local', port: kam.port, priority: 20, weight: 0 },
      ],
      a: [
        { name: 'dead.test.local', address: '127.0.0.1' },
        { name: 'pbx.test.local', address: '127.0.0.1' },
      ],
    });
    const dave = await callee('dave');
    const alice = await softphone('alice', ['call', 'dave', '--domain', 'test.local', '--dns-server', dns.server, '--sip-t1', '150', '--play', toneA, '--duration', '2'], 'alice-failover');
    // Timer F (64*T1 = 9.6 s with --sip-t1 150) on the silent server first: the wait is the protocol's.
    const reg = await alice.waitFor('registered', undefined, 90_000);
    expect(reg['expires']).toBeGreaterThan(0);
    expect(methods(silent).length).toBeGreaterThan(0);
    expect(new Set(methods(silent))).toEqual(new Set(['REGISTER']));
    expect((await dave.waitFor('incoming'))['from']).toBe('sip:alice@test.local');
    await alice.waitFor('connected');
    expect(await alice.waitFor('ended')).toMatchObject({ by: 'local' });
    expect(await alice.waitForExit()).toBe(0);
    expect(await dave.waitForExit()).toBe(0);
    // Remembered as dead: neither the INVITE nor the un-REGISTER went to the silent server.
    expect(methods(silent).filter((m) => m !== 'REGISTER')).toEqual([]);
    expect(alice.all('unregistered')).toHaveLength(1);
  }, 150_000);

  it('without registration, the INVITE itself fails over: timer B on the silent server, then the second connects', async () => {
    printOnFailure(kam);
    const silent = await peer(() => null);
    const dns = await dnsServer({
      srv: [
        { name: '_sip._udp.test.local', target: 'dead.test.local', port: silent.port, priority: 10, weight: 0 },
        { name: '_sip._udp.test.local', target: 'pbx.test.local', port: kam.port, priority: 20, weight: 0 },
      ],
      a: [
        { name: 'dead.test.local', address: '127.0.0.1' },
        { name: 'pbx.test.local', address: '127.0.0.1' },
      ],
    });
    const carol = await callee('carol');
    const alice = await softphone('alice', ['call', 'carol', '--domain', 'test.local', '--dns-server', dns.server, '--no-register', '--sip-t1', '150', '--play', toneA, '--duration', '2'], 'alice-timer-b');
    // Timer B (64*T1 = 9.6 s with --sip-t1 150) first: the wait is the protocol's, bounded here.
    expect((await carol.waitFor('incoming', undefined, 90_000))['from']).toBe('sip:alice@test.local');
    await alice.waitFor('connected');
    expect(await alice.waitFor('ended')).toMatchObject({ by: 'local' });
    expect(await alice.waitForExit()).toBe(0);
    expect(await carol.waitForExit()).toBe(0);
    // The silent server got the first INVITE (and its retransmissions), nothing else.
    expect(methods(silent).length).toBeGreaterThan(0);
    expect(new Set(methods(silent))).toEqual(new Set(['INVITE']));
    expect(alice.all('progress').length).toBeGreaterThan(0);
  }, 150_000);

  it('the preferred SRV target answers 503: the INVITE (no registration) goes to the second at once and connects', async () => {
    printOnFailure(kam);
    const busy = await peer((req) => responseTo(req, 503, 'Service Unavailable', ['Retry-After: 30']));
    const dns = await dnsServer({
      srv: [
        { name: '_sip._udp.test.local', target: 'busy.test.local', port: busy.port, priority: 10, weight: 0 },
        { name: '_sip._udp.test.local', target: 'pbx.test.local', port: kam.port, priority: 20, weight: 0 },
      ],
      a: [
        { name: 'busy.test.local', address: '127.0.0.1' },
        { name: 'pbx.test.local', address: '127.0.0.1' },
      ],
    });
    const erin = await callee('erin');
    const alice = await softphone('alice', ['call', 'erin', '--domain', 'test.local', '--dns-server', dns.server, '--no-register', '--play', toneA, '--duration', '2'], 'alice-503');
    expect((await erin.waitFor('incoming'))['from']).toBe('sip:alice@test.local');
    await alice.waitFor('connected');
    expect(await alice.waitFor('ended')).toMatchObject({ by: 'local' });
    expect(await alice.waitForExit()).toBe(0);
    expect(await erin.waitForExit()).toBe(0);
    // One INVITE to the 503 server (and the ACK of its 503), then never again: the rest went to Kamailio.
    expect(methods(busy)).toEqual(['INVITE', 'ACK']);
    expect(kam.log()).toMatch(/INVITE sip:erin@test\.local from 127\.0\.0\.1/);
  });
});

describe.skipIf(skip)('the SIP stack resolving through a real DNS server', () => {
  async function stack(dnsServer: string) {
    const st = createSipStack({ bindAddress: '127.0.0.1', port: 0, logger: createLogger('test'), dnsServers: [dnsServer] });
    await st.start();
    servers.push(st);
    return st;
  }

  it('lists every SRV target in priority order with its port; a server marked unreachable goes last, and only for a while', async () => {
    const dns = await dnsServer({
      srv: [
        { name: '_sip._udp.test.local', target: 'b.test.local', port: 5071, priority: 20, weight: 0 },
        { name: '_sip._udp.test.local', target: 'a.test.local', port: 5070, priority: 10, weight: 0 },
        { name: '_sip._udp.test.local', target: 'c.test.local', port: 5072, priority: 30, weight: 0 },
      ],
      a: [
        { name: 'a.test.local', address: '127.0.0.1' },
        { name: 'b.test.local', address: '127.0.0.2' },
        { name: 'c.test.local', address: '127.0.0.3' },
      ],
    });
    const st = await stack(dns.server);
    const shown = async () => (await st.resolveAll({ host: 'test.local' })).map((h) => `${h.destination.address}:${h.destination.port}`);
    expect(await shown()).toEqual(['127.0.0.1:5070', '127.0.0.2:5071', '127.0.0.3:5072']);
    st.markUnreachable({ address: '127.0.0.1', port: 5070 }, 1);
    expect(await shown()).toEqual(['127.0.0.2:5071', '127.0.0.3:5072', '127.0.0.1:5070']);
    // An explicit port: A records only (§4.2), so the SRV ports play no part.
    expect((await st.resolve({ host: 'b.test.local', port: 5999 })).destination).toEqual({ address: '127.0.0.2', port: 5999 });
    // The memory fades (1 s here): the preferred server is tried first again.
    await new Promise<void>((resolve) => {
      const poll = async () => ((await shown())[0] === '127.0.0.1:5070' ? resolve() : setTimeout(() => void poll(), 200));
      void poll();
    });
    await expect(st.resolve({ host: 'nothing.test.local' })).rejects.toThrow(/cannot resolve nothing\.test\.local/);
    // TCP and TLS are transports of ours now (issue 10), SCTP is not; a transport=tcp hop looks up
    // _sip._tcp only, never the UDP servers.
    await expect(st.resolve({ host: 'test.local', transport: 'sctp' })).rejects.toThrow(/transport=sctp is not supported/);
    await expect(st.resolve({ host: 'test.local', transport: 'tcp' })).rejects.toThrow(/cannot resolve test\.local: no address records/);
  });

  it('a real 503 reaches the failover logic as the server sent it (Retry-After kept), not as the package\'s made-up 503', async () => {
    const busy = await peer((req) => responseTo(req, 503, 'Down For Maintenance', ['Retry-After: 120']));
    const dns = await dnsServer({});
    const st = await stack(dns.server);
    st.setHandlers({ request: () => {}, trace: () => {}, warning: () => {} });
    const request: SipRequest = {
      method: 'OPTIONS',
      uri: `sip:127.0.0.1:${busy.port}`,
      headers: {
        via: [],
        to: { uri: `sip:127.0.0.1:${busy.port}`, params: {} },
        from: { uri: 'sip:probe@127.0.0.1', params: { tag: 'probe1' } },
        'call-id': 'dns-503-probe',
        cseq: { seq: 1, method: 'OPTIONS' },
        'max-forwards': 70,
      },
    };
    const got = await new Promise<{ status: number; reason: string; retryAfter: unknown; synthetic: boolean }>((resolve) => {
      st.sendRequest(request, { address: '127.0.0.1', port: busy.port }, (res, info) => {
        if (res.status >= 200) resolve({ status: res.status, reason: res.reason, retryAfter: res.headers['retry-after'], synthetic: info.synthetic });
      });
    });
    expect(got).toEqual({ status: 503, reason: 'Down For Maintenance', retryAfter: '120', synthetic: false });
  });

  it('a DNS server that never answers: the lookup fails with a reason in bounded time instead of hanging', async () => {
    const silent = await peer(() => null);
    const st = await stack(`127.0.0.1:${silent.port}`);
    await expect(st.resolve({ host: 'test.local' })).rejects.toThrow(/cannot resolve test\.local: .*timeout/i);
    expect(silent.received.length).toBeGreaterThan(0);
  });
});
