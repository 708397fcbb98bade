// TURN client (RFC 8656) as a pure state machine: Allocate with long-term credentials, Refresh,
// CreatePermission, ChannelBind, Send/Data indications and ChannelData. Datagrams out through options.send
// (to the TURN server), datagrams from the server in through handleDatagram, timers on the injected clock.

import { Emitter } from '../util/emitter';
import { cryptoRandom, type Clock, type RandomBytes, type TimerId } from './nat-clock';
import {
  decodeChannelData,
  decodeStun,
  demuxPacket,
  encodeChannelData,
  encodeStun,
  getAttr,
  newTransactionId,
  StunMethod,
  type DecodedStun,
  type StunAttribute,
} from './stun-message';
import { TurnCredentials } from './turn-auth';
import { DEFAULT_RETRANSMIT, StunRequestTable, type RetransmitPolicy } from './stun-transaction';
import { addressKey, canonicalIp, sameAddress, type TransportAddress } from './transport-address';

export type TurnState = 'idle' | 'allocating' | 'allocated' | 'failed' | 'closing' | 'closed';

export interface TurnClientOptions {
  clock: Clock;
  /** The TURN server's UDP address (for checking where datagrams come from). */
  server: TransportAddress;
  username: string;
  password: string;
  /** Puts a datagram on the wire to the TURN server, from the client's socket. */
  send: (data: Uint8Array) => void;
  random?: RandomBytes;
  software?: string;
  /** Requested allocation lifetime in s; RFC 8656 §3.2 default 600 s. */
  lifetime?: number;
  dontFragment?: boolean;
  policy?: RetransmitPolicy;
}

export interface TurnEvents {
  allocated: { relayed: TransportAddress; mapped: TransportAddress | null; lifetime: number };
  /** Application data from a peer, through a Data indication or a channel. */
  data: { peer: TransportAddress; data: Uint8Array; viaChannel: boolean };
  permission: { peerAddress: string; ok: boolean; reason?: string };
  channel: { peer: TransportAddress; channel: number; ok: boolean; reason?: string };
  /** The allocation failed or was lost; nothing more is relayed (reallocate() may get a new one). */
  failed: { reason: string; code?: number };
  closed: Record<string, never>;
}

type RequestKind = 'allocate' | 'refresh' | 'permission' | 'channel';

interface RequestContext {
  kind: RequestKind;
  attributes: StunAttribute[];
  /** Whether the request carried credentials (then a 401 means they are wrong). */
  authenticated: boolean;
  staleNonceRetries: number;
  /** A Refresh sent to learn whether the allocation still exists, and why we asked. */
  probe?: string;
  peerAddress?: string;
  peer?: TransportAddress;
  channel?: number;
}

interface Permission {
  state: 'pending' | 'installed' | 'failed';
  queue: { peer: TransportAddress; data: Uint8Array }[];
}

interface Channel {
  peer: TransportAddress;
  number: number;
  state: 'pending' | 'bound' | 'failed';
}

/** RFC 8656 §9: permissions last 300 s; §12: channel bindings 600 s. Refresh ahead of both. */
const PERMISSION_REFRESH_MS = 240_000;
const CHANNEL_REFRESH_MS = 540_000;
const MAX_QUEUED_PER_PEER = 16;
const MAX_STALE_NONCE_RETRIES = 3;

export class TurnClient extends Emitter<TurnEvents> {
  private stateValue: TurnState = 'idle';
  private readonly table: StunRequestTable<RequestContext>;
  private readonly random: RandomBytes;
  private readonly credentials: TurnCredentials;
  private relayedValue: TransportAddress | null = null;
  private mappedValue: TransportAddress | null = null;
  private expiresAt = 0;
  private readonly timers = new Map<string, TimerId>();
  private readonly permissions = new Map<string, Permission>();
  private readonly channelsByPeer = new Map<string, Channel>();
  private readonly channelsByNumber = new Map<number, Channel>();
  private nextChannel = 0x4000;
  /** An allocation existed before the current state (so a failure is a loss, and reallocate() is allowed). */
  private everAllocated = false;

