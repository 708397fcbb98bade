// Packet loss concealment after ITU-T G.711 Appendix I: pitch-period waveform substitution with
// overlap-add at both edges of an erasure and attenuation from the second 10 ms on. Pure, no allocation
// per frame.
//
// How it works (G.711 App. I §I.2): every received sample goes through a history buffer of 48.75 ms and
// leaves it 3.75 ms late, so that the start of an erasure can be smoothed into the last quarter pitch
// period that has not been played yet. On the first lost 10 ms the pitch is found by normalised
// cross-correlation of the last 20 ms against the history (periods 5..15 ms, a 2:1 decimated coarse
// search then a fine one), and the last period is repeated, its seam overlap-added over 1/4 period.
// At the start of the 2nd and 3rd lost 10 ms one more period from further back joins the repeated
// buffer (a single repeated period sounds buzzy); from the 2nd 10 ms on the output fades by 20 % per
// 10 ms and is silent after 60 ms. The first good frame after an erasure is overlap-added with the
// continued synthetic signal over 1/4 period plus 4 ms per extra lost 10 ms (at most 10 ms).
// The Appendix is written for 8 kHz; every length here scales with the sample rate (16 kHz for G.722).

/** One erasure "frame" of the Appendix: 10 ms. */
const FRAME_MS = 10;
/** Attenuation per 10 ms frame after the first one (§I.2.4). */
const ATTEN_PER_FRAME = 0.2;
/** Below this energy a correlation is not normalised by it (avoids dividing by silence). */
const CORR_MIN_POWER = 250;

export class G711Plc {
  /** Samples of delay the concealer adds to the received signal (3.75 ms). */
  readonly delay: number;
  private readonly frame: number;
  private readonly pitchMin: number;
  private readonly pitchMax: number;
  private readonly overlapMax: number;
  private readonly historyLen: number;
  private readonly corrLen: number;
  private readonly decim: number;
  private readonly endOverlapIncr: number;

  private readonly history: Float32Array;
  private readonly pitchBuf: Float32Array;
  private readonly lastQuarter: Float32Array;
  private readonly tail: Float32Array;
  private readonly piece: Float32Array;

  /** Samples concealed so far in the current erasure (0 = receiving). */
  private erased = 0;
  private pitch = 0;
  private overlap = 0;
  /** Length of the repeated segment at the end of pitchBuf, and the read position inside it. */
  private pitchBlen = 0;
  private pitchOffset = 0;

  constructor(readonly sampleRate = 8000) {
    const k = sampleRate / 8000;
    this.frame = Math.round(FRAME_MS * 8 * k);
    this.pitchMin = Math.round(40 * k); // 200 Hz
    this.pitchMax = Math.round(120 * k); // 66.7 Hz
    this.overlapMax = this.pitchMax >> 2;
    this.delay = this.overlapMax;
    this.historyLen = this.pitchMax * 3 + this.overlapMax;
    this.corrLen = Math.round(160 * k); // 20 ms
    this.decim = Math.max(2, Math.round(2 * k)); // the coarse search runs at 4 kHz
    this.endOverlapIncr = Math.round(32 * k); // 4 ms
    this.history = new Float32Array(this.historyLen);
    this.pitchBuf = new Float32Array(this.historyLen);
    this.lastQuarter = new Float32Array(this.overlapMax);
    this.tail = new Float32Array(this.overlapMax);
    this.piece = new Float32Array(this.frame);
  }

  /** True while an erasure is being concealed (the next good frame will be smoothed in). */
  get concealing(): boolean {
    return this.erased > 0;
  }

  /**
   * A received (decoded) frame of any length: it is smoothed into the synthetic signal if it ends an
   * erasure, and replaced in place by the same number of samples delayed by `delay`.
   */
  good(pcm: Int16Array, n = pcm.length): void {
    let done = 0;
    if (this.erased > 0 && n > 0) {
      // §I.2.5: the longer the erasure, the longer the blend from synthetic back to real speech.
      const frames = Math.ceil(this.erased / this.frame);
      const olen = Math.min(n, this.frame, this.overlap + (frames - 1) * this.endOverlapIncr);
      this.synthesize(this.piece, 0, olen);
      const gain = Math.max(0, 1 - (frames - 1) * ATTEN_PER_FRAME);
      const incr = 1 / olen;
      for (let i = 0; i < olen; i++) {
        const w = (i + 1) * incr; // weight of the real signal rises to 1
        pcm[i] = clamp((1 - w) * gain * (this.piece[i] as number) + w * (pcm[i] as number));
      }
      this.erased = 0;
    }
    while (done < n) {
      const m = Math.min(this.frame, n - done);
      this.save(pcm, done, m);
      done += m;
    }
  }

  /** Fills out[0..n) with concealment for n lost samples (call again for a longer erasure). */
  conceal(out: Int16Array, n = out.length): void {
    let done = 0;
    while (done < n) {
      const intoFrame = this.erased % this.frame;
      const m = Math.min(this.frame - intoFrame, n - done);
      if (intoFrame === 0) this.startFrame();
      const frameNo = Math.floor(this.erased / this.frame); // 0-based 10 ms frame of the erasure
      if (frameNo >= 6) {
        out.fill(0, done, done + m);
      } else {
        this.synthesize(this.piece, 0, m);
        if (intoFrame === 0 && (frameNo === 1 || frameNo === 2)) {
          // Blend the tail of the old repetition into the new, longer one over 1/4 period.
          const ol = Math.min(this.overlap, m);
          for (let i = 0; i < ol; i++) {
            const w = (i + 1) / ol;
            this.piece[i] = (1 - w) * (this.tail[i] as number) + w * (this.piece[i] as number);
          }
        }
        for (let i = 0; i < m; i++) {
          // §I.2.4: full level for the first 10 ms, then down 20 % per 10 ms, linearly per sample.
          const pos = this.erased + i - this.frame;
          const g = pos < 0 ? 1 : Math.max(0, 1 - (pos * ATTEN_PER_FRAME) / this.frame);
          out[done + i] = clamp((this.piece[i] as number) * g);
        }
      }
      this.erased += m;
      this.save(out, done, m);
      done += m;
    }
  }

