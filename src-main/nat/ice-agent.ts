// ICE agent for one media stream (RFC 8445, full implementation, regular nomination; RFC 7675 consent).
// Pure: the caller hands in received datagrams with their source and the local base they arrived on, and
// sends what the 'send' event asks for, from that base (a socket, or a TURN allocation for relay bases).

import { Emitter } from '../util/emitter';
import { cryptoRandom, type RandomBytes, type TimerId } from './nat-clock';
import {
  candidatePriority,
  generateIceCredentials,
  isUsableCandidate,
  makeLocalCandidate,
  makePrflxLocal,
  type GatheredCandidate,
  type IceCandidate,
  type IceCredentials,
  type LocalCandidate,
} from './ice-candidate';
import { CheckList, pairId, type CandidatePair, type ValidPair } from './ice-checklist';
import { ConsentFreshness } from './ice-consent';
import { NominationTimer } from './ice-nomination';
import { buildCheckError, buildCheckRequest, buildCheckSuccess, resolveRoleConflict, validateCheckRequest, type IceRole } from './ice-messages';
import { shortTermKey } from './stun-credentials';
import { decodeStun, getAttr, isStun, newTransactionId, StunMethod, verifyIntegrity, type DecodedStun } from './stun-message';
import { StunRequestTable, type RetransmitPolicy } from './stun-transaction';
import { sameAddress, type TransportAddress } from './transport-address';
import type { IceAgentEvents, IceAgentOptions, IceState, SelectedPair } from './ice-agent-options';

export type { IceRole } from './ice-messages';
export type { GatheredCandidate } from './ice-candidate';
export type { IceAgentEvents, IceAgentOptions, IceState, SelectedPair } from './ice-agent-options';
export { describePair } from './ice-candidate';
interface CheckContext {
  kind: 'check' | 'nominate' | 'consent';
  pair: CandidatePair;
  role: IceRole;
  priority: number;
}

const CONSENT_POLICY: RetransmitPolicy = { rto: 500, rc: 4, rm: 8 };

export class IceAgent extends Emitter<IceAgentEvents> {
  readonly localCredentials: IceCredentials;
  private roleValue: IceRole;
  private readonly tieBreaker: bigint;
  private readonly random: RandomBytes;
  private readonly components: number;
  private remote: IceCredentials | null = null;
  private readonly locals: LocalCandidate[] = [];
  private readonly remotes: IceCandidate[] = [];
  private readonly checklist: CheckList;
  private readonly table: StunRequestTable<CheckContext>;
  private stateValue: IceState = 'new';
  private started = false;
  private taTimer: TimerId | undefined;
  private readonly nominationTimer: NominationTimer;
  private readonly nominating = new Set<number>();
  private readonly selected = new Map<number, ValidPair>();
  private readonly consent = new Map<number, ConsentFreshness>();
  private early: { base: TransportAddress; from: TransportAddress; priority: number; useCandidate: boolean }[] = [];
  private prflxSeq = 0;

  constructor(private readonly options: IceAgentOptions) {
    super();
    this.random = options.random ?? cryptoRandom;
    this.roleValue = options.role;
    this.components = options.components ?? 1;
    this.localCredentials = options.credentials ?? generateIceCredentials(this.random);
    const tb = this.random(8);
    this.tieBreaker = options.tieBreaker ?? new DataView(tb.buffer, tb.byteOffset, 8).getBigUint64(0);
    this.checklist = new CheckList(this.roleValue === 'controlling');
    this.table = new StunRequestTable(options.clock);
    this.nominationTimer = new NominationTimer(options.clock, options.nominationDelayMs ?? 1000, (component) => {
      const best = this.checklist.bestValid(component);
      if (best && this.roleValue === 'controlling' && !this.selected.has(component) && !this.nominating.has(component)) this.nominate(best);
    });
  }

  get role(): IceRole {
    return this.roleValue;
  }

  get state(): IceState {
    return this.stateValue;
  }

