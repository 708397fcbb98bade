// A receiving MediaStream under a fake clock, fed PCMU packets of a signal with deterministic loss and
// jitter (uniform 0..maxJitterMs extra delay per packet, so they also reorder): what the jitter
// buffer's adaptation does to the audio, without a real network's noise. For the issue 13 unit test and
// `npm run bench:jitter` (not product code).
import type { AudioInput, AudioOutput } from '../../src-main/audio/audio-device';
import { encodeUlaw } from '../../src-main/codec/g711';
import type { RtpStats } from '../../src-main/rtp/media-session';
import { MediaStream } from '../../src-main/rtp/media-stream';
import { alignedSnr, CLEAN_START } from './aligned-snr';
import { lossPattern } from './speech-quality';

const FRAME = 160;

export interface SimOptions {
  signal: Int16Array;
  adapt: 'stretch' | 'frame';
  lossRate: number;
  maxJitterMs: number;
  seed?: number;
  /** Extra delay (ms) of packet p on top of the jitter: a delay step, say. */
  shiftMs?: (p: number) => number;
  /** Skip the (slow) aligned SNR: snrAll/snrLost come back NaN. */
  noSnr?: boolean;
}

export interface SimResult {
  stats: RtpStats;
  dropped: number[];
  snrAll: number;
  snrLost: number;
  /** Every frame handed to the speaker had 160 samples (fixed 20 ms frames). */
  fixedFrames: boolean;
  output: Int16Array;
}

class Silence implements AudioInput {
  readonly name = 'silence';
  onError?: (error: Error) => void;
  async start(): Promise<void> {}
  read(frame: Int16Array): boolean {
    frame.fill(0);
    return true;
  }
  async close(): Promise<void> {}
}

class Recorder implements AudioOutput {
  readonly name = 'recorder';
  onError?: (error: Error) => void;
  readonly chunks: Int16Array[] = [];
  async start(): Promise<void> {}
  write(frame: Int16Array): void {
    this.chunks.push(frame.slice());
  }
  async close(): Promise<void> {}
}

export function simulatePath(o: SimOptions): SimResult {
  const packets = Math.floor(o.signal.length / FRAME);
  const lost = lossPattern(packets, o.lossRate, o.seed ?? 777);
  const dropped = [...lost].filter((p) => p >= CLEAN_START).sort((a, b) => a - b);
  let seed = o.seed ?? 4242;
  const start = 1000;
  const arrivals: Array<{ at: number; data: Uint8Array }> = [];
  for (let p = 0; p < packets; p++) {
    seed = (seed * 16807) % 2147483647;
    if (p >= CLEAN_START && lost.has(p)) continue;
    const data = new Uint8Array(12 + FRAME);
    data[0] = 0x80;
    data[1] = 0; // PCMU
    data[2] = (p >> 8) & 0xff;
    data[3] = p & 0xff;
    new DataView(data.buffer).setUint32(4, p * FRAME);
    new DataView(data.buffer).setUint32(8, 0x1234);
    encodeUlaw(o.signal.subarray(p * FRAME, (p + 1) * FRAME), data.subarray(12));
    arrivals.push({ at: start + p * 20 + 1 + (seed / 2147483647) * o.maxJitterMs + (o.shiftMs?.(p) ?? 0), data });
  }
  arrivals.sort((a, b) => a.at - b.at);
  const out = new Recorder();
  let wall = 1_700_000_000_000;
  const peer = { address: '10.0.0.2', port: 6000 };
  const stream = new MediaStream(
    {
      transport: { sendRtp: () => {}, sendRtcp: () => {} },
      input: new Silence(),
      output: out,
      random: () => 0.5,
      wallClockMs: () => wall,
      cname: 'sim@test',
      jitterAdapt: o.adapt,
    },
    { remoteAddress: peer.address, remotePort: peer.port, codec: 'PCMU', payloadType: 0, ptime: 20 },
    start,
  );
  let k = 0;
  const end = start + packets * 20 + o.maxJitterMs + (o.shiftMs?.(packets - 1) ?? 0) + 100;
  for (let t = start + 10; t <= end; t += 20) {
    while (k < arrivals.length && (arrivals[k]?.at ?? Infinity) <= t) {
      const a = arrivals[k++] as (typeof arrivals)[number];
      stream.receiveRtp(a.data, peer, a.at);
    }
    wall += 20;
    stream.playTick(t);
  }
  const output = new Int16Array(out.chunks.length * FRAME);
  out.chunks.forEach((c, i) => output.set(c, i * FRAME));
  const snr = o.noSnr ? { snrAll: Number.NaN, snrLost: Number.NaN } : alignedSnr(o.signal, output, dropped);
  return { stats: stream.stats(), dropped, ...snr, fixedFrames: out.chunks.every((c) => c.length === FRAME), output };
}