  constructor(private readonly options: TurnClientOptions) {
    super();
    this.table = new StunRequestTable(options.clock);
    this.random = options.random ?? cryptoRandom;
    this.credentials = new TurnCredentials(options.username, options.password);
  }

  get state(): TurnState {
    return this.stateValue;
  }

  /** XOR-RELAYED-ADDRESS: the relayed transport address (the ICE relay candidate). */
  get relayedAddress(): TransportAddress | null {
    return this.relayedValue;
  }

  /** XOR-MAPPED-ADDRESS from the Allocate response (usable as a server-reflexive candidate). */
  get mappedAddress(): TransportAddress | null {
    return this.mappedValue;
  }

  /** RFC 8656 §7.1: sends an Allocate request for a UDP relay; the first one is unauthenticated (§7.1 → 401). */
  allocate(): void {
    if (this.stateValue !== 'idle') return;
    this.stateValue = 'allocating';
    const attributes: StunAttribute[] = [{ name: 'requestedTransport', value: 17 }];
    if (this.options.lifetime !== undefined) attributes.push({ name: 'lifetime', value: this.options.lifetime });
    if (this.options.dontFragment) attributes.push({ name: 'dontFragment', value: true });
    this.request(StunMethod.Allocate, { kind: 'allocate', attributes, authenticated: false, staleNonceRetries: 0 });
  }

  /**
   * After the allocation was lost (state 'failed' once allocated): forgets the relayed address, permissions and
   * channels and allocates again from the same socket (RFC 8656 §7.1; the server deleted the old one, so the
   * same 5-tuple may allocate anew). Emits 'allocated' with the new relayed address, or 'failed'. False if
   * there was no allocation to replace (never allocated, closing or closed).
   */
  reallocate(): boolean {
    if (this.stateValue !== 'failed' || !this.everAllocated) return false;
    this.stopAll();
    this.permissions.clear();
    this.channelsByPeer.clear();
    this.channelsByNumber.clear();
    this.nextChannel = 0x4000;
    this.relayedValue = null;
    this.mappedValue = null;
    this.stateValue = 'idle';
    this.allocate();
    return true;
  }

  /** Sends data to a peer through the relay: a channel if bound, else a Send indication once permitted. */
  sendTo(peer: TransportAddress, data: Uint8Array): boolean {
    if (this.stateValue !== 'allocated') return false;
    const channel = this.channelsByPeer.get(addressKey(peer));
    if (channel?.state === 'bound') {
      this.options.send(encodeChannelData(channel.number, data));
      return true;
    }
    const ip = canonicalIp(peer.address);
    let perm = this.permissions.get(ip);
    if (!perm || perm.state === 'failed') {
      this.createPermission(peer.address);
      perm = this.permissions.get(ip);
    }
    if (!perm) return false;
    if (perm.state === 'installed') {
      this.sendIndication(peer, data);
      return true;
    }
    // §9: the server drops data from/to peers without a permission, so hold it until CreatePermission succeeds.
    perm.queue.push({ peer, data: data.slice() });
    if (perm.queue.length > MAX_QUEUED_PER_PEER) perm.queue.shift();
    return true;
  }

  /** RFC 8656 §9: installs (and keeps refreshing) a permission for a peer IP address. */
  createPermission(peerAddress: string): void {
    if (this.stateValue !== 'allocated') return;
    const ip = canonicalIp(peerAddress);
    const existing = this.permissions.get(ip);
    if (existing && existing.state !== 'failed') return;
    this.permissions.set(ip, { state: 'pending', queue: existing?.queue ?? [] });
    this.sendPermission(ip);
  }

  /** RFC 8656 §11: binds a channel to the peer (refreshed every 9 minutes); returns its number. */
  bindChannel(peer: TransportAddress): number | null {
    if (this.stateValue !== 'allocated') return null;
    const key = addressKey(peer);
    const existing = this.channelsByPeer.get(key);
    if (existing && existing.state !== 'failed') return existing.number;
    if (this.nextChannel > 0x4fff) return null;
    const channel: Channel = existing ?? { peer, number: this.nextChannel++, state: 'pending' };
    channel.state = 'pending';
    this.channelsByPeer.set(key, channel);
    this.channelsByNumber.set(channel.number, channel);
    this.sendChannelBind(channel);
    return channel.number;
  }

