// Outgoing RTP stream state: SSRC, sequence number, timestamp, talkspurt marker and send counters.

import type { RtpHeader } from './rtp-packet';

export class RtpSender {
  readonly ssrc: number;
  private seq: number;
  private ts: number;
  private talkspurtStart = true;
  private sentPackets = 0;
  private sentOctets = 0;

  /**
   * RFC 3550 §5.1: the SSRC, the initial sequence number and the initial timestamp are random, so that
   * known-plaintext attacks on encryption are harder and streams from restarted senders do not collide.
   * `random` returns 0 <= x < 1 (Math.random, or a seeded generator in tests).
   */
  constructor(random: () => number) {
    this.ssrc = randomBits(random, 32);
    this.seq = randomBits(random, 16);
    this.ts = randomBits(random, 32);
  }

  /** The timestamp the next audio packet will carry. */
  get timestamp(): number {
    return this.ts;
  }

  /** The sequence number the next packet will carry. */
  get sequenceNumber(): number {
    return this.seq;
  }

  /** RTP data packets sent so far (the SR sender's packet count, RFC 3550 §6.4.1). */
  get packetsSent(): number {
    return this.sentPackets;
  }

  /** Payload octets sent so far (the SR sender's octet count: headers and padding excluded). */
  get octetsSent(): number {
    return this.sentOctets;
  }

  /**
   * Header for the next audio packet carrying `samples` samples; then advances the timestamp by them.
   * The marker bit is set on the first packet of a talkspurt (RFC 3551 §4.1): the first packet after
   * start or after resumeAfterSilence(), or when `marker` is true. `payloadOctets` (default `samples`,
   * right for G.711's one octet per sample) feeds the octet count.
   */
  next(payloadType: number, samples: number, marker = false, payloadOctets = samples): RtpHeader {
    const header: RtpHeader = {
      marker: marker || this.talkspurtStart,
      payloadType: payloadType & 0x7f,
      sequenceNumber: this.seq,
      timestamp: this.ts,
      ssrc: this.ssrc,
    };
    this.talkspurtStart = false;
    this.count(payloadOctets);
    this.ts = (this.ts + samples) >>> 0;
    return header;
  }

  /**
   * Header for a packet with an explicit timestamp that does not move the audio clock: RFC 4733 §2.3.1
   * sends every packet of one DTMF event with the event's start timestamp. Use `advanceTimestamp` to keep the
   * audio timestamp running meanwhile.
   */
  nextWithTimestamp(payloadType: number, timestamp: number, marker: boolean, payloadOctets: number): RtpHeader {
    const header: RtpHeader = {
      marker,
      payloadType: payloadType & 0x7f,
      sequenceNumber: this.seq,
      timestamp: timestamp >>> 0,
      ssrc: this.ssrc,
    };
    this.count(payloadOctets);
    return header;
  }

  /** Advances the timestamp without sending (muted, DTMF, silence): time passes for the receiver too. */
  advanceTimestamp(samples: number): void {
    this.ts = (this.ts + samples) >>> 0;
  }

  /** The next audio packet starts a new talkspurt and gets the marker bit (after mute, hold or DTMF). */
  resumeAfterSilence(): void {
    this.talkspurtStart = true;
  }

  private count(payloadOctets: number): void {
    this.seq = (this.seq + 1) & 0xffff;
    this.sentPackets++;
    this.sentOctets += Math.max(0, payloadOctets);
  }
}

function randomBits(random: () => number, bits: 16 | 32): number {
  const r = random();
  const unit = r >= 0 && r < 1 ? r : 0; // a broken generator must not yield NaN fields
  return bits === 32 ? Math.floor(unit * 0x100000000) >>> 0 : Math.floor(unit * 0x10000) & 0xffff;
}
