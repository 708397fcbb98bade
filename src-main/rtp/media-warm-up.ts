// Runs a call's per-packet code once on a throwaway stream (no sockets, no devices), so that V8 has
// compiled it before the first real call needs it. Pure.
//
// Why: the media worker starts cold, and the first start() used to spend a few milliseconds parsing and
// compiling the stream, codec, jitter-buffer and RTCP code on the way to the first packet; that delay
// is call-setup time (INVITE to first RTP). Done while the call is still being set up (after the
// session is opened, before the answer), it costs nothing on the critical path.

import { NullInput, NullOutput } from '../audio/null-device';
import type { CodecName } from './media-session';
import { MediaStream, type MediaTransport } from './media-stream';
import { writeRtp } from './rtp-packet';

const discard: MediaTransport = { sendRtp: () => {}, sendRtcp: () => {} };

/** A throwaway SRTP key (never used on the network). */
const WARM_UP_KEY = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/**
 * One stream per codec, and one with SRTP (whose first session and packet cost ~15 ms cold: OpenSSL's
 * AES and HMAC are set up on first use): receive a packet, send and play a few frames, read stats, close.
 */
export function warmUpMediaPath(nowMs: number, random: () => number): void {
  const packet = new Uint8Array(12 + 160);
  const payload = new Uint8Array(160).fill(0xff);
  const srtp = { suite: 'AES_CM_128_HMAC_SHA1_80', localKey: WARM_UP_KEY, remoteKey: WARM_UP_KEY } as const;
  for (const [codec, payloadType, withSrtp] of [['PCMU', 0, false], ['PCMA', 8, false], ['G722', 9, false], ['PCMU', 0, true]] as Array<[CodecName, number, boolean]>) {
    const stream = new MediaStream(
      { transport: discard, input: new NullInput(), output: new NullOutput(), random, wallClockMs: () => 0, cname: 'warm-up' },
      { remoteAddress: '127.0.0.1', remotePort: 9, codec, payloadType, telephoneEventPayloadType: 101, ptime: 20, ...(withSrtp ? { srtp } : {}) },
      nowMs,
    );
    const from = { address: '127.0.0.1', port: 9 };
    for (let i = 0; i < 3; i++) {
      const n = writeRtp({ marker: i === 0, payloadType, sequenceNumber: i, timestamp: 160 * i, ssrc: 0x5eed }, payload, packet);
      stream.receiveRtp(packet.subarray(0, n), from, nowMs + 20 * i);
      stream.sendTick(nowMs + 20 * i);
      stream.playTick(nowMs + 20 * i);
    }
    stream.stats();
    stream.close();
  }
}
