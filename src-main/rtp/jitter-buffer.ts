// Adaptive receive jitter buffer, driven by the media tick: reorders, drops duplicates/late packets,
// reports gaps for concealment, and keeps its delay between min and max from the measured jitter.
//
// Model: one packet = one frame of `frameSamples`, and each pop() plays the next sequence number. The
// peer may change its packet size mid-call (RFC 3551 §4.5: any multiple of the frame size): the caller
// says so with setFrameSamples() and the delay bookkeeping follows, nothing queued is thrown away. Play-out starts `targetDelayMs` after the first packet arrives. The target follows the spread
// of packet transit times over the last ~3 s (max - min of arrival time minus RTP time), plus one frame,
// clamped to [minDelay, maxDelay]. The delay should grow by a frame when a packet arrives after its
// slot ("late"), and shrink by a frame when, over a whole second, more audio than the target needed was
// always queued. How (issue 13): by default ('stretch') the buffer asks its caller to play the decoded
// audio a frame's worth longer or shorter (stretchRequest, time-stretched over several frames, see
// audio/time-stretch.ts) and is told what was done (stretched()); the old way ('frame') holds play-out
// for one tick (a concealed frame) or drops one received frame at once, which is audible. Running dry
// re-buffers (in stretch mode only after up to 3 concealed ticks, 'expand', in case the next packet is
// merely late: it then plays, and the delay grew by the wait), and a burst beyond maxDelay is cut. No timers and no clock of its own: the
// caller passes the time in, which makes it testable with a fake clock.

import { TransitWindow } from './transit-window';

export interface JitterBufferOptions {
  /** Samples per packet/frame (160 for 20 ms at 8 kHz) at the start; see setFrameSamples(). */
  frameSamples: number;
  /** RTP clock rate (8000 for G.711). */
  clockRate: number;
  /** Delay to build up before play-out starts and the floor for adaptation; default 40 ms. */
  minDelayMs?: number;
  /** Ceiling for adaptation; default 200 ms. */
  maxDelayMs?: number;
  /** Frames held at most; default enough for twice maxDelay (at the first frame size). */
  capacity?: number;
  /** Preallocated bytes per slot; bigger payloads grow their slot once. Default 512. */
  maxPayloadBytes?: number;
  /**
   * How the delay changes: 'stretch' (default) asks the caller to time-stretch the audio; 'frame' holds
   * or drops a whole frame (the behaviour before issue 13, kept for comparison).
   */
  adapt?: JitterAdaptMode;
}

export type JitterAdaptMode = 'stretch' | 'frame';

export type JitterPushResult = 'ok' | 'duplicate' | 'late' | 'reset';
/** 'frame': play it (the payload is a view valid until the next push); 'lost': conceal one frame;
 * 'expand' (stretch mode): nothing queued yet, conceal one frame while the next packet is waited for;
 * 'empty': nothing to play (not started yet, or ran dry): play silence or fade out. */
export type JitterPopResult =
  | { kind: 'frame'; payload: Uint8Array; seq: number; payloadType: number }
  | { kind: 'lost' }
  | { kind: 'expand' }
  | { kind: 'empty' };

export interface JitterBufferStats {
  duplicates: number;
  /** Arrived after their play-out slot and were dropped. */
  late: number;
  /** Frames that were never received when their turn came (or skipped over after a gap). */
  lost: number;
  /** Arrived after a packet with a higher sequence number (and were still in time). */
  reordered: number;
  /** Audio queued after the last pop, in ms. */
  delayMs: number;
  /** The delay the buffer currently aims for, in ms. */
  targetDelayMs: number;
  /** Received frames discarded to cut the delay (or because the buffer overflowed). */
  dropped: number;
  /** Times the buffer restarted on a new stream (SSRC change, sequence or timestamp jump). */
  resets: number;
  /**
   * How long the last frame played waited, in ms: its play-out time minus the time it would have
   * arrived on the fastest path of the last ~3 s (RTP time + the least transit), i.e. the delay the
   * buffer adds for the packets that were not delayed by the network.
   */
  playoutDelayMs: number;
  /** Stretch mode: ms concealed with nothing queued, waiting for a late packet ('expand'). */
  waitedMs: number;
  /** Play-out made longer (delay added) and shorter (delay given back) to adapt, in ms. */
  grownMs: number;
  shrunkMs: number;
}

