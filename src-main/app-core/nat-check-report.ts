// The Network view's "Test NAT" result: STUN probes (RFC 8489 Binding, RFC 5780 §4.3 mapping tests) of
// an RTP-range port, the SIP port's mapping, and the verdict in plain words. Pure: the probing is injected.
import type { HostPort, NetworkCheckReport, NetworkStatus, PortMapping } from '../ipc/contract';
import type { MappingBehavior, MappingReport } from '../nat/nat-behavior';
import type { BindingResult } from '../nat/stun-binding-client';
import { addressKey, type TransportAddress } from '../nat/transport-address';
import type { NatServer } from '../rtp/media-session';

/** Binding requests sent from one local socket, classified (the shape of nat/nat-check.node.ts's report). */
export type NatProbeResult = MappingReport & { local: TransportAddress; server: TransportAddress; results: BindingResult[] };

export interface NatProbeRequest {
  stun: NatServer;
  /** A second server to test against when the first gives no OTHER-ADDRESS. */
  secondary?: NatServer;
  bindAddress: string;
  /** Probe from a free even port in this range (as RTP would bind) or from exactly this port (SIP). */
  ports: { min: number; max: number } | { exact: number };
}

export type NatProber = (request: NatProbeRequest) => Promise<NatProbeResult>;

const hostPort = (a: TransportAddress): HostPort => ({ address: a.address, port: a.port });

/** The mapping of the probed socket as the first server saw it. */
export function probeMapping(probe: NatProbeResult): PortMapping {
  const first = probe.results[0];
  const mapping: PortMapping = { local: hostPort(probe.local), mapped: probe.publicAddress ? hostPort(probe.publicAddress) : null, source: 'stun' };
  if (!mapping.mapped) mapping.error = first?.error ?? 'no answer';
  return mapping;
}

/**
 * The SIP socket's mapping from the registrar's view of our Via (received/rport, RFC 3581): the SIP socket
 * belongs to the running user agent, and this is the very mapping the server's requests must come through.
 */
export function registrarMapping(status: NetworkStatus): PortMapping | null {
  const seen = status.publicAddress;
  if (seen) return { local: { ...seen.local }, mapped: { address: seen.address, port: seen.port }, source: 'registrar' };
  if (!status.sipLocal) return null;
  return { local: { ...status.sipLocal }, mapped: null, source: 'registrar', error: 'not registered: the registrar reports this mapping once registered' };
}

const fmt = (a: HostPort): string => addressKey(a);

/** True when direct media can work whatever the destination (no NAT is trivially endpoint-independent). */
export function isEndpointIndependent(behavior: MappingBehavior): boolean | null {
  if (behavior === 'no-nat' || behavior === 'endpoint-independent') return true;
  if (behavior === 'unknown') return null;
  return false;
}

/** Plain English for logs and the CLI; the UI words the same facts in its own language. */
export function checkSummary(server: string, rtp: NatProbeResult, sip: PortMapping | null): string {
  const parts: string[] = [];
  if (rtp.behavior === 'unknown' && !rtp.publicAddress) {
    const why = rtp.results[0]?.error ?? 'no answer';
    parts.push(`The STUN server ${server} did not answer (${why}): check the address, and that UDP to it is not blocked.`);
  } else if (rtp.behavior === 'unknown') {
    parts.push(
      `The public address is ${fmt(rtp.publicAddress as TransportAddress)}, but the STUN server offers no second address to test against ` +
        '(no RFC 5780 support) and no TURN server is set, so whether the mapping is endpoint-independent is unknown.',
    );
  } else {
    parts.push(rtp.summary);
    if (rtp.behavior === 'no-nat') parts.push('The mapping is endpoint-independent: every destination sees this same address.');
  }
  if (sip?.mapped) {
    const nat = sip.mapped.address !== sip.local.address || sip.mapped.port !== sip.local.port;
    parts.push(`The ${sip.source === 'registrar' ? 'registrar' : 'STUN server'} sees the SIP port ${sip.local.port} as ${fmt(sip.mapped)}${nat ? ' (translated by a NAT)' : ''}.`);
  }
  return parts.join(' ');
}

export function buildCheckReport(input: { server: string; rtp: NatProbeResult; sip: PortMapping | null; now: number }): NetworkCheckReport {
  const { rtp } = input;
  return {
    server: input.server,
    serverAddress: hostPort(rtp.server),
    behavior: rtp.behavior,
    endpointIndependent: isEndpointIndependent(rtp.behavior),
    portPreserved: rtp.behavior === 'no-nat' ? null : rtp.portPreserved,
    rtp: probeMapping(rtp),
    sip: input.sip,
    summary: checkSummary(input.server, rtp, input.sip),
    checkedAt: input.now,
  };
}