  /** Our candidates for the SDP (host, srflx, relay). */
  get localCandidates(): LocalCandidate[] {
    return this.locals.filter((c) => c.type !== 'prflx');
  }

  get remoteCandidates(): readonly IceCandidate[] {
    return this.remotes;
  }

  get pairs(): readonly CandidatePair[] {
    return this.checklist.pairs;
  }

  get validPairs(): readonly ValidPair[] {
    return this.checklist.valid;
  }

  /** Adds a gathered candidate and returns it with priority and foundation (§5.1.2, §5.1.1.3). */
  addLocalCandidate(g: GatheredCandidate): LocalCandidate {
    const component = g.component ?? 1;
    const existing = this.locals.find((c) => c.type === g.type && c.component === component && sameAddress(c, g));
    if (existing) return existing;
    const sameType = this.locals.filter((c) => c.type === g.type && c.component === component).length;
    const candidate = makeLocalCandidate(g, sameType);
    this.locals.push(candidate);
    if (candidate.type !== 'srflx') this.formPairs();
    return candidate;
  }

  setRemoteCredentials(ufrag: string, pwd: string): void {
    this.remote = { ufrag, pwd };
    const early = this.early.splice(0);
    for (const e of early) {
      const local = this.localByBase(e.base);
      if (local) this.processCheck(local, e.from, e.priority, e.useCandidate);
    }
    this.kick();
  }

  /** Adds a signalled remote candidate; unusable ones (TCP, host names, other components) are ignored. */
  addRemoteCandidate(c: IceCandidate): boolean {
    if (!isUsableCandidate(c) || c.component > this.components) return false;
    const known = this.remotes.find((r) => r.component === c.component && sameAddress(r, c));
    if (known) {
      if (known.type === 'prflx' && c.type !== 'prflx') {
        // A peer-reflexive candidate later signalled: take the signalled identity (RFC 8838 §11.4).
        Object.assign(known, { type: c.type, foundation: c.foundation, priority: c.priority });
        this.checklist.setControlling(this.roleValue === 'controlling');
      }
      return false;
    }
    this.remotes.push({ ...c });
    this.formPairs();
    return true;
  }

  /** Starts connectivity checks (they wait for the remote credentials if not yet known). */
  start(): void {
    if (this.started || this.stateValue === 'closed') return;
    this.started = true;
    this.setState('checking');
    this.kick();
  }

  /**
   * Feed every datagram received on a local base (socket or TURN relay). Returns true if it was ICE's STUN
   * (consumed); false for media and for STUN that belongs to someone else (e.g. a gathering transaction).
   */
  handleDatagram(data: Uint8Array, from: TransportAddress, base: TransportAddress): boolean {
    if (this.stateValue === 'closed' || !isStun(data)) return false;
    const msg = decodeStun(data);
    if (!msg || msg.method !== StunMethod.Binding) return false;
    if (msg.cls === 'request') {
      this.onRequest(msg, from, base);
      return true;
    }
    if (msg.cls === 'indication') return true; // §11: Binding indications are keepalives.
    return this.onResponse(msg, from, base);
  }

  /** The selected pair of a component, or before nomination the best valid pair (§12.1: media may flow on it). */
  route(component = 1): SelectedPair | null {
    const v = this.selected.get(component) ?? this.checklist.bestValid(component);
    if (!v || this.consent.get(component)?.lost) return null;
    return { component, local: v.local, remote: v.remote, base: v.generator.local.base, remoteAddress: { address: v.remote.address, port: v.remote.port } };
  }

  /** Sends media on the component's route; false (and nothing sent) without one or after consent loss. */
  sendData(component: number, data: Uint8Array): boolean {
    const r = this.route(component);
    if (!r) return false;
    this.emit('send', { data, from: r.base, to: r.remoteAddress });
    return true;
  }

