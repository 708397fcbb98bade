// Signalling through a real NAT (issue 4): a "pc" network namespace behind a "router" namespace doing
// iptables MASQUERADE towards a "public" namespace with Kamailio. The phone registers, learns the
// router's address from received/rport and registers that as its Contact; a call from the public side
// reaches it through the NAT; after the router's conntrack table is flushed (the binding is gone), the
// keep-alives open a binding again and the next call still arrives. Root and `ip netns` only.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKamailio, type KamailioServer } from '../support/kamailio';
import { printOnFailure } from '../support/on-failure';
import { skipWithoutRealPeer } from '../support/real-peer-gate';
import type { ChildCommand, ChildConfig } from '../support/sip-ua-child';

const repoRoot = resolve(__dirname, '../..');

function canRun(): string | null {
  if (process.getuid?.() !== 0) return 'not root';
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    execFileSync('iptables', ['--version'], { stdio: 'ignore' });
    execFileSync('kamailio', ['-v'], { stdio: 'ignore' });
    execFileSync('conntrack', ['--version'], { stdio: 'ignore' });
  } catch (err) {
    return `missing tool: ${(err as Error).message}`;
  }
  return null;
}

const why = canRun();
const skip = skipWithoutRealPeer('sip-nat.test.ts (needs root, ip netns, iptables, conntrack and kamailio)', why);

const id = `${process.pid.toString(36)}${randomBytes(2).toString('hex')}`;
const NS = { pc: `sipnat-${id}-pc`, router: `sipnat-${id}-r`, pub: `sipnat-${id}-pub` };
// Private ranges only, and only inside our own namespaces.
const PC_IP = '10.88.1.2';
const ROUTER_LAN = '10.88.1.1';
const ROUTER_WAN = '10.88.2.1';
const PUBLIC_IP = '10.88.2.2';