/** A sequence jump (either way) of more frames than this is a new stream, not loss or reordering. */
const JUMP_FRAMES = 250;
/** A timestamp this far (in seconds) from what the sequence number predicts is a new stream too. */
const TS_JUMP_S = 2;
/** This many late packets in a row mean our sequence space is stale (a restarted peer): reset. */
const MAX_CONSECUTIVE_LATE = 10;
/** Transit-time samples kept for the jitter estimate (~3 s of 20 ms packets). */
const SPREAD_WINDOW = 150;
/** Pops per shrink decision (~1 s of 20 ms ticks). */
const LEVEL_WINDOW = 50;
/** Stretch mode: outstanding growth is capped at this many frames (a burst of late packets). */
const MAX_GROW_FRAMES = 2;
/** Stretch mode: ticks concealed while empty before re-buffering (G.711 App. I is silent after 60 ms). */
const MAX_EXPAND = 3;

export class JitterBuffer {
  readonly stats: JitterBufferStats = {
    duplicates: 0, late: 0, lost: 0, reordered: 0, delayMs: 0, targetDelayMs: 0, dropped: 0, resets: 0, playoutDelayMs: 0, waitedMs: 0, grownMs: 0, shrunkMs: 0,
  };
  readonly adapt: JitterAdaptMode;

  private frameMs: number;
  private frameSamples: number;
  private readonly clockRate: number;
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly capacity: number;
  private readonly slotExt: Float64Array;
  private readonly slotLen: Int32Array;
  private readonly slotPlayed: Uint8Array;
  private readonly slotPt: Uint8Array;
  private readonly slotData: Uint8Array[];
  private readonly transit: TransitWindow;
  /** Each slot's RTP time in ms on the unwrapped timeline of `transit`. */
  private readonly slotRtpMs: Float64Array;

  private haveStream = false;
  private playing = false;
  private playedAny = false;
  private stall = false;
  private playExt = 0; // extended sequence number of the next frame to play
  private maxExt = 0; // highest extended sequence number received
  private maxTs = 0; // its RTP timestamp
  private bufferingSince = Number.NaN;
  private ssrc: number | undefined;
  private consecutiveLate = 0;
  private targetMs: number;
  private minAvail = Infinity;
  private popsInWindow = 0;
  /** Stretch mode: samples of play-out still to add (> 0) or take away (< 0). */
  private debt = 0;
  /** Stretch mode: ticks in a row concealed with nothing queued. */
  private expanding = 0;

  constructor(opts: JitterBufferOptions) {
    this.frameSamples = opts.frameSamples > 0 ? opts.frameSamples : 160;
    this.clockRate = opts.clockRate > 0 ? opts.clockRate : 8000;
    this.frameMs = (this.frameSamples * 1000) / this.clockRate;
    this.minDelayMs = Math.max(0, opts.minDelayMs ?? 40);
    this.maxDelayMs = Math.max(this.minDelayMs, opts.maxDelayMs ?? 200);
    this.capacity = Math.max(4, Math.floor(opts.capacity ?? 2 * Math.ceil(this.maxDelayMs / this.frameMs) + 4));
    const bytes = Math.max(1, opts.maxPayloadBytes ?? 512);
    this.slotExt = new Float64Array(this.capacity).fill(Number.NaN);
    this.slotLen = new Int32Array(this.capacity);
    this.slotPlayed = new Uint8Array(this.capacity);
    this.slotPt = new Uint8Array(this.capacity);
    this.slotRtpMs = new Float64Array(this.capacity);
    this.transit = new TransitWindow(this.clockRate, SPREAD_WINDOW);
    this.slotData = Array.from({ length: this.capacity }, () => new Uint8Array(bytes));
    this.targetMs = this.minDelayMs;
    this.stats.targetDelayMs = this.targetMs;
    this.adapt = opts.adapt === 'frame' ? 'frame' : 'stretch';
  }

  /**
   * Stretch mode: how many samples longer (> 0) or shorter (< 0) the caller should make the audio it
   * plays from now on; 0 when the delay is where it should be. Always 0 in frame mode.
   */
  get stretchRequest(): number {
    return this.playing ? this.debt : 0;
  }

