// Validation of the STUN/TURN/ICE fields of the media worker messages, both directions.
import { describe, expect, it } from 'vitest';
import { checkCandidate, checkNatOptions, checkRemoteIce } from '../../../src-main/rtp/media-nat-protocol';
import { checkFromWorker, checkStartParams, checkToWorker, emptyStats } from '../../../src-main/rtp/media-worker-protocol';

const candidate = { foundation: '1', component: 1, transport: 'udp', priority: 2130706431, address: '10.0.0.1', port: 4000, type: 'host' };
const ice = { ufrag: 'abcd', pwd: 'abcdefghijklmnopqrstuv', candidates: [candidate], role: 'controlling' };
const params = { remoteAddress: '10.0.0.1', remotePort: 4000, codec: 'PCMU', payloadType: 0, ptime: 20 };
const open = { audio: { kind: 'null' }, bindAddress: '0.0.0.0', portMin: 10000, portMax: 20000 };

describe('media worker NAT fields', () => {
  it('passes STUN/TURN/ICE open options through and keeps only known fields', () => {
    const nat = { ice: true, stun: { host: 'stun.example.org', port: 3478 }, turn: { host: '172.29.0.1', port: 3478, username: 'alice', password: 'p w!', x: 1 } };
    const r = checkToWorker({ type: 'open', session: 1, req: 1, options: { ...open, nat } });
    expect(r.ok && r.value.type === 'open' && r.value.options.nat).toEqual({
      ice: true,
      stun: { host: 'stun.example.org', port: 3478 },
      turn: { host: '172.29.0.1', port: 3478, username: 'alice', password: 'p w!' },
    });
  });

  it.each([
    [{ stun: { host: 'x', port: 1 } }, /ice: boolean/],
    [{ ice: true, stun: { host: 'a b', port: 3478 } }, /nat.stun/],
    [{ ice: true, stun: { host: 'x', port: 0 } }, /nat.stun/],
    [{ ice: true, turn: { host: 'x', port: 3478, username: 'u' } }, /username and a password/],
    [{ ice: true, turn: { host: 'x', port: 3478, username: 'u', password: 'a\r\nb' } }, /username and a password/],
  ])('rejects bad nat options %#', (bad, why) => {
    const r = checkNatOptions(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(why);
  });

  it('accepts the peer ICE parameters in start params and rejects malformed ones', () => {
    const r = checkStartParams({ ...params, ice: { ...ice, lite: true, extra: 'x' } });
    expect(r.ok && r.value.ice).toEqual({ ...ice, lite: true });
    const bad: unknown[] = [
      { ...ice, ufrag: 'ab' },
      { ...ice, pwd: 'short' },
      { ...ice, role: 'boss' },
      { ...ice, candidates: 'many' },
      { ...ice, candidates: Array.from({ length: 65 }, () => candidate) },
      { ...ice, candidates: [{ ...candidate, type: 'magic' }] },
      { ...ice, candidates: [{ ...candidate, priority: 0 }] },
      { ...ice, candidates: [{ ...candidate, address: 'evil host' }] },
      { ...ice, candidates: [{ ...candidate, foundation: 'x'.repeat(33) }] },
    ];
    for (const b of bad) expect(checkStartParams({ ...params, ice: b }).ok, JSON.stringify(b).slice(0, 80)).toBe(false);
    expect(checkRemoteIce(ice).ok).toBe(true);
    expect(checkCandidate({ ...candidate, relatedAddress: '10.0.0.2', relatedPort: 5 }).ok).toBe(true);
  });

  it('validates the endpoint ICE/STUN fields and the ICE stats coming back', () => {
    const endpoint = { address: '0.0.0.0', rtpPort: 10000, rtcpPort: 10001, ice: { ufrag: ice.ufrag, pwd: ice.pwd, candidates: [candidate] }, mapped: { address: '172.29.0.11', rtpPort: 10000, rtcpPort: 10001 } };
    const r = checkFromWorker({ type: 'opened', req: 1, endpoint });
    expect(r.ok && r.value.type === 'opened' && r.value.endpoint).toEqual(endpoint);
    expect(checkFromWorker({ type: 'opened', req: 1, endpoint: { ...endpoint, mapped: { address: '', rtpPort: 1, rtcpPort: 2 } } }).ok).toBe(false);
    expect(checkFromWorker({ type: 'opened', req: 1, endpoint: { ...endpoint, ice: { ...endpoint.ice, ufrag: 1 } } }).ok).toBe(false);
    const pair = { local: { type: 'relay', address: '172.29.0.1', port: 49152 }, remote: { type: 'prflx', address: '172.29.0.12', port: 3384 } };
    expect(checkFromWorker({ type: 'stats', req: 1, stats: { ...emptyStats(), ice: { state: 'completed', selectedPair: pair } } }).ok).toBe(true);
    expect(checkFromWorker({ type: 'stats', req: 1, stats: { ...emptyStats(), ice: { state: 'completed', selectedPair: { ...pair, local: { type: 'teleport' } } } } }).ok).toBe(false);
    expect(checkFromWorker({ type: 'stats', req: 1, stats: { ...emptyStats(), ice: { state: 5 } } }).ok).toBe(false);
  });
});