function sh(...args: string[]): string {
  return execFileSync(args[0] ?? 'true', args.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function buildTopology(): void {
  for (const ns of Object.values(NS)) {
    sh('ip', 'netns', 'add', ns);
    sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
  }
  // veth pairs made from inside the namespaces: the root namespace never sees them, names cannot clash.
  sh('ip', '-n', NS.pc, 'link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'lan', 'netns', NS.router);
  sh('ip', '-n', NS.pub, 'link', 'add', 'wan0', 'type', 'veth', 'peer', 'name', 'wan', 'netns', NS.router);
  const addr = (ns: string, dev: string, ip: string): void => {
    sh('ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', dev);
    sh('ip', '-n', ns, 'link', 'set', dev, 'up');
  };
  addr(NS.pc, 'lan0', PC_IP);
  addr(NS.router, 'lan', ROUTER_LAN);
  addr(NS.router, 'wan', ROUTER_WAN);
  addr(NS.pub, 'wan0', PUBLIC_IP);
  sh('ip', '-n', NS.pc, 'route', 'add', 'default', 'via', ROUTER_LAN);
  // The public side has no route to 10.88.1.0/24: only the NAT connects them.
  sh('ip', 'netns', 'exec', NS.router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  sh('ip', 'netns', 'exec', NS.router, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-s', '10.88.1.0/24', '-o', 'wan', '-j', 'MASQUERADE');
}

function teardown(): void {
  for (const ns of Object.values(NS)) {
    try {
      sh('ip', 'netns', 'del', ns);
    } catch {
      // not created
    }
  }
}

/**
 * The router forgets its NAT bindings (Debian `conntrack`, installed by test/setup-system.sh): the
 * phone's SIP binding by name first, so the count proves it existed, then the whole table (-F).
 * Returns how many entries the first step deleted.
 */
function flushConntrack(port: number): number {
  const conntrack = (...args: string[]): string => {
    const r = spawnSync('ip', ['netns', 'exec', NS.router, 'conntrack', ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`conntrack ${args.join(' ')}: ${r.stderr}`);
    return `${r.stdout}${r.stderr}`;
  };
  // "conntrack v1.4.7 (conntrack-tools): 1 flow entries have been deleted."
  const deleted = /(\d+) flow entries have been deleted/.exec(conntrack('-D', '-p', 'udp', '--orig-src', PC_IP, '--sport', String(port)));
  conntrack('-F');
  return Number(deleted?.[1] ?? 0);
}

function conntrackUdp(): string {
  try {
    return sh('ip', 'netns', 'exec', NS.router, 'conntrack', '-L', '-p', 'udp', '-o', 'id');
  } catch (err) {
    return String((err as { stdout?: string }).stdout ?? '');
  }
}

/** The conntrack id of the router's binding for the phone's SIP port, if there is one. */
function bindingId(port: number): string | undefined {
  const line = conntrackUdp()
    .split('\n')
    .find((l) => l.includes(`src=${PC_IP}`) && l.includes(`sport=${port} dport=5060`));
  return line ? /id=(\d+)/.exec(line)?.[1] : undefined;
}

interface ChildEvent {
  event: string;
  time: number;
  [k: string]: unknown;
}

class UaChild {
  readonly events: ChildEvent[] = [];
  private readonly proc: ChildProcess;
  private out = '';
  private err = '';
  private readonly waiters = new Set<() => void>();
  readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    script: string,
    netns: string,
    config: ChildConfig,
  ) {
    this.proc = spawn('ip', ['netns', 'exec', netns, process.execPath, script, JSON.stringify(config)], {
      cwd: repoRoot,
      env: { ...process.env, NODE_PATH: join(repoRoot, 'node_modules') },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.proc.stdout?.setEncoding('utf8').on('data', (d: string) => this.onData(d));
    this.proc.stderr?.setEncoding('utf8').on('data', (d: string) => (this.err = (this.err + d).slice(-20_000)));
    this.exited = new Promise((r) => this.proc.once('exit', () => r()));
  }

  private onData(d: string): void {
    this.out += d;
    let nl: number;
    while ((nl = this.out.indexOf('\n')) >= 0) {
      const line = this.out.slice(0, nl);
      this.out = this.out.slice(nl + 1);
      try {
        this.events.push(JSON.parse(line) as ChildEvent);
      } catch {
        this.err += `stray stdout: ${line}\n`;
      }
    }
    for (const w of this.waiters) w();
  }

  send(c: ChildCommand): void {
    this.proc.stdin?.write(`${JSON.stringify(c)}\n`);
  }

  /** The first event (at or after index `from`) matching; rejects after `ms`. */
  waitFor(match: (e: ChildEvent) => boolean, ms: number, from = 0): Promise<ChildEvent> {
    return new Promise((res, rej) => {
      const check = (): boolean => {
        const e = this.events.slice(from).find(match);
        if (!e) return false;
        this.waiters.delete(wake);
        clearTimeout(timer);
        res(e);
        return true;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        rej(new Error(`${this.name}: expected event not seen within ${ms} ms`));
      }, ms);
      this.waiters.add(wake);
      check();
    });
  }

  async stop(): Promise<void> {
    this.send({ cmd: 'quit' });
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(t);
  }

  describe(): string {
    const lines = this.events.map((e) => (e.event === 'trace' ? `trace ${String(e['direction'])} ${String(e['summary'])} ${String(e['remote'])}` : JSON.stringify(e)));
    return `--- ${this.name} ---\n${lines.slice(-120).join('\n')}\n--- ${this.name} stderr ---\n${this.err.slice(-4000)}`;
  }
}

const traceIn = (summary: string) => (e: ChildEvent) => e.event === 'trace' && e['direction'] === 'in' && String(e['summary']) === summary;
const traceOut = (summary: string) => (e: ChildEvent) => e.event === 'trace' && e['direction'] === 'out' && String(e['summary']) === summary;
const raw = (e: ChildEvent): string => String(e['raw'] ?? '');

describe.skipIf(skip)('SIP through a real NAT (ip netns + MASQUERADE + Kamailio)', () => {
  let dir = '';
  let script = '';
  let kamailio: KamailioServer | undefined;
  const children: UaChild[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sip-nat-'));
    script = join(dir, 'sip-ua-child.cjs');
    await build({ absWorkingDir: repoRoot, entryPoints: ['test/support/sip-ua-child.ts'], outfile: script, bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['sip', 'naudiodon'], logLevel: 'warning' });
    teardown();
    buildTopology();
    kamailio = await startKamailio({ netns: NS.pub, address: PUBLIC_IP, port: 5060 });
  });

  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop().catch(() => undefined)));
    await kamailio?.stop().catch(() => undefined);
    teardown();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function startUa(name: string, netns: string, user: string, bindAddress: string): UaChild {
    const account = {
      accountName: user,
      userId: user,
      domain: `${PUBLIC_IP}:5060`,
      password: kamailio?.users[user] ?? '',
      displayName: '',
      authorizationName: '',
      registerWithDomain: true,
      sendOutboundVia: 'domain' as const,
      proxyAddress: '',
      dialPlan: '',
      registerExpires: 600,
    };
    const c = new UaChild(name, script, netns, { account, bindAddress, port: 0, register: true, keepAlive: { method: 'options', intervalSeconds: 2 } });
    children.push(c);
    return c;
  }

  /** bob (public side) calls alice; resolves with alice's INVITE text and bob's final status. */
  async function callAlice(alice: UaChild, bob: UaChild): Promise<{ invite: string; status: unknown }> {
    const aFrom = alice.events.length;
    const bFrom = bob.events.length;
    bob.send({ cmd: 'call', target: 'alice' });
    await alice.waitFor((e) => e.event === 'incoming', 15_000, aFrom);
    const invite = await alice.waitFor(traceIn('INVITE'), 1000, aFrom);
    alice.send({ cmd: 'reject', status: 486 });
    const ended = await bob.waitFor((e) => e.event === 'call-ended', 10_000, bFrom);
    return { invite: raw(invite), status: ended['status'] };
  }

  it('registers the public address through the NAT, receives calls, and survives a conntrack flush', async () => {
    const alice = startUa('alice', NS.pc, 'alice', '0.0.0.0');
    const bob = startUa('bob', NS.pub, 'bob', PUBLIC_IP);
    printOnFailure(alice, bob, () => `--- conntrack ---\n${conntrackUdp()}`, () => `--- kamailio ---\n${kamailio?.log().slice(-6000) ?? ''}`);

    const started = await alice.waitFor((e) => e.event === 'started', 10_000);
    const port = Number(started['port']);
    const reg = await alice.waitFor((e) => e.event === 'registration' && e['state'] === 'registered', 15_000);
    await bob.waitFor((e) => e.event === 'registration' && e['state'] === 'registered', 15_000);

    // The registrar saw the router's address; the registered Contact is that address (MASQUERADE kept the port).
    expect(reg['publicAddress']).toEqual({ address: ROUTER_WAN, port });
    expect(reg['contact']).toBe(`sip:alice@${ROUTER_WAN}:${port}`);
    const pub = await alice.waitFor((e) => e.event === 'publicAddress', 1000);
    expect(pub).toMatchObject({ address: ROUTER_WAN, port, local: { address: PC_IP, port }, behindNat: true });
    const ok = alice.events.filter(traceIn('200 OK')).map(raw).find((r) => /CSeq:\s*\d+ REGISTER/i.test(r));
    expect(ok).toMatch(new RegExp(`^Via: .*received=${ROUTER_WAN.replace(/\./g, '\\.')}`, 'm'));
    expect(ok).toMatch(new RegExp(`^Via: .*rport=${port}`, 'm'));
    const registers = alice.events.filter(traceOut('REGISTER')).map(raw);
    // First REGISTER with the private Contact, then (from the 401 on) the public one.
    expect(registers[0]).toMatch(new RegExp(`^Contact:\\s*<sip:alice@${PC_IP.replace(/\./g, '\\.')}:${port}>`, 'm'));
    expect(registers.at(-1)).toMatch(new RegExp(`^Contact:\\s*<sip:alice@${ROUTER_WAN.replace(/\./g, '\\.')}:${port}>`, 'm'));
    expect(ok).toMatch(new RegExp(`^Contact:\\s*<sip:alice@${ROUTER_WAN.replace(/\./g, '\\.')}:${port}>`, 'm'));

    // A call from the public side arrives through the NAT, addressed to the Contact we registered.
    const first = await callAlice(alice, bob);
    expect(first.invite).toMatch(new RegExp(`^INVITE sip:alice@${ROUTER_WAN.replace(/\./g, '\\.')}:${port} SIP/2\\.0`));
    expect(first.status).toBe(486);

    // Keep-alives: OPTIONS to the registrar every 2 s, answered through the NAT.
    await alice.waitFor(traceIn('200 OK'), 5000, alice.events.findIndex(traceOut('OPTIONS')) + 1);

    // The router forgets every binding. The next keep-alive opens one again (same port when free).
    expect(bindingId(port)).toMatch(/^\d+$/);
    expect(flushConntrack(port)).toBe(1);
    // The binding is back, opened from inside by the keep-alive. A keep-alive answered through the NAT
    // proves a binding; but one sent while the flush ran (this process sat in spawnSync, so its trace is
    // read only now) may have had its binding flushed after its answer passed: look after each answer,
    // for up to three keep-alive rounds.
    let rebound: string | undefined;
    for (let round = 0; round < 3 && rebound === undefined; round++) {
      const mark = alice.events.length;
      await alice.waitFor(traceOut('OPTIONS'), 5000, mark);
      await alice.waitFor((e) => traceIn('200 OK')(e) && /CSeq:\s*\d+ OPTIONS/i.test(raw(e)), 5000, mark);
      rebound = bindingId(port);
    }
    expect(rebound).toMatch(/^\d+$/);

    const second = await callAlice(alice, bob);
    expect(second.status).toBe(486);
    const last = alice.events.filter((e) => e.event === 'registration').at(-1);
    expect(last?.['state']).toBe('registered');
    // No "server cannot reach us" warning: requests did reach us.
    expect(alice.events.filter((e) => e.event === 'warning' && e['code'] === 'nat-unreachable')).toEqual([]);
  });
});