  /** Feed datagrams received from the TURN server; true if consumed here (ChannelData, Data, responses). */
  handleDatagram(data: Uint8Array, from?: TransportAddress): boolean {
    if (from && !sameAddress(from, this.options.server)) return false;
    const kind = demuxPacket(data);
    if (kind === 'channel-data') {
      const cd = decodeChannelData(data);
      const channel = cd ? this.channelsByNumber.get(cd.channel) : undefined;
      if (cd && channel && this.stateValue === 'allocated') this.emit('data', { peer: channel.peer, data: cd.data, viaChannel: true });
      return cd !== null;
    }
    if (kind !== 'stun') return false;
    const msg = decodeStun(data);
    if (!msg) return false;
    if (msg.cls === 'indication') {
      if (msg.method !== StunMethod.Data) return false;
      const peer = getAttr(msg, 'xorPeerAddress');
      const payload = getAttr(msg, 'data');
      if (peer && payload && this.stateValue === 'allocated') this.emit('data', { peer, data: payload, viaChannel: false });
      return true;
    }
    const ctx = this.table.peek(msg.transactionId);
    if (!ctx) return false;
    if (!this.credentials.trusted(msg, ctx.authenticated)) return true; // RFC 8489 §9.2.5: as if never received.
    this.table.match(msg);
    if (msg.cls === 'error') this.onError(msg, ctx);
    else this.onSuccess(msg, ctx);
    return true;
  }

  /** RFC 8656 §8: deletes the allocation (Refresh with LIFETIME 0), then emits 'closed'. */
  close(): void {
    if (this.stateValue === 'closed' || this.stateValue === 'closing') return;
    const wasAllocated = this.stateValue === 'allocated';
    this.stopAll();
    if (!wasAllocated) {
      this.finishClose();
      return;
    }
    this.stateValue = 'closing';
    this.request(StunMethod.Refresh, { kind: 'refresh', attributes: [{ name: 'lifetime', value: 0 }], authenticated: true, staleNonceRetries: 0 });
  }

  private finishClose(): void {
    this.stopAll();
    this.stateValue = 'closed';
    this.emit('closed', {});
  }

  private stopAll(): void {
    this.table.cancelAll();
    for (const t of this.timers.values()) this.options.clock.clearTimeout(t);
    this.timers.clear();
  }

  private schedule(name: string, ms: number, fn: () => void): void {
    const old = this.timers.get(name);
    if (old !== undefined) this.options.clock.clearTimeout(old);
    this.timers.set(
      name,
      this.options.clock.setTimeout(() => {
        this.timers.delete(name);
        fn();
      }, ms),
    );
  }

  private sendIndication(peer: TransportAddress, data: Uint8Array): void {
    // §10.1: Send indications carry no credentials (indications cannot be authenticated).
    const bytes = encodeStun({
      method: StunMethod.Send,
      cls: 'indication',
      transactionId: newTransactionId(this.random),
      attributes: [
        { name: 'xorPeerAddress', value: peer },
        { name: 'data', value: data },
      ],
    });
    this.options.send(bytes);
  }

  private sendPermission(ip: string): void {
    this.request(StunMethod.CreatePermission, {
      kind: 'permission',
      // §9.1: the port in XOR-PEER-ADDRESS is ignored; permissions are per IP address.
      attributes: [{ name: 'xorPeerAddress', value: { address: ip, port: 0 } }],
      authenticated: true,
      staleNonceRetries: 0,
      peerAddress: ip,
    });
  }

  private sendChannelBind(channel: Channel): void {
    this.request(StunMethod.ChannelBind, {
      kind: 'channel',
      attributes: [
        { name: 'channelNumber', value: channel.number },
        { name: 'xorPeerAddress', value: channel.peer },
      ],
      authenticated: true,
      staleNonceRetries: 0,
      peer: channel.peer,
      channel: channel.number,
    });
  }

