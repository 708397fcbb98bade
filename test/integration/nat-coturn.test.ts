// The pure STUN/TURN/ICE modules against a real coturn on loopback over real UDP sockets: Binding,
// Allocate with long-term credentials, permissions, Send/Data, ChannelData, and ICE through the relay.
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { systemClock } from '../../src-main/nat/nat-clock';
import { StunBindingClient } from '../../src-main/nat/stun-binding-client';
import { TurnClient, type TurnEvents } from '../../src-main/nat/turn-client';
import { IceAgent, describePair, type SelectedPair } from '../../src-main/nat/ice-agent';
import { sameAddress, type TransportAddress } from '../../src-main/nat/transport-address';
import { startCoturn, type CoturnServer } from '../support/coturn';

function bound(): Promise<{ socket: Socket; local: TransportAddress }> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1', () => resolve({ socket, local: { address: '127.0.0.1', port: socket.address().port } }));
  });
}

function once<K extends keyof TurnEvents>(turn: TurnClient, event: K, timeoutMs = 5000): Promise<TurnEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${String(event)} within ${timeoutMs} ms`)), timeoutMs);
    turn.once(event, (e) => {
      clearTimeout(timer);
      resolve(e);
    });
  });
}

function nextMessage(socket: Socket, timeoutMs = 3000): Promise<{ data: Buffer; from: TransportAddress }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no datagram')), timeoutMs);
    socket.once('message', (data, r) => {
      clearTimeout(timer);
      resolve({ data, from: { address: r.address, port: r.port } });
    });
  });
}

describe('NAT traversal modules against coturn', () => {
  let turn: CoturnServer;
  const sockets: Socket[] = [];
  const clients: TurnClient[] = [];
  const server = () => ({ address: turn.address, port: turn.port });

  beforeAll(async () => {
    turn = await startCoturn({ users: { alice: 'alicepw', bob: 'bobpw' } });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await new Promise((r) => setTimeout(r, 100));
    for (const s of sockets) s.close();
    await turn?.stop();
  });
  const printLog = () => onTestFailed(() => console.error(`--- coturn log ---\n${turn.log().slice(-4000)}`));

  async function turnClient(username: string, password: string) {
    const { socket, local } = await bound();
    sockets.push(socket);
    const client = new TurnClient({ clock: systemClock, server: server(), username, password, software: 'softphone-test', send: (d) => socket.send(d, turn.port, turn.address) });
    clients.push(client);
    socket.on('message', (data, r) => client.handleDatagram(new Uint8Array(data), { address: r.address, port: r.port }));
    return { socket, local, client };
  }

  it('learns the mapped address of a socket with a Binding request', async () => {
    printLog();
    const { socket, local } = await bound();
    sockets.push(socket);
    const binding = new StunBindingClient({ clock: systemClock, send: (d, to) => socket.send(d, to.port, to.address) });
    socket.on('message', (data, r) => binding.handleDatagram(new Uint8Array(data), { address: r.address, port: r.port }));
    const result = await binding.request(server());
    expect(result.mapped).toEqual(local);
    expect(result.error).toBeUndefined();
  });

  it('allocates with long-term credentials and relays data both ways, by indication and by channel', async () => {
    printLog();
    const { client } = await turnClient('alice', 'alicepw');
    const allocated = once(client, 'allocated');
    client.allocate();
    const { relayed, mapped, lifetime } = await allocated;
    expect(relayed.address).toBe('127.0.0.1');
    expect(relayed.port).toBeGreaterThanOrEqual(turn.relayMin);
    expect(relayed.port).toBeLessThanOrEqual(turn.relayMax);
    expect(mapped?.address).toBe('127.0.0.1');
    expect(lifetime).toBeGreaterThan(0);

    const peer = await bound();
    sockets.push(peer.socket);
    // Send indication after CreatePermission: the peer sees it coming from the relayed address.
    const atPeer = nextMessage(peer.socket);
    expect(client.sendTo(peer.local, new TextEncoder().encode('to peer via indication'))).toBe(true);
    const got = await atPeer;
    expect(got.data.toString()).toBe('to peer via indication');
    expect(got.from).toEqual(relayed);
    // Data indication back.
    const back = once(client, 'data');
    peer.socket.send('to client via data indication', relayed.port, relayed.address);
    const d = await back;
    expect(new TextDecoder().decode(d.data)).toBe('to client via data indication');
    expect(sameAddress(d.peer, peer.local)).toBe(true);
    expect(d.viaChannel).toBe(false);
    // ChannelBind, then ChannelData both ways.
    const bound1 = once(client, 'channel');
    const channel = client.bindChannel(peer.local);
    expect(await bound1).toMatchObject({ ok: true, channel });
    const atPeer2 = nextMessage(peer.socket);
    client.sendTo(peer.local, new TextEncoder().encode('over the channel'));
    expect((await atPeer2).data.toString()).toBe('over the channel');
    const back2 = once(client, 'data');
    peer.socket.send('channel back', relayed.port, relayed.address);
    const d2 = await back2;
    expect(d2.viaChannel).toBe(true);
    expect(new TextDecoder().decode(d2.data)).toBe('channel back');

    const closed = once(client, 'closed');
    client.close();
    await closed;
    expect(client.state).toBe('closed');
  });

  it('reports a wrong TURN password as a 401 failure', async () => {
    printLog();
    const { client } = await turnClient('alice', 'wrong');
    const failed = once(client, 'failed');
    client.allocate();
    const f = await failed;
    expect(f.code).toBe(401);
    expect(f.reason).toMatch(/wrong TURN username or password/);
  });

  it('two ICE agents that signal only relayed candidates connect through coturn; media really crosses coturn\'s relay', async () => {
    printLog();
    const makePeer = async (user: string, pw: string, role: 'controlling' | 'controlled') => {
      const { socket, local, client } = await turnClient(user, pw);
      const agent = new IceAgent({ clock: systemClock, role });
      // Each media datagram with the way it came: 'turn' = a Data indication or ChannelData from coturn,
      // `from` = the source coturn saw at our relayed port; 'host' = straight to our own socket.
      const media: Array<{ text: string; via: 'turn' | 'host'; from: TransportAddress }> = [];
      const selected: SelectedPair[] = [];
      agent.on('selected', (p) => selected.push(p));
      agent.addLocalCandidate({ type: 'host', address: local.address, port: local.port });
      agent.on('send', ({ data, from, to }) => {
        const relayedNow = client.relayedAddress;
        if (relayedNow && sameAddress(from, relayedNow)) client.sendTo(to, data);
        else socket.send(data, to.port, to.address);
      });
      // Host socket: TURN server traffic goes to the client (see turnClient), the rest to ICE or media.
      socket.on('message', (data, r) => {
        const from = { address: r.address, port: r.port };
        if (sameAddress(from, server())) return;
        if (!agent.handleDatagram(new Uint8Array(data), from, local)) media.push({ text: data.toString(), via: 'host', from });
      });
      client.on('data', ({ peer, data }) => {
        const relayedNow = client.relayedAddress as TransportAddress;
        if (!agent.handleDatagram(data, peer, relayedNow)) media.push({ text: new TextDecoder().decode(data), via: 'turn', from: peer });
      });
      const allocated = once(client, 'allocated');
      client.allocate();
      const { relayed, mapped } = await allocated;
      const relay = agent.addLocalCandidate({ type: 'relay', address: relayed.address, port: relayed.port, server: turn.address, ...(mapped ? { related: mapped } : {}) });
      return { agent, media, selected, relay };
    };
    const a = await makePeer('alice', 'alicepw', 'controlling');
    const b = await makePeer('bob', 'bobpw', 'controlled');
    a.agent.setRemoteCredentials(b.agent.localCredentials.ufrag, b.agent.localCredentials.pwd);
    b.agent.setRemoteCredentials(a.agent.localCredentials.ufrag, a.agent.localCredentials.pwd);
    a.agent.addRemoteCandidate(b.relay);
    b.agent.addRemoteCandidate(a.relay);
    const t0 = Date.now();
    const done = Promise.all(
      [a.agent, b.agent].map(
        (agent) =>
          new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`ICE state ${agent.state} after 10 s`)), 10_000);
            agent.on('state', ({ state }) => {
              if (state === 'completed') {
                clearTimeout(timer);
                resolve();
              }
            });
          }),
      ),
    );
    a.agent.start();
    b.agent.start();
    await done;
    const setupMs = Date.now() - t0;
    const sa = a.selected[a.selected.length - 1] as SelectedPair;
    const sb = b.selected[b.selected.length - 1] as SelectedPair;
    console.log(`ICE through coturn: ${describePair(sa)} / ${describePair(sb)} in ${setupMs} ms`);
    // Only relayed candidates were signalled, so "a pair has a relay" is given: check the addresses, and
    // below where the media really came from. The controlling side may send from its own host socket
    // straight to B's relayed address (a host -> relay pair; B then learns it as peer-reflexive).
    const at = (c: { address: string; port: number }) => ({ address: c.address, port: c.port });
    expect(at(sa.remote)).toEqual(at(b.relay));
    expect(at(sb.local)).toEqual(at(b.relay));
    expect(at(sb.remote)).toEqual(at(sa.local));
    const aSendsFrom = at(sa.local.type === 'relay' ? a.relay : sa.local);
    if (sa.local.type === 'relay') expect(at(sa.local)).toEqual(at(a.relay));
    for (const r of [a.relay, b.relay]) {
      expect(r.port).toBeGreaterThanOrEqual(turn.relayMin);
      expect(r.port).toBeLessThanOrEqual(turn.relayMax);
    }
    a.agent.sendData(1, new TextEncoder().encode('media a->b'));
    b.agent.sendData(1, new TextEncoder().encode('media b->a'));
    const deadline = Date.now() + 3000;
    while ((a.media.length === 0 || b.media.length === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    // B's media came out of coturn, from B's relayed port: A sees that relayed address as the source (on
    // its own socket, or through its TURN client when A sends from its relay too). A's media reached B's
    // relayed port and coturn handed it to B, saying it came from where A sent it.
    expect(a.media).toEqual([{ text: 'media b->a', via: sa.local.type === 'relay' ? 'turn' : 'host', from: at(b.relay) }]);
    expect(b.media).toEqual([{ text: 'media a->b', via: 'turn', from: aSendsFrom }]);
    a.agent.close();
    b.agent.close();
  });
});