  /**
   * Issue 10: a relay base is gone (its TURN allocation was lost). Its candidates, pairs and checks go; a
   * component whose selected pair used it is unselected and back to checking, so that another pair (the new
   * relay candidate's, added next) can be nominated (§8.1.1, by the controlling agent). Call reevaluate()
   * when no replacement will come.
   */
  dropLocalBase(base: TransportAddress): void {
    if (this.stateValue === 'closed') return;
    const onBase = (c: LocalCandidate) => sameAddress(c.base, base);
    this.table.cancel((c) => onBase(c.pair.local));
    this.checklist.dropBase(base);
    for (let i = this.locals.length - 1; i >= 0; i--) if (onBase(this.locals[i] as LocalCandidate)) this.locals.splice(i, 1);
    for (const [component, v] of [...this.selected]) {
      if (!onBase(v.generator.local)) continue;
      this.selected.delete(component);
      this.nominating.delete(component);
      this.consent.get(component)?.stop();
      this.consent.delete(component);
      this.setState('checking');
    }
  }

  /** Re-judges the state (connected, failed) and nomination after the candidates changed. */
  reevaluate(): void {
    this.afterCheck();
  }

  close(): void {
    if (this.stateValue === 'closed') return;
    this.table.cancelAll();
    this.stopTa();
    this.nominationTimer.cancelAll();
    for (const c of this.consent.values()) c.stop();
    this.setState('closed');
  }

  private setState(state: IceState): void {
    if (this.stateValue === state || this.stateValue === 'closed') return;
    this.stateValue = state;
    this.emit('state', { state });
  }

  private addLocal(c: LocalCandidate): LocalCandidate {
    this.locals.push(c);
    return c;
  }

  private localByBase(base: TransportAddress): LocalCandidate | undefined {
    return this.locals.find((c) => (c.type === 'host' || c.type === 'relay') && sameAddress(c.base, base));
  }

  private formPairs(): void {
    this.checklist.addPairs(this.locals, this.remotes);
    this.kick();
  }

  private emitSend(data: Uint8Array, from: TransportAddress, to: TransportAddress): void {
    this.emit('send', { data, from, to: { address: to.address, port: to.port } });
  }

  // ---- incoming checks (§7.3) ----

  private onRequest(msg: DecodedStun, from: TransportAddress, base: TransportAddress): void {
    const local = this.localByBase(base);
    if (!local) return;
    const { ufrag, pwd } = this.localCredentials;
    const check = validateCheckRequest(msg, ufrag, pwd);
    if (!check.ok) {
      this.emitSend(buildCheckError(msg, check.code, check.reason, check.authenticated ? pwd : null, check.unknownAttributes), base, from);
      return;
    }
    const conflict = resolveRoleConflict(this.roleValue, this.tieBreaker, check);
    if (conflict === 'respond-487') {
      this.emitSend(buildCheckError(msg, 487, 'Role Conflict', pwd), base, from);
      return;
    }
    if (conflict === 'switch') this.switchRole();
    this.emitSend(buildCheckSuccess(msg, from, pwd), base, from);
    if (!this.remote) {
      this.early.push({ base, from, priority: check.priority, useCandidate: check.useCandidate });
      return;
    }
    this.processCheck(local, from, check.priority, check.useCandidate);
  }

  /** §7.3.1.3-§7.3.1.5: peer-reflexive remote candidates, triggered checks, nomination on the controlled side. */
  private processCheck(local: LocalCandidate, from: TransportAddress, priority: number, useCandidate: boolean): void {
    const component = local.component;
    let remote = this.remotes.find((r) => r.component === component && sameAddress(r, from));
    if (!remote) {
      remote = { foundation: `p${++this.prflxSeq}`, component, transport: 'udp', priority, address: from.address, port: from.port, type: 'prflx' };
      this.remotes.push(remote);
    }
    const done = this.selected.has(component) && !(useCandidate && this.roleValue === 'controlled');
    let pair = this.checklist.get(pairId(local.base, from));
    if (!pair) {
      if (done) return;
      pair = this.checklist.addTriggeredPair(local, remote);
      this.checklist.trigger(pair);
    } else if (pair.state !== 'succeeded' && !done) {
      if (pair.state === 'in-progress') this.table.quiet((c) => c.pair === pair && c.kind === 'check');
      pair.state = 'waiting';
      this.checklist.trigger(pair);
    }
    if (useCandidate && this.roleValue === 'controlled') {
      if (pair.state === 'succeeded') {
        for (const v of this.checklist.validFor(pair)) v.nominated = true;
        this.updateSelection(component);
      } else {
        pair.nominateOnSuccess = true;
      }
    }
    this.kick();
  }