  /** The caller played `samples` more (or, negative, fewer) than it popped; an overshoot ends the request. */
  stretched(samples: number): void {
    if (!Number.isFinite(samples) || samples === 0) return;
    const ms = (Math.abs(samples) * 1000) / this.clockRate;
    if (samples > 0) this.stats.grownMs += ms;
    else this.stats.shrunkMs += ms;
    const left = this.debt - samples;
    this.debt = Math.sign(left) === Math.sign(this.debt) ? left : 0;
  }

  /** Played before, ran dry, and now re-buffering up to the target delay (the caller may conceal meanwhile). */
  get rebuffering(): boolean {
    return this.haveStream && !this.playing && this.playedAny;
  }

  /** Samples per packet now. */
  get packetSamples(): number {
    return this.frameSamples;
  }

  /**
   * The peer's packets now hold `samples` samples (20 ms -> 30 ms, say). Frames already queued stay and
   * play in order; only the timing estimates change. No reset: the change is not a new stream.
   */
  setFrameSamples(samples: number): void {
    if (!(samples > 0) || samples === this.frameSamples) return;
    this.frameSamples = samples;
    this.frameMs = (samples * 1000) / this.clockRate;
    this.targetMs = Math.min(this.maxDelayMs, Math.max(this.minDelayMs, this.transit.spreadMs + this.frameMs));
    this.stats.targetDelayMs = this.targetMs;
    this.updateDelay();
  }

  /**
   * Adds a received packet; the payload is copied, so the caller may reuse its buffer. Pass `ssrc` to
   * have a change of source reset the buffer; `payloadType` comes back with the frame (a peer may
   * change format at any packet). `talkspurt`: the packet ends a pause of the sender (the marker bit, or
   * comfort noise), so a forward timestamp jump is silence rather than a new stream.
   */
  push(seq: number, timestamp: number, payload: Uint8Array, arrivalMs: number, ssrc?: number, payloadType = 0, talkspurt = false): JitterPushResult {
    seq &= 0xffff;
    timestamp >>>= 0;
    let result: JitterPushResult = 'ok';
    if (ssrc !== undefined) {
      if (this.haveStream && this.ssrc !== undefined && ssrc >>> 0 !== this.ssrc) result = this.reset();
      this.ssrc = ssrc >>> 0;
    }
    if (!this.haveStream) {
      this.beginStream(seq, timestamp, arrivalMs);
      this.store(seq, timestamp, payload, arrivalMs, payloadType); // a new stream starts at ext = seq
      return result;
    }

    const delta = (((seq - (this.maxExt & 0xffff)) << 16) >> 16); // signed 16-bit distance
    const tsError = ((timestamp - this.maxTs) | 0) - delta * this.frameSamples;
    // A sender that stopped during silence (RFC 3389 DTX) comes back with the next sequence number, a
    // timestamp that moved on by the silence, and the marker bit (RFC 3551 §4.1): not a new stream.
    const pause = talkspurt && delta > 0 && delta <= JUMP_FRAMES && tsError > 0;
    if (Math.abs(delta) > JUMP_FRAMES || (Math.abs(tsError) > this.clockRate * TS_JUMP_S && !pause)) {
      // RFC 3550 §8.2-style restart (peer rebooted or re-INVITEd a new source): start over cleanly.
      result = this.reset();
      this.beginStream(seq, timestamp, arrivalMs);
      this.store(seq, timestamp, payload, arrivalMs, payloadType); // a new stream starts at ext = seq
      return result;
    }
    const ext = this.maxExt + delta;

    if (ext < this.playExt) {
      if (!this.playedAny && !this.playing && this.playExt - ext < this.capacity) {
        this.playExt = ext; // still buffering the first frames: an earlier packet came in late
      } else {
        const s = this.slot(ext);
        if (this.slotExt[s] === ext) return this.duplicate();
        this.stats.late++;
        this.recordTransit(timestamp, arrivalMs); // the late ones are the jitter we failed to absorb
        if (++this.consecutiveLate >= MAX_CONSECUTIVE_LATE) {
          const r = this.reset();
          this.beginStream(seq, timestamp, arrivalMs);
          this.store(seq, timestamp, payload, arrivalMs, payloadType); // a new stream starts at ext = seq
          return r;
        }
        this.growOnLate(); // we were too quick: let the delay grow by one frame
        return 'late';
      }
    }
    this.consecutiveLate = 0;
    if (this.slotExt[this.slot(ext)] === ext) return this.duplicate();
    if (ext < this.maxExt) this.stats.reordered++;
    // Far ahead of play-out (a burst, or after an outage): make room by skipping the oldest frames.
    if (ext - this.playExt >= this.capacity) this.skipTo(ext - this.capacity + 1);
    this.store(ext, timestamp, payload, arrivalMs, payloadType);
    return result;
  }

