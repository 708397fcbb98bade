// RTCP (RFC 3550 §6): build compound SR/RR + SDES CNAME (+ BYE), parse compound packets, report interval.

import { readU32, writeU32 } from './rtp-packet';
import { writeXr, xrLength, type VoipMetricsBlock } from './rtcp-xr';

/** One reception report block (RFC 3550 §6.4.1). */
export interface ReportBlock {
  ssrc: number;
  /** 8-bit fixed point: lost/expected since the last report x 256. */
  fractionLost: number;
  /** Signed 24-bit cumulative number of packets lost. */
  cumulativeLost: number;
  extendedHighestSeq: number;
  /** Interarrival jitter in timestamp units. */
  jitter: number;
  /** LSR: middle 32 bits of the NTP timestamp of the last SR received from this source (0 = none). */
  lastSr: number;
  /** DLSR: delay since that SR in 1/65536 s. */
  delaySinceLastSr: number;
}

export interface SenderInfo {
  ntpSec: number;
  ntpFrac: number;
  /** The NTP timestamp as milliseconds since the Unix epoch. */
  ntpMs: number;
  rtpTimestamp: number;
  packets: number;
  octets: number;
}

export interface SdesChunk {
  ssrc: number;
  items: { type: number; value: string }[];
  /** The CNAME item (type 1), when present. */
  cname?: string;
}

export type RtcpPacket =
  | { type: 'sr'; ssrc: number; sender: SenderInfo; reports: ReportBlock[] }
  | { type: 'rr'; ssrc: number; reports: ReportBlock[] }
  | { type: 'sdes'; chunks: SdesChunk[] }
  | { type: 'bye'; ssrcs: number[]; reason?: string }
  | { type: 'app'; subtype: number; ssrc: number; name: string; data: Uint8Array }
  /** Anything else (e.g. RFC 4585 feedback, XR): kept opaque. */
  | { type: 'other'; packetType: number; count: number; body: Uint8Array };

export interface ReportOptions {
  ssrc: number;
  cname: string;
  /** Present when we sent RTP since the last report: an SR is built, otherwise an RR (§6.4). */
  sender?: {
    /** Wall-clock time in ms since the Unix epoch (Date.now()); NTP-epoch ms are accepted too. */
    ntpMs: number;
    rtpTimestamp: number;
    packets: number;
    octets: number;
  };
  reportBlocks: ReportBlock[];
  /** RFC 3611 XR VoIP Metrics blocks, sent after the SDES (RFC 3550 §6.1: any order after SR/RR + SDES, BYE last). */
  xr?: readonly VoipMetricsBlock[];
  /** Appends a BYE (§6.6) for our SSRC, so the compound is RR/SR + SDES + BYE (§6.1). */
  bye?: { reason?: string };
}

const PT_SR = 200;
const PT_RR = 201;
const PT_SDES = 202;
const PT_BYE = 203;
const PT_APP = 204;
const SDES_CNAME = 1;
/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
const NTP_UNIX_OFFSET_S = 2208988800;
const MAX_REPORT_BLOCKS = 31; // the 5-bit count field

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Writes a compound RTCP packet (§6.1: SR or RR first, then SDES with CNAME, then BYE if asked) into
 * `out`; returns its length, or 0 if `out` is too small. At most 31 report blocks are sent.
 */
export function buildReport(opts: ReportOptions, out: Uint8Array): number {
  const blocks = opts.reportBlocks.slice(0, MAX_REPORT_BLOCKS);
  const cname = utf8Encoder.encode(opts.cname).subarray(0, 255);
  const reason = opts.bye?.reason !== undefined ? utf8Encoder.encode(opts.bye.reason).subarray(0, 255) : undefined;

  const reportLen = (opts.sender ? 28 : 8) + 24 * blocks.length;
  const sdesLen = 4 + pad4(4 + 2 + cname.length + 1); // header + chunk (item list ends with a null octet)
  const byeLen = opts.bye ? 8 + (reason ? pad4(1 + reason.length) : 0) : 0;
  const xrLen = opts.xr && opts.xr.length > 0 ? xrLength(opts.xr.length) : 0;
  const total = reportLen + sdesLen + xrLen + byeLen;
  if (out.length < total) return 0;
  out.fill(0, 0, total);

  let o = 0;
  writeHeader(out, o, blocks.length, opts.sender ? PT_SR : PT_RR, reportLen);
  writeU32(out, o + 4, opts.ssrc);
  o += 8;
  if (opts.sender) {
    const { sec, frac } = ntpFromMs(opts.sender.ntpMs);
    writeU32(out, o, sec);
    writeU32(out, o + 4, frac);
    writeU32(out, o + 8, opts.sender.rtpTimestamp);
    writeU32(out, o + 12, opts.sender.packets);
    writeU32(out, o + 16, opts.sender.octets);
    o += 20;
  }
  for (const b of blocks) {
    writeU32(out, o, b.ssrc);
    writeU32(out, o + 4, ((b.fractionLost & 0xff) << 24) | (clampLost(b.cumulativeLost) & 0xffffff));
    writeU32(out, o + 8, b.extendedHighestSeq);
    writeU32(out, o + 12, b.jitter);
    writeU32(out, o + 16, b.lastSr);
    writeU32(out, o + 20, b.delaySinceLastSr);
    o += 24;
  }

  writeHeader(out, o, 1, PT_SDES, sdesLen);
  writeU32(out, o + 4, opts.ssrc);
  out[o + 8] = SDES_CNAME;
  out[o + 9] = cname.length;
  out.set(cname, o + 10);
  o += sdesLen; // the terminating null item and the padding are already zero
  if (opts.xr && xrLen > 0) o += writeXr(opts.ssrc, opts.xr, out, o);

  if (opts.bye) {
    writeHeader(out, o, 1, PT_BYE, byeLen);
    writeU32(out, o + 4, opts.ssrc);
    if (reason) {
      out[o + 8] = reason.length;
      out.set(reason, o + 9);
    }
    o += byeLen;
  }
  return o;
}