  /** Sends a request (a new transaction), adding the long-term credentials once we have them (§9.2.4). */
  private request(method: number, ctx: RequestContext): void {
    const auth = this.credentials.attributes();
    const attributes = [...ctx.attributes, ...auth];
    if (this.options.software) attributes.push({ name: 'software', value: this.options.software });
    const transactionId = newTransactionId(this.random);
    const key = auth.length > 0 ? this.credentials.key : null;
    const bytes = encodeStun({ method, cls: 'request', transactionId, attributes }, key ? { integrityKey: key, fingerprint: true } : { fingerprint: true });
    const sent: RequestContext = { ...ctx, authenticated: key !== null };
    this.table.send(transactionId, sent, () => this.options.send(bytes), (c) => this.onTimeout(c), this.options.policy ?? DEFAULT_RETRANSMIT);
  }

  private resend(ctx: RequestContext): void {
    const method = {
      allocate: StunMethod.Allocate,
      refresh: StunMethod.Refresh,
      permission: StunMethod.CreatePermission,
      channel: StunMethod.ChannelBind,
    }[ctx.kind];
    this.request(method, ctx);
  }

  private onSuccess(msg: DecodedStun, ctx: RequestContext): void {
    const now = this.options.clock.now();
    if (ctx.kind === 'allocate') {
      const relayed = getAttr(msg, 'xorRelayedAddress');
      if (!relayed) return this.fail('Allocate response without XOR-RELAYED-ADDRESS');
      const lifetime = getAttr(msg, 'lifetime') ?? 600;
      this.relayedValue = relayed;
      this.mappedValue = getAttr(msg, 'xorMappedAddress') ?? null;
      this.stateValue = 'allocated';
      this.everAllocated = true;
      this.armRefresh(lifetime, now);
      this.emit('allocated', { relayed, mapped: this.mappedValue, lifetime });
    } else if (ctx.kind === 'refresh') {
      if (this.stateValue === 'closing') return this.finishClose();
      this.armRefresh(getAttr(msg, 'lifetime') ?? 600, now);
    } else if (ctx.kind === 'permission' && ctx.peerAddress !== undefined) {
      const ip = ctx.peerAddress;
      const perm = this.permissions.get(ip);
      if (!perm) return;
      perm.state = 'installed';
      const queued = perm.queue.splice(0);
      this.schedule(`perm:${ip}`, PERMISSION_REFRESH_MS, () => this.sendPermission(ip));
      this.emit('permission', { peerAddress: ip, ok: true });
      for (const q of queued) this.sendTo(q.peer, q.data);
    } else if (ctx.kind === 'channel' && ctx.peer && ctx.channel !== undefined) {
      const channel = this.channelsByNumber.get(ctx.channel);
      if (!channel) return;
      const first = channel.state !== 'bound';
      channel.state = 'bound';
      this.schedule(`chan:${channel.number}`, CHANNEL_REFRESH_MS, () => this.sendChannelBind(channel));
      if (first) this.emit('channel', { peer: channel.peer, channel: channel.number, ok: true });
    }
  }