  /** Called once per frame tick: the next frame to play, a gap to conceal, or nothing. */
  pop(nowMs: number): JitterPopResult {
    if (!this.haveStream) return this.empty();
    if (!this.playing) {
      if (Number.isNaN(this.bufferingSince) || nowMs - this.bufferingSince < this.targetMs) return this.empty();
      // Start (or restart after running dry) at the first frame we actually have.
      let first = this.playExt;
      while (first <= this.maxExt && this.slotExt[this.slot(first)] !== first) first++;
      if (first > this.maxExt) return this.empty();
      this.skipTo(first);
      this.playing = true;
      this.stall = false;
      this.minAvail = Infinity;
      this.popsInWindow = 0;
    }

    let avail = this.maxExt - this.playExt + 1;
    if (avail <= 0) {
      if (this.adapt === 'stretch' && this.expanding < MAX_EXPAND) {
        // The next packet is late (NetEq's "expand"): conceal this tick but keep its slot, so the
        // packet plays when it comes and the delay grows by the wait instead of a whole re-buffer.
        this.expanding++;
        this.stats.waitedMs += this.frameMs;
        this.debt = Math.max(0, this.debt - this.frameSamples);
        return { kind: 'expand' };
      }
      // Ran dry: re-buffer up to the target delay from the next arrival.
      this.expanding = 0;
      this.playing = false;
      this.debt = 0;
      this.bufferingSince = Number.NaN;
      return this.empty();
    }
    if (this.stall && (avail - 1) * this.frameMs < this.maxDelayMs) {
      this.stall = false;
      this.stats.grownMs += this.frameMs;
      this.updateDelay();
      return { kind: 'lost' };
    }
    this.stall = false;
    this.expanding = 0;
    // Never hold more than maxDelay: drop the oldest frames at once (a burst after an outage).
    const maxQueued = Math.floor(this.maxDelayMs / this.frameMs) + 1;
    if (avail > maxQueued) {
      this.skipTo(this.maxExt - maxQueued + 1);
      avail = maxQueued;
    }
    this.trackLevel(avail);

    const ext = this.playExt;
    const s = this.slot(ext);
    this.playExt++;
    this.updateDelay();
    if (this.slotExt[s] === ext && !this.slotPlayed[s]) {
      this.slotPlayed[s] = 1;
      this.playedAny = true;
      this.stats.playoutDelayMs = Math.max(0, nowMs - (this.slotRtpMs[s] as number) - this.transit.minMs);
      return {
        kind: 'frame',
        payload: (this.slotData[s] as Uint8Array).subarray(0, this.slotLen[s]),
        seq: ext & 0xffff,
        payloadType: this.slotPt[s] as number,
      };
    }
    this.stats.lost++;
    return { kind: 'lost' };
  }

  /**
   * The frame pop() will return next, if it has arrived (the payload is a view valid until the next
   * push): Opus rebuilds a lost frame from the in-band FEC of the packet after it (RFC 7587 §3.3).
   */
  peekNext(): { payload: Uint8Array; payloadType: number } | null {
    if (!this.haveStream || !this.playing) return null;
    const s = this.slot(this.playExt);
    if (this.slotExt[s] !== this.playExt || this.slotPlayed[s]) return null;
    return { payload: (this.slotData[s] as Uint8Array).subarray(0, this.slotLen[s]), payloadType: this.slotPt[s] as number };
  }

  /** Forgets everything (e.g. the caller saw a new SSRC); counters are kept. */
  reset(): 'reset' {
    this.slotExt.fill(Number.NaN);
    this.slotPlayed.fill(0);
    this.haveStream = false;
    this.playing = false;
    this.playedAny = false;
    this.stall = false;
    this.debt = 0;
    this.expanding = 0;
    this.bufferingSince = Number.NaN;
    this.consecutiveLate = 0;
    this.transit.clear();
    this.targetMs = this.minDelayMs;
    this.stats.targetDelayMs = this.targetMs;
    this.stats.delayMs = 0;
    this.stats.resets++;
    return 'reset';
  }

