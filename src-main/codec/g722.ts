// ITU-T G.722 (09/2012) at 64 kbit/s: 16 kHz audio split by a 24-tap QMF into two 8 kHz sub-bands, the
// lower coded with 6-bit and the upper with 2-bit ADPCM; one octet per pair of input samples. Fixed-point
// as the Recommendation specifies it (its block names are kept below), so the output is bit-exact with
// other conforming implementations. RTP (RFC 3551 §4.5.2): the clock rate is 8000 although the audio is
// 16 kHz sampled, so 20 ms = 320 samples = 160 octets = 160 timestamp units.

// §4.2 Table 4/G.722 (lower band quantiser decision levels, 6 bits, positive half).
const Q6 = [0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714, 786, 858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919];
/** Output codes for a negative / positive difference per quantiser interval. */
const ILN = [0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4];
const ILP = [0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32];
// Table 6: inverse quantiser outputs for 6 bits (decoding at 64 kbit/s), indexed by the 6-bit code.
const QM6 = [
  -136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512, -12280, -11192, -10232, -9360, -8576, -7856, -7192, -6576, -6000,
  -5456, -4944, -4464, -4008, -3576, -3168, -2776, -2400, -2032, -1688, -1360, -1040, -728, 24808, 21904, 19008, 16704, 14984, 13512, 12280,
  11192, 10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456, 4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032, 1688, 1360, 1040, 728, 432, 136,
  -432, -136,
];
// 4-bit inverse quantiser (the predictor and scale factor always adapt on the 4 most significant bits).
const QM4 = [0, -20456, -12896, -8968, -6288, -4240, -2584, -1200, 20456, 12896, 8968, 6288, 4240, 2584, 1200, 0];
const RL42 = [0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0];
/** Lower band log scale factor multipliers. */
const WL = [-60, -30, 58, 172, 334, 538, 1198, 3042];
/** Inverse log base 2 table for the scale factor. */
const ILB = [
  2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834, 2896, 2960, 3025, 3091, 3158, 3228, 3298,
  3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
];
// Higher band: 2-bit quantiser.
const QM2 = [-7408, -1616, 7408, 1616];
const IHN = [0, 1, 0];
const IHP = [0, 3, 2];
const WH = [0, -214, 798];
const RH2 = [2, 1, 2, 1];
/** QMF coefficients (Table 11, the symmetric half). */
const QMF = [3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11];

/** G.722 octets per 20 ms packet and 16 kHz samples per packet. */
export const G722_FRAME_OCTETS = 160;
export const G722_FRAME_SAMPLES = 320;