/**
 * Parses a compound RTCP packet into its parts; null if it is malformed (wrong version, lengths that do
 * not add up, padding anywhere but in the last packet, counts that overrun the body). Never throws.
 */
export function parseRtcp(data: Uint8Array): RtcpPacket[] | null {
  const packets: RtcpPacket[] = [];
  let o = 0;
  if (data.length < 4) return null;
  while (o < data.length) {
    if (o + 4 > data.length) return null;
    const b0 = data[o] as number;
    if (b0 >> 6 !== 2) return null;
    const count = b0 & 0x1f;
    const pt = data[o + 1] as number;
    const len = 4 * ((((data[o + 2] as number) << 8) | (data[o + 3] as number)) + 1);
    if (o + len > data.length) return null;
    let end = o + len;
    if (b0 & 0x20) {
      // A.2: only the last packet of a compound may be padded.
      if (end !== data.length) return null;
      const pad = data[end - 1] as number;
      if (pad === 0 || pad > len - 4) return null;
      end -= pad;
    }
    const body = data.subarray(o + 4, end);
    const parsed = parseOne(pt, count, body);
    if (!parsed) return null;
    packets.push(parsed);
    o += len;
  }
  return packets;
}

function parseOne(pt: number, count: number, body: Uint8Array): RtcpPacket | null {
  switch (pt) {
    case PT_SR: {
      if (body.length < 24 + 24 * count) return null;
      const ntpSec = readU32(body, 4);
      const ntpFrac = readU32(body, 8);
      const sender: SenderInfo = {
        ntpSec,
        ntpFrac,
        ntpMs: (ntpSec - NTP_UNIX_OFFSET_S) * 1000 + (ntpFrac / 0x100000000) * 1000,
        rtpTimestamp: readU32(body, 12),
        packets: readU32(body, 16),
        octets: readU32(body, 20),
      };
      return { type: 'sr', ssrc: readU32(body, 0), sender, reports: parseBlocks(body, 24, count) };
    }
    case PT_RR:
      if (body.length < 4 + 24 * count) return null;
      return { type: 'rr', ssrc: readU32(body, 0), reports: parseBlocks(body, 4, count) };
    case PT_SDES:
      return parseSdes(body, count);
    case PT_BYE: {
      if (body.length < 4 * count) return null;
      const ssrcs: number[] = [];
      for (let i = 0; i < count; i++) ssrcs.push(readU32(body, 4 * i));
      const at = 4 * count;
      if (at < body.length) {
        const n = body[at] as number;
        if (at + 1 + n > body.length) return null;
        return { type: 'bye', ssrcs, reason: utf8Decoder.decode(body.subarray(at + 1, at + 1 + n)) };
      }
      return { type: 'bye', ssrcs };
    }
    case PT_APP: {
      if (body.length < 8) return null;
      const name = String.fromCharCode(body[4] as number, body[5] as number, body[6] as number, body[7] as number);
      return { type: 'app', subtype: count, ssrc: readU32(body, 0), name, data: body.subarray(8) };
    }
    default:
      return { type: 'other', packetType: pt, count, body };
  }
}

function parseBlocks(body: Uint8Array, at: number, count: number): ReportBlock[] {
  const blocks: ReportBlock[] = [];
  for (let i = 0; i < count; i++, at += 24) {
    const lost24 = readU32(body, at + 4) & 0xffffff;
    blocks.push({
      ssrc: readU32(body, at),
      fractionLost: body[at + 4] as number,
      cumulativeLost: lost24 & 0x800000 ? lost24 - 0x1000000 : lost24,
      extendedHighestSeq: readU32(body, at + 8),
      jitter: readU32(body, at + 12),
      lastSr: readU32(body, at + 16),
      delaySinceLastSr: readU32(body, at + 20),
    });
  }
  return blocks;
}