  private beginStream(seq: number, timestamp: number, arrivalMs: number): void {
    this.haveStream = true;
    this.playing = false;
    this.playExt = seq;
    this.maxExt = seq;
    this.maxTs = timestamp;
    this.transit.begin(timestamp);
    this.bufferingSince = arrivalMs;
  }

  /** Copies a packet into its slot; `ext` is its extended sequence number. */
  private store(ext: number, timestamp: number, payload: Uint8Array, arrivalMs: number, payloadType: number): void {
    const s = this.slot(ext);
    this.slotPt[s] = payloadType & 0x7f;
    if ((this.slotData[s] as Uint8Array).length < payload.length) this.slotData[s] = new Uint8Array(payload.length);
    (this.slotData[s] as Uint8Array).set(payload);
    this.slotLen[s] = payload.length;
    this.slotExt[s] = ext;
    this.slotPlayed[s] = 0;
    if (ext > this.maxExt) {
      this.maxExt = ext;
      this.maxTs = timestamp;
    }
    if (!this.playing && Number.isNaN(this.bufferingSince)) this.bufferingSince = arrivalMs;
    this.slotRtpMs[s] = this.recordTransit(timestamp, arrivalMs);
  }

  /** Moves play-out forward to `ext`, accounting for what is passed over unplayed. */
  private skipTo(ext: number): void {
    for (let e = this.playExt; e < ext; e++) {
      const s = this.slot(e);
      if (this.slotExt[s] === e) {
        if (!this.slotPlayed[s]) this.stats.dropped++;
        this.slotPlayed[s] = 1;
      } else if (this.playedAny) {
        this.stats.lost++;
      }
    }
    if (ext > this.playExt) this.playExt = ext;
  }

  /** Transit = arrival - RTP time; its spread over the window is the jitter the delay must absorb. */
  private recordTransit(timestamp: number, arrivalMs: number): number {
    const rtpMs = this.transit.record(timestamp, arrivalMs);
    this.targetMs = Math.min(this.maxDelayMs, Math.max(this.minDelayMs, this.transit.spreadMs + this.frameMs));
    this.stats.targetDelayMs = this.targetMs;
    return rtpMs;
  }

  /**
   * Over each window, the least audio queued behind the frame being played ("slack") shows how much of
   * the delay the jitter really used. Playing at the target delay T with transit spread S, the slowest
   * packets leave about T - S of slack; more than a frame beyond that is delay we can give back.
   */
  private trackLevel(avail: number): void {
    if (avail < this.minAvail) this.minAvail = avail;
    if (++this.popsInWindow < LEVEL_WINDOW) return;
    const neededSlackMs = Math.max(0, this.targetMs - this.transit.spreadMs);
    const slackMs = (this.minAvail - 1) * this.frameMs;
    if (slackMs > neededSlackMs + this.frameMs) {
      if (this.adapt === 'frame') {
        this.skipTo(this.playExt + 1);
        this.stats.shrunkMs += this.frameMs;
      } else if (this.debt <= 0) {
        this.debt = -this.frameSamples; // give a frame back, time-compressed by the caller
      }
    }
    this.minAvail = Infinity;
    this.popsInWindow = 0;
  }

  /** A late packet: a frame more of delay, unless that would pass maxDelay. */
  private growOnLate(): void {
    if (this.adapt === 'frame') {
      this.stall = this.playing;
      return;
    }
    if (!this.playing) return;
    const queuedMs = Math.max(0, this.maxExt - this.playExt + 1) * this.frameMs;
    const owedMs = (Math.max(0, this.debt) * 1000) / this.clockRate;
    if (queuedMs + owedMs + this.frameMs > this.maxDelayMs) return;
    this.debt = Math.min(Math.max(0, this.debt) + this.frameSamples, MAX_GROW_FRAMES * this.frameSamples);
  }

  private updateDelay(): void {
    this.stats.delayMs = Math.max(0, this.maxExt - this.playExt + 1) * this.frameMs;
  }

  private duplicate(): 'duplicate' {
    this.stats.duplicates++;
    return 'duplicate';
  }

  private empty(): JitterPopResult {
    return { kind: 'empty' };
  }

  private slot(ext: number): number {
    const m = ext % this.capacity;
    return m < 0 ? m + this.capacity : m;
  }
}
