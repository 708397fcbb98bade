// Mouth-to-ear of the answering side: the tone's onset found in the caller's G.711 packets and in the
// callee's recording, the recording anchored by the callee's own sends, refused when that anchor fails.
import { describe, expect, it } from 'vitest';
import { encodeAlaw, encodeUlaw } from '../../../src-main/codec/g711';
import { generateTone } from '../../../src-main/audio/tone-analysis';
import { firstLoudSample, mouthToEar, onsetTone, parseHexPayload, type RtpPayloadPacket } from '../../bench/mouth-to-ear';

const T0 = 1_700_000_000;
const tone = generateTone(1000, 1, 8000, 0.5);
/** 0.5 s of silence, then the tone: the onset is sample 4000 (its first loud sample 4001: sin(0) = 0). */
const spoken = onsetTone(tone, 0.5);

/** The caller's packets: frame i (160 samples) leaves at T0 + 0.02 (i + 1), as a paced sender sends. */
function callerPackets(codec: 'PCMU' | 'PCMA'): RtpPayloadPacket[] {
  const out: RtpPayloadPacket[] = [];
  for (let i = 0; i * 160 < spoken.length; i++) {
    const payload = new Uint8Array(160);
    (codec === 'PCMU' ? encodeUlaw : encodeAlaw)(spoken.subarray(i * 160, i * 160 + 160), payload);
    out.push({ time: T0 + 0.02 * (i + 1), payload });
  }
  return out;
}

/** The callee sends from T0 + 0.005 every 20 ms; its recording hears the tone from sample `at`. */
function callee(frames: number, at: number) {
  const recording = new Int16Array(frames * 160);
  recording.set(tone.subarray(0, Math.max(0, recording.length - at)), at);
  const calleeSendTimes = Array.from({ length: frames }, (_, i) => T0 + 0.005 + 0.02 * i);
  return { recording, calleeSendTimes };
}

describe('mouthToEar', () => {
  it('times the onset from the caller (its packet less one frame) to the recording (its frame’s send tick)', () => {
    // Mouth: sample 4001 is in frame 25, sent at T0 + 0.52: spoken at 0.50 + 1/8000.
    // Ear: recording sample 4801 is in frame 30 (sent at T0 + 0.605), 1 sample in: 0.605 + 1/8000.
    for (const codec of ['PCMU', 'PCMA'] as const) {
      const r = mouthToEar({ callerPackets: callerPackets(codec), codec, ...callee(60, 4800) });
      expect(r).toMatchObject({ recordingFrames: 60, calleePackets: 60, uncertaintyMs: 0 });
      if ('error' in r) throw new Error(r.error);
      expect(r.ms).toBeCloseTo(105, 3);
    }
  });

  it('states the uncertainty when the recording and the sends disagree by a frame or two, and refuses more', () => {
    const one = callee(60, 4800);
    const r = mouthToEar({ callerPackets: callerPackets('PCMU'), codec: 'PCMU', recording: one.recording, calleeSendTimes: one.calleeSendTimes.slice(0, 58) });
    expect(r).toMatchObject({ uncertaintyMs: 40 });
    const off = mouthToEar({ callerPackets: callerPackets('PCMU'), codec: 'PCMU', recording: one.recording, calleeSendTimes: one.calleeSendTimes.slice(0, 50) });
    expect(off).toEqual({ error: expect.stringContaining('no anchor') });
  });

  it('says so when the tone is on neither side', () => {
    const silentCaller = callerPackets('PCMU').slice(0, 20);
    expect(mouthToEar({ callerPackets: silentCaller, codec: 'PCMU', ...callee(60, 4800) })).toEqual({ error: expect.stringContaining('RTP') });
    expect(mouthToEar({ callerPackets: callerPackets('PCMU'), codec: 'PCMU', recording: new Int16Array(9600), calleeSendTimes: callee(60, 0).calleeSendTimes }))
      .toEqual({ error: expect.stringContaining('recording') });
  });
});

describe('helpers', () => {
  it('finds the first loud sample and reads tshark hex payloads with or without colons', () => {
    expect(firstLoudSample(spoken)).toBe(4001);
    expect(firstLoudSample(new Int16Array(10))).toBeNull();
    expect([...parseHexPayload('ff:7f:00')]).toEqual([0xff, 0x7f, 0]);
    expect([...parseHexPayload('ff7f00')]).toEqual([0xff, 0x7f, 0]);
  });
});
