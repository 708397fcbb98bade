// The "Test NAT" report: mappings of the RTP probe and the SIP socket, and the verdict in plain words for
// each mapping behaviour (RFC 4787 §4.1 terms), including servers that did not answer.
import { describe, expect, it } from 'vitest';
import { buildCheckReport, isEndpointIndependent, registrarMapping, type NatProbeResult } from '../../../src-main/app-core/nat-check-report';
import { classifyMapping } from '../../../src-main/nat/nat-behavior';

const server = { address: '198.51.100.1', port: 3478 };
const other = { address: '198.51.100.2', port: 3479 };
const local = { address: '192.168.1.20', port: 16384 };

function probe(observations: Array<{ server: typeof server; mapped: { address: string; port: number } | null; error?: string }>, localAddr = local): NatProbeResult {
  const report = classifyMapping(localAddr, observations);
  return { ...report, local: localAddr, server, results: observations.map((o) => ({ server: o.server, mapped: o.mapped, ...(o.error ? { error: o.error } : {}) })) };
}

describe('NAT check report', () => {
  it('says no NAT (and so endpoint-independent) when the mapping is the local address', () => {
    const loop = { address: '127.0.0.1', port: 16384 };
    const report = buildCheckReport({ server: '127.0.0.1:3478', rtp: probe([{ server, mapped: loop }], loop), sip: null, now: 5 });
    expect(report.behavior).toBe('no-nat');
    expect(report.endpointIndependent).toBe(true);
    expect(report.rtp).toEqual({ local: loop, mapped: loop, source: 'stun' });
    expect(report.summary).toMatch(/^No NAT.*endpoint-independent/);
    expect(report.checkedAt).toBe(5);
  });

  it('reports an endpoint-independent NAT from two destinations with the same mapping', () => {
    const pub = { address: '203.0.113.9', port: 40000 };
    const report = buildCheckReport({ server: 'stun.example.com', rtp: probe([{ server, mapped: pub }, { server: other, mapped: pub }]), sip: null, now: 0 });
    expect(report).toMatchObject({ behavior: 'endpoint-independent', endpointIndependent: true, portPreserved: false, rtp: { mapped: pub } });
    expect(report.summary).toContain('Endpoint-independent mapping');
  });

  it('reports a symmetric NAT as not endpoint-independent', () => {
    const sameIpOtherPort = { address: server.address, port: 3479 };
    const rtp = probe([
      { server, mapped: { address: '203.0.113.9', port: 40000 } },
      { server: sameIpOtherPort, mapped: { address: '203.0.113.9', port: 40001 } },
    ]);
    const report = buildCheckReport({ server: 'stun.example.com', rtp, sip: null, now: 0 });
    expect(report.behavior).toBe('address-and-port-dependent');
    expect(report.endpointIndependent).toBe(false);
    expect(report.summary).toContain('TURN relay');
  });

  it('explains a single answer without RFC 5780 support, and a server that never answered', () => {
    const one = buildCheckReport({ server: 'stun.example.com', rtp: probe([{ server, mapped: { address: '203.0.113.9', port: 40000 } }]), sip: null, now: 0 });
    expect(one.behavior).toBe('unknown');
    expect(one.endpointIndependent).toBeNull();
    expect(one.summary).toContain('203.0.113.9:40000');
    expect(one.summary).toContain('RFC 5780');
    const none = buildCheckReport({ server: 'stun.example.com', rtp: probe([{ server, mapped: null, error: 'timeout' }]), sip: null, now: 0 });
    expect(none.rtp).toEqual({ local, mapped: null, source: 'stun', error: 'timeout' });
    expect(none.summary).toBe('The STUN server stun.example.com did not answer (timeout): check the address, and that UDP to it is not blocked.');
  });

  it('takes the SIP mapping from the registrar while SIP runs, and says when it is translated', () => {
    const status = { sipLocal: { address: '0.0.0.0', port: 5060 }, publicAddress: { address: '203.0.113.9', port: 61000, local: { address: '192.168.1.20', port: 5060 }, behindNat: true }, unreachableWarning: null };
    const sip = registrarMapping(status);
    expect(sip).toEqual({ local: { address: '192.168.1.20', port: 5060 }, mapped: { address: '203.0.113.9', port: 61000 }, source: 'registrar' });
    expect(registrarMapping({ ...status, publicAddress: null })).toMatchObject({ local: { port: 5060 }, mapped: null, error: expect.stringContaining('not registered') });
    expect(registrarMapping({ sipLocal: null, publicAddress: null, unreachableWarning: null })).toBeNull();
    const loop = { address: '127.0.0.1', port: 16384 };
    const report = buildCheckReport({ server: 's', rtp: probe([{ server, mapped: loop }], loop), sip, now: 0 });
    expect(report.summary).toContain('The registrar sees the SIP port 5060 as 203.0.113.9:61000 (translated by a NAT).');
  });

  it('maps behaviours to endpoint independence', () => {
    expect(isEndpointIndependent('address-dependent')).toBe(false);
    expect(isEndpointIndependent('endpoint-dependent')).toBe(false);
    expect(isEndpointIndependent('unknown')).toBeNull();
  });
});
