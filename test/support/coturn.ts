// Runs Debian's coturn (STUN + TURN, long-term credentials) on loopback for NAT-traversal tests.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSocket } from 'node:dgram';
import { freePort, freePortRange } from './free-port';

export interface CoturnServer {
  address: string;
  port: number;
  realm: string;
  users: Record<string, string>;
  /** Relay ports handed out by the server. */
  relayMin: number;
  relayMax: number;
  log(): string;
  stop(): Promise<void>;
}

/** A STUN Binding request (RFC 8489 §6) by hand, to wait until the server answers. */
function probe(address: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const req = Buffer.alloc(20);
    req.writeUInt16BE(0x0001, 0);
    req.writeUInt32BE(0x2112a442, 4);
    for (let i = 8; i < 20; i++) req[i] = (Math.random() * 256) | 0;
    const timer = setTimeout(() => {
      s.close();
      resolve(false);
    }, timeoutMs);
    s.on('message', (m) => {
      if (m.length >= 20 && m.readUInt16BE(0) === 0x0101) {
        clearTimeout(timer);
        s.close();
        resolve(true);
      }
    });
    s.send(req, port, address);
  });
}

/** The same Binding probe from inside a network namespace (a node one-liner run there). */
function probeInNetns(netns: string, address: string, port: number): Promise<boolean> {
  const script =
    "const s=require('dgram').createSocket('udp4');const r=Buffer.alloc(20);r.writeUInt16BE(1,0);r.writeUInt32BE(0x2112a442,4);" +
    "for(let i=8;i<20;i++)r[i]=Math.random()*256|0;const t=setTimeout(()=>process.exit(1),300);" +
    "s.on('message',(m)=>{if(m.length>=20&&m.readUInt16BE(0)===0x0101){clearTimeout(t);process.exit(0)}});s.send(r,+process.argv[2],process.argv[1])";
  return new Promise((res) => {
    execFile('ip', ['netns', 'exec', netns, process.execPath, '-e', script, address, String(port)], { timeout: 5000 }, (err) => res(!err));
  });
}

export interface CoturnOptions {
  users?: Record<string, string>;
  realm?: string;
  startTimeoutMs?: number;
  /** Run inside this network namespace (`ip netns exec`); then port 3478 and relay ports 49152-65535 by default. */
  netns?: string;
  /** Listening and relay address (default 127.0.0.1). */
  address?: string;
  /** A second listening address: coturn then answers RFC 5780 behaviour tests (OTHER-ADDRESS, port + 1). */
  altAddress?: string;
  port?: number;
}

export async function startCoturn(opts: CoturnOptions = {}): Promise<CoturnServer> {
  const address = opts.address ?? '127.0.0.1';
  const users = opts.users ?? { alice: 'alicepw', bob: 'bobpw' };
  const realm = opts.realm ?? 'bench';
  const port = opts.port ?? (opts.netns ? 3478 : await freePort({ span: 2 }));
  const relay = opts.netns ? { min: 49152, max: 65535 } : await freePortRange(40);
  const dir = mkdtempSync(join(tmpdir(), 'coturn-'));
  const logPath = join(dir, 'turn.log');
  const args = [
    '-n',
    `--listening-ip=${address}`,
    ...(opts.altAddress ? [`--listening-ip=${opts.altAddress}`] : []),
    `--listening-port=${port}`,
    `--relay-ip=${address}`,
    `--min-port=${relay.min}`,
    `--max-port=${relay.max}`,
    '--lt-cred-mech',
    `--realm=${realm}`,
    ...Object.entries(users).map(([u, p]) => `--user=${u}:${p}`),
    '--no-tls',
    '--no-dtls',
    '--no-cli',
    // Peers on loopback are refused by default (a relay to 127.0.0.1 would reach the server's own host).
    '--allow-loopback-peers',
    `--pidfile=${join(dir, 'turn.pid')}`,
    `--userdb=${join(dir, 'turndb')}`,
    `--log-file=${logPath}`,
    '--simple-log',
    '--no-stdout-log',
  ];
  const child = opts.netns
    ? spawn('ip', ['netns', 'exec', opts.netns, 'turnserver', ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn('turnserver', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '') + stderr;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  const ready = () => (opts.netns ? probeInNetns(opts.netns, address, port) : probe(address, port, 300));
  while (!(await ready())) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`coturn did not start on ${address}:${port}:\n${log()}`);
    }
  }
  return {
    address,
    port,
    realm,
    users,
    relayMin: relay.min,
    relayMax: relay.max,
    log,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