  private switchRole(): void {
    this.roleValue = this.roleValue === 'controlling' ? 'controlled' : 'controlling';
    this.checklist.setControlling(this.roleValue === 'controlling');
    if (this.roleValue === 'controlled') {
      this.nominationTimer.cancelAll();
      this.nominating.clear();
    }
    this.emit('role-change', { role: this.roleValue });
  }

  // ---- outgoing checks (§6.1.4, §7.2) ----

  private kick(): void {
    if (!this.started || !this.remote || this.taTimer !== undefined || this.stateValue === 'closed') return;
    if (!this.checklist.hasWork()) return;
    this.taTimer = this.options.clock.setTimeout(() => this.tick(), 0);
  }

  private tick(): void {
    this.taTimer = undefined;
    // On the first tick, not in start(): candidates the caller adds right after start() count too.
    this.checklist.initialize();
    const pair = this.checklist.nextPair();
    if (pair) this.sendCheck(pair, 'check');
    if (this.checklist.hasWork()) this.taTimer = this.options.clock.setTimeout(() => this.tick(), this.options.taMs ?? 50);
  }

  private stopTa(): void {
    if (this.taTimer !== undefined) this.options.clock.clearTimeout(this.taTimer);
    this.taTimer = undefined;
  }

  private sendCheck(pair: CandidatePair, kind: CheckContext['kind']): void {
    if (!this.remote) return;
    const transactionId = newTransactionId(this.random);
    // §7.1.1: the priority of the peer-reflexive candidate this check could create, same local preference.
    const priority = candidatePriority('prflx', pair.component, Math.floor(pair.local.priority / 256) & 0xffff);
    const bytes = buildCheckRequest({
      transactionId,
      localUfrag: this.localCredentials.ufrag,
      remoteUfrag: this.remote.ufrag,
      remotePwd: this.remote.pwd,
      priority,
      role: this.roleValue,
      tieBreaker: this.tieBreaker,
      useCandidate: kind === 'nominate',
      ...(this.options.software ? { software: this.options.software } : {}),
    });
    if (kind === 'check') pair.state = 'in-progress';
    const ctx: CheckContext = { kind, pair, role: this.roleValue, priority };
    const policy = kind === 'consent' ? CONSENT_POLICY : this.options.checkPolicy;
    this.table.send(transactionId, ctx, () => this.emitSend(bytes, pair.local.base, pair.remote), (c) => this.onCheckTimeout(c), policy);
  }

