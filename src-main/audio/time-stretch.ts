// Time-stretch for the jitter buffer (issue 13): lengthens or shortens decoded audio one frame at a time
// by a whole number of pitch periods (WSOLA-style), so the play-out delay can change without a hold or a drop.
//
// How it works. Shorten by L: the frame's first W samples are cross-faded into the W samples that
// follow L later, and the L samples in between are left out. Lengthen by L: the frame's first W samples
// are cross-faded into the W samples that were played L earlier (the output history), and play goes
// on from there, so L samples are played twice. L is the lag in [2.5 ms, 12.5 ms] whose segment matches
// the frame's start best by normalised cross-correlation: a pitch period (or a multiple) in voiced
// audio, so the seams join like-with-like and neither pitch nor level changes. Voiced audio changes by
// at most 25 % of its duration on average (5 ms per 20 ms frame: a credit that each frame tops up);
// in silence any lag up to the frame length minus W goes, without the correlation check. A poor match
// (noise, a transient) waits a few frames for a better one before the best available is taken.
// No look-ahead beyond the frame: the stretcher adds no delay of its own.

export interface TimeStretchOptions {
  sampleRate?: number;
  /** Average share of the duration that voiced audio may gain or lose (default 0.25: 5 ms per 20 ms). */
  maxRatio?: number;
  /** Mean power below which a frame counts as silence (default 300² ≈ -41 dBFS). */
  silencePower?: number;
}

/** Frames a stretch may wait for a good match before it takes the best one there is. */
const PATIENCE = 8;
/** A match this good is taken at once; the bar falls by PATIENCE frames to zero. */
const GOOD_MATCH = 0.8;
/** Lags whose match is this close to the best count as equally good (multiples of the period). */
const NEAR_BEST = 0.002;

export class TimeStretcher {
  readonly sampleRate: number;
  /** Shortest and longest lag: 2.5 ms (a 400 Hz pitch) and 12.5 ms (80 Hz). */
  readonly minLag: number;
  readonly maxLag: number;
  /** Cross-fade (and correlation) length: 7.5 ms. */
  readonly overlap: number;
  private readonly maxRatio: number;
  private readonly silencePower: number;
  /** The last samples played (output), for lengthening: a frame's worth or maxLag, whichever is more. */
  private readonly history: Float32Array;
  private historyFill = 0;
  /** Samples voiced audio may still change by (topped up per frame, capped at maxLag). */
  private credit = 0;
  private waited = 0;
  /** Totals of what was done (samples): lengthened, shortened. */
  added = 0;
  removed = 0;

  constructor(opts: TimeStretchOptions = {}) {
    this.sampleRate = opts.sampleRate ?? 8000;
    const k = this.sampleRate / 8000;
    this.minLag = Math.round(20 * k);
    this.maxLag = Math.round(100 * k);
    this.overlap = Math.round(60 * k);
    this.maxRatio = Math.min(1, Math.max(0, opts.maxRatio ?? 0.25));
    this.silencePower = opts.silencePower ?? 300 * 300;
    this.history = new Float32Array(Math.max(this.maxLag, Math.round(160 * k)) + this.overlap);
  }

  /** The most samples process() can write for an n-sample frame. */
  maxOutput(n: number): number {
    return n + this.history.length;
  }

  /**
   * Plays `input[0..n)` into `out`, changed in length towards `want` samples (positive: longer, to
   * add delay; negative: shorter). Returns how many samples were written: n, or n ± one lag. The
   * change may be smaller than asked for (a lag, bounded per frame) or larger (a whole period).
   */
  process(input: Int16Array, n: number, want: number, out: Int16Array): number {
    const w = this.overlap;
    this.credit = Math.min(this.maxLag, this.credit + this.maxRatio * n);
    let written = n;
    if (want !== 0 && n >= w + this.minLag) {
      const silent = meanPower(input, n) < this.silencePower;
      const lag = want > 0 ? this.lengthenLag(input, n, want, silent) : this.shortenLag(input, n, -want, silent);
      if (lag > 0) {
        written = want > 0 ? this.lengthen(input, n, lag, out) : this.shorten(input, n, lag, out);
        if (!silent) this.credit -= lag;
        this.waited = 0;
      } else {
        this.waited++;
      }
    } else {
      this.waited = 0;
    }
    if (written === n) for (let i = 0; i < n; i++) out[i] = input[i] as number;
    this.remember(out, written);
    return written;
  }

  /** Forgets the past (a new stream or a gap): no history to repeat from. */
  reset(): void {
    this.historyFill = 0;
    this.waited = 0;
  }

