// Our side of RTCP for one stream (RFC 3550 §6): when to report, SR vs RR, LSR/DLSR from the peer's
// SRs, round-trip time from its report blocks, and where reports go (symmetric RTCP, RFC 4961).

import { buildReport, delaySinceLastSr, lastSrFromSender, parseRtcp, roundTripMs, rtcpIntervalMs, type ReportBlock } from './rtcp';
import type { RtpReceiverStats } from './rtp-receiver-stats';
import type { RtpSender } from './rtp-sender';
import type { TransportAddress } from './rtp-latch';
import { parseXr, PT_XR, type VoipMetricsBlock } from './rtcp-xr';

export interface RtcpStreamState {
  sender: RtpSender;
  receiver: RtpReceiverStats | null;
  remoteSsrc: number | null;
  /** RFC 3611 §4.7: our VoIP Metrics block for the peer's stream, when XR was agreed (null: nothing to report yet). */
  voipMetrics?: () => VoipMetricsBlock | null;
}

export interface RtcpSessionOptions {
  ssrc: number;
  cname: string;
  random: () => number;
  wallClockMs: () => number;
}

type Send = (buf: Uint8Array, length: number) => void;

export class RtcpSession {
  /** Where our reports go. */
  remote: TransportAddress = { address: '0.0.0.0', port: 9 };
  /** Round-trip time from the peer's last report about us, ms (null until it has seen our SR). */
  rttMs: number | null = null;
  reportsReceived = 0;
  byeReceived = false;
  /** The last VoIP Metrics block the peer sent about our stream (RFC 3611 §4.7), and the last we sent. */
  peerVoipMetrics: VoipMetricsBlock | null = null;
  sentVoipMetrics: VoipMetricsBlock | null = null;
  /** XR report blocks from the peer that were dropped: malformed, or of a type or length we do not read. */
  xrDropped = 0;

  private readonly buf = new Uint8Array(512);
  private nextReportMs = Number.POSITIVE_INFINITY;
  private sentSinceReport = false;
  private latchedFromRtcp = false;
  private lastSr = 0;
  private lastSrAtMs = 0;

  constructor(private readonly opts: RtcpSessionOptions) {}

  /** SDP's RTCP address (re-)applies; the first report goes out after half the minimum interval (§6.2). */
  setRemote(remote: TransportAddress, nowMs: number): void {
    this.remote = { ...remote };
    this.latchedFromRtcp = false;
    if (!Number.isFinite(this.nextReportMs)) this.nextReportMs = nowMs + rtcpIntervalMs({ initial: true }, this.opts.random);
  }

  /** RTP latched onto a new address: until RTCP itself arrives from there, guess RTP port + 1 (§11). */
  peerMoved(rtp: TransportAddress): void {
    if (!this.latchedFromRtcp) this.remote = { address: rtp.address, port: rtp.port + 1 };
  }

  noteSent(): void {
    this.sentSinceReport = true;
  }

  tick(nowMs: number, state: RtcpStreamState, send: Send): void {
    if (nowMs < this.nextReportMs) return;
    const weSent = this.sentSinceReport;
    this.report(nowMs, state, send, false);
    this.nextReportMs = nowMs + rtcpIntervalMs({ weSent }, this.opts.random);
  }

  /**
   * The last report with a BYE. `nowMs` (the media clock) gives its report block a true DLSR: without it
   * the DLSR was 0 and the peer took the whole time since its last SR for the round trip (seconds, when
   * the peer sends little, e.g. comfort noise only).
   */
  sendBye(state: RtcpStreamState, send: Send, nowMs = Number.NaN): void {
    this.report(nowMs, state, send, true);
  }

  /** Handles one RTCP datagram from the peer's host; false when it is malformed. */
  receive(data: Uint8Array, from: TransportAddress, remoteSsrc: number | null, nowMs: number, symmetric: boolean): boolean {
    const packets = parseRtcp(data);
    if (!packets) return false;
    // Only a report from the stream we receive moves our RTCP target: a stranger on the peer's host
    // (same IP, other port) must not be able to divert it.
    const fromPeer = remoteSsrc !== null && packets.some((p) => (p.type === 'sr' || p.type === 'rr') && p.ssrc === remoteSsrc);
    if (symmetric && fromPeer) {
      this.remote = { address: from.address, port: from.port };
      this.latchedFromRtcp = true;
    }
    this.reportsReceived++;
    for (const p of packets) {
      if (p.type === 'sr' && p.ssrc === remoteSsrc) {
        this.lastSr = lastSrFromSender(p.sender);
        this.lastSrAtMs = nowMs;
      }
      if (p.type === 'sr' || p.type === 'rr') {
        for (const block of p.reports) {
          if (block.ssrc !== this.opts.ssrc) continue;
          const rtt = roundTripMs(block, this.opts.wallClockMs());
          if (rtt !== null) this.rttMs = Math.round(rtt * 10) / 10;
        }
      }
      if (p.type === 'bye') this.byeReceived = true;
      if (p.type === 'other' && p.packetType === PT_XR) this.receiveXr(p.body, remoteSsrc);
    }
    return true;
  }

  private report(nowMs: number, state: RtcpStreamState, send: Send, bye: boolean): void {
    const blocks: ReportBlock[] = [];
    if (state.receiver && state.remoteSsrc !== null && state.receiver.packetsReceived > 0) {
      const dlsr = this.lastSr !== 0 && Number.isFinite(nowMs) ? delaySinceLastSr(nowMs - this.lastSrAtMs) : 0;
      blocks.push(state.receiver.reportBlock(state.remoteSsrc, this.lastSr, dlsr));
    }
    // §6.4: an SR only if we sent RTP since the previous report; otherwise an RR.
    const sender = this.sentSinceReport
      ? { ntpMs: this.opts.wallClockMs(), rtpTimestamp: state.sender.timestamp, packets: state.sender.packetsSent, octets: state.sender.octetsSent }
      : undefined;
    this.sentSinceReport = false;
    const xr = state.voipMetrics?.() ?? null;
    if (xr) this.sentVoipMetrics = xr;
    const len = buildReport(
      { ssrc: this.opts.ssrc, cname: this.opts.cname, reportBlocks: blocks, ...(sender ? { sender } : {}), ...(xr ? { xr: [xr] } : {}), ...(bye ? { bye: {} } : {}) },
      this.buf,
    );
    if (len > 0 && this.remote.port > 0) send(this.buf, len);
  }

  /** Only blocks about our own stream are the peer's view of it; anything else is counted and dropped. */
  private receiveXr(body: Uint8Array, remoteSsrc: number | null): void {
    const xr = parseXr(body);
    if (!xr || xr.ssrc !== remoteSsrc) {
      this.xrDropped++;
      return;
    }
    this.xrDropped += xr.skipped;
    for (const b of xr.voipMetrics) {
      if (b.ssrc === this.opts.ssrc) this.peerVoipMetrics = b;
      else this.xrDropped++;
    }
  }
}
