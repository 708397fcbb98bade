// Sets up STUN/TURN/ICE for one media session in the media thread: resolves the configured servers, lists
// this host's addresses (the host candidates) and gathers on the session's RTP/RTCP socket pair.

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { IceMediaTransport, type GatherResult, type HostAddress } from '../nat/ice-media-transport';
import { systemClock } from '../nat/nat-clock';
import type { TransportAddress } from '../nat/transport-address';
import type { MediaNatOptions, NatServer } from './media-session';
import type { RtpSocketPair } from './rtp-socket.node';

export interface MediaNatSetup {
  transport: IceMediaTransport;
  /** Gathers (the caller routes the sockets' datagrams to `transport` first); TURN failures land in problems. */
  gather(): Promise<GatherResult>;
  /** Servers that could not be resolved, TURN failures: for the user, not fatal to the call. */
  problems: string[];
}

type Log = (level: 'debug' | 'info' | 'warn', msg: string, data?: Record<string, unknown>) => void;

/**
 * The addresses the sockets are reachable at: the bind address itself, or for a wildcard bind every
 * interface it covers (loopback only when there is nothing else, e.g. a test box without a network):
 * 0.0.0.0 the IPv4 ones, :: both families (a udp6 socket on :: is dual stack, rtp-socket.node.ts).
 */
export function hostAddresses(bindAddress: string): HostAddress[] {
  const wildcard = bindAddress === '0.0.0.0' || bindAddress === '::';
  if (!wildcard) return [{ address: bindAddress }];
  const families = bindAddress === '::' ? ['IPv6', 'IPv4'] : ['IPv4'];
  const found: HostAddress[] = [];
  const loopback: HostAddress[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (!families.includes(a.family)) continue;
      // IPv6 link-local addresses need a zone id to be reached: not usable as candidates in SDP.
      if (a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80')) continue;
      const prefixLength = Number(a.cidr?.split('/')[1]);
      const h: HostAddress = Number.isInteger(prefixLength) ? { address: a.address, prefixLength } : { address: a.address };
      (a.internal ? loopback : found).push(h);
    }
  }
  return found.length > 0 ? found : loopback;
}

/** family 0 (a dual-stack socket): whichever address the resolver gives first. */
async function resolve(server: NatServer, family: 0 | 4 | 6): Promise<TransportAddress> {
  if (isIP(server.host)) return { address: server.host, port: server.port };
  const r = await lookup(server.host, { family });
  return { address: r.address, port: server.port };
}

/** Resolves the servers and prepares gathering; TURN is used with ICE only (a relay needs ICE to be found). */
export async function setUpMediaNat(nat: MediaNatOptions, sockets: RtpSocketPair, log: Log): Promise<MediaNatSetup> {
  const family = sockets.address === '::' ? 0 : sockets.address.includes(':') ? 6 : 4;
  const problems: string[] = [];
  let stun: TransportAddress | undefined;
  let turn: { server: TransportAddress; username: string; password: string } | undefined;
  if (nat.stun) {
    try {
      stun = await resolve(nat.stun, family);
    } catch (err) {
      problems.push(`STUN server ${nat.stun.host}: ${(err as Error).message}`);
    }
  }
  if (nat.turn && nat.ice) {
    try {
      turn = { server: await resolve(nat.turn, family), username: nat.turn.username, password: nat.turn.password };
    } catch (err) {
      problems.push(`TURN server ${nat.turn.host}: ${(err as Error).message}`);
    }
  }
  const transport = new IceMediaTransport({
    clock: systemClock,
    sockets: [
      { port: sockets.rtpPort, send: (data, to) => sockets.sendRtp(data, data.length, to.port, to.address) },
      { port: sockets.rtcpPort, send: (data, to) => sockets.sendRtcp(data, data.length, to.port, to.address) },
    ],
    hosts: hostAddresses(sockets.address),
    ...(stun ? { stun } : {}),
    ...(turn ? { turn } : {}),
    software: 'softphone',
    log,
  });
  const gather = async (): Promise<GatherResult> => {
    const off = transport.on('problem', ({ message }) => problems.push(message));
    const gathered = await transport.gather();
    off();
    log('debug', 'candidates gathered', { candidates: gathered.candidates.map((c) => `${c.component} ${c.type} ${c.address}:${c.port}`) });
    return gathered;
  };
  return { transport, gather, problems };
}
