// Issue 13: a G.722 call runs at 16 kHz end to end. Two MediaStreams under a fake clock, A's packets
// handed to B: a 5 kHz tone (above G.711's 4 kHz band) arrives over G.722 and not over PCMU; the RTP
// clock stays 8000 (RFC 3551 §4.5.2); 8 kHz devices, a lost packet, a PCMU packet in a G.722 call and
// a recording tap all meet the call's rate.
import { describe, expect, it } from 'vitest';
import type { AudioInput, AudioOutput } from '../../../src-main/audio/audio-device';
import { generateTone, toneCoverage, rmsLevel } from '../../../src-main/audio/tone-analysis';
import { encodeUlaw } from '../../../src-main/codec/g711';
import type { CodecName, MediaStartParams } from '../../../src-main/rtp/media-session';
import { MediaStream, type MediaTap } from '../../../src-main/rtp/media-stream';
import { parseRtp, writeRtp } from '../../../src-main/rtp/rtp-packet';

/** A tone as the microphone, at `rate` (absent: an 8 kHz device that does not say its rate). */
class ToneInput implements AudioInput {
  readonly name = 'tone';
  private pos = 0;
  private readonly tone: Int16Array;
  constructor(hz: number, readonly sampleRate?: number) {
    this.tone = generateTone(hz, 10, sampleRate ?? 8000, 0.5);
  }
  async start(): Promise<void> {}
  read(frame: Int16Array): boolean {
    frame.set(this.tone.subarray(this.pos, this.pos + frame.length));
    this.pos += frame.length;
    return true;
  }
  async close(): Promise<void> {}
}

/** What is played, at the rate it was asked to take (setSampleRate) or a fixed one. */
class Recorder implements AudioOutput {
  readonly name = 'recorder';
  readonly frames: Int16Array[] = [];
  constructor(
    public sampleRate: number,
    private readonly adjustable: boolean,
  ) {}
  setSampleRate(rate: number): boolean {
    if (!this.adjustable) return false;
    this.sampleRate = rate;
    return true;
  }
  async start(): Promise<void> {}
  write(frame: Int16Array): void {
    this.frames.push(frame.slice());
  }
  async close(): Promise<void> {}
  samples(fromMs: number): Int16Array {
    const all = new Int16Array(this.frames.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const f of this.frames) {
      all.set(f, at);
      at += f.length;
    }
    return all.subarray(Math.round((fromMs * this.sampleRate) / 1000));
  }
}

const PEER = { address: '198.51.100.7', port: 7000 };
const PT: Record<CodecName, number> = { PCMU: 0, PCMA: 8, G722: 9, OPUS: 111 };

function stream(codec: CodecName, input: AudioInput, output: AudioOutput, sent: Uint8Array[], now: number, extra: Partial<MediaStartParams> = {}): MediaStream {
  const params: MediaStartParams = { remoteAddress: PEER.address, remotePort: PEER.port, codec, payloadType: PT[codec], ptime: 20, ...extra };
  return new MediaStream(
    { transport: { sendRtp: (d, n) => void sent.push(d.slice(0, n)), sendRtcp() {} }, input, output, random: () => 0.5, wallClockMs: () => 1.7e12 + now, cname: 'x@test' },
    params,
    now,
  );
}

/** A's microphone -> RTP -> B's speaker for `ms`, packets delivered 5 ms after they are sent; `drop` loses packets by index. */
function call(codec: CodecName, input: AudioInput, output: AudioOutput, ms = 2000, drop: (i: number) => boolean = () => false) {
  let now = 1000;
  const sent: Uint8Array[] = [];
  const a = stream(codec, input, { name: 'x', start: async () => {}, write() {}, close: async () => {} }, sent, now);
  const b = stream(codec, { name: 'y', start: async () => {}, read: (f) => (f.fill(0), false), close: async () => {} }, output, [], now);
  let delivered = 0;
  for (let t = 0; t < ms; t += 20) {
    now = 1000 + t;
    a.sendTick(now);
    for (; delivered < sent.length; delivered++) {
      const p = sent[delivered] as Uint8Array;
      if (parseRtp(p)?.payloadType === 9 || parseRtp(p)?.payloadType === 0) {
        if (!drop(delivered)) b.receiveRtp(p, PEER, now + 5);
      }
    }
    b.playTick(now + 10);
  }
  return { sent, a, b };
}

