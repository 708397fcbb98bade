// Runs the project's Kamailio config (registrar + proxy with digest auth) on a free loopback port
// (UDP; with `tcp` TCP too, with `tls` TLS on a second port).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freeUdpPort } from './free-port';
import { buildRequest, waitForSipServer } from './sip-probe';

export const KAMAILIO_TEMPLATE = resolve(__dirname, '../fixtures/kamailio/kamailio.cfg');

/** The users the template ships with (see the "users" table in kamailio.cfg). */
export const DEFAULT_USERS: Readonly<Record<string, string>> = { alice: 'alicepw', bob: 'bobpw', carol: 'carolpw' };

export interface KamailioOptions {
  /** username -> password; default DEFAULT_USERS. */
  users?: Record<string, string>;
  address?: string;
  port?: number;
  /** Milliseconds to wait until it answers OPTIONS (default 10 s). */
  startTimeoutMs?: number;
  /** Run inside this network namespace (`ip netns exec`); the readiness probe runs there too. Port default 5060. */
  netns?: string;
  /** Listen on TCP too (same port as UDP). */
  tcp?: boolean;
  /** Listen on TLS (and TCP) with this certificate and key (PEM files); needs kamailio-tls-modules. */
  tls?: { certFile: string; keyFile: string };
}

export interface KamailioServer {
  address: string;
  port: number;
  /** "127.0.0.1:PORT": what phones use as domain (and digest realm). */
  domain: string;
  /** The TLS port, when started with `tls`. */
  tlsPort?: number;
  users: Record<string, string>;
  dir: string;
  logPath: string;
  /** The server's stderr so far (print it when a test fails). */
  log(): string;
  stop(): Promise<void>;
}

/** Fills the template: the users block is replaced; address and port go in as -A defines. */
export function renderKamailioConfig(template: string, users: Record<string, string>): string {
  const begin = template.indexOf('# users:begin');
  const end = template.indexOf('# users:end');
  if (begin < 0 || end < begin) throw new Error('kamailio.cfg: users:begin/users:end markers missing');
  for (const [name, pw] of Object.entries(users)) {
    // Both go inside a Kamailio string literal / htable key: keep them to safe characters.
    if (!/^[A-Za-z0-9._-]+$/.test(name) || !/^[A-Za-z0-9._!@#%^*+=-]*$/.test(pw)) {
      throw new Error(`kamailio: unsupported characters in user ${name}`);
    }
  }
  const lines = Object.entries(users).map(([name, pw]) => `\t$sht(users=>${name}) = "${pw}";`);
  return `${template.slice(0, begin)}# users:begin\n${lines.join('\n')}\n\t${template.slice(end)}`;
}

export async function startKamailio(opts: KamailioOptions = {}): Promise<KamailioServer> {
  const users = { ...(opts.users ?? DEFAULT_USERS) };
  const address = opts.address ?? '127.0.0.1';
  const port = opts.port ?? (opts.netns ? 5060 : await freeUdpPort(address));
  const dir = mkdtempSync(join(tmpdir(), 'kamailio-'));
  const cfgPath = join(dir, 'kamailio.cfg');
  writeFileSync(cfgPath, renderKamailioConfig(readFileSync(KAMAILIO_TEMPLATE, 'utf8'), users));
  const logPath = join(dir, 'kamailio.log');
  const logFd = openSync(logPath, 'a');
  const pidFile = join(dir, 'kamailio.pid');

  // -DD: stay in the foreground (children are still forked), so killing this pid stops it all.
  // -E: log to stderr (our log file). -Y/-w: runtime and working dir inside the temp dir.
  const args = ['-DD', '-E', '-f', cfgPath, '-A', `SIP_ADDR=${address}`, '-A', `SIP_PORT=${port}`, '-P', pidFile, '-Y', dir, '-w', dir, '-m', '32', '-M', '4'];
  const tlsPort = opts.tls ? await freeUdpPort(address) : undefined;
  if (opts.tcp) args.push('-A', 'WITH_TCP');
  if (opts.tls) {
    for (const f of [opts.tls.certFile, opts.tls.keyFile]) if (/["\\\s]/.test(f)) throw new Error(`kamailio: unsupported characters in ${f}`);
    args.push('-A', 'WITH_TLS', '-A', `TLS_PORT=${String(tlsPort)}`, '-A', `TLS_CERT="${opts.tls.certFile}"`, '-A', `TLS_KEY="${opts.tls.keyFile}"`);
  }
  // `ip netns exec` execs kamailio in place, so the child's pid is still kamailio's.
  const child: ChildProcess = opts.netns
    ? spawn('ip', ['netns', 'exec', opts.netns, 'kamailio', ...args], { stdio: ['ignore', logFd, logFd] })
    : spawn('kamailio', args, { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  let exited = false;
  const exitPromise = new Promise<void>((res) => {
    child.once('exit', () => {
      exited = true;
      res();
    });
  });
  // Kept after stop() removes the temp dir, so a failed test can still print it.
  let finalLog: string | null = null;
  const log = () => finalLog ?? (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');

  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitPromise;
      clearTimeout(timer);
    }
    if (finalLog === null) finalLog = log();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await Promise.race([
      opts.netns
        ? waitForSipServerInNetns(opts.netns, address, port, opts.startTimeoutMs ?? 30_000)
        : waitForSipServer(port, opts.startTimeoutMs ?? 30_000, address),
      exitPromise.then(() => {
        throw new Error('kamailio exited during start-up');
      }),
    ]);
  } catch (err) {
    const text = log();
    await stop();
    throw new Error(`${(err as Error).message}\n--- kamailio log ---\n${text}`);
  }

  return { address, port, domain: `${address}:${port}`, ...(tlsPort !== undefined ? { tlsPort } : {}), users, dir, logPath, log, stop };
}

/** One OPTIONS from inside `netns` (a node one-liner there); true when anything answered. */
function probeInNetns(netns: string, host: string, port: number): Promise<boolean> {
  const script =
    "const s=require('dgram').createSocket('udp4');const t=setTimeout(()=>process.exit(1),300);" +
    "s.on('message',()=>{clearTimeout(t);process.exit(0)});s.send(process.argv[1],+process.argv[3],process.argv[2])";
  const request = buildRequest('OPTIONS', `sip:${host}:${port}`);
  return new Promise((res) => {
    execFile('ip', ['netns', 'exec', netns, process.execPath, '-e', script, request, host, String(port)], { timeout: 5000 }, (err) => res(!err));
  });
}

async function waitForSipServerInNetns(netns: string, host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) if (await probeInNetns(netns, host, port)) return;
  throw new Error(`no SIP answer from ${host}:${port} in netns ${netns} within ${timeoutMs} ms`);
}
