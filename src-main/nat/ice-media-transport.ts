// NAT traversal for one media session (pure): STUN/TURN gathering on each component's socket, the ICE agent
// once the peer's SDP is known, demultiplexing of what the sockets receive (RFC 7983), and media sent on the
// selected pair: from a socket, or through the TURN relay. The media worker hands in the real sockets.

import { Emitter } from '../util/emitter';
import { IceAgent, describePair, type IceState } from './ice-agent';
import { generateIceCredentials, makeLocalCandidate, type GatheredCandidate, type IceCandidate, type IceCredentials, type LocalCandidate } from './ice-candidate';
import type { IceRole } from './ice-messages';
import { cryptoRandom, type Clock, type RandomBytes, type TimerId } from './nat-clock';
import { StunBindingClient } from './stun-binding-client';
import { demuxPacket, isStun } from './stun-message';
import type { RetransmitPolicy } from './stun-transaction';
import { TurnClient } from './turn-client';
import { addressKey, ipFamily, parseIp, sameAddress, type TransportAddress } from './transport-address';

/** One component's UDP socket: component 1 = RTP, 2 = RTCP (RFC 8445 §5.1.1.1). */
export interface IceSocket {
  /** The port it is bound to. */
  port: number;
  send(data: Uint8Array, to: TransportAddress): void;
}

/** An address of this host the sockets can be reached at (every interface, for a wildcard bind). */
export interface HostAddress {
  address: string;
  /** Its network prefix length, to guess which interface a datagram arrived on. */
  prefixLength?: number;
}

export interface IceMediaOptions {
  clock: Clock;
  random?: RandomBytes;
  /** [RTP socket, RTCP socket]. */
  sockets: IceSocket[];
  hosts: HostAddress[];
  stun?: TransportAddress;
  turn?: { server: TransportAddress; username: string; password: string };
  /** Gathering gives up on servers that have not answered after this long; default 4000 ms. */
  gatherTimeoutMs?: number;
  /** Retransmissions of one connectivity check (see DEFAULT_CHECK_POLICY). */
  checkPolicy?: RetransmitPolicy;
  software?: string;
  log?: (level: 'debug' | 'info' | 'warn', msg: string, data?: Record<string, unknown>) => void;
}

/** The peer's ICE parameters as the SDP layer read them. */
export interface RemoteIce {
  ufrag: string;
  pwd: string;
  candidates: IceCandidate[];
  role: IceRole;
}

export interface IceMediaEvents {
  /** A datagram for the RTP stack (RTP or RTCP), already checked to come from a candidate of the peer. */
  media: { component: number; data: Uint8Array; from: TransportAddress };
  state: { state: IceState };
  selected: { component: number; description: string; relayed: boolean };
  /** Something the user should hear about (TURN refused our credentials, consent lost). */
  problem: { message: string };
}

export interface GatherResult {
  credentials: IceCredentials;
  /** For the SDP: host, srflx and relay candidates of every component, in gathering order. */
  candidates: LocalCandidate[];
  /** The server-reflexive mapping of each component's socket (null: no NAT seen, or no answer). */
  mapped: (TransportAddress | null)[];
}

export interface IcePairStats {
  local: { type: LocalCandidate['type']; address: string; port: number };
  remote: { type: IceCandidate['type']; address: string; port: number };
}

/**
 * RFC 8445 §14.3 leaves the check RTO to the agent (>= 500 ms); 5 transmissions and a short final wait make
 * a dead pair fail after ~9.5 s instead of 39.5 s, so a call that can only use the relay does not linger.
 */
export const DEFAULT_CHECK_POLICY: RetransmitPolicy = { rto: 500, rc: 5, rm: 4 };
const MAX_EARLY = 32;
/** Issue 10: a lost TURN allocation is replaced at most this often per component and call. */
export const MAX_REALLOCATIONS = 2;

type Mode = 'new' | 'gathering' | 'gathered' | 'ice' | 'plain' | 'closed';

