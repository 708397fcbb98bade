// Runs Debian's coturn (STUN + TURN, long-term credentials) on loopback for NAT-traversal tests.
import { spawn } from 'node:child_process';
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

export async function startCoturn(opts: { users?: Record<string, string>; realm?: string; startTimeoutMs?: number } = {}): Promise<CoturnServer> {
  const address = '127.0.0.1';
  const users = opts.users ?? { alice: 'alicepw', bob: 'bobpw' };
  const realm = opts.realm ?? 'bench';
  const port = await freePort({ span: 2 });
  const relay = await freePortRange(40);
  const dir = mkdtempSync(join(tmpdir(), 'coturn-'));
  const logPath = join(dir, 'turn.log');
  const args = [
    '-n',
    `--listening-ip=${address}`,
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
  const child = spawn('turnserver', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '') + stderr;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 10_000);
  while (!(await probe(address, port, 300))) {
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
