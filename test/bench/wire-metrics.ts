// What one bench call looked like on the wire (pure): call-setup times and the caller's RTP send
// intervals, computed from capture timestamps and the SDP the two phones exchanged.
import { intervalDeviation, type IntervalStats, type PacketTime } from '../support/capture';

/** One SIP message of the capture that carried an SDP body. */
export interface SdpPacket {
  time: number;
  srcPort: number;
  dstPort: number;
  /** Request method (INVITE) or undefined for a response. */
  method?: string;
  /** Response status code, or undefined for a request. */
  status?: number;
  /** c= address and the audio m= port. */
  address: string;
  mediaPort: number;
}

export interface CallPorts {
  /** The caller's and callee's SIP ports (the server sits between them). */
  callerSip: number;
  calleeSip: number;
}

export interface WireMetrics {
  /** The caller's own media port (from its offer) and the callee's (from its 200 OK answer). */
  callerMediaPort: number;
  calleeMediaPort: number;
  /** Capture time (epoch seconds) of the caller's first INVITE. */
  inviteAt: number;
  /** ms from the caller's first INVITE to the first RTP packet in either direction: THE setup time. */
  setupMs: number;
  /** ms from the first INVITE to the 200 OK (with the answer) reaching the caller. */
  answerMs: number | null;
  /** ms from the first INVITE to the caller's ACK of that 200 OK (RFC 3261 §13.2.2.4). */
  ackMs: number | null;
  /** ms from the first INVITE to the caller's own first RTP packet. */
  callerFirstRtpMs: number | null;
  /** ms from the first INVITE to the callee's first RTP packet. */
  calleeFirstRtpMs: number | null;
  /** RTP packets the caller sent to the callee, and the callee to the caller. */
  callerRtpPackets: number;
  calleeRtpPackets: number;
  /** Seconds from the caller's first to its last RTP packet. */
  callerRtpSeconds: number;
  /** |Δt − ptime| of consecutive packets the caller sent, in ms. */
  sendDeviation: IntervalStats;
  /** Intervals longer than 30 ms (the "max gap" limit for a blocked loop). */
  gapsOver30ms: number;
  /** The largest interval itself, in ms. */
  maxIntervalMs: number;
  /** The caller's SIP messages from its first INVITE to its first RTP packet (where setup time goes). */
  sipTimeline: { ms: number; dir: 'out' | 'in'; sip: string }[];
}

export class WireError extends Error {}

/**
 * Finds the call in the capture. The setup time runs from the caller's first INVITE (before the
 * proxy's 407 challenge, RFC 3261 §22.3) to the first RTP packet in either direction.
 */
export function wireMetrics(packets: PacketTime[], sdp: SdpPacket[], ports: CallPorts, ptimeMs = 20): WireMetrics {
  const invite = packets.find((p) => p.sip === 'INVITE' && p.srcPort === ports.callerSip);
  if (!invite) throw new WireError(`no INVITE from the caller's SIP port ${ports.callerSip} in the capture`);
  const offer = sdp.find((s) => s.method === 'INVITE' && s.srcPort === ports.callerSip);
  if (!offer) throw new WireError('no SDP offer in an INVITE from the caller');
  const answer = sdp.find((s) => s.status === 200 && s.srcPort === ports.calleeSip);
  if (!answer) throw new WireError('no 200 OK with an SDP answer from the callee');
  const answerAtCaller = sdp.find((s) => s.status === 200 && s.dstPort === ports.callerSip && s.time >= invite.time);

  // Media packets are told apart by their ports (symmetric RTP: each side sends from the port it
  // advertised, RFC 4961); RTCP is on the next port up and so is not counted.
  const isMedia = (p: PacketTime) => p.sip === undefined && p.time >= invite.time;
  const callerRtp = packets
    .filter((p) => isMedia(p) && p.srcPort === offer.mediaPort && p.dstPort === answer.mediaPort)
    .map((p) => p.time)
    .sort((a, b) => a - b);
  const calleeRtp = packets
    .filter((p) => isMedia(p) && p.srcPort === answer.mediaPort && p.dstPort === offer.mediaPort)
    .map((p) => p.time)
    .sort((a, b) => a - b);
  const firstCaller = callerRtp[0];
  const firstCallee = calleeRtp[0];
  if (firstCaller === undefined && firstCallee === undefined) throw new WireError('no RTP in either direction');
  const firstRtp = Math.min(firstCaller ?? Infinity, firstCallee ?? Infinity);
  const ms = (t: number | undefined) => (t === undefined ? null : (t - invite.time) * 1000);

  let gapsOver30ms = 0;
  let maxIntervalMs = 0;
  for (let i = 1; i < callerRtp.length; i++) {
    const d = ((callerRtp[i] as number) - (callerRtp[i - 1] as number)) * 1000;
    if (d > 30) gapsOver30ms++;
    if (d > maxIntervalMs) maxIntervalMs = d;
  }
  const ack = answerAtCaller
    ? packets.find((p) => p.sip === 'ACK' && p.srcPort === ports.callerSip && p.time >= answerAtCaller.time)
    : undefined;
  const timelineEnd = firstCaller ?? firstRtp;
  const sipTimeline = packets
    .filter((p) => p.sip !== undefined && (p.srcPort === ports.callerSip || p.dstPort === ports.callerSip))
    .filter((p) => p.time >= invite.time && p.time <= timelineEnd)
    .slice(0, 30)
    .map((p) => ({ ms: (p.time - invite.time) * 1000, dir: p.srcPort === ports.callerSip ? ('out' as const) : ('in' as const), sip: p.sip ?? '' }));
  return {
    callerMediaPort: offer.mediaPort,
    calleeMediaPort: answer.mediaPort,
    inviteAt: invite.time,
    setupMs: (firstRtp - invite.time) * 1000,
    answerMs: ms(answerAtCaller?.time),
    ackMs: ms(ack?.time),
    callerFirstRtpMs: ms(firstCaller),
    calleeFirstRtpMs: ms(firstCallee),
    callerRtpPackets: callerRtp.length,
    calleeRtpPackets: calleeRtp.length,
    callerRtpSeconds: callerRtp.length > 1 ? (callerRtp.at(-1) as number) - (firstCaller as number) : 0,
    sendDeviation: intervalDeviation(callerRtp, ptimeMs),
    gapsOver30ms,
    maxIntervalMs,
    sipTimeline,
  };
}

/** Parses tshark's tab-separated SDP fields (time, srcport, dstport, method, status, c= address, m= ports). */
export function parseSdpFields(text: string): SdpPacket[] {
  const out: SdpPacket[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const [time, src, dst, method, status, address, mediaPorts] = line.split('\t');
    // A body may list several m= lines (tshark joins them with ","): the first is our audio.
    const mediaPort = Number((mediaPorts ?? '').split(',')[0]);
    if (!Number.isFinite(mediaPort) || mediaPort <= 0) continue;
    out.push({
      time: Number(time),
      srcPort: Number(src),
      dstPort: Number(dst),
      method: method || undefined,
      status: status ? Number(status) : undefined,
      address: (address ?? '').split(',')[0] ?? '',
      mediaPort,
    });
  }
  return out;
}
