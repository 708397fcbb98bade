// The ICE check list of one data stream (RFC 8445 §6.1.2-§6.1.4): pair formation, pair priority, pruning,
// frozen/waiting states per foundation, the triggered-check queue, and the valid list.

import type { IceCandidate, LocalCandidate } from './ice-candidate';
import { addressKey, ipFamily, type TransportAddress } from './transport-address';

export type PairState = 'frozen' | 'waiting' | 'in-progress' | 'succeeded' | 'failed';

export interface CandidatePair {
  /** "<base>-><remote>": checks are sent from the local candidate's base (§6.1.2.4 pruning). */
  id: string;
  /** A host or relay candidate: what the check is sent from. */
  local: LocalCandidate;
  remote: IceCandidate;
  component: number;
  /** §6.1.2.6: the pair foundation is the local and remote foundations together. */
  foundation: string;
  priority: bigint;
  state: PairState;
  /** Controlled side: USE-CANDIDATE arrived before our own check of this pair succeeded (§7.3.1.5). */
  nominateOnSuccess: boolean;
}

/** A pair that has been validated (§7.2.5.3.2): its local candidate may be a srflx/prflx one. */
export interface ValidPair {
  id: string;
  local: LocalCandidate;
  remote: IceCandidate;
  component: number;
  priority: bigint;
  nominated: boolean;
  /** The check-list pair whose check produced it (nomination re-checks this pair). */
  generator: CandidatePair;
}

/** §6.1.2.3: 2^32*MIN(G,D) + 2*MAX(G,D) + (G>D?1:0), G = controlling agent's candidate priority. */
export function pairPriority(controllingPriority: number, controlledPriority: number): bigint {
  const g = BigInt(controllingPriority);
  const d = BigInt(controlledPriority);
  const min = g < d ? g : d;
  const max = g > d ? g : d;
  return (1n << 32n) * min + 2n * max + (g > d ? 1n : 0n);
}

export function pairId(base: TransportAddress, remote: TransportAddress): string {
  return `${addressKey(base)}->${addressKey(remote)}`;
}

/** §6.1.2.5: an agent SHOULD limit the number of pairs; 100 is the recommended default. */
export const MAX_PAIRS = 100;

export class CheckList {
  private pairList: CandidatePair[] = [];
  private readonly byId = new Map<string, CandidatePair>();
  private triggered: CandidatePair[] = [];
  private validList: ValidPair[] = [];
  private initialized = false;

  constructor(private controlling: boolean) {}

  get pairs(): readonly CandidatePair[] {
    return this.pairList;
  }

  get valid(): readonly ValidPair[] {
    return this.validList;
  }

  get(id: string): CandidatePair | undefined {
    return this.byId.get(id);
  }

  /**
   * §6.1.2.2-§6.1.2.4: pairs every check source (host or relay candidate; a srflx candidate is replaced by
   * its base, i.e. the host candidate, so it adds nothing) with each remote candidate of the same component
   * and IP family. Returns the new pairs; their initial state follows §6.1.2.6 (or §7.2.5.3.3 if late).
   */
  addPairs(locals: readonly LocalCandidate[], remotes: readonly IceCandidate[]): CandidatePair[] {
    const added: CandidatePair[] = [];
    for (const local of locals) {
      if (local.type !== 'host' && local.type !== 'relay') continue;
      for (const remote of remotes) {
        if (remote.component !== local.component || ipFamily(remote.address) !== ipFamily(local.base.address)) continue;
        const id = pairId(local.base, remote);
        if (this.byId.has(id)) continue; // §6.1.2.4: redundant pair.
        const pair: CandidatePair = {
          id,
          local,
          remote,
          component: local.component,
          foundation: `${local.foundation}:${remote.foundation}`,
          priority: this.priorityOf(local.priority, remote.priority),
          state: 'frozen',
          nominateOnSuccess: false,
        };
        this.byId.set(id, pair);
        this.pairList.push(pair);
        added.push(pair);
      }
    }
    this.sort();
    // §6.1.2.5: keep the highest-priority pairs only.
    for (const dropped of this.pairList.splice(MAX_PAIRS)) this.byId.delete(dropped.id);
    const kept = added.filter((p) => this.byId.has(p.id));
    if (this.initialized) this.initialStates(kept);
    return kept;
  }

  /**
   * §6.1.2.6: sets the initial states over the whole list when checking starts. Doing it per added
   * candidate would depend on signalling order, and both agents must start the same pair of each
   * foundation for hole punching through address-dependent filters to meet in the middle.
   */
  initialize(): void {
    if (this.initialized) return;
    this.initialized = true;
    this.initialStates(this.pairList.filter((p) => p.state === 'frozen'));
  }

  /** A pair made for a triggered check or a peer-reflexive remote candidate (§7.3.1.4), set Waiting. */
  addTriggeredPair(local: LocalCandidate, remote: IceCandidate): CandidatePair {
    const id = pairId(local.base, remote);
    let pair = this.byId.get(id);
    if (!pair) {
      pair = {
        id,
        local,
        remote,
        component: local.component,
        foundation: `${local.foundation}:${remote.foundation}`,
        priority: this.priorityOf(local.priority, remote.priority),
        state: 'waiting',
        nominateOnSuccess: false,
      };
      this.byId.set(id, pair);
      this.pairList.push(pair);
      this.sort();
    }
    return pair;
  }

