// Finds free local ports for test peers: probed by binding (UDP and TCP), from a slice of the ports below
// the kernel's ephemeral range that belongs to this test worker.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

// Ports handed out in this process: never handed out twice, even once the peer has closed them.
const handedOut = new Set<number>();

/**
 * Why not the kernel's port 0: a port probed free and handed to a peer is unbound until the peer binds
 * it, and in that gap any process binding port 0 (another worker's softphone, SIPp, a STUN probe) can be
 * given the same ephemeral port; CI stop 20 failed on baresip's "Address already in use". Ports below
 * the ephemeral range are never given out by the kernel, and each vitest worker (VITEST_POOL_ID) walks
 * its own slice of them, so two workers do not race for one port either. 20100 keeps clear of the app's
 * default RTP range (10000-20000).
 */
const SLICES = 4;
const LOW = 20_100;
function ephemeralLow(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > LOW ? first : 32_768;
  } catch {
    return 32_768;
  }
}
const HIGH = ephemeralLow();
const SLICE_SIZE = Math.floor((HIGH - LOW) / SLICES);
const poolId = Number(process.env['VITEST_POOL_ID'] ?? process.pid);
const SLICE_START = LOW + (Number.isFinite(poolId) ? poolId % SLICES : 0) * SLICE_SIZE;
const SLICE_END = SLICE_START + SLICE_SIZE;
// A random start: consecutive files in one worker (fresh module state each) should not reuse the ports
// the previous file's peers may still be letting go of.
let cursor = SLICE_START + Math.floor(Math.random() * SLICE_SIZE);

function bindUdp(port: number, host: string): Promise<number | null> {
  return new Promise((resolve) => {
    const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    s.once('error', () => {
      s.close();
      resolve(null);
    });
    s.bind(port, host, () => {
      const bound = s.address().port;
      s.close(() => resolve(bound));
    });
  });
}

function bindTcp(port: number, host: string): Promise<number | null> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(null));
    srv.listen(port, host, () => {
      const addr = srv.address();
      const bound = typeof addr === 'object' && addr ? addr.port : null;
      srv.close(() => resolve(bound));
    });
  });
}

async function isFree(port: number, host: string): Promise<boolean> {
  if (port > 65535 || handedOut.has(port)) return false;
  return (await bindUdp(port, host)) !== null && (await bindTcp(port, host)) !== null;
}

/**
 * A port free on both UDP and TCP, with the `span - 1` ports above it free too (baresip binds
 * sip_listen and the one above; RTP wants an even port and RTCP on the next).
 */
export async function freePort(opts: { span?: number; even?: boolean; host?: string } = {}): Promise<number> {
  const span = opts.span ?? 1;
  const host = opts.host ?? '127.0.0.1';
  for (let attempt = 0; attempt < SLICE_SIZE; attempt++) {
    if (opts.even && cursor % 2 !== 0) cursor++;
    if (cursor + span > SLICE_END) cursor = SLICE_START + (opts.even && SLICE_START % 2 !== 0 ? 1 : 0);
    const base = cursor;
    cursor += span;
    let ok = true;
    for (let p = base; p < base + span && ok; p++) ok = await isFree(p, host);
    if (!ok) continue;
    for (let p = base; p < base + span; p++) handedOut.add(p);
    return base;
  }
  throw new Error('freePort: no free port found');
}

/** A free UDP+TCP port (e.g. a SIP listen port). */
export function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  return freePort({ host });
}

/** `count` consecutive free ports starting at an even one (e.g. an RTP range for one process). */
export async function freePortRange(count: number, host = '127.0.0.1'): Promise<{ min: number; max: number }> {
  const min = await freePort({ span: count, even: true, host });
  return { min, max: min + count - 1 };
}
