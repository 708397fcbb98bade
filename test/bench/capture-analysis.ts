// Reads a bench call's packet capture with tshark: every UDP packet's kernel time (capture.ts) plus the
// SDP each SIP message carried, then hands both to the pure wire-metrics.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readUdpPackets } from '../support/capture';
import { parseHexPayload, type RtpPayloadPacket } from './mouth-to-ear';
import { answerMetrics, type AnswerMetrics, type AnswerPorts } from './answer-metrics';
import { parseSdpFields, wireMetrics, type CallPorts, type WireMetrics } from './wire-metrics';

const run = promisify(execFile);

/** The SIP messages with an SDP body, decoding the given ports as SIP (they are not 5060). */
async function readSdp(file: string, sipPorts: number[]) {
  const decode = sipPorts.flatMap((p) => ['-d', `udp.port==${p},sip`]);
  const { stdout } = await run(
    'tshark',
    ['-r', file, ...decode, '-Y', 'sip && sdp', '-T', 'fields', '-E', 'separator=\t', '-e', 'frame.time_epoch',
      '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'sip.Method', '-e', 'sip.Status-Code',
      '-e', 'sdp.connection_info.address', '-e', 'sdp.media.port'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return parseSdpFields(stdout);
}

/** Setup times and the caller's send intervals of the one call in `file`. */
export async function analyseCapture(file: string, ports: CallPorts & { server: number }): Promise<WireMetrics> {
  const sipPorts = [ports.server, ports.callerSip, ports.calleeSip];
  const [packets, sdp] = await Promise.all([readUdpPackets(file, sipPorts), readSdp(file, sipPorts)]);
  return wireMetrics(packets, sdp, ports);
}

/**
 * The callee's answer times and send intervals of the one call in `file` (the answering-side runs),
 * with the capture times of every RTP packet the callee sent (the mouth-to-ear anchor).
 */
export async function analyseAnswerCapture(
  file: string,
  ports: AnswerPorts & { server: number },
): Promise<{ wire: AnswerMetrics; calleeSendTimes: number[] }> {
  const sipPorts = [ports.server, ports.callerSip, ports.calleeSip];
  const [packets, sdp] = await Promise.all([readUdpPackets(file, sipPorts), readSdp(file, sipPorts)]);
  const wire = answerMetrics(packets, sdp, ports);
  const calleeSendTimes = packets
    .filter((p) => p.sip === undefined && p.time >= wire.inviteAt && p.srcPort === wire.calleeMediaPort && p.dstPort === wire.callerMediaPort)
    .map((p) => p.time);
  return { wire, calleeSendTimes };
}

/** Capture time and payload of every RTP packet from `srcPort` to `dstPort` (decoded as RTP). */
export async function readRtpPayloads(file: string, srcPort: number, dstPort: number): Promise<RtpPayloadPacket[]> {
  const { stdout } = await run(
    'tshark',
    ['-r', file, '-d', `udp.port==${srcPort},rtp`, '-Y', `rtp && udp.srcport==${srcPort} && udp.dstport==${dstPort}`,
      '-T', 'fields', '-E', 'separator=\t', '-e', 'frame.time_epoch', '-e', 'rtp.payload'],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [time, payload] = l.split('\t');
      return { time: Number(time), payload: parseHexPayload(payload ?? '') };
    });
}
