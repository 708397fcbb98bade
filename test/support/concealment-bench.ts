// Runs a clean signal through G.711 μ-law and a deterministic loss pattern twice: concealed by G.711
// Appendix I PLC, and by the frame repetition with fade the media stream used before (gains 0.7, 0.4,
// 0.2, then silence); returns both outputs aligned with the reference and their segmental SNRs.
import { decodeUlaw, encodeUlaw } from '../../src-main/codec/g711';
import { G711Plc } from '../../src-main/codec/g711-plc';
import { segmentalSnr } from './speech-quality';

const REPEAT_GAINS = [0.7, 0.4, 0.2];

export interface ConcealmentResult {
  lostPackets: number;
  packets: number;
  /** Segmental SNR (dB) over the lost packets' 20 ms. */
  lostSnr: { plc: number; repeat: number };
  /** Over the lost packets and the packet on either side (everything either method changes). */
  aroundSnr: { plc: number; repeat: number };
  /** Over the whole signal. */
  allSnr: { plc: number; repeat: number };
}

export function compareConcealment(reference: Int16Array, lost: Set<number>, frame = 160): ConcealmentResult {
  const packets = Math.floor(reference.length / frame);
  const n = packets * frame;
  const ref = reference.subarray(0, n);
  const coded = new Int16Array(n);
  const bytes = new Uint8Array(frame);
  for (let p = 0; p < packets; p++) {
    encodeUlaw(ref.subarray(p * frame, (p + 1) * frame), bytes);
    decodeUlaw(bytes, coded.subarray(p * frame, (p + 1) * frame));
  }
  const plc = new G711Plc(8000);
  const withPlc = new Int16Array(n);
  const repeated = new Int16Array(n);
  let last = new Int16Array(frame);
  let run = 0;
  for (let p = 0; p < packets; p++) {
    const a = withPlc.subarray(p * frame, (p + 1) * frame);
    const b = repeated.subarray(p * frame, (p + 1) * frame);
    if (lost.has(p)) {
      plc.conceal(a);
      const g = REPEAT_GAINS[run++] ?? 0;
      for (let i = 0; i < frame; i++) b[i] = Math.round((last[i] as number) * g);
    } else {
      a.set(coded.subarray(p * frame, (p + 1) * frame));
      plc.good(a);
      b.set(coded.subarray(p * frame, (p + 1) * frame));
      last = b.slice();
      run = 0;
    }
  }
  // The PLC output is late by plc.delay samples: compare it with the reference equally late.
  const plcAligned = withPlc.subarray(plc.delay);
  const pick = (out: Int16Array, which: (p: number) => boolean): { r: Int16Array; t: Int16Array } => {
    const idx = [...Array(packets).keys()].filter(which);
    const r = new Int16Array(idx.length * frame);
    const t = new Int16Array(idx.length * frame);
    idx.forEach((p, k) => {
      r.set(ref.subarray(p * frame, (p + 1) * frame), k * frame);
      const seg = out.subarray(p * frame, (p + 1) * frame);
      t.set(seg, k * frame);
    });
    return { r, t };
  };
  const snr = (which: (p: number) => boolean): { plc: number; repeat: number } => {
    const a = pick(plcAligned, (p) => which(p) && (p + 1) * frame + plc.delay <= n);
    const b = pick(repeated, which);
    return { plc: segmentalSnr(a.r, a.t, frame), repeat: segmentalSnr(b.r, b.t, frame) };
  };
  const near = (p: number): boolean => lost.has(p) || lost.has(p - 1) || lost.has(p + 1);
  return {
    lostPackets: lost.size,
    packets,
    lostSnr: snr((p) => lost.has(p)),
    aroundSnr: snr(near),
    allSnr: snr(() => true),
  };
}