  private shortenLag(x: Int16Array, n: number, want: number, silent: boolean): number {
    const hi = Math.min(this.maxLag, n - this.overlap);
    if (silent) return Math.max(this.minLag, Math.min(n - this.overlap, want));
    return this.bestLag(hi, want, (lag) => ncc(x, 0, x, lag, this.overlap));
  }

  private lengthenLag(x: Int16Array, n: number, want: number, silent: boolean): number {
    const h = this.historyFill;
    if (silent) {
      const lag = Math.min(h, want, this.history.length - this.overlap);
      return lag >= this.minLag ? lag : 0;
    }
    const hi = Math.min(this.maxLag, h);
    const end = this.history.length;
    // The segment L back starts in the history and may run on into the frame (L < overlap).
    return this.bestLag(hi, want, (lag) => {
      let ab = 0;
      let aa = 0;
      let bb = 0;
      for (let i = 0; i < this.overlap; i++) {
        const a = x[i] as number;
        const j = i - lag;
        const b = j < 0 ? (this.history[end + j] as number) : (x[j] as number);
        ab += a * b;
        aa += a * a;
        bb += b * b;
      }
      return ab / Math.sqrt(Math.max(aa * bb, 1));
    });
  }

  /** The lag in [minLag, hi] to use now, or 0 to wait: within credit, matching well enough. */
  private bestLag(hi: number, want: number, score: (lag: number) => number): number {
    const limit = Math.min(hi, Math.floor(this.credit));
    if (limit < this.minLag) return 0;
    let best = -Infinity;
    const scores = new Float64Array(hi + 1);
    for (let lag = this.minLag; lag <= hi; lag++) {
      const s = score(lag);
      scores[lag] = s;
      if (s > best) best = s;
    }
    const bar = GOOD_MATCH * Math.max(0, 1 - this.waited / PATIENCE);
    // Among the lags (within credit) that match about as well as the best one, the one nearest the
    // change asked for: a periodic signal matches at every multiple of its period.
    let pick = 0;
    for (let lag = this.minLag; lag <= limit; lag++) {
      const s = scores[lag] as number;
      if (s < best - NEAR_BEST || s < bar) continue;
      if (pick === 0 || Math.abs(lag - want) < Math.abs(pick - want)) pick = lag;
    }
    return pick;
  }

  private shorten(x: Int16Array, n: number, lag: number, out: Int16Array): number {
    const w = this.overlap;
    for (let i = 0; i < w; i++) {
      const g = (i + 1) / (w + 1); // the later segment fades in
      out[i] = clamp((1 - g) * (x[i] as number) + g * (x[i + lag] as number));
    }
    for (let i = lag + w; i < n; i++) out[i - lag] = x[i] as number;
    this.removed += lag;
    return n - lag;
  }

  private lengthen(x: Int16Array, n: number, lag: number, out: Int16Array): number {
    const w = this.overlap;
    const end = this.history.length;
    const back = (j: number): number => (j < 0 ? (this.history[end + j] as number) : (x[j] as number));
    for (let i = 0; i < w; i++) {
      const g = (i + 1) / (w + 1); // the repeated (earlier) segment fades in
      out[i] = clamp((1 - g) * (x[i] as number) + g * back(i - lag));
    }
    // Then on from where the repeated segment's cross-fade ended: L samples later than the output.
    for (let i = w; i < n + lag; i++) out[i] = back(i - lag) as number;
    this.added += lag;
    return n + lag;
  }

  /** Keeps the last samples written, for a later lengthen. */
  private remember(out: Int16Array, m: number): void {
    const h = this.history;
    const len = h.length;
    if (m >= len) {
      for (let i = 0; i < len; i++) h[i] = out[m - len + i] as number;
    } else {
      h.copyWithin(0, m);
      for (let i = 0; i < m; i++) h[len - m + i] = out[i] as number;
    }
    this.historyFill = Math.min(len, this.historyFill + m);
  }
}

function meanPower(x: Int16Array, n: number): number {
  let p = 0;
  for (let i = 0; i < n; i++) p += (x[i] as number) * (x[i] as number);
  return n > 0 ? p / n : 0;
}

function ncc(a: Int16Array, ao: number, b: Int16Array, bo: number, len: number): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < len; i++) {
    const x = a[ao + i] as number;
    const y = b[bo + i] as number;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return ab / Math.sqrt(Math.max(aa * bb, 1));
}

function clamp(v: number): number {
  return v >= 32767 ? 32767 : v <= -32768 ? -32768 : Math.round(v);
}
