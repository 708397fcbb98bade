// Issue 13, loss concealment over real UDP: a voiced multi-tone (and a speech-like signal) goes from one
// media session to another through a userspace relay that drops 5 % of the packets (a fixed pattern)
// and delays each by 0-30 ms; the receiver's recording is compared with the clean reference around
// every dropped packet, against frame repetition with fade (what played before) of the same losses.
// Real-time audio: about 4 s per signal.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src-main/audio/wav';
import { decodeUlaw, encodeUlaw } from '../../src-main/codec/g711';
import type { MediaSession, RtpStats } from '../../src-main/rtp/media-session';
import { createMediaSession } from '../../src-main/rtp/media-session.node';
import { LossyRelay } from '../support/lossy-relay';
import { readWav, tempDir, waitFor } from '../support/media-helpers';
import { bestLag, lossPattern, segmentalSnr, speechLike } from '../support/speech-quality';
import { localLag } from '../support/aligned-snr';

const FRAME = 160;
const SECONDS = 4;
const ports = { bindAddress: '127.0.0.1', portMin: 40000, portMax: 49999 };
let tmp: ReturnType<typeof tempDir>;
const sessions: MediaSession[] = [];
const relays: LossyRelay[] = [];

beforeAll(() => {
  tmp = tempDir('loss-concealment');
});
afterAll(async () => {
  for (const s of sessions) await s.close().catch(() => {});
  for (const r of relays) r.close();
  tmp.remove();
});

/** A voiced vowel-like multi-tone: harmonics of 118 Hz with a slow 3 % vibrato. */
function voiced(seconds: number): Int16Array {
  let phase = 0;
  return Int16Array.from({ length: seconds * 8000 }, (_, i) => {
    phase += (2 * Math.PI * 118 * (1 + 0.03 * Math.sin((2 * Math.PI * 0.5 * i) / 8000))) / 8000;
    return Math.round(5000 * (Math.sin(phase) + 0.7 * Math.sin(2 * phase + 1) + 0.5 * Math.sin(3 * phase + 2) + 0.3 * Math.sin(8 * phase)));
  });
}

interface Measured {
  dropped: number;
  stats: RtpStats;
  plcLost: number;
  repeatLost: number;
}

