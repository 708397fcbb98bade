// Translates negotiated MediaStartParams into the native engine's start parameters (pure), and says
// whether a call can run on the native engine at all (issue 12: plain RTP, G.711, ptime in 20 ms steps).

import type { NativeStartParams } from '../native/native-addon.node';
import type { CodecName, MediaStartParams } from './media-session';
import { latchModeFor } from './rtp-latch';

/** The native engine codes G.711 only (issue 13: wideband runs on the worker engine). */
const LAW: Partial<Record<CodecName, 0 | 1>> = { PCMU: 0, PCMA: 1 };
const DIRECTION = { sendrecv: 0, sendonly: 1, recvonly: 2, inactive: 3 } as const;
const LATCH = { strict: 0, learn: 1, open: 2 } as const;

/** Why these parameters need the worker path, or null when the native engine can carry them. */
export function nativeUnsupported(params: MediaStartParams): string | null {
  if (params.srtp) return 'SRTP';
  if (params.ice) return 'ICE';
  const codecs = [params.codec, ...(params.receiveCodecs ?? []).map((r) => r.codec)];
  const other = codecs.find((c) => LAW[c] === undefined);
  if (other !== undefined) return `codec ${other} (the engine codes G.711 only)`;
  if (params.ptime % 20 !== 0) return `ptime ${params.ptime} (the engine packs 20 ms frames)`;
  // Issue 13: comfort noise (VAD, SID, noise generator) is a worker-engine feature; RTCP XR is too, but a
  // native call without it only lacks the extra report, so it does not move the call.
  if (params.comfortNoisePayloadType !== undefined && params.silenceSuppression) return 'comfort noise (RFC 3389)';
  return null;
}

export function nativeStartParams(params: MediaStartParams, random: { ssrc: number; seq: number; timestamp: number }): NativeStartParams {
  const signalled = { address: params.remoteAddress, port: params.remotePort };
  return {
    remoteAddress: params.remoteAddress,
    remotePort: params.remotePort,
    remoteRtcpPort: params.remoteRtcpPort ?? params.remotePort + 1,
    law: LAW[params.codec] ?? 0,
    payloadType: params.payloadType,
    receive: (params.receiveCodecs ?? [{ payloadType: params.payloadType, codec: params.codec }]).map((r) => ({ payloadType: r.payloadType, law: LAW[r.codec] ?? 0 })),
    telephoneEventPayloadType: params.telephoneEventPayloadType ?? -1,
    ptime: params.ptime,
    // The rule of the worker path (rtp-latch.ts): a public SDP address is strict, a private one is learned.
    latchMode: LATCH[latchModeFor(signalled, params.symmetric ?? true)],
    direction: DIRECTION[params.direction ?? 'sendrecv'],
    ssrc: random.ssrc >>> 0,
    seq: random.seq & 0xffff,
    timestamp: random.timestamp >>> 0,
  };
}
