// Sends a signal from one media session to another over real UDP through the lossy/jittery relay and
// measures what was heard: the jitter buffer's delay (from the receiver's stats) and the segmental SNR
// against the clean reference, segment by segment at the local alignment. Shared by the issue 13
// jitter-buffer integration test and `npm run bench:jitter` (not product code).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWav } from '../../src-main/audio/wav';
import type { MediaSession, RtpStats } from '../../src-main/rtp/media-session';
import { createMediaSession } from '../../src-main/rtp/media-session.node';
import { LossyRelay } from './lossy-relay';
import { readWav, waitFor } from './media-helpers';
import { bestLag, lossPattern, segmentalSnr } from './speech-quality';

const FRAME = 160;
/** The relay forwards the first packets unharmed by loss: the buffer and the alignment need a start. */
const CLEAN_START = 25;

export interface PathOptions {
  dir: string;
  name: string;
  signal: Int16Array;
  adapt: 'stretch' | 'frame';
  lossRate: number;
  maxJitterMs: number;
  /** Loss pattern and relay jitter seeds (the same for both modes, so both see the same path). */
  seed?: number;
  portMin?: number;
  portMax?: number;
}

export interface PathResult {
  stats: RtpStats;
  /** Indices of the packets the relay dropped. */
  dropped: number[];
  /** Segmental SNR (dB) over every 20 ms after the clean start, and over the dropped packets only. */
  snrAll: number;
  snrLost: number;
}

/** A voiced vowel-like multi-tone: harmonics of 118 Hz with a slow 3 % vibrato (as in the PLC test). */
export function voicedMultiTone(seconds: number): Int16Array {
  let phase = 0;
  return Int16Array.from({ length: seconds * 8000 }, (_, i) => {
    phase += (2 * Math.PI * 118 * (1 + 0.03 * Math.sin((2 * Math.PI * 0.5 * i) / 8000))) / 8000;
    return Math.round(5000 * (Math.sin(phase) + 0.7 * Math.sin(2 * phase + 1) + 0.5 * Math.sin(3 * phase + 2) + 0.3 * Math.sin(8 * phase)));
  });
}

export async function sendThroughPath(o: PathOptions): Promise<PathResult> {
  const play = join(o.dir, `${o.name}.wav`);
  writeFileSync(play, encodeWav(o.signal, 8000));
  const record = join(o.dir, `${o.name}-rec.wav`);
  const packets = Math.floor(o.signal.length / FRAME);
  const lost = lossPattern(packets, o.lossRate, o.seed ?? 777);
  const relay = await LossyRelay.create({ drop: (i) => i >= CLEAN_START && lost.has(i), maxJitterMs: o.maxJitterMs, seed: o.seed ?? 4242 });
  const ports = { bindAddress: '127.0.0.1', portMin: o.portMin ?? 40000, portMax: o.portMax ?? 49999 };
  const sessions: MediaSession[] = [];
  try {
    const sender = createMediaSession({ audio: { kind: 'file', play }, ...ports });
    sessions.push(sender);
    const receiver = createMediaSession({ audio: { kind: 'file', record }, ...ports, jitterAdapt: o.adapt });
    sessions.push(receiver);
    const [se, re] = [await sender.open(), await receiver.open()];
    relay.connect(se.rtpPort, re.rtpPort);
    const params = { remoteAddress: '127.0.0.1', remotePort: relay.port, codec: 'PCMU' as const, payloadType: 0, ptime: 20 };
    await receiver.start(params);
    await sender.start(params);
    await waitFor('the whole signal sent', async () => (await sender.stats()).packetsSent >= packets + 10, (o.signal.length / 8) + 15_000, 100);
    // The last packets through the relay's delay and the buffer.
    await waitFor('the relay drained', () => relay.forwarded + relay.droppedSeqs.length >= packets + 10, 5000, 20);
    await new Promise((r) => setTimeout(r, o.maxJitterMs + 250));
    const stats = await receiver.close();
    await sender.close();
    const first = relay.firstSeq ?? 0;
    const dropped = relay.droppedSeqs.map((s) => (s - first) & 0xffff).filter((p) => p < packets);
    const rec = readWav(record).samples;
    const snr = alignedSnr(o.signal, rec, dropped);
    return { stats, dropped, ...snr };
  } finally {
    for (const s of sessions) await s.close().catch(() => {});
    relay.close();
  }
}

/**
 * Segmental SNR of the recording against the reference, each 20 ms segment compared at the offset
 * where the 80 ms of reference before it match the recording best (searched near the previous
 * segment's offset): a delay change shifts the alignment, and whatever it did to the audio itself (a
 * repeated or dropped frame, a concealed gap, a stretch seam) counts as error in the segments it touches.
 */
export function alignedSnr(signal: Int16Array, rec: Int16Array, dropped: number[]): { snrAll: number; snrLost: number } {
  const packets = Math.floor(signal.length / FRAME);
  let lag = bestLag(signal, rec, 8000, 4000);
  const refAll: Int16Array[] = [];
  const gotAll: Int16Array[] = [];
  const refLost: Int16Array[] = [];
  const gotLost: Int16Array[] = [];
  const lostSet = new Set(dropped);
  for (let p = CLEAN_START; p < packets - 5; p++) {
    const before = signal.subarray((p - 4) * FRAME, p * FRAME);
    let bestL = lag;
    let best = -Infinity;
    for (let l = lag - 2 * FRAME; l <= lag + 2 * FRAME; l++) {
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
    lag = bestL;
    if ((p + 1) * FRAME + lag > rec.length) break;
    const ref = signal.subarray(p * FRAME, (p + 1) * FRAME);
    const got = rec.subarray(p * FRAME + lag, (p + 1) * FRAME + lag);
    refAll.push(ref);
    gotAll.push(got);
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