export class IceMediaTransport extends Emitter<IceMediaEvents> {
  private mode: Mode = 'new';
  private readonly random: RandomBytes;
  private readonly bindings: StunBindingClient[];
  private readonly turns: (TurnClient | null)[];
  private credentials: IceCredentials | null = null;
  private readonly gathered: GatheredCandidate[] = [];
  private readonly mappedBy: (TransportAddress | null)[];
  private agent: IceAgent | null = null;
  private components = 1;
  private early: { component: number; data: Uint8Array; from: TransportAddress }[] = [];
  private timer: TimerId | undefined;
  private strangers = 0;
  /** Issue 10: why the TURN relay stopped working after it was allocated (437 on Refresh, a refused permission). */
  private relayProblem: string | undefined;
  /** Relayed addresses of lost allocations: nothing is sent "from" them any more. */
  private readonly deadRelays: TransportAddress[] = [];
  private readonly reallocations: number[];

  constructor(private readonly options: IceMediaOptions) {
    super();
    this.random = options.random ?? cryptoRandom;
    this.mappedBy = options.sockets.map(() => null);
    this.reallocations = options.sockets.map(() => 0);
    this.bindings = options.sockets.map(
      (socket) => new StunBindingClient({ clock: options.clock, random: this.random, send: (data, to) => socket.send(data, to), ...(options.software ? { software: options.software } : {}) }),
    );
    const turn = options.turn;
    this.turns = options.sockets.map((socket) =>
      turn
        ? new TurnClient({
            clock: options.clock,
            random: this.random,
            server: turn.server,
            username: turn.username,
            password: turn.password,
            send: (data) => socket.send(data, turn.server),
            ...(options.software ? { software: options.software } : {}),
          })
        : null,
    );
  }

  /** Datagrams from strangers dropped while ICE was in charge. */
  get discarded(): number {
    return this.strangers;
  }

  get state(): IceState | 'unused' | 'gathering' {
    if (this.mode === 'plain') return 'unused';
    if (this.mode === 'gathering') return 'gathering';
    return this.agent?.state ?? (this.mode === 'closed' ? 'closed' : 'new');
  }

  /**
   * Host candidates at once, srflx from the STUN server and relay (+ srflx) from the TURN server as they
   * answer, within gatherTimeoutMs. Our offers and answers are not trickled (RFC 8839), so the SDP waits.
   */
  async gather(): Promise<GatherResult> {
    if (this.mode !== 'new') throw new Error(`cannot gather: ICE transport is ${this.mode}`);
    this.mode = 'gathering';
    this.credentials = generateIceCredentials(this.random);
    const { sockets, hosts, stun } = this.options;
    sockets.forEach((socket, i) => {
      for (const h of hosts) this.add({ type: 'host', address: h.address, port: socket.port, component: i + 1 });
    });
    const work: Promise<void>[] = [];
    sockets.forEach((_, i) => {
      const component = i + 1;
      if (stun) {
        work.push(
          (this.bindings[i] as StunBindingClient).request(stun).then((r) => {
            if (r.mapped) this.addSrflx(component, r.mapped, stun);
            else if (r.error !== 'closed') this.log('warn', 'STUN server did not give a mapping', { component, error: r.error });
          }),
        );
      }
      const turn = this.turns[i];
      if (turn && this.options.turn) work.push(this.allocate(turn, component, this.options.turn.server));
    });
    await new Promise<void>((resolve) => {
      this.timer = this.options.clock.setTimeout(resolve, this.options.gatherTimeoutMs ?? 4000);
      void Promise.all(work).then(() => resolve());
    });
    this.options.clock.clearTimeout(this.timer);
    for (const b of this.bindings) b.close();
    if (this.mode === 'gathering') this.mode = 'gathered';
    const credentials = this.credentials;
    return { credentials, candidates: this.localCandidates(), mapped: [...this.mappedBy] };
  }

  private allocate(turn: TurnClient, component: number, server: TransportAddress): Promise<void> {
    return new Promise<void>((resolve) => {
      const offOk = turn.once('allocated', ({ relayed, mapped }) => {
        offFail();
        this.watchRelay(turn, component, server);
        if (this.mode !== 'gathering') return resolve(); // too late for the SDP
        this.add({ type: 'relay', address: relayed.address, port: relayed.port, component, server: server.address, ...(mapped ? { related: mapped } : {}) });
        // The Allocate response's XOR-MAPPED-ADDRESS is as good a srflx candidate as a Binding's.
        if (mapped) this.addSrflx(component, mapped, server);
        resolve();
      });
      const offFail = turn.once('failed', ({ reason }) => {
        offOk();
        this.emit('problem', { message: `TURN server: ${reason}` });
        resolve();
      });
      turn.on('data', ({ peer, data }) => this.fromRelay(component, turn, peer, data));
      turn.allocate();
    });
  }

