// Finds free local ports for test peers by binding port 0 (UDP and TCP), never by guessing numbers.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

// Ports handed out in this process: the kernel may offer the same port again once we close our probe.
const handedOut = new Set<number>();

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
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = await bindUdp(0, host);
    if (base === null) continue;
    if (opts.even && base % 2 !== 0) continue;
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
