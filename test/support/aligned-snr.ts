// Segmental SNR of received audio against its clean reference at the local alignment (a jitter buffer
// changes its delay, so the alignment moves), and the voiced multi-tone the issue 13 tests send. Pure.
import { bestLag, segmentalSnr } from './speech-quality';

const FRAME = 160;
/** The first packets go through unharmed by loss: the buffer and the alignment need a start. */
export const CLEAN_START = 25;

/** A voiced vowel-like multi-tone: harmonics of 118 Hz with a slow 3 % vibrato (as in the PLC test). */
export function voicedMultiTone(seconds: number): Int16Array {
  let phase = 0;
  return Int16Array.from({ length: seconds * 8000 }, (_, i) => {
    phase += (2 * Math.PI * 118 * (1 + 0.03 * Math.sin((2 * Math.PI * 0.5 * i) / 8000))) / 8000;
    return Math.round(5000 * (Math.sin(phase) + 0.7 * Math.sin(2 * phase + 1) + 0.5 * Math.sin(3 * phase + 2) + 0.3 * Math.sin(8 * phase)));
  });
}

/**
 * Segmental SNR of the recording against the reference, each 20 ms segment compared at the offset
 * where the 80 ms of reference before it match the recording best (within the buffer's delay range of
 * the start's offset): a delay change shifts the alignment, and whatever it did to the audio itself (a
 * repeated or dropped frame, a concealed gap, a stretch seam) counts as error in the segments it touches.
 */
/**
 * Where packet p of `signal` sits in the recording: the offset between center-lo and center+hi frames
 * whose 80 ms before p best match the reference (normalised correlation); `fallback` if none fits.
 */
export function localLag(signal: Int16Array, rec: Int16Array, p: number, center: number, lo: number, hi: number, fallback = center): number {
  const before = signal.subarray((p - 4) * FRAME, p * FRAME);
  let bestL = fallback;
  let best = -Infinity;
  for (let l = center + lo * FRAME; l <= center + hi * FRAME; l++) {
    if ((p - 4) * FRAME + l < 0 || (p + 1) * FRAME + l > rec.length) continue;
    let c = 0;
    let e = 1;
    for (let i = 0; i < before.length; i++) {
      const v = rec[(p - 4) * FRAME + l + i] as number;
      c += (before[i] as number) * v;
      e += v * v;
    }
    const score = c / Math.sqrt(e);
    if (score > best) {
      best = score;
      bestL = l;
    }
  }
  return bestL;
}

export function alignedSnr(signal: Int16Array, rec: Int16Array, dropped: number[], trace?: (p: number, lag: number, snr: number) => void): { snrAll: number; snrLost: number } {
  const packets = Math.floor(signal.length / FRAME);
  const start = bestLag(signal, rec, 8000, 4000);
  let lag = start;
  const refAll: Int16Array[] = [];
  const gotAll: Int16Array[] = [];
  const refLost: Int16Array[] = [];
  const gotLost: Int16Array[] = [];
  const lostSet = new Set(dropped);
  for (let p = CLEAN_START; p < packets - 5; p++) {
    // Anywhere the buffer's delay can have gone since the start (it adapts within 40-200 ms), so that
    // one bad match (a long gap) cannot send the search wandering off.
    lag = localLag(signal, rec, p, start, -2, 8, lag);
    if ((p + 1) * FRAME + lag > rec.length) break;
    const ref = signal.subarray(p * FRAME, (p + 1) * FRAME);
    const got = rec.subarray(p * FRAME + lag, (p + 1) * FRAME + lag);
    refAll.push(ref);
    gotAll.push(got);
    trace?.(p, lag, segmentalSnr(ref, got));
    if (lostSet.has(p)) {
      refLost.push(ref);
      gotLost.push(got);
    }
  }
  return { snrAll: segmentalSnr(join16(refAll), join16(gotAll)), snrLost: segmentalSnr(join16(refLost), join16(gotLost)) };
}

function join16(a: Int16Array[]): Int16Array {
  const out = new Int16Array(a.length * FRAME);
  a.forEach((x, i) => out.set(x, i * FRAME));
  return out;
}