  /**
   * Issue 10: after the allocation, the TURN client reports it lost (437 Allocation Mismatch to a Refresh,
   * CreatePermission or ChannelBind, RFC 8656 §8/§9/§11; or coturn's 438 then 400, confirmed by a Refresh):
   * said as a problem, its pairs dropped, and a new allocation made from the same socket (§7.1). The new relay
   * candidate joins the checks: the peer learns it from them as peer-reflexive (RFC 8445 §7.3.1.3), and as
   * the controlling agent we nominate it. A full recovery when the peer controls would need an ICE restart
   * in a re-INVITE (RFC 8839 §4.4.1.1.1), which the problem text asks the user for instead.
   * Not covered: coturn 4.6.1, whose relay send failed with ENETUNREACH, kept answering CreatePermission
   * with success while relaying nothing (tried on this project's namespaces); only consent loss shows
   * that, and it cannot tell a dead relay from a peer that went away.
   */
  private watchRelay(turn: TurnClient, component: number, server: TransportAddress): void {
    turn.on('failed', ({ reason }) => {
      if (this.mode === 'closed' || this.mode === 'plain') return;
      const old = turn.relayedAddress;
      if (old) {
        this.deadRelays.push({ ...old });
        this.agent?.dropLocalBase(old);
      }
      this.relayProblem = reason;
      const n = (this.reallocations[component - 1] ?? 0) + 1;
      this.reallocations[component - 1] = n;
      if (n > MAX_REALLOCATIONS || !turn.reallocate()) {
        this.agent?.reevaluate();
        this.emit('problem', { message: `TURN allocation lost: ${reason}; not allocating again (lost ${n} times): the relayed audio cannot come back, call again` });
        return;
      }
      this.log('warn', 'TURN allocation lost, allocating again', { component, reason });
      this.emit('problem', { message: `TURN allocation lost: ${reason}; allocating a new relay` });
    });
    turn.on('allocated', ({ relayed, mapped }) => {
      // The first allocation is gather()'s; this is a replacement.
      if (this.mode === 'closed' || this.mode === 'plain' || this.mode === 'gathering') return;
      this.relayProblem = undefined;
      const g: GatheredCandidate = { type: 'relay', address: relayed.address, port: relayed.port, component, server: server.address, ...(mapped ? { related: mapped } : {}) };
      this.gathered.push(g);
      if (this.agent && component <= this.components) {
        this.agent.addLocalCandidate(g);
        this.agent.reevaluate();
      }
      this.log('info', 'TURN relay allocated again', { component, relayed: addressKey(relayed) });
      this.emit('problem', { message: `TURN relay allocated again at ${addressKey(relayed)} (component ${component}): ICE checks the other side through it; if the audio does not come back, call again` });
    });
  }

  private addSrflx(component: number, mapped: TransportAddress, server: TransportAddress): void {
    if (this.mode !== 'gathering') return;
    const base = this.baseFor(component, server);
    // RFC 8445 §5.1.3: a srflx candidate equal to its base (no NAT) is redundant.
    if (sameAddress(mapped, base)) return;
    if (!this.mappedBy[component - 1]) this.mappedBy[component - 1] = { ...mapped };
    this.add({ type: 'srflx', address: mapped.address, port: mapped.port, base, component, server: server.address });
  }

  private add(g: GatheredCandidate): void {
    const dup = this.gathered.some((x) => x.type === g.type && (x.component ?? 1) === (g.component ?? 1) && sameAddress(x, g));
    if (!dup) this.gathered.push(g);
  }

  /** The same computation IceAgent.addLocalCandidate does, in the same order, so priorities match the SDP. */
  private localCandidates(): LocalCandidate[] {
    const out: LocalCandidate[] = [];
    for (const g of this.gathered) {
      const sameType = out.filter((c) => c.type === g.type && c.component === (g.component ?? 1)).length;
      out.push(makeLocalCandidate(g, sameType));
    }
    return out;
  }

