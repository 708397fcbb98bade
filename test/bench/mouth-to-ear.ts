// Mouth-to-ear delay of the answering side (pure): a tone that starts after silence in the caller's WAV,
// found on the wire in the caller's RTP, and in the callee's recording anchored by the callee's own sends.
import { decodeAlaw, decodeUlaw } from '../../src-main/codec/g711';

export const FRAME_SAMPLES = 160;
const RATE = 8000;
/** Well above G.711's decoded silence (0 for μ-law, ±8 for A-law), far below the tone (amplitude 16 383). */
export const LOUD = 2000;

export interface RtpPayloadPacket {
  /** Capture time, epoch seconds. */
  time: number;
  payload: Uint8Array;
}

export interface MouthToEar {
  /** ms from the tone's first sample "spoken" at the caller to its first sample "heard" at the callee. */
  ms: number;
  /** Epoch seconds of both instants. */
  mouthAt: number;
  earAt: number;
  /** Frames in the callee's recording and RTP packets it sent (the anchor holds when they match). */
  recordingFrames: number;
  calleePackets: number;
  /** ms the anchor may be off: 20 ms per frame the recording and the sends disagree by. */
  uncertaintyMs: number;
}

/** Index of the first sample louder than `threshold`, or null. */
export function firstLoudSample(samples: Int16Array, threshold = LOUD): number | null {
  for (let i = 0; i < samples.length; i++) if (Math.abs(samples[i] as number) > threshold) return i;
  return null;
}

/**
 * Mouth: the caller's first RTP packet holding the tone, at its capture time, less one frame (a live
 * microphone would have captured those 160 samples in the 20 ms before the packet left) plus the
 * tone's offset inside the frame. Ear: our callee's media tick sends RTP packet i and writes recording
 * frame i to the file in the same tick (media-stream.ts sendTick, then playTick), so recording sample
 * k plays from the capture time of the callee's packet ⌊k/160⌋ plus k mod 160 samples. That anchor is
 * only trusted when the recording holds as many frames as the callee sent packets (±`slack`).
 */
export function mouthToEar(opts: {
  callerPackets: RtpPayloadPacket[];
  codec: 'PCMU' | 'PCMA';
  calleeSendTimes: number[];
  recording: Int16Array;
  slack?: number;
}): MouthToEar | { error: string } {
  const decode = opts.codec === 'PCMA' ? decodeAlaw : decodeUlaw;
  let mouthAt: number | null = null;
  const pcm = new Int16Array(FRAME_SAMPLES * 8);
  for (const p of [...opts.callerPackets].sort((a, b) => a.time - b.time)) {
    const n = decode(p.payload, pcm);
    const at = firstLoudSample(pcm.subarray(0, n));
    if (at !== null) {
      mouthAt = p.time - n / RATE + at / RATE;
      break;
    }
  }
  if (mouthAt === null) return { error: "the caller's tone never appeared in its RTP" };
  const recordingFrames = Math.floor(opts.recording.length / FRAME_SAMPLES);
  const calleePackets = opts.calleeSendTimes.length;
  if (Math.abs(recordingFrames - calleePackets) > (opts.slack ?? 2)) {
    return { error: `recording frames (${recordingFrames}) and callee RTP packets (${calleePackets}) differ: no anchor` };
  }
  const k = firstLoudSample(opts.recording);
  if (k === null) return { error: "the caller's tone never appeared in the callee's recording" };
  const sent = [...opts.calleeSendTimes].sort((a, b) => a - b)[Math.floor(k / FRAME_SAMPLES)];
  if (sent === undefined) return { error: 'the tone was recorded after the last packet the callee sent' };
  const earAt = sent + (k % FRAME_SAMPLES) / RATE;
  const uncertaintyMs = Math.abs(recordingFrames - calleePackets) * ((FRAME_SAMPLES / RATE) * 1000);
  return { ms: (earAt - mouthAt) * 1000, mouthAt, earAt, recordingFrames, calleePackets, uncertaintyMs };
}

/** tshark's rtp.payload field: hex bytes, with or without ":" between them. */
export function parseHexPayload(text: string): Uint8Array {
  const hex = text.replace(/[^0-9a-fA-F]/g, '');
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Writes 8 kHz samples: `silenceSeconds` of digital silence, then the tone (the onset to find). */
export function onsetTone(tone: Int16Array, silenceSeconds: number): Int16Array {
  const lead = Math.round(silenceSeconds * RATE);
  const out = new Int16Array(lead + tone.length);
  out.set(tone, lead);
  return out;
}