/** §6.5: `count` chunks of SSRC + items, each list ended by a null octet and padded to 32 bits. */
function parseSdes(body: Uint8Array, count: number): RtcpPacket | null {
  const chunks: SdesChunk[] = [];
  let o = 0;
  for (let c = 0; c < count; c++) {
    if (o + 4 > body.length) return null;
    const chunk: SdesChunk = { ssrc: readU32(body, o), items: [] };
    o += 4;
    for (;;) {
      if (o >= body.length) return null;
      const type = body[o] as number;
      if (type === 0) {
        o = (o + 4) & ~3; // skip the null octet and the padding up to the next 32-bit boundary
        break;
      }
      if (o + 2 > body.length) return null;
      const n = body[o + 1] as number;
      if (o + 2 + n > body.length) return null;
      const value = utf8Decoder.decode(body.subarray(o + 2, o + 2 + n));
      chunk.items.push({ type, value });
      if (type === SDES_CNAME && chunk.cname === undefined) chunk.cname = value;
      o += 2 + n;
    }
    chunks.push(chunk);
  }
  return { type: 'sdes', chunks };
}

/** NTP seconds/fraction for a time in ms (Unix epoch; values past year 2040 are taken as NTP-epoch ms). */
export function ntpFromMs(ms: number): { sec: number; frac: number } {
  const unixMs = ms >= NTP_UNIX_OFFSET_S * 1000 ? ms - NTP_UNIX_OFFSET_S * 1000 : ms;
  const wholeSec = Math.floor(unixMs / 1000);
  const frac = Math.floor(((unixMs - wholeSec * 1000) / 1000) * 0x100000000);
  return { sec: (wholeSec + NTP_UNIX_OFFSET_S) >>> 0, frac: Math.min(frac, 0xffffffff) >>> 0 };
}

/** The middle 32 bits of an NTP timestamp (§4 "short" form), as used by LSR. */
export function ntpMiddle32(sec: number, frac: number): number {
  return (((sec & 0xffff) << 16) | (frac >>> 16)) >>> 0;
}

/** LSR for a received SR (§6.4.1). */
export function lastSrFromSender(sender: SenderInfo): number {
  return ntpMiddle32(sender.ntpSec, sender.ntpFrac);
}

/** DLSR: ms since that SR arrived, in 1/65536 s units. */
export function delaySinceLastSr(elapsedMs: number): number {
  return Math.max(0, Math.min(0xffffffff, Math.round((elapsedMs * 65536) / 1000)));
}

/**
 * Round-trip time from a report block about our stream (§6.4.1: A - LSR - DLSR), where `nowMs` is the
 * wall clock when the report arrived; null when the peer has not seen an SR from us yet.
 */
export function roundTripMs(block: ReportBlock, nowMs: number): number | null {
  if (block.lastSr === 0) return null;
  const { sec, frac } = ntpFromMs(nowMs);
  const rtt = (ntpMiddle32(sec, frac) - block.lastSr - block.delaySinceLastSr) | 0;
  return rtt < 0 ? 0 : (rtt * 1000) / 65536;
}

export interface RtcpIntervalOptions {
  /** Session members including us; default 2 (a call). */
  members?: number;
  /** Members that sent RTP since the last report; default 2. */
  senders?: number;
  /** RTCP bandwidth in octets/s; default 5 % of G.711's ~80 kbit/s with headers = 500 (§6.2). */
  rtcpBandwidth?: number;
  weSent?: boolean;
  /** Average compound RTCP packet size with UDP/IP headers, in octets; default 100. */
  avgRtcpSize?: number;
  /** Before our first report the minimum is halved (§6.2). */
  initial?: boolean;
}

/** RFC 3550 §6.3.1 / A.7: the randomised interval until our next RTCP report, in ms. */
export function rtcpIntervalMs(opts: RtcpIntervalOptions, random: () => number): number {
  const RTCP_MIN_TIME = 5;
  const SENDER_FRACTION = 0.25;
  const COMPENSATION = Math.E - 1.5; // corrects for the timer reconsideration bias (§6.3.1)
  const members = Math.max(1, opts.members ?? 2);
  const senders = Math.max(0, opts.senders ?? 2);
  let bw = opts.rtcpBandwidth && opts.rtcpBandwidth > 0 ? opts.rtcpBandwidth : 500;
  const minTime = opts.initial ? RTCP_MIN_TIME / 2 : RTCP_MIN_TIME;
  let n = members;
  if (senders <= members * SENDER_FRACTION) {
    if (opts.weSent) {
      bw *= SENDER_FRACTION;
      n = senders;
    } else {
      bw *= 1 - SENDER_FRACTION;
      n -= senders;
    }
  }
  let t = ((opts.avgRtcpSize ?? 100) * Math.max(1, n)) / bw;
  if (t < minTime) t = minTime;
  const r = random();
  t *= (r >= 0 && r < 1 ? r : 0.5) + 0.5; // uniformly in [0.5, 1.5] x T
  return (t / COMPENSATION) * 1000;
}

function writeHeader(out: Uint8Array, at: number, count: number, pt: number, lengthBytes: number): void {
  out[at] = 0x80 | (count & 0x1f);
  out[at + 1] = pt;
  const words = lengthBytes / 4 - 1; // §6.4.1: length in 32-bit words minus one
  out[at + 2] = (words >> 8) & 0xff;
  out[at + 3] = words & 0xff;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function clampLost(lost: number): number {
  return Math.max(-0x800000, Math.min(0x7fffff, Math.trunc(lost)));
}
