// When a sender in silence (discontinuous transmission with RFC 3389 comfort noise) sends a SID packet:
// at the start of each silence, when the noise level changed, and as a periodic refresh. Pure.
//
// RFC 3389 §4 leaves the update rate to the sender ("...whenever the noise characteristics change");
// we refresh every second even when nothing changed, so a receiver that lost the first SID, a NAT
// binding and a peer's no-RTP watchdog all see a packet at least that often, and update early (at most
// every 200 ms) when the level moved by 3 dB or more.

export interface DtxPolicyOptions {
  /** A SID at least this often during silence; default 1000 ms. */
  refreshMs?: number;
  /** A level change of this many dB sends a SID early; default 3 dB. */
  changeDb?: number;
  /** Early updates no more often than this; default 200 ms. */
  minGapMs?: number;
}

export type DtxDecision = { kind: 'speech' } | { kind: 'sid'; level: number } | { kind: 'skip' };

export class DtxPolicy {
  private readonly refreshMs: number;
  private readonly changeDb: number;
  private readonly minGapMs: number;
  private silent = false;
  private lastSidMs = Number.NEGATIVE_INFINITY;
  private lastLevel = 0;

  constructor(opts: DtxPolicyOptions = {}) {
    this.refreshMs = opts.refreshMs ?? 1000;
    this.changeDb = opts.changeDb ?? 3;
    this.minGapMs = opts.minGapMs ?? 200;
  }

  /** One packet's worth: speech is sent as audio; silence as a SID (`level` in -dBov) or nothing. */
  decide(speech: boolean, level: number, nowMs: number): DtxDecision {
    if (speech) {
      this.silent = false;
      return { kind: 'speech' };
    }
    const since = nowMs - this.lastSidMs;
    const start = !this.silent;
    const changed = Math.abs(level - this.lastLevel) >= this.changeDb && since >= this.minGapMs;
    this.silent = true;
    if (start || changed || since >= this.refreshMs) {
      this.lastSidMs = nowMs;
      this.lastLevel = level;
      return { kind: 'sid', level };
    }
    return { kind: 'skip' };
  }

  /** True once the last decision was silence (the next speech packet starts a talkspurt). */
  get inSilence(): boolean {
    return this.silent;
  }
}