/** Sends `signal` through the lossy relay and measures the received audio around each dropped packet. */
async function sendThroughLoss(name: string, signal: Int16Array): Promise<Measured> {
  const play = join(tmp.dir, `${name}.wav`);
  writeFileSync(play, encodeWav(signal, 8000));
  const record = join(tmp.dir, `${name}-rec.wav`);
  const packets = Math.floor(signal.length / FRAME);
  const lost = lossPattern(packets, 0.05, 777);
  // Never the first 25 packets: the receiver's jitter buffer and the alignment need a clean start.
  const relay = await LossyRelay.create({ drop: (i) => i >= 25 && lost.has(i), maxJitterMs: 30 });
  relays.push(relay);
  const sender = createMediaSession({ audio: { kind: 'file', play }, ...ports });
  const receiver = createMediaSession({ audio: { kind: 'file', record }, ...ports });
  sessions.push(sender, receiver);
  const [se, re] = [await sender.open(), await receiver.open()];
  relay.connect(se.rtpPort, re.rtpPort);
  await receiver.start({ remoteAddress: '127.0.0.1', remotePort: relay.port, codec: 'PCMU', payloadType: 0, ptime: 20 });
  await sender.start({ remoteAddress: '127.0.0.1', remotePort: relay.port, codec: 'PCMU', payloadType: 0, ptime: 20 });
  await waitFor('the whole signal sent', async () => (await sender.stats()).packetsSent >= packets + 10, SECONDS * 1000 + 10_000, 100);
  await new Promise((r) => setTimeout(r, 300)); // the last packets through the relay's delay and the buffer
  const stats = await receiver.close();
  await sender.close();

  const rec = readWav(record).samples;
  const first = relay.firstSeq ?? 0;
  const droppedIdx = relay.droppedSeqs.map((s) => (s - first) & 0xffff).filter((p) => p >= 5 && p < packets - 5);
  // Where the reference starts in the recording (first second), then, around each loss, the local
  // offset (the jitter buffer may have grown by a frame since): the best match of the 80 ms before it.
  const global = bestLag(signal, rec, 8000, 4000);
  const refSegs: Int16Array[] = [];
  const gotSegs: Int16Array[] = [];
  for (const p of droppedIdx) {
    const bestL = localLag(signal, rec, p, global, -2, 6);
    refSegs.push(signal.subarray(p * FRAME, (p + 1) * FRAME));
    gotSegs.push(rec.subarray(p * FRAME + bestL, (p + 1) * FRAME + bestL));
  }
  const join16 = (a: Int16Array[]): Int16Array => {
    const out = new Int16Array(a.length * FRAME);
    a.forEach((x, i) => out.set(x, i * FRAME));
    return out;
  };
  // Frame repetition with fade (0.7, 0.4, 0.2, then silence) of the same losses, offline.
  const coded = new Int16Array(signal.length);
  const bytes = new Uint8Array(FRAME);
  for (let p = 0; p < packets; p++) {
    encodeUlaw(signal.subarray(p * FRAME, (p + 1) * FRAME), bytes);
    decodeUlaw(bytes, coded.subarray(p * FRAME, (p + 1) * FRAME));
  }
  const lostSet = new Set(droppedIdx);
  const repeated: Int16Array[] = [];
  let last = new Int16Array(FRAME);
  let run = 0;
  for (let p = 0; p < packets; p++) {
    if (lostSet.has(p)) {
      const gain = [0.7, 0.4, 0.2][run++] ?? 0;
      repeated.push(Int16Array.from(last, (v) => Math.round(v * gain)));
    } else {
      last = coded.slice(p * FRAME, (p + 1) * FRAME);
      run = 0;
    }
  }
  const ref = join16(refSegs);
  return { dropped: droppedIdx.length, stats, plcLost: segmentalSnr(ref, join16(gotSegs)), repeatLost: segmentalSnr(ref, join16(repeated)) };
}

describe('loss concealment over a lossy, jittery UDP path (issue 13)', () => {
  it('keeps a voiced multi-tone at least 6 dB (segmental SNR) closer to the original than frame repetition', async () => {
    const m = await sendThroughLoss('voiced', voiced(SECONDS));
    console.log(`voiced multi-tone over UDP, ${m.dropped} packets dropped, late ${m.stats.late}, concealed ${m.stats.concealedMs} ms: segSNR of the lost packets, G.711 App. I ${m.plcLost.toFixed(1)} dB vs frame repetition ${m.repeatLost.toFixed(1)} dB; quality ${JSON.stringify(m.stats.quality)}`);
    expect(m.dropped).toBeGreaterThanOrEqual(5);
    expect(m.stats.packetsLost).toBeGreaterThanOrEqual(m.dropped);
    expect(m.plcLost - m.repeatLost).toBeGreaterThan(6);
    // The score sees the loss: 5 % with PLC costs about 16 points of R.
    expect(m.stats.quality?.r).toBeLessThan(85);
    expect(m.stats.quality?.r).toBeGreaterThan(55);
  });

  it('does better than frame repetition on a speech-like signal too', async () => {
    const m = await sendThroughLoss('speech', speechLike(SECONDS));
    console.log(`speech-like over UDP, ${m.dropped} packets dropped, late ${m.stats.late}: segSNR of the lost packets, G.711 App. I ${m.plcLost.toFixed(1)} dB vs frame repetition ${m.repeatLost.toFixed(1)} dB`);
    expect(m.dropped).toBeGreaterThanOrEqual(5);
    expect(m.plcLost).toBeGreaterThan(m.repeatLost);
  });
});
