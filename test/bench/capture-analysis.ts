// Reads a bench call's packet capture with tshark: every UDP packet's kernel time (capture.ts) plus the
// SDP each SIP message carried, then hands both to the pure wire-metrics.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readUdpPackets } from '../support/capture';
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

/** The callee's answer times and send intervals of the one call in `file` (the answering-side runs). */
export async function analyseAnswerCapture(file: string, ports: AnswerPorts & { server: number }): Promise<AnswerMetrics> {
  const sipPorts = [ports.server, ports.callerSip, ports.calleeSip];
  const [packets, sdp] = await Promise.all([readUdpPackets(file, sipPorts), readSdp(file, sipPorts)]);
  return answerMetrics(packets, sdp, ports);
}