describe('G.722 calls run at 16 kHz (issue 13)', () => {
  it('sends PT 9 packets of 160 octets whose timestamps advance 160 per 20 ms (RTP clock 8000, RFC 3551 §4.5.2)', () => {
    const { sent, a } = call('G722', new ToneInput(5000, 16000), new Recorder(16000, true), 400);
    const rtp = sent.map((p) => parseRtp(p)).filter((p) => p !== null);
    expect(rtp.length).toBe(20);
    for (const [i, p] of rtp.entries()) {
      expect(p.payloadType).toBe(9);
      expect(p.payload.length).toBe(160);
      if (i > 0) expect((p.timestamp - (rtp[i - 1]?.timestamp as number)) >>> 0).toBe(160);
    }
    expect(a.stats().codec).toBe('G722');
  });

  it('carries a 5 kHz tone from a 16 kHz microphone to a 16 kHz speaker over G.722, and not over PCMU', () => {
    const wide = new Recorder(8000, true); // a WAV being recorded: takes the call's rate
    call('G722', new ToneInput(5000, 16000), wide);
    expect(wide.sampleRate).toBe(16000);
    expect(toneCoverage(wide.samples(200), 16000, 5000)).toBeGreaterThan(0.95);

    const narrow = new Recorder(16000, false); // a 16 kHz device in a PCMU call: resampled, band-limited
    call('PCMU', new ToneInput(5000, 16000), narrow);
    const heard = narrow.samples(200);
    expect(toneCoverage(heard, 16000, 5000)).toBe(0);
    expect(rmsLevel(heard)).toBeLessThan(0.005); // the 0.35-rms tone is gone, not just moved
    // The same path with a tone inside the narrow band: it is the band, not the path, that stops 5 kHz.
    const control = new Recorder(16000, false);
    call('PCMU', new ToneInput(1000, 16000), control);
    expect(toneCoverage(control.samples(200), 16000, 1000)).toBeGreaterThan(0.95);
  });

  it('resamples an 8 kHz microphone and a fixed-rate 8 kHz speaker to and from the 16 kHz call', () => {
    const out = new Recorder(8000, false);
    call('G722', new ToneInput(1000), out);
    expect(out.frames.every((f) => f.length === 160)).toBe(true);
    expect(toneCoverage(out.samples(200), 8000, 1000)).toBeGreaterThan(0.95);
  });

  it('conceals a lost G.722 packet at 16 kHz: the tone goes on through the gap', () => {
    const out = new Recorder(16000, true);
    const { b } = call('G722', new ToneInput(1000, 16000), out, 2000, (i) => i === 50);
    const stats = b.stats();
    expect(stats.packetsLost).toBe(1);
    expect(stats.concealedMs).toBe(20);
    // Every 20 ms window from the start of play-out holds the tone, the concealed one included.
    expect(toneCoverage(out.samples(200).subarray(0, 1.6 * 16000), 16000, 1000)).toBe(1);
  });

  it('plays a PCMU packet of the answer in a G.722 call at the call rate', () => {
    let now = 1000;
    const out = new Recorder(16000, true);
    const b = stream('G722', new ToneInput(0, 16000), out, [], now, { receiveCodecs: [{ payloadType: 9, codec: 'G722' }, { payloadType: 0, codec: 'PCMU' }] });
    const tone = generateTone(1000, 2, 8000, 0.5);
    const payload = new Uint8Array(160);
    const buf = new Uint8Array(172);
    for (let i = 0; i < 75; i++) {
      now = 1000 + 20 * i;
      encodeUlaw(tone.subarray(160 * i, 160 * i + 160), payload);
      b.receiveRtp(buf.subarray(0, writeRtp({ marker: false, payloadType: 0, sequenceNumber: i, timestamp: 160 * i, ssrc: 7 }, payload, buf)), PEER, now);
      b.playTick(now + 10);
    }
    expect(out.frames.every((f) => f.length === 320)).toBe(true);
    expect(toneCoverage(out.samples(200), 16000, 1000)).toBeGreaterThan(0.95);
  });

  it('tells a recording tap the call rate, and hands it 16 kHz frames', () => {
    const rates: number[] = [];
    const lengths = new Set<number>();
    const tap: MediaTap = { sent: (f) => void lengths.add(f.length), heard: (f) => void lengths.add(f.length), setSampleRate: (r) => void rates.push(r) };
    const s = stream('G722', new ToneInput(1000, 16000), new Recorder(16000, true), [], 0);
    s.setTap(tap);
    s.sendTick(0);
    s.playTick(0);
    expect(rates).toEqual([16000]);
    expect([...lengths]).toEqual([320]);
  });
});
