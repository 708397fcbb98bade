// Runs dnsmasq (Debian dnsmasq-base) as an authoritative-enough DNS server on a free loopback port,
// serving the NAPTR, SRV and A records a test gives it: the real DNS server of the RFC 3263 tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promises as dns } from 'node:dns';
import { freePort } from './free-port';

export interface DnsRecords {
  /** name, order, preference, flags, service, regexp, replacement (dnsmasq --naptr-record). */
  naptr?: Array<{ name: string; order: number; preference: number; flags: string; service: string; regexp?: string; replacement: string }>;
  /** _service._proto.name -> target:port with priority and weight (dnsmasq --srv-host). */
  srv?: Array<{ name: string; target: string; port: number; priority: number; weight: number }>;
  /** name -> IPv4 address (dnsmasq --host-record). */
  a?: Array<{ name: string; address: string }>;
  /** Domains answered only from these records (NXDOMAIN otherwise, never forwarded): dnsmasq --local. */
  localDomains?: string[];
  /** TTL (s) of the answers from these records (dnsmasq --local-ttl; dnsmasq's default is 0). */
  localTtl?: number;
}

export interface DnsmasqServer {
  address: string;
  port: number;
  /** "127.0.0.1:PORT", as --dns-server takes it. */
  server: string;
  /** dnsmasq's own log so far (with --log-queries: every question it was asked). */
  log(): string;
  stop(): Promise<void>;
}

/** Why dnsmasq cannot run here, or null (for real-peer-gate.ts). */
export function dnsmasqMissing(): string | null {
  const r = spawnSync('dnsmasq', ['--version'], { encoding: 'utf8' });
  return r.error || r.status !== 0 ? 'dnsmasq is not installed (Debian package dnsmasq-base)' : null;
}

export async function startDnsmasq(records: DnsRecords): Promise<DnsmasqServer> {
  const address = '127.0.0.1';
  const port = await freePort({ host: address });
  const args = [
    '--no-daemon',
    '--conf-file=/dev/null',
    `--port=${port}`,
    `--listen-address=${address}`,
    '--bind-interfaces',
    '--no-resolv',
    '--no-hosts',
    '--no-poll',
    '--log-queries',
    '--log-facility=-',
    ...(records.localDomains ?? []).map((d) => `--local=/${d}/`),
    ...(records.localTtl !== undefined ? [`--local-ttl=${records.localTtl}`] : []),
    ...(records.naptr ?? []).map((r) => `--naptr-record=${r.name},${r.order},${r.preference},${r.flags},${r.service},${r.regexp ?? ''},${r.replacement}`),
    ...(records.srv ?? []).map((r) => `--srv-host=${r.name},${r.target},${r.port},${r.priority},${r.weight}`),
    ...(records.a ?? []).map((r) => `--host-record=${r.name},${r.address}`),
  ];
  const child: ChildProcess = spawn('dnsmasq', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (c: string) => (text = (text + c).slice(-200_000)));
  child.stderr?.on('data', (c: string) => (text = (text + c).slice(-200_000)));
  let exited = false;
  const exit = new Promise<void>((res) => child.once('exit', () => {
    exited = true;
    res();
  }));
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      await exit;
    }
  };
  // Ready when it answers a question (any answer, NXDOMAIN included); bounded so a broken start fails.
  const resolver = new dns.Resolver({ timeout: 500, tries: 1 });
  resolver.setServers([`${address}:${port}`]);
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exited) throw new Error(`dnsmasq exited during start-up:\n${text}`);
    try {
      await resolver.resolve4('ready.invalid');
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'EREFUSED') break;
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`dnsmasq did not answer on ${address}:${port}: ${code ?? String(err)}\n${text}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { address, port, server: `${address}:${port}`, log: () => text, stop };
}