  private onError(msg: DecodedStun, ctx: RequestContext): void {
    const err = getAttr(msg, 'errorCode');
    const code = err?.code ?? 0;
    const reason = err ? `${err.code} ${err.reason}`.trim() : 'error response without ERROR-CODE';
    if (code === 401 && !ctx.authenticated) {
      // RFC 8489 §9.2.3: the 401 tells us the realm and nonce; retry with credentials.
      if (!this.credentials.challenge(msg)) return this.failRequest(ctx, `${reason} without REALM/NONCE`, code);
      return this.resend(ctx);
    }
    // RFC 8489 §9.2.5: stale nonce: take the new one and retry (a few times at most).
    if (code === 438 && ctx.staleNonceRetries < MAX_STALE_NONCE_RETRIES && this.credentials.staleNonce(msg)) {
      return this.resend({ ...ctx, staleNonceRetries: ctx.staleNonceRetries + 1 });
    }
    if (code === 401) return this.failRequest(ctx, `${reason}: wrong TURN username or password`, code);
    const onAllocation = (ctx.kind === 'permission' || ctx.kind === 'channel') && this.stateValue === 'allocated';
    const what = ctx.kind === 'permission' ? `CreatePermission for ${ctx.peerAddress ?? '?'}` : `ChannelBind to ${ctx.peer ? addressKey(ctx.peer) : '?'}`;
    if (onAllocation && code === 437) {
      // RFC 8656 §9.2/§11.2: 437 Allocation Mismatch: the server has no allocation for our 5-tuple any more.
      this.failRequest(ctx, reason, code);
      return this.fail(`${what} answered ${reason}`, code);
    }
    if (onAllocation && ctx.staleNonceRetries > 0) {
      // coturn deletes an allocation whose relay send failed, and the client's session with it: the next
      // request gets 438 with a fresh nonce, the retry then 400 (never 437). A stale nonce followed by an error
      // on a working allocation is that pattern: ask with a Refresh (§8) whether the allocation still exists.
      this.failRequest(ctx, reason, code);
      return this.probe(`${what} answered 438 Stale Nonce, then ${reason}`);
    }
    if (code === 300) {
      const alt = getAttr(msg, 'alternateServer');
      return this.failRequest(ctx, alt ? `${reason}: server redirects to ${addressKey(alt)}` : reason, code);
    }
    this.failRequest(ctx, reason, code);
  }

  private onTimeout(ctx: RequestContext): void {
    if (ctx.kind === 'refresh' && this.stateValue === 'allocated' && this.options.clock.now() < this.expiresAt) {
      return this.resend(ctx); // still time before the allocation expires: try again.
    }
    if (ctx.kind === 'refresh' && this.stateValue === 'closing') return this.finishClose();
    this.failRequest(ctx, `no response from TURN server ${addressKey(this.options.server)}`);
  }

  /** One Refresh at a time asks whether the allocation is still there; its failure is the allocation's. */
  private probe(why: string): void {
    if (this.table.some((c) => c.probe !== undefined)) return;
    const lifetime = this.options.lifetime ?? 600;
    this.request(StunMethod.Refresh, { kind: 'refresh', attributes: [{ name: 'lifetime', value: lifetime }], authenticated: true, staleNonceRetries: 0, probe: why });
  }

  private failRequest(ctx: RequestContext, reason: string, code?: number): void {
    if (ctx.kind === 'allocate' || ctx.kind === 'refresh') {
      if (this.stateValue === 'closing') return this.finishClose();
      return this.fail(ctx.probe ? `${ctx.probe}; Refresh answered ${reason}` : reason, code);
    }
    if (ctx.kind === 'permission' && ctx.peerAddress !== undefined) {
      const perm = this.permissions.get(ctx.peerAddress);
      if (perm) {
        perm.state = 'failed';
        perm.queue.length = 0;
      }
      this.emit('permission', { peerAddress: ctx.peerAddress, ok: false, reason });
    } else if (ctx.kind === 'channel' && ctx.channel !== undefined && ctx.peer) {
      const channel = this.channelsByNumber.get(ctx.channel);
      if (channel) channel.state = 'failed';
      this.emit('channel', { peer: ctx.peer, channel: ctx.channel, ok: false, reason });
    }
  }

  private fail(reason: string, code?: number): void {
    if (this.stateValue === 'failed' || this.stateValue === 'closed') return;
    this.stopAll();
    this.stateValue = 'failed';
    this.emit('failed', code === undefined ? { reason } : { reason, code });
  }

  /** §8: refresh a minute before the allocation expires (half-way for short lifetimes). */
  private armRefresh(lifetimeSeconds: number, now: number): void {
    this.expiresAt = now + lifetimeSeconds * 1000;
    const lead = Math.min(60, lifetimeSeconds / 2);
    const lifetime = this.options.lifetime ?? 600;
    this.schedule('refresh', (lifetimeSeconds - lead) * 1000, () =>
      this.request(StunMethod.Refresh, { kind: 'refresh', attributes: [{ name: 'lifetime', value: lifetime }], authenticated: true, staleNonceRetries: 0 }),
    );
  }
}