  /**
   * Media starts: with the peer's ICE parameters the agent runs its checks (RFC 8445 §6, role from the
   * offer/answer); without them (null) the sockets carry plain RTP and the relays are released.
   */
  start(remote: RemoteIce | null): void {
    if (this.mode === 'ice' || this.mode === 'plain' || this.mode === 'closed') return;
    if (this.mode === 'gathering') {
      // start() before gathering finished (should not happen: the SDP needs the candidates): stop gathering.
      this.options.clock.clearTimeout(this.timer);
      for (const b of this.bindings) b.close();
    }
    if (!remote || !this.credentials) {
      this.mode = 'plain';
      this.early = [];
      this.releaseTurns(0);
      return;
    }
    this.mode = 'ice';
    // Component 2 only if the peer has RTCP candidates; otherwise it multiplexes RTCP (RFC 5761).
    this.components = Math.min(this.options.sockets.length, remote.candidates.some((c) => c.component === 2) ? 2 : 1);
    const agent = new IceAgent({
      clock: this.options.clock,
      role: remote.role,
      components: this.components,
      credentials: this.credentials,
      random: this.random,
      checkPolicy: this.options.checkPolicy ?? DEFAULT_CHECK_POLICY,
      ...(this.options.software ? { software: this.options.software } : {}),
    });
    this.agent = agent;
    agent.on('send', ({ data, from, to }) => this.sendFrom(data, from, to));
    agent.on('state', ({ state }) => {
      this.log(state === 'failed' ? 'warn' : 'info', `ICE ${state}`);
      this.emit('state', { state });
    });
    agent.on('selected', (p) => {
      const description = describePair(p);
      const relayed = p.local.type === 'relay';
      if (relayed) this.turns[p.component - 1]?.bindChannel(p.remoteAddress); // RFC 8656 §12: 4-byte headers
      this.log('info', 'ICE selected pair', { component: p.component, pair: description });
      this.emit('selected', { component: p.component, description, relayed });
    });
    agent.on('consent-lost', ({ component }) => this.emit('problem', { message: `ICE consent lost on component ${component}: the peer stopped answering (RFC 7675)` }));
    for (const g of this.gathered) if ((g.component ?? 1) <= this.components) agent.addLocalCandidate(g);
    this.releaseTurns(this.components);
    agent.setRemoteCredentials(remote.ufrag, remote.pwd);
    for (const c of remote.candidates) agent.addRemoteCandidate(c);
    agent.start();
    const early = this.early;
    this.early = [];
    for (const e of early) this.receive(e.component, e.data, e.from);
  }

  /** Everything a component's socket receives goes through here. */
  receive(component: number, data: Uint8Array, from: TransportAddress): void {
    const turn = this.turns[component - 1];
    const server = this.options.turn?.server;
    // Even once closed: the answers to our allocation deletes still have to reach the TURN clients.
    if (turn && server && sameAddress(from, server) && turn.handleDatagram(data, from)) return;
    if (this.mode === 'closed') return;
    if (demuxPacket(data) === 'stun') {
      if (this.bindings[component - 1]?.handleDatagram(data, from)) return;
      if (!isStun(data)) return;
      if (this.agent) this.agent.handleDatagram(data, from, this.baseFor(component, from));
      // The peer's checks may arrive before its answer reaches us: keep a few for start() (§7.3 early checks).
      else if (this.mode === 'gathered' && this.early.length < MAX_EARLY) this.early.push({ component, data: data.slice(), from });
      return;
    }
    this.deliver(component, data, from);
  }

  private fromRelay(component: number, turn: TurnClient, peer: TransportAddress, data: Uint8Array): void {
    const relayed = turn.relayedAddress;
    if (this.mode === 'closed' || !relayed) return;
    if (this.agent && isStun(data)) {
      this.agent.handleDatagram(data, peer, relayed);
      return;
    }
    this.deliver(component, data, peer);
  }

  private deliver(component: number, data: Uint8Array, from: TransportAddress): void {
    if (this.mode === 'ice' && !this.isPeer(component, from)) {
      this.strangers++;
      return;
    }
    if (this.mode === 'ice' || this.mode === 'plain') this.emit('media', { component, data, from });
  }