  /** §6.1.2.6: per foundation, the pair with the lowest component ID (then highest priority) starts Waiting. */
  private initialStates(pairs: CandidatePair[]): void {
    const active = new Set(
      this.pairList.filter((p) => p.state !== 'frozen' && !pairs.includes(p)).map((p) => p.foundation),
    );
    const best = new Map<string, CandidatePair>();
    for (const p of pairs) {
      const cur = best.get(p.foundation);
      if (!cur || p.component < cur.component || (p.component === cur.component && p.priority > cur.priority)) best.set(p.foundation, p);
    }
    for (const p of best.values()) if (!active.has(p.foundation)) p.state = 'waiting';
  }

  private priorityOf(localPriority: number, remotePriority: number): bigint {
    return this.controlling ? pairPriority(localPriority, remotePriority) : pairPriority(remotePriority, localPriority);
  }

  private sort(): void {
    this.pairList.sort((a, b) => (a.priority === b.priority ? 0 : a.priority > b.priority ? -1 : 1));
  }

  /** §7.2.5.1: after a role change every pair priority is recomputed. */
  setControlling(controlling: boolean): void {
    this.controlling = controlling;
    for (const p of this.pairList) p.priority = this.priorityOf(p.local.priority, p.remote.priority);
    for (const v of this.validList) v.priority = this.priorityOf(v.local.priority, v.remote.priority);
    this.sort();
  }

  /** §7.3.1.4: queue a triggered check (FIFO), once. */
  trigger(pair: CandidatePair): void {
    if (!this.triggered.includes(pair)) this.triggered.push(pair);
  }

  /**
   * §6.1.4.2: the next pair to check: the triggered queue first, then the highest-priority Waiting pair,
   * then a Frozen pair whose foundation has nothing Waiting or In-Progress. null when nothing is left.
   */
  nextPair(): CandidatePair | null {
    for (;;) {
      const t = this.triggered.shift();
      if (!t) break;
      if (this.byId.has(t.id) && t.state !== 'succeeded' && t.state !== 'in-progress') return t;
    }
    const waiting = this.pairList.find((p) => p.state === 'waiting');
    if (waiting) return waiting;
    const busy = new Set(this.pairList.filter((p) => p.state === 'waiting' || p.state === 'in-progress').map((p) => p.foundation));
    const frozen = this.pairList.find((p) => p.state === 'frozen' && !busy.has(p.foundation));
    if (frozen) {
      frozen.state = 'waiting';
      return frozen;
    }
    return null;
  }

  /** Something is still to be checked (waiting, frozen or triggered). */
  hasWork(): boolean {
    return this.triggered.length > 0 || this.pairList.some((p) => p.state === 'waiting' || p.state === 'frozen');
  }

  /** §7.2.5.3.3: a success unfreezes the other pairs with the same foundation. */
  succeeded(pair: CandidatePair): void {
    pair.state = 'succeeded';
    for (const p of this.pairList) if (p.state === 'frozen' && p.foundation === pair.foundation) p.state = 'waiting';
  }

  failed(pair: CandidatePair): void {
    pair.state = 'failed';
    this.triggered = this.triggered.filter((p) => p !== pair);
  }

  /** §7.2.5.3.2: adds (or returns the existing) valid pair. */
  addValid(local: LocalCandidate, generator: CandidatePair): ValidPair {
    const id = pairId(local, generator.remote);
    const existing = this.validList.find((v) => v.id === id);
    if (existing) return existing;
    const valid: ValidPair = {
      id,
      local,
      remote: generator.remote,
      component: generator.component,
      priority: this.priorityOf(local.priority, generator.remote.priority),
      nominated: false,
      generator,
    };
    this.validList.push(valid);
    this.validList.sort((a, b) => (a.priority === b.priority ? 0 : a.priority > b.priority ? -1 : 1));
    return valid;
  }

  /** Forgets the valid pairs a generator produced (its nomination check failed). */
  removeValid(generator: CandidatePair): void {
    this.validList = this.validList.filter((v) => v.generator !== generator);
  }

  validFor(generator: CandidatePair): ValidPair[] {
    return this.validList.filter((v) => v.generator === generator);
  }

  bestValid(component: number): ValidPair | undefined {
    return this.validList.find((v) => v.component === component);
  }

  /** The highest-priority nominated valid pair of a component: the selected pair (§8.1.1). */
  bestNominated(component: number): ValidPair | undefined {
    return this.validList.find((v) => v.component === component && v.nominated);
  }

  /** Pairs of the component that could still beat a valid pair of priority p (not yet finished). */
  pendingAbove(component: number, priority: bigint): boolean {
    return this.pairList.some(
      (x) => x.component === component && x.priority > priority && (x.state === 'waiting' || x.state === 'in-progress' || x.state === 'frozen'),
    );
  }

  /** §7.2.5.3.4: every pair finished and some component has no valid pair. */
  isFailed(components: number): boolean {
    if (this.pairList.some((p) => p.state !== 'succeeded' && p.state !== 'failed') || this.triggered.length > 0) return false;
    for (let c = 1; c <= components; c++) if (!this.bestValid(c)) return true;
    return false;
  }

  /** A local base is gone (its TURN allocation was lost): its pairs, and the valid pairs they produced, go. */
  dropBase(base: TransportAddress): void {
    const key = addressKey(base);
    const gone = (p: CandidatePair) => addressKey(p.local.base) === key;
    for (const p of this.pairList) if (gone(p)) this.byId.delete(p.id);
    this.pairList = this.pairList.filter((p) => !gone(p));
    this.triggered = this.triggered.filter((p) => !gone(p));
    this.validList = this.validList.filter((v) => !gone(v.generator));
  }

  /** §8.1.2: once a component has its selected pair, its remaining pairs are not checked any more. */
  stopComponent(component: number): void {
    for (const p of this.pairList) if (p.component === component && (p.state === 'waiting' || p.state === 'frozen')) p.state = 'failed';
    this.triggered = this.triggered.filter((p) => p.component !== component);
  }
}
