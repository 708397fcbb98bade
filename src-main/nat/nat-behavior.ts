// NAT mapping-behaviour classification (RFC 5780 §4.3, terms from RFC 4787 §4.1) from Binding results sent
// from one local socket to different server addresses/ports, for the network diagnostics view.

import type { BindingResult } from './stun-binding-client';
import { canonicalIp, sameAddress, type TransportAddress } from './transport-address';

export type MappingBehavior =
  /** The mapped address is the local address: no NAT on the path. */
  | 'no-nat'
  /** Same mapping whatever the destination: direct media through ICE/STUN works (RFC 4787 REQ-1). */
  | 'endpoint-independent'
  /** The mapping changes with the destination IP address only. */
  | 'address-dependent'
  /** The mapping changes with the destination port too ("symmetric NAT"). */
  | 'address-and-port-dependent'
  /** The mapping changed, but the results cannot tell whether the port alone matters. */
  | 'endpoint-dependent'
  /** Not enough answers to decide. */
  | 'unknown';

export interface MappingReport {
  behavior: MappingBehavior;
  /** The public address seen by the first server that answered. */
  publicAddress: TransportAddress | null;
  /** The NAT kept the local port (meaningful only behind a NAT with a known local address). */
  portPreserved: boolean | null;
  /** Plain words for the diagnostics view. */
  summary: string;
}

export interface MappingObservation {
  server: TransportAddress;
  mapped: TransportAddress | null;
}

const SUMMARY: Record<MappingBehavior, string> = {
  'no-nat': 'No NAT: this address is reachable as it is.',
  'endpoint-independent':
    'Endpoint-independent mapping: the NAT keeps one public address for every destination, so direct media through ICE should work.',
  'address-dependent':
    'Address-dependent mapping: the public port changes with the destination address; direct media may fail and TURN will be needed.',
  'address-and-port-dependent':
    'Address- and port-dependent mapping (symmetric NAT): every destination gets a new public port; calls need a TURN relay.',
  'endpoint-dependent':
    'Endpoint-dependent mapping: the public port changes with the destination; calls will likely need a TURN relay.',
  unknown: 'Could not determine the NAT behaviour: the STUN server did not answer enough requests.',
};

/**
 * Classifies the mapping behaviour from Binding results that were all sent from the same local socket.
 * Two observations against servers that differ in address give endpoint-independent vs dependent; a pair
 * against the same address on different ports separates address-dependent from address-and-port-dependent.
 */
export function classifyMapping(local: TransportAddress | null, observations: MappingObservation[]): MappingReport {
  const answered = observations.filter((o): o is { server: TransportAddress; mapped: TransportAddress } => o.mapped !== null);
  const first = answered[0]?.mapped ?? null;
  const portPreserved = first && local ? first.port === local.port : null;
  const report = (behavior: MappingBehavior): MappingReport => ({ behavior, publicAddress: first, portPreserved, summary: SUMMARY[behavior] });
  if (!first) return report('unknown');
  if (local && answered.every((o) => sameAddress(o.mapped, local))) return report('no-nat');
  if (answered.length < 2) return report('unknown');
  if (answered.every((o) => sameAddress(o.mapped, first))) {
    // All agree, but only destinations that differ tell us anything.
    const distinct = new Set(answered.map((o) => `${canonicalIp(o.server.address)}|${o.server.port}`));
    return report(distinct.size > 1 ? 'endpoint-independent' : 'unknown');
  }
  // Some destinations saw different mappings. Pairs against one server IP on two ports say whether the port
  // matters (RFC 5780 §4.3, Test II vs Test III); without such a pair we only know the mapping depends on the endpoint.
  let portMatters = false;
  let portIgnored = false;
  for (let i = 0; i < answered.length; i++) {
    for (let j = i + 1; j < answered.length; j++) {
      const a = answered[i];
      const b = answered[j];
      if (!a || !b) continue;
      if (canonicalIp(a.server.address) !== canonicalIp(b.server.address) || a.server.port === b.server.port) continue;
      if (sameAddress(a.mapped, b.mapped)) portIgnored = true;
      else portMatters = true;
    }
  }
  if (portMatters) return report('address-and-port-dependent');
  if (portIgnored) return report('address-dependent');
  return report('endpoint-dependent');
}

/**
 * RFC 5780 §4.3 mapping tests: Test I to the primary server; Test II to the alternate IP (same port);
 * Test III to the alternate IP and port. The alternate comes from OTHER-ADDRESS, or a second server given by
 * the caller (e.g. two STUN servers) when the primary does not support RFC 5780.
 */
export async function discoverMapping(
  bind: (server: TransportAddress) => Promise<BindingResult>,
  primary: TransportAddress,
  local: TransportAddress | null,
  secondary?: TransportAddress,
): Promise<MappingReport & { results: BindingResult[] }> {
  const results: BindingResult[] = [];
  const test1 = await bind(primary);
  results.push(test1);
  const other = test1.otherAddress;
  if (test1.mapped && other) {
    const test2 = await bind({ address: other.address, port: primary.port });
    results.push(test2);
    if (test2.mapped && !sameAddress(test2.mapped, test1.mapped)) results.push(await bind(other));
  } else if (test1.mapped && secondary) {
    results.push(await bind(secondary));
  }
  return { ...classifyMapping(local, results), results };
}
