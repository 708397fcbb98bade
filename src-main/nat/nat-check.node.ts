// Network diagnostics (issue 4): the public mapping of a local UDP port (e.g. the SIP port) and the NAT's
// mapping behaviour, from RFC 5780 binding tests against a STUN server, sent from one real socket.

import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP, isIPv6 } from 'node:net';
import { discoverMapping, type MappingReport } from './nat-behavior';
import { systemClock } from './nat-clock';
import { StunBindingClient, type BindingResult } from './stun-binding-client';
import type { RetransmitPolicy } from './stun-transaction';
import type { TransportAddress } from './transport-address';

export interface StunServerAddress {
  host: string;
  port: number;
}

export interface NatCheckOptions {
  stun: StunServerAddress;
  /** A second server for when the first gives no OTHER-ADDRESS (no RFC 5780 support). */
  secondary?: StunServerAddress;
  /** Probe from this bound socket (its other listeners keep working); otherwise one is bound here. */
  socket?: Socket;
  bindAddress?: string;
  /** Local port to probe (the SIP port, to learn its mapping); 0 = any. */
  port?: number;
  /** Retransmissions per request; default 4 sends over 3.5 s, then 2 s more (5.5 s per dead request). */
  policy?: RetransmitPolicy;
}

export interface NatCheckReport extends MappingReport {
  /** The local address and port the requests were sent from. */
  local: TransportAddress;
  server: TransportAddress;
  results: BindingResult[];
}

const CHECK_POLICY: RetransmitPolicy = { rto: 500, rc: 4, rm: 4 };

async function resolve(s: StunServerAddress, family: 4 | 6): Promise<TransportAddress> {
  if (isIP(s.host)) return { address: s.host, port: s.port };
  return { address: (await lookup(s.host, { family })).address, port: s.port };
}

function bind(address: string, port: number): Promise<Socket> {
  return new Promise((resolvePromise, reject) => {
    const socket = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      resolvePromise(socket);
    });
  });
}

/** The local address the kernel would send from towards `server` (a connected UDP socket sends nothing). */
function sourceAddressTowards(server: TransportAddress): Promise<string | null> {
  return new Promise((resolvePromise) => {
    const probe = createSocket(isIPv6(server.address) ? 'udp6' : 'udp4');
    probe.on('error', () => {
      probe.close();
      resolvePromise(null);
    });
    probe.connect(server.port, server.address, () => {
      const { address } = probe.address();
      probe.close();
      resolvePromise(address);
    });
  });
}

/** Runs RFC 5780 §4.3 Tests I-III from one socket and classifies the mapping (see nat-behavior.ts). */
export async function runNatCheck(opts: NatCheckOptions): Promise<NatCheckReport> {
  const own = opts.socket ? null : await bind(opts.bindAddress ?? '0.0.0.0', opts.port ?? 0);
  const socket = (opts.socket ?? own) as Socket;
  try {
    const bound = socket.address();
    const family = bound.family === 'IPv6' ? 6 : 4;
    const server = await resolve(opts.stun, family);
    const secondary = opts.secondary ? await resolve(opts.secondary, family) : undefined;
    const wildcard = bound.address === '0.0.0.0' || bound.address === '::';
    const localIp = wildcard ? await sourceAddressTowards(server) : bound.address;
    const local = { address: localIp ?? bound.address, port: bound.port };
    const client = new StunBindingClient({
      clock: systemClock,
      software: 'softphone nat-check',
      policy: opts.policy ?? CHECK_POLICY,
      send: (data, to) => socket.send(data, to.port, to.address),
    });
    const onMessage = (data: Buffer, r: RemoteInfo) => {
      client.handleDatagram(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), { address: r.address, port: r.port });
    };
    socket.on('message', onMessage);
    try {
      const report = await discoverMapping((s) => client.request(s), server, localIp ? local : null, secondary);
      return { ...report, local, server };
    } finally {
      socket.off('message', onMessage);
      client.close();
    }
  } finally {
    if (own) await new Promise<void>((r) => own.close(() => r()));
  }
}