function sat(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

/** One sub-band's adaptive predictor and scale factor (Blocks 3 and 4). */
class Band {
  s = 0;
  sp = 0;
  sz = 0;
  /** Reconstructed signal, partial reconstruction, their signs: index 0 = now. */
  readonly r = [0, 0, 0];
  readonly p = [0, 0, 0];
  readonly a = [0, 0, 0];
  readonly ap = [0, 0, 0];
  readonly d = [0, 0, 0, 0, 0, 0, 0];
  readonly b = [0, 0, 0, 0, 0, 0, 0];
  readonly bp = [0, 0, 0, 0, 0, 0, 0];
  nb = 0;
  det: number;

  constructor(det: number) {
    this.det = det;
  }

  /** Blocks 3L/3H (LOGSCL/LOGSCH, SCALEL/SCALEH): adapt the log scale factor and the step size. */
  scale(multiplier: number, nbMax: number, shift: number): void {
    let nb = ((this.nb * 127) >> 7) + multiplier;
    nb = nb < 0 ? 0 : nb > nbMax ? nbMax : nb;
    this.nb = nb;
    const idx = (nb >> 6) & 31;
    const sh = shift - (nb >> 11);
    const v = sh < 0 ? (ILB[idx] as number) << -sh : (ILB[idx] as number) >> sh;
    this.det = v << 2;
  }

  /** Block 4: reconstruct, adapt the pole (2) and zero (6) predictor, and predict the next sample. */
  adapt(dq: number): void {
    const { r, p, a, ap, d, b, bp } = this;
    d[0] = dq;
    r[0] = sat(this.s + dq); // RECONS
    const p0 = sat(this.sz + dq); // PARREC
    p[0] = p0;
    // UPPOL2
    const sg0 = p0 >> 15;
    const sg1 = (p[1] as number) >> 15;
    const sg2 = (p[2] as number) >> 15;
    const wa1 = sat((a[1] as number) << 2);
    let wa2 = sg0 === sg1 ? -wa1 : wa1;
    if (wa2 > 32767) wa2 = 32767;
    let a2 = (wa2 >> 7) + (sg0 === sg2 ? 128 : -128);
    a2 += ((a[2] as number) * 32512) >> 15;
    ap[2] = a2 > 12288 ? 12288 : a2 < -12288 ? -12288 : a2;
    // UPPOL1
    let a1 = sat((sg0 === sg1 ? 192 : -192) + (((a[1] as number) * 32640) >> 15));
    const lim = sat(15360 - (ap[2] as number));
    if (a1 > lim) a1 = lim;
    else if (a1 < -lim) a1 = -lim;
    ap[1] = a1;
    // UPZERO
    const step = dq === 0 ? 0 : 128;
    const sgd = dq >> 15;
    for (let i = 1; i < 7; i++) {
      const sgi = (d[i] as number) >> 15;
      bp[i] = sat((sgi === sgd ? step : -step) + (((b[i] as number) * 32640) >> 15));
    }
    // DELAYA
    for (let i = 6; i > 0; i--) {
      d[i] = d[i - 1] as number;
      b[i] = bp[i] as number;
    }
    for (let i = 2; i > 0; i--) {
      r[i] = r[i - 1] as number;
      p[i] = p[i - 1] as number;
      a[i] = ap[i] as number;
    }
    // FILTEP
    const pole1 = ((a[1] as number) * sat((r[1] as number) * 2)) >> 15;
    const pole2 = ((a[2] as number) * sat((r[2] as number) * 2)) >> 15;
    this.sp = sat(pole1 + pole2);
    // FILTEZ
    let sz = 0;
    for (let i = 6; i > 0; i--) sz += ((b[i] as number) * sat((d[i] as number) * 2)) >> 15;
    this.sz = sat(sz);
    // PREDIC
    this.s = sat(this.sp + this.sz);
  }
}

/** Lower band: adapt on the 4 most significant bits of the 6-bit code (Blocks 2L, 3L, 4L). */
function adaptLow(band: Band, code6: number): void {
  const ril = code6 >> 2;
  const dlt = (band.det * (QM4[ril] as number)) >> 15; // INVQAL
  band.scale(WL[RL42[ril] as number] as number, 18432, 8);
  band.adapt(dlt);
}

/** Higher band (Blocks 2H, 3H, 4H); returns the quantised difference. */
function adaptHigh(band: Band, code2: number): number {
  const dh = (band.det * (QM2[code2] as number)) >> 15; // INVQAH
  band.scale(WH[RH2[code2] as number] as number, 22528, 10);
  band.adapt(dh);
  return dh;
}

export class G722Encoder {
  private readonly low = new Band(32);
  private readonly high = new Band(8);
  /** QMF delay line: the last 24 input samples. */
  private readonly x = new Int32Array(24);

  /**
   * Encodes pairs of 16 kHz samples from pcm (an odd last sample is ignored) into out; returns the
   * octets written (min(pcm.length / 2, out.length)).
   */
  encode(pcm: Int16Array, out: Uint8Array): number {
    const n = Math.min(pcm.length >> 1, out.length);
    const x = this.x;
    for (let j = 0; j < n; j++) {
      // Transmit QMF: two input samples in, one sample of each sub-band out.
      x.copyWithin(0, 2);
      x[22] = pcm[2 * j] as number;
      x[23] = pcm[2 * j + 1] as number;
      let sumOdd = 0;
      let sumEven = 0;
      for (let i = 0; i < 12; i++) {
        sumOdd += (x[2 * i] as number) * (QMF[i] as number);
        sumEven += (x[2 * i + 1] as number) * (QMF[11 - i] as number);
      }
      const xl = (sumEven + sumOdd) >> 14;
      const xh = (sumEven - sumOdd) >> 14;

      // Lower band: Block 1L (SUBTRA, QUANTL).
      const el = sat(xl - this.low.s);
      const wl = el >= 0 ? el : -(el + 1);
      let i = 1;
      while (i < 30 && wl >= ((Q6[i] as number) * this.low.det) >> 12) i++;
      const ilow = el < 0 ? (ILN[i] as number) : (ILP[i] as number);
      adaptLow(this.low, ilow);

      // Higher band: Block 1H (SUBTRA, QUANTH).
      const eh = sat(xh - this.high.s);
      const wh = eh >= 0 ? eh : -(eh + 1);
      const mih = wh >= (564 * this.high.det) >> 12 ? 2 : 1;
      const ihigh = eh < 0 ? (IHN[mih] as number) : (IHP[mih] as number);
      adaptHigh(this.high, ihigh);

      out[j] = (ihigh << 6) | ilow;
    }
    return n;
  }
}

export class G722Decoder {
  private readonly low = new Band(32);
  private readonly high = new Band(8);
  private readonly x = new Int32Array(24);

  /** Decodes octets into 16 kHz samples (two per octet); returns the samples written. */
  decode(data: Uint8Array, out: Int16Array): number {
    const n = Math.min(data.length, out.length >> 1);
    const x = this.x;
    for (let j = 0; j < n; j++) {
      const code = data[j] as number;
      const ilow = code & 0x3f;
      const ihigh = (code >> 6) & 0x03;
      // Block 5L (INVQBL with all 6 bits, RECONS) and 6L (LIMIT).
      let rl = this.low.s + ((this.low.det * (QM6[ilow] as number)) >> 15);
      rl = rl > 16383 ? 16383 : rl < -16384 ? -16384 : rl;
      adaptLow(this.low, ilow);
      // Block 5H (RECONS) and 6H (LIMIT).
      const sh = this.high.s;
      let rh = sh + ((this.high.det * (QM2[ihigh] as number)) >> 15);
      rh = rh > 16383 ? 16383 : rh < -16384 ? -16384 : rh;
      adaptHigh(this.high, ihigh);
      // Receive QMF: one sample of each band in, two output samples out.
      x.copyWithin(0, 2);
      x[22] = rl + rh;
      x[23] = rl - rh;
      let out1 = 0;
      let out2 = 0;
      for (let i = 0; i < 12; i++) {
        out2 += (x[2 * i] as number) * (QMF[i] as number);
        out1 += (x[2 * i + 1] as number) * (QMF[11 - i] as number);
      }
      out[2 * j] = sat(out1 >> 11);
      out[2 * j + 1] = sat(out2 >> 11);
    }
    return 2 * n;
  }
}
