// Mapping-behaviour classification (RFC 5780 §4.3) as a pure function, and end to end with the Binding
// client through simulated NATs on the fake network.

import { describe, expect, it } from 'vitest';
import { classifyMapping, discoverMapping } from '../../../src-main/nat/nat-behavior';
import { StunBindingClient } from '../../../src-main/nat/stun-binding-client';
import { decodeStun, encodeStun, getAttr, StunMethod } from '../../../src-main/nat/stun-message';
import { FakeClock, seededRandom } from './fake-clock';
import { addStunServer, FakeNetwork, type NatConfig } from './fake-network';

const S1 = { address: '198.51.100.1', port: 3478 };
const S1B = { address: '198.51.100.1', port: 3479 };
const S2 = { address: '198.51.100.2', port: 3478 };
const LOCAL = { address: '10.0.0.5', port: 6000 };
const pub = (port: number) => ({ address: '192.0.2.7', port });

describe('classifyMapping', () => {
  it('endpoint-independent when every destination sees the same mapping', () => {
    const r = classifyMapping(LOCAL, [
      { server: S1, mapped: pub(6000) },
      { server: S2, mapped: pub(6000) },
    ]);
    expect(r.behavior).toBe('endpoint-independent');
    expect(r.publicAddress).toEqual(pub(6000));
    expect(r.portPreserved).toBe(true);
    expect(r.summary).toMatch(/direct media/);
  });

  it('address-and-port-dependent when the port alone changes the mapping', () => {
    const r = classifyMapping(LOCAL, [
      { server: S1, mapped: pub(40001) },
      { server: S1B, mapped: pub(40002) },
    ]);
    expect(r.behavior).toBe('address-and-port-dependent');
    expect(r.portPreserved).toBe(false);
    expect(r.summary).toMatch(/TURN/);
  });

  it('address-dependent when the same IP on another port keeps the mapping but another IP does not', () => {
    const r = classifyMapping(LOCAL, [
      { server: S1, mapped: pub(40001) },
      { server: S2, mapped: pub(40002) },
      { server: { address: S2.address, port: 3479 }, mapped: pub(40002) },
    ]);
    expect(r.behavior).toBe('address-dependent');
  });

  it('endpoint-dependent when only two different servers disagree', () => {
    expect(classifyMapping(LOCAL, [{ server: S1, mapped: pub(1) }, { server: S2, mapped: pub(2) }]).behavior).toBe('endpoint-dependent');
  });

  it('no NAT when the mapped address is the local one; unknown without enough answers', () => {
    expect(classifyMapping(LOCAL, [{ server: S1, mapped: LOCAL }]).behavior).toBe('no-nat');
    expect(classifyMapping(LOCAL, [{ server: S1, mapped: pub(1) }, { server: S2, mapped: null }]).behavior).toBe('unknown');
    expect(classifyMapping(null, []).publicAddress).toBeNull();
    expect(classifyMapping(LOCAL, [{ server: S1, mapped: pub(1) }, { server: S1, mapped: pub(1) }]).behavior).toBe('unknown');
  });
});

function behind(nat: NatConfig) {
  const clock = new FakeClock(0);
  const net = new FakeNetwork(clock);
  net.addSite('home', nat);
  addStunServer(net, S1);
  addStunServer(net, S2);
  const client = new StunBindingClient({ clock, random: seededRandom(2), send: (data, to) => net.send(LOCAL, to, data) });
  net.bind('home', LOCAL, (data, from) => client.handleDatagram(data, from));
  return { clock, net, client };
}

async function settle(clock: FakeClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 10) {
    clock.advance(10);
    await Promise.resolve();
  }
}

describe('discoverMapping through simulated NATs', () => {
  it('reports endpoint-independent mapping behind a full-cone-style NAT', async () => {
    const { clock, client } = behind({ publicIp: '192.0.2.7', mapping: 'endpoint-independent', filtering: 'address-and-port-dependent' });
    const p = discoverMapping((s) => client.request(s), S1, LOCAL, S2);
    await settle(clock, 200);
    const r = await p;
    expect(r.behavior).toBe('endpoint-independent');
    expect(r.results.map((x) => x.mapped)).toEqual([pub(40007), pub(40007)]);
    expect(r.results[0]?.rttMs).toBe(10);
  });

  it('reports a dependent mapping behind a symmetric NAT', async () => {
    const { clock, client } = behind({ publicIp: '192.0.2.7', mapping: 'address-and-port-dependent', filtering: 'address-and-port-dependent' });
    const p = discoverMapping((s) => client.request(s), S1, LOCAL, S2);
    await settle(clock, 200);
    const r = await p;
    expect(r.behavior).toBe('endpoint-dependent');
    expect(r.results[0]?.mapped).not.toEqual(r.results[1]?.mapped);
  });

  it('follows OTHER-ADDRESS (RFC 5780 Tests I-III) when the server offers it', async () => {
    const answers = new Map([
      ['198.51.100.1:3478', pub(1)],
      ['198.51.100.2:3478', pub(2)],
      ['198.51.100.2:3479', pub(3)],
    ]);
    const asked: string[] = [];
    const r = await discoverMapping(
      async (s) => {
        const key = `${s.address}:${s.port}`;
        asked.push(key);
        return { server: s, mapped: answers.get(key) ?? null, otherAddress: { address: '198.51.100.2', port: 3479 } };
      },
      S1,
      LOCAL,
    );
    expect(asked).toEqual(['198.51.100.1:3478', '198.51.100.2:3478', '198.51.100.2:3479']);
    expect(r.behavior).toBe('address-and-port-dependent');
  });
});

describe('StunBindingClient', () => {
  it('retransmits, then reports a timeout when nobody answers', async () => {
    const clock = new FakeClock(0);
    const sent: number[] = [];
    const client = new StunBindingClient({ clock, send: () => sent.push(clock.now()) });
    const p = client.request(S1);
    clock.advance(39_500);
    expect(await p).toEqual({ server: S1, mapped: null, error: 'timeout' });
    expect(sent).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
  });

  it('takes an error response and ignores responses from the wrong source', async () => {
    const clock = new FakeClock(0);
    let request: Uint8Array | undefined;
    const client = new StunBindingClient({ clock, software: 'test', send: (d) => (request = d) });
    const p = client.request(S1);
    const req = decodeStun(request as Uint8Array);
    if (!req) throw new Error('no request');
    expect(getAttr(req, 'software')).toBe('test');
    const err = encodeStun({
      method: StunMethod.Binding,
      cls: 'error',
      transactionId: req.transactionId,
      attributes: [{ name: 'errorCode', value: { code: 420, reason: 'Unknown Attribute' } }],
    });
    expect(client.handleDatagram(err, S2)).toBe(false);
    expect(client.handleDatagram(err, S1)).toBe(true);
    expect(await p).toMatchObject({ mapped: null, error: '420 Unknown Attribute' });
  });
});
