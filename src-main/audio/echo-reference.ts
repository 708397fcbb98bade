// The far-end history the echo canceller's reference is cut from, aligned to each microphone frame by
// what the speaker's and the microphone's buffers hold at that moment (issue 13). Pure.
//
// Why: between the 20 ms tick and the sound card sit two buffers whose fill changes during a call (the
// speaker's cushion gives back latency, the microphone's ring is trimmed when it runs ahead, the card
// pulls in bursts). speexdsp's own playback/capture pairing assumes a fixed distance and re-aligns by
// dropping frames, so every such change moved the echo under the adaptive filter and it had to converge
// again (ERLE 9-38 dB from run to run). Cutting the reference at the buffers' current fill leaves only
// the card's and the room's delay to the filter, which stays put.

export class EchoReference {
  private readonly history: Int16Array;
  /** Far-end samples written since the start (the index of the next one). */
  private count = 0;

  constructor(historySamples: number) {
    this.history = new Int16Array(Math.max(1, historySamples));
  }

  /** A far-end frame, as it goes to the speaker's buffer. */
  push(frame: Int16Array): void {
    const h = this.history;
    for (let i = 0; i < frame.length; i++) h[(this.count + i) % h.length] = frame[i] as number;
    this.count += frame.length;
  }

  /**
   * Fills `out` with the far-end samples that were at the speaker when the microphone frame just read
   * was captured, give or take the card's and the room's own (constant) delay: the speaker still holds
   * `speakerBuffered` unplayed samples, the microphone's buffer `micBuffered` newer ones than the frame.
   * Samples older than the history or never written are silence.
   */
  cut(out: Int16Array, speakerBuffered: number, micBuffered: number): void {
    this.read(out, this.count - Math.max(0, speakerBuffered) - Math.max(0, micBuffered) - out.length);
  }

  /** Far-end samples written since the start (the index of the next one). */
  get written(): number {
    return this.count;
  }

  /** Far-end samples [start, start + out.length), silence where never written or already forgotten. */
  read(out: Float64Array | Int16Array, start: number): void {
    const h = this.history;
    for (let i = 0; i < out.length; i++) {
      const k = start + i;
      out[i] = k < 0 || k >= this.count || this.count - k > h.length ? 0 : (h[k % h.length] as number);
    }
  }

  reset(): void {
    this.history.fill(0);
    this.count = 0;
  }
}