  /** Forgets the past (a new stream): history silent, no erasure in progress. */
  reset(): void {
    this.history.fill(0);
    this.erased = 0;
  }

  /** What happens at the start of each 10 ms of an erasure. */
  private startFrame(): void {
    const frameNo = this.erased / this.frame;
    const end = this.historyLen;
    if (frameNo === 0) {
      this.pitchBuf.set(this.history);
      this.pitch = this.findPitch();
      this.overlap = this.pitch >> 2;
      // The last quarter period (not yet played: it is in the delay) becomes the seam's blend.
      this.lastQuarter.set(this.pitchBuf.subarray(end - this.overlap, end));
      this.pitchOffset = 0;
      this.pitchBlen = this.pitch;
      this.blendSeam();
      // The last quarter period is still in the delay, unplayed: it is played blended, like the repeat.
      this.history.set(this.pitchBuf.subarray(end - this.overlap, end), end - this.overlap);
    } else if (frameNo === 1 || frameNo === 2) {
      // Keep the continuation of the old repetition for the blend, then add one more period.
      const save = this.pitchOffset;
      this.synthesize(this.tail, 0, this.overlap);
      this.pitchOffset = save;
      while (this.pitchOffset > this.pitch) this.pitchOffset -= this.pitch;
      this.pitchBlen += this.pitch;
      this.blendSeam();
    }
  }

  /** Overlap-adds the quarter period before the repeated segment with the saved last quarter. */
  private blendSeam(): void {
    const end = this.historyLen;
    const start = end - this.pitchBlen;
    const ol = this.overlap;
    if (ol === 0) return;
    const incr = 1 / ol;
    for (let i = 0; i < ol; i++) {
      const rw = incr * (i + 1); // the signal one period earlier fades in ...
      const lw = 1 - rw; // ... as the real tail fades out
      const v = lw * (this.lastQuarter[i] as number) + rw * (this.pitchBuf[start - ol + i] as number);
      this.pitchBuf[end - ol + i] = Math.max(-32768, Math.min(32767, v));
    }
  }

  /** Copies n samples of the repeated segment(s) into out, wrapping around. */
  private synthesize(out: Float32Array, at: number, n: number): void {
    const start = this.historyLen - this.pitchBlen;
    let i = 0;
    while (i < n) {
      const cnt = Math.min(this.pitchBlen - this.pitchOffset, n - i);
      out.set(this.pitchBuf.subarray(start + this.pitchOffset, start + this.pitchOffset + cnt), at + i);
      this.pitchOffset += cnt;
      if (this.pitchOffset >= this.pitchBlen) this.pitchOffset = 0;
      i += cnt;
    }
  }

  /** Pushes m samples of pcm[at..] into the history and replaces them by the delayed ones. */
  private save(pcm: Int16Array, at: number, m: number): void {
    const h = this.history;
    const len = this.historyLen;
    h.copyWithin(0, m, len);
    for (let i = 0; i < m; i++) h[len - m + i] = pcm[at + i] as number;
    for (let i = 0; i < m; i++) pcm[at + i] = h[len - m - this.overlapMax + i] as number;
  }

  /**
   * §I.2.2: the period whose preceding segment best matches the last 20 ms, by cross-correlation
   * normalised by the candidate segment's energy; coarse at 2:1 decimation, then refined around it.
   */
  private findPitch(): number {
    const buf = this.pitchBuf;
    const end = this.historyLen;
    const l = end - this.corrLen; // the segment to match: the last 20 ms
    const r = end - this.corrLen - this.pitchMax; // candidates start here (lag = pitchMax - j)
    const diff = this.pitchMax - this.pitchMin;
    const d = this.decim;
    let best = 0;
    let bestCorr = -Infinity;
    for (let j = 0; j <= diff; j += d) {
      const c = this.correlation(buf, r + j, l, d);
      if (c >= bestCorr) {
        bestCorr = c;
        best = j;
      }
    }
    const lo = Math.max(0, best - (d - 1));
    const hi = Math.min(diff, best + (d - 1));
    bestCorr = -Infinity;
    let fine = lo;
    for (let j = lo; j <= hi; j++) {
      const c = this.correlation(buf, r + j, l, 1);
      if (c > bestCorr) {
        bestCorr = c;
        fine = j;
      }
    }
    return this.pitchMax - fine;
  }

  private correlation(buf: Float32Array, rp: number, l: number, step: number): number {
    let energy = 0;
    let corr = 0;
    for (let i = 0; i < this.corrLen; i += step) {
      const x = buf[rp + i] as number;
      energy += x * x;
      corr += x * (buf[l + i] as number);
    }
    return corr / Math.sqrt(Math.max(energy, CORR_MIN_POWER));
  }
}

function clamp(v: number): number {
  return v >= 32767 ? 32767 : v <= -32768 ? -32768 : Math.round(v);
}