  /** RFC 8445 §12.1: media is accepted from any candidate the peer signalled or revealed (prflx) in checks. */
  private isPeer(component: number, from: TransportAddress): boolean {
    const remotes = this.agent?.remoteCandidates ?? [];
    if (remotes.some((r) => r.component === component && sameAddress(r, from))) return true;
    // RTCP on a component ICE does not run (the peer multiplexes): accept it from the peer's RTP candidates.
    return component > this.components && remotes.some((r) => sameAddress(r, from));
  }

  /** Sends media of a component on its route; false (nothing sent) while ICE has no working pair. */
  send(component: number, data: Uint8Array): boolean {
    if (this.mode !== 'ice' || !this.agent) return false;
    return this.agent.sendData(Math.min(component, this.components), data);
  }

  stats(): { state: string; selectedPair?: IcePairStats; relayProblem?: string } {
    const state = this.state;
    const route = this.agent?.route(1);
    const problem = this.relayProblem !== undefined ? { relayProblem: this.relayProblem } : {};
    if (!route) return { state, ...problem };
    return {
      state,
      ...problem,
      selectedPair: {
        local: { type: route.local.type, address: route.local.address, port: route.local.port },
        remote: { type: route.remote.type, address: route.remote.address, port: route.remote.port },
      },
    };
  }

  /**
   * Stops checks and consent and deletes the TURN allocations (RFC 8656 §8: Refresh with lifetime 0).
   * Resolves once the server confirmed the deletions, or after `waitMs`: keep the sockets open until then.
   */
  close(waitMs = 500): Promise<void> {
    if (this.mode !== 'closed') {
      this.mode = 'closed';
      this.options.clock.clearTimeout(this.timer);
      this.agent?.close();
      for (const b of this.bindings) b.close();
      this.releaseTurns(0);
      this.early = [];
    }
    const pending = this.turns.filter((t): t is TurnClient => t !== null && t.state !== 'closed');
    if (pending.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let left = pending.length;
      const timer = this.options.clock.setTimeout(resolve, waitMs);
      for (const t of pending) {
        t.once('closed', () => {
          if (--left === 0) {
            this.options.clock.clearTimeout(timer);
            resolve();
          }
        });
      }
    });
  }

  private releaseTurns(keep: number): void {
    this.turns.forEach((t, i) => {
      if (t && i >= keep) t.close();
    });
  }

  private sendFrom(data: Uint8Array, from: TransportAddress, to: TransportAddress): void {
    for (const t of this.turns) {
      const relayed = t?.relayedAddress;
      if (t && relayed && sameAddress(from, relayed)) {
        t.sendTo(to, data);
        return;
      }
    }
    // A lost allocation's relayed address is no socket of ours, whatever its port.
    if (this.deadRelays.some((d) => sameAddress(d, from))) return;
    const socket = this.options.sockets.find((s) => s.port === from.port);
    socket?.send(data, to);
  }

  /**
   * The host candidate a datagram from `remote` arrived on. A wildcard-bound socket does not say which local
   * address it was sent to, so with several interfaces the one whose network holds `remote` is assumed.
   */
  private baseFor(component: number, remote: TransportAddress): TransportAddress {
    const port = this.options.sockets[component - 1]?.port ?? 0;
    const hosts = this.options.hosts;
    const family = ipFamily(remote.address);
    const sameFamily = hosts.filter((h) => ipFamily(h.address) === family);
    const onLink = sameFamily.find((h) => h.prefixLength !== undefined && inPrefix(h.address, remote.address, h.prefixLength));
    const host = onLink ?? sameFamily[0] ?? hosts[0];
    return { address: host?.address ?? '0.0.0.0', port };
  }

  private log(level: 'debug' | 'info' | 'warn', msg: string, data?: Record<string, unknown>): void {
    this.options.log?.(level, msg, data);
  }
}

/** True if `b` lies in the network `a`/`prefix`. */
export function inPrefix(a: string, b: string, prefix: number): boolean {
  const x = parseIp(a);
  const y = parseIp(b);
  if (!x || !y || x.length !== y.length) return false;
  let bits = Math.max(0, Math.min(prefix, x.length * 8));
  for (let i = 0; i < x.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((x[i] ?? 0) & mask) !== ((y[i] ?? 0) & mask)) return false;
  }
  return true;
}