  private onResponse(msg: DecodedStun, from: TransportAddress, base: TransportAddress): boolean {
    const ctx = this.table.peek(msg.transactionId);
    if (!ctx) return false;
    // RFC 8489 §9.1.4: responses are authenticated with the peer's password; others are discarded.
    if (!this.remote || !verifyIntegrity(msg, shortTermKey(this.remote.pwd))) return true;
    this.table.match(msg);
    const { pair } = ctx;
    if (!sameAddress(from, pair.remote) || !sameAddress(base, pair.local.base)) {
      // §7.2.5.2.1: non-symmetric transport addresses fail the check.
      if (ctx.kind === 'check') this.checklist.failed(pair);
      this.afterCheck();
      return true;
    }
    if (msg.cls === 'error') {
      const code = getAttr(msg, 'errorCode')?.code;
      if (code === 487 && ctx.kind !== 'consent') {
        // §7.2.5.1: switch role (unless already done) and check the pair again.
        if (ctx.role === this.roleValue) this.switchRole();
        if (ctx.kind === 'nominate') this.nominating.delete(pair.component);
        else {
          pair.state = 'waiting';
          this.checklist.trigger(pair);
        }
      } else if (ctx.kind === 'check') this.checklist.failed(pair);
      else if (ctx.kind === 'nominate') this.nominationFailed(pair);
      this.afterCheck();
      return true;
    }
    const mapped = getAttr(msg, 'xorMappedAddress');
    if (ctx.kind === 'consent') {
      this.consent.get(pair.component)?.granted();
      return true;
    }
    if (!mapped) {
      if (ctx.kind === 'check') this.checklist.failed(pair);
      this.afterCheck();
      return true;
    }
    // §7.2.5.3.1: a mapped address we do not know is a new peer-reflexive local candidate.
    const local =
      this.locals.find((c) => c.component === pair.component && sameAddress(c, mapped)) ?? this.addLocal(makePrflxLocal(mapped, pair.local.base, pair.component, ctx.priority));
    const valid = this.checklist.addValid(local, pair);
    if (pair.state !== 'succeeded') this.checklist.succeeded(pair);
    if (ctx.kind === 'nominate' && this.roleValue === 'controlling') valid.nominated = true;
    if (pair.nominateOnSuccess && this.roleValue === 'controlled') valid.nominated = true;
    if (ctx.kind === 'nominate') this.nominating.delete(pair.component);
    this.updateSelection(pair.component);
    this.afterCheck();
    return true;
  }

  private onCheckTimeout(ctx: CheckContext): void {
    if (this.stateValue === 'closed') return;
    if (ctx.kind === 'check' && ctx.pair.state === 'in-progress') this.checklist.failed(ctx.pair);
    if (ctx.kind === 'nominate') this.nominationFailed(ctx.pair);
    this.afterCheck();
  }

  private nominationFailed(pair: CandidatePair): void {
    this.nominating.delete(pair.component);
    this.checklist.failed(pair);
    this.checklist.removeValid(pair);
  }

  // ---- nomination and selection (§8) ----

  private afterCheck(): void {
    if (this.stateValue === 'closed') return;
    if (this.roleValue === 'controlling') for (let c = 1; c <= this.components; c++) this.maybeNominate(c);
    let allValid = true;
    for (let c = 1; c <= this.components; c++) if (!this.checklist.bestValid(c)) allValid = false;
    if (this.selected.size < this.components) {
      if (allValid && this.stateValue === 'checking') this.setState('connected');
      else if (!allValid && this.checklist.isFailed(this.components) && this.nominating.size === 0) this.setState('failed');
    }
    this.kick();
  }

  /** §8.1.1 regular nomination: once no better pair can still succeed (or after a delay), nominate the best. */
  private maybeNominate(component: number): void {
    if (this.selected.has(component) || this.nominating.has(component)) return;
    const best = this.checklist.bestValid(component);
    if (best) this.nominationTimer.consider(component, this.checklist.pendingAbove(component, best.priority));
  }

  private nominate(valid: ValidPair): void {
    this.nominationTimer.cancel(valid.component);
    this.nominating.add(valid.component);
    this.sendCheck(valid.generator, 'nominate');
  }

  private updateSelection(component: number): void {
    const best = this.checklist.bestNominated(component);
    if (!best || this.selected.get(component) === best) return;
    this.selected.set(component, best);
    this.checklist.stopComponent(component);
    const route = this.route(component);
    if (route) this.emit('selected', route);
    this.startConsent(component);
    if (this.selected.size === this.components) this.setState('completed');
  }

  private startConsent(component: number): void {
    if (this.consent.has(component)) return;
    const consent = new ConsentFreshness({
      clock: this.options.clock,
      intervalMs: this.options.consentIntervalMs ?? 5000,
      timeoutMs: this.options.consentTimeoutMs ?? 30_000,
      random: () => (this.random(1)[0] ?? 0) / 256,
      sendCheck: () => {
        const v = this.selected.get(component);
        if (v) this.sendCheck(v.generator, 'consent');
      },
      onLost: () => {
        this.emit('consent-lost', { component });
        this.setState('failed');
      },
    });
    this.consent.set(component, consent);
    consent.start();
  }
}
