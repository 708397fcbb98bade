// The "registered, but the server's requests cannot reach this PC" rule and its watcher, on a fake clock.
import { beforeEach, describe, expect, it } from 'vitest';
import { ReachabilityWatch, unreachableDueAt, unreachableWarning, type ReachabilityFacts } from '../../../src-main/sip/nat-reachability';
import type { ViaMapping } from '../../../src-main/sip/nat-mapping';
import { FakeClock } from './fake-sip-network';

const NAT: ViaMapping = { mapped: { address: '203.0.113.5', port: 41234 }, local: { address: '192.168.1.10', port: 5060 } };
const NO_NAT: ViaMapping = { mapped: { address: '192.168.1.10', port: 5060 }, local: { address: '192.168.1.10', port: 5060 } };
const MIN = 60_000;

function facts(extra: Partial<ReachabilityFacts>): ReachabilityFacts {
  return { now: 0, registeredSince: 0, lastRequestAt: undefined, mapping: NAT, thresholdMs: 5 * MIN, keepAlive: 'options', ...extra };
}

describe('unreachableWarning (the rule)', () => {
  it('fires behind a NAT after the threshold with no request, naming both addresses and the fix', () => {
    expect(unreachableWarning(facts({ now: 5 * MIN - 1 }))).toBeUndefined();
    const msg = unreachableWarning(facts({ now: 5 * MIN }));
    expect(msg).toBe(
      "Registered, but the server's calls cannot reach this PC: you are behind NAT (seen as 203.0.113.5:41234, local 192.168.1.10:5060) " +
        'and no request from the server has arrived in 5 minutes. Keep-alives are on, so the router or a firewall drops what the server sends: ' +
        'shorten the keep-alive interval or enable STUN in Topology, or open UDP 5060 and the RTP ports in the firewall (forward them to this PC on the router).',
    );
  });

  it('with keep-alives off, the fix is to turn them on', () => {
    expect(unreachableWarning(facts({ now: 10 * MIN, keepAlive: 'off' }))).toMatch(/Turn on keep-alives \(or STUN\) in Topology, or open UDP 5060/);
  });

  it('never fires without a NAT, when not registered, when switched off, or without any mapping', () => {
    expect(unreachableWarning(facts({ now: 60 * MIN, mapping: NO_NAT }))).toBeUndefined();
    expect(unreachableWarning(facts({ now: 60 * MIN, registeredSince: undefined }))).toBeUndefined();
    expect(unreachableWarning(facts({ now: 60 * MIN, thresholdMs: 0 }))).toBeUndefined();
    expect(unreachableWarning(facts({ now: 60 * MIN, mapping: undefined }))).toBeUndefined();
  });

  it('a request after registration restarts the silence; one from before it does not count', () => {
    expect(unreachableWarning(facts({ now: 6 * MIN, lastRequestAt: 2 * MIN }))).toBeUndefined();
    expect(unreachableDueAt(facts({ lastRequestAt: 2 * MIN }))).toBe(7 * MIN);
    expect(unreachableWarning(facts({ now: 7 * MIN, lastRequestAt: 2 * MIN }))).toMatch(/^Registered, but/);
    expect(unreachableDueAt(facts({ registeredSince: 10 * MIN, lastRequestAt: 2 * MIN }))).toBe(15 * MIN);
  });

  it('a short threshold is said in seconds', () => {
    expect(unreachableWarning(facts({ now: 30_000, thresholdMs: 30_000 }))).toMatch(/arrived in 30 seconds/);
  });
});

describe('ReachabilityWatch', () => {
  let clock: FakeClock;
  let mapping: ViaMapping | undefined;
  let warnings: string[];
  let watch: ReachabilityWatch;

  beforeEach(() => {
    clock = new FakeClock();
    mapping = NAT;
    warnings = [];
    watch = new ReachabilityWatch({ clock, thresholdMs: 3 * MIN, keepAlive: 'options', mapping: () => mapping, onWarning: (m) => warnings.push(m) });
  });

  it('warns once, exactly at the threshold, and again only after a new silence', async () => {
    watch.registered();
    await clock.advance(3 * MIN - 1);
    expect(warnings).toHaveLength(0);
    await clock.advance(1);
    expect(warnings).toHaveLength(1);
    watch.registered(); // a refresh: still the same stretch
    await clock.advance(30 * MIN);
    expect(warnings).toHaveLength(1);
    watch.requestArrived();
    await clock.advance(3 * MIN);
    expect(warnings).toHaveLength(2);
  });

  it('requests from the server keep it quiet', async () => {
    watch.registered();
    for (let i = 0; i < 20; i++) {
      await clock.advance(MIN);
      watch.requestArrived();
    }
    expect(warnings).toHaveLength(0);
  });

  it('no NAT: silent; a NAT learned later fires at once if the silence is already long enough', async () => {
    mapping = NO_NAT;
    watch.registered();
    await clock.advance(10 * MIN);
    expect(warnings).toHaveLength(0);
    mapping = NAT;
    watch.mappingChanged();
    await clock.advance(0);
    expect(warnings).toHaveLength(1);
  });

  it('losing the registration stops it; a new registration starts a new stretch', async () => {
    watch.registered();
    await clock.advance(2 * MIN);
    watch.unregistered();
    await clock.advance(10 * MIN);
    expect(warnings).toHaveLength(0);
    watch.registered();
    await clock.advance(3 * MIN);
    expect(warnings).toHaveLength(1);
    watch.dispose();
    expect(clock.pending).toBe(0);
  });
});
