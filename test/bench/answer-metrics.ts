// The answering side of a bench call off the wire (pure): how fast the callee answered the INVITE the
// proxy relayed to it (100, 180, 200), and the callee's own RTP send intervals, from capture times.
import { intervalDeviation, type IntervalStats, type PacketTime } from '../support/capture';
import { WireError, type SdpPacket } from './wire-metrics';

export interface AnswerPorts {
  /** The callee's SIP port (the proxy relays the INVITE there) and the caller's. */
  calleeSip: number;
  callerSip: number;
}

export interface AnswerMetrics {
  /** Capture time (epoch s) of the first INVITE reaching the callee. */
  inviteAt: number;
  /** ms from that INVITE to the callee's 100 Trying, 180 Ringing and 200 OK (null: never sent). */
  tryingMs: number | null;
  ringingMs: number | null;
  okMs: number | null;
  /** ms from that INVITE to the callee's first RTP packet, and to the caller's. */
  calleeFirstRtpMs: number | null;
  callerFirstRtpMs: number | null;
  calleeMediaPort: number;
  callerMediaPort: number;
  calleeRtpPackets: number;
  callerRtpPackets: number;
  /** |Δt − ptime| of consecutive packets the callee sent, in ms. */
  sendDeviation: IntervalStats;
  gapsOver30ms: number;
}

/**
 * The callee's timings start at the first INVITE it received (after the caller's 407 round with the
 * proxy, which the callee never sees): RFC 3261 §17.2.1 has the server transaction send 100 Trying,
 * §13.3.1.1 180 Ringing when the user is alerted, §13.3.1.4 the 200 OK carrying the answer.
 */
export function answerMetrics(packets: PacketTime[], sdp: SdpPacket[], ports: AnswerPorts, ptimeMs = 20): AnswerMetrics {
  const invite = packets.find((p) => p.sip === 'INVITE' && p.dstPort === ports.calleeSip);
  if (!invite) throw new WireError(`no INVITE to the callee's SIP port ${ports.calleeSip} in the capture`);
  const offer = sdp.find((s) => s.method === 'INVITE' && s.dstPort === ports.calleeSip);
  if (!offer) throw new WireError('no SDP offer in the INVITE the callee received');
  const answer = sdp.find((s) => s.status === 200 && s.srcPort === ports.calleeSip);
  if (!answer) throw new WireError('no 200 OK with an SDP answer from the callee');
  const ms = (t: number | undefined) => (t === undefined ? null : (t - invite.time) * 1000);
  const response = (code: string) => packets.find((p) => p.sip === code && p.srcPort === ports.calleeSip && p.time >= invite.time)?.time;

  const media = (from: number, to: number) =>
    packets
      .filter((p) => p.sip === undefined && p.time >= invite.time && p.srcPort === from && p.dstPort === to)
      .map((p) => p.time)
      .sort((a, b) => a - b);
  const calleeRtp = media(answer.mediaPort, offer.mediaPort);
  const callerRtp = media(offer.mediaPort, answer.mediaPort);
  if (calleeRtp.length === 0 && callerRtp.length === 0) throw new WireError('no RTP in either direction');
  let gapsOver30ms = 0;
  for (let i = 1; i < calleeRtp.length; i++) if (((calleeRtp[i] as number) - (calleeRtp[i - 1] as number)) * 1000 > 30) gapsOver30ms++;
  return {
    inviteAt: invite.time,
    tryingMs: ms(response('100')),
    ringingMs: ms(response('180')),
    okMs: ms(response('200')),
    calleeFirstRtpMs: ms(calleeRtp[0]),
    callerFirstRtpMs: ms(callerRtp[0]),
    calleeMediaPort: answer.mediaPort,
    callerMediaPort: offer.mediaPort,
    calleeRtpPackets: calleeRtp.length,
    callerRtpPackets: callerRtp.length,
    sendDeviation: intervalDeviation(calleeRtp, ptimeMs),
    gapsOver30ms,
  };
}
