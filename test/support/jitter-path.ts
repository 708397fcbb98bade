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
import { alignedSnr, CLEAN_START } from './aligned-snr';
import { lossPattern } from './speech-quality';

export { voicedMultiTone } from './aligned-snr';

const FRAME = 160;

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

