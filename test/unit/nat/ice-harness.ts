// Test peers for the ICE agent: an agent, a STUN binding client and an optional TURN client on one host
// socket of the fake network, wired the way the media worker will wire them to real sockets.

import { IceAgent, type IceAgentOptions, type SelectedPair } from '../../../src-main/nat/ice-agent';
import type { IceCandidate } from '../../../src-main/nat/ice-candidate';
import type { IceRole } from '../../../src-main/nat/ice-messages';
import { StunBindingClient } from '../../../src-main/nat/stun-binding-client';
import { TurnClient } from '../../../src-main/nat/turn-client';
import { sameAddress, type TransportAddress } from '../../../src-main/nat/transport-address';
import { seededRandom, type FakeClock } from './fake-clock';
import type { FakeNetwork } from './fake-network';

export interface PeerOptions {
  site: string | null;
  /** One host socket per component: hosts[0] is RTP, hosts[1] RTCP. */
  hosts: TransportAddress[];
  role: IceRole;
  seed: number;
  stun?: TransportAddress;
  turn?: { server: TransportAddress; username: string; password: string };
  /** Leave host (or srflx) candidates out of the signalling. */
  signal?: { host?: boolean; srflx?: boolean; relay?: boolean };
  agent?: Partial<IceAgentOptions>;
}

export class Peer {
  readonly agent: IceAgent;
  readonly media: { data: string; from: TransportAddress; component: number }[] = [];
  readonly selected: SelectedPair[] = [];
  readonly turn: TurnClient | null = null;
  /** Gathering transactions still running (a non-trickle offer waits for them). */
  pendingGathers = 0;
  private readonly bindings: StunBindingClient[];

  constructor(
    private readonly net: FakeNetwork,
    private readonly clock: FakeClock,
    private readonly opts: PeerOptions,
  ) {
    const random = seededRandom(opts.seed);
    this.agent = new IceAgent({ clock, role: opts.role, random, components: opts.hosts.length, ...opts.agent });
    const rtp = opts.hosts[0] as TransportAddress;
    this.bindings = opts.hosts.map((host) => new StunBindingClient({ clock, random, send: (data, to) => net.send(host, to, data) }));
    if (opts.turn) {
      const turn = new TurnClient({ clock, random, server: opts.turn.server, username: opts.turn.username, password: opts.turn.password, send: (d) => net.send(rtp, opts.turn?.server as TransportAddress, d) });
      this.turn = turn;
      // Relayed datagrams from peers: ICE's STUN or media, arriving on the relay "base".
      turn.on('data', ({ peer, data }) => {
        const relayed = turn.relayedAddress as TransportAddress;
        if (!this.agent.handleDatagram(data, peer, relayed)) this.media.push({ data: mediaText(data), from: peer, component: 1 });
      });
      turn.on('allocated', ({ relayed, mapped }) => {
        this.agent.addLocalCandidate({ type: 'relay', address: relayed.address, port: relayed.port, server: opts.turn?.server.address, ...(mapped ? { related: mapped } : {}) });
      });
    }
    opts.hosts.forEach((host, i) => {
      net.bind(opts.site, host, (data, from) => {
        // Demultiplex one socket: TURN server traffic, our STUN gathering, ICE checks, else media.
        if (i === 0 && this.turn && opts.turn && sameAddress(from, opts.turn.server) && this.turn.handleDatagram(data, from)) return;
        if (this.bindings[i]?.handleDatagram(data, from)) return;
        if (this.agent.handleDatagram(data, from, host)) return;
        this.media.push({ data: mediaText(data), from, component: i + 1 });
      });
      this.agent.addLocalCandidate({ type: 'host', address: host.address, port: host.port, component: i + 1 });
    });
    this.agent.on('send', ({ data, from, to }) => {
      const relayed = this.turn?.relayedAddress;
      if (relayed && sameAddress(from, relayed)) this.turn?.sendTo(to, data);
      else net.send(from, to, data);
    });
    this.agent.on('selected', (p) => this.selected.push(p));
  }

  /** Starts STUN and TURN gathering; candidates are added to the agent as the answers arrive. */
  gather(): void {
    const stun = this.opts.stun;
    if (stun) {
      this.opts.hosts.forEach((host, i) => {
        this.pendingGathers++;
        void this.bindings[i]?.request(stun).then((r) => {
          this.pendingGathers--;
          if (r.mapped) this.agent.addLocalCandidate({ type: 'srflx', address: r.mapped.address, port: r.mapped.port, base: host, component: i + 1, server: stun.address });
        });
      });
    }
    if (this.turn) {
      this.pendingGathers++;
      const done = () => this.pendingGathers--;
      this.turn.once('allocated', done);
      this.turn.once('failed', done);
      this.turn.allocate();
    }
  }

  /** What goes into our SDP. */
  signalled(): IceCandidate[] {
    const s = { host: true, srflx: true, relay: true, ...this.opts.signal };
    return this.agent.localCandidates.filter((c) => s[c.type as 'host' | 'srflx' | 'relay'] !== false);
  }
}

/** Offer/answer: each side learns the other's ufrag, pwd and candidates; then both start checking. */
export function exchange(a: Peer, b: Peer): void {
  a.agent.setRemoteCredentials(b.agent.localCredentials.ufrag, b.agent.localCredentials.pwd);
  b.agent.setRemoteCredentials(a.agent.localCredentials.ufrag, a.agent.localCredentials.pwd);
  for (const c of b.signalled()) a.agent.addRemoteCandidate(c);
  for (const c of a.signalled()) b.agent.addRemoteCandidate(c);
  a.agent.start();
  b.agent.start();
}

/** Advances the fake clock in small steps, letting promise callbacks (gathering results) run in between. */
export async function settle(clock: FakeClock, ms: number, step = 10): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await Promise.resolve();
    await Promise.resolve();
  }
}

/** The text of a test media packet (after the RTP-looking first byte). */
function mediaText(data: Uint8Array): string {
  return new TextDecoder().decode(data[0] === 0x80 ? data.subarray(1) : data);
}

export const RTP = (text: string): Uint8Array => {
  const body = new TextEncoder().encode(text);
  const out = new Uint8Array(body.length + 1);
  out[0] = 0x80; // looks like RTP to RFC 7983 demultiplexing
  out.set(body, 1);
  return out;
};
