// In-band DTMF: the ITU-T Q.23 tone pairs synthesised into the microphone's frames, with the pause
// between keys that Q.24 detectors need. Pure: frames in, frames out.

/** Q.23 low (row) and high (column) frequencies of each key. */
const ROWS = [697, 770, 852, 941] as const;
const COLS = [1209, 1336, 1477, 1633] as const;
const LAYOUT = ['123A', '456B', '789C', '*0#D'] as const;

/** The two frequencies (Hz) of a key (0-9 * # A-D, case-insensitive); undefined for anything else. */
export function dtmfFrequencies(digit: string): [number, number] | undefined {
  const d = digit.toUpperCase();
  if (d.length !== 1) return undefined;
  for (let r = 0; r < LAYOUT.length; r++) {
    const c = (LAYOUT[r] as string).indexOf(d);
    if (c >= 0) return [ROWS[r] as number, COLS[c] as number];
  }
  return undefined;
}

/** Silence after each key (Q.24: at least 40 ms between tones); ',' pauses 500 ms as with RFC 4733. */
const GAP_MS = 60;
const PAUSE_MS = 500;
/** Each of the two tones at -10 dBFS-ish: loud enough for any detector, the pair well below clipping. */
const AMPLITUDE = 0.3 * 32767;

interface Segment {
  low: number;
  high: number;
  /** Samples still to produce (tone or silence). */
  left: number;
  /** Samples produced so far (the sine phase). */
  done: number;
}

export class InbandDtmf {
  private readonly queue: Segment[] = [];

  constructor(private readonly sampleRate = 8000) {}

  /** True while tones or their pauses are still to be played. */
  get busy(): boolean {
    return this.queue.length > 0;
  }

  /** Queues keys (0-9 * # A-D, ',' = pause); others are skipped. Returns how many were queued. */
  enqueue(digits: string, durationMs: number): number {
    let n = 0;
    const ms = Math.max(40, Math.min(5000, Number.isFinite(durationMs) ? durationMs : 100));
    const samples = (t: number) => Math.round((t * this.sampleRate) / 1000);
    for (const d of digits) {
      if (d === ',') {
        this.queue.push({ low: 0, high: 0, left: samples(PAUSE_MS), done: 0 });
        n++;
        continue;
      }
      const f = dtmfFrequencies(d);
      if (!f) continue;
      this.queue.push({ low: f[0], high: f[1], left: samples(ms), done: 0 }, { low: 0, high: 0, left: samples(GAP_MS), done: 0 });
      n++;
    }
    return n;
  }

  clear(): void {
    this.queue.length = 0;
  }

  /**
   * Writes the next samples over `frame` while keys are queued (the voice is replaced, as a phone's
   * keypad mutes its microphone); returns false, leaving the frame alone, when nothing is queued.
   */
  fill(frame: Int16Array): boolean {
    if (this.queue.length === 0) return false;
    let i = 0;
    while (i < frame.length) {
      const seg = this.queue[0];
      if (!seg) {
        frame.fill(0, i);
        break;
      }
      const n = Math.min(seg.left, frame.length - i);
      if (seg.low === 0) frame.fill(0, i, i + n);
      else {
        const wl = (2 * Math.PI * seg.low) / this.sampleRate;
        const wh = (2 * Math.PI * seg.high) / this.sampleRate;
        for (let k = 0; k < n; k++) {
          const t = seg.done + k;
          frame[i + k] = Math.round(AMPLITUDE * (Math.sin(wl * t) + Math.sin(wh * t)));
        }
      }
      seg.left -= n;
      seg.done += n;
      i += n;
      if (seg.left === 0) this.queue.shift();
    }
    return true;
  }
}
