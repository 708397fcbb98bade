// The NatProber on real sockets: binds a probe socket where the media would (a free even port of the RTP
// range) or on a given port, and runs the STUN mapping tests of nat/nat-check.node.ts from it.
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { runNatCheck } from '../nat/nat-check.node';
import type { NatProbeRequest, NatProbeResult } from './nat-check-report';

const BIND_ATTEMPTS = 64;

function bindOnce(address: string, port: number): Promise<Socket | null> {
  return new Promise((resolve) => {
    const socket = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
    socket.once('error', () => {
      socket.close();
      resolve(null);
    });
    socket.bind(port, address, () => {
      socket.removeAllListeners('error');
      // A stray error after binding (e.g. ICMP port unreachable on some systems) must not crash the process.
      socket.on('error', () => {});
      resolve(socket);
    });
  });
}

/** A socket on a free even port in [min, max - 1], from a random start (like the RTP socket pair, RFC 3550 §11). */
async function bindInRange(address: string, min: number, max: number): Promise<Socket> {
  const lo = min % 2 === 0 ? min : min + 1;
  const pairs = Math.floor((max - 1 - lo) / 2) + 1;
  if (pairs < 1) throw new Error(`RTP port range ${min}-${max} holds no even port`);
  const start = Math.floor(Math.random() * pairs);
  for (let i = 0; i < Math.min(pairs, BIND_ATTEMPTS); i++) {
    const socket = await bindOnce(address, lo + ((start + i) % pairs) * 2);
    if (socket) return socket;
  }
  throw new Error(`no free port in the RTP range ${min}-${max} on ${address}`);
}

export async function probeNat(request: NatProbeRequest): Promise<NatProbeResult> {
  const { ports } = request;
  const socket =
    'exact' in ports
      ? await bindOnce(request.bindAddress, ports.exact).then((s) => {
          if (!s) throw new Error(`UDP port ${ports.exact} on ${request.bindAddress} is busy`);
          return s;
        })
      : await bindInRange(request.bindAddress, ports.min, ports.max);
  try {
    return await runNatCheck({ stun: request.stun, ...(request.secondary ? { secondary: request.secondary } : {}), socket });
  } finally {
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
