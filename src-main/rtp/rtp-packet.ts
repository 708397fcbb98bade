// RTP fixed header (RFC 3550 §5.1): parse without throwing, write into a caller buffer without allocating.

export interface RtpHeader {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrcs?: number[];
}

export interface RtpPacket extends RtpHeader {
  /** A view into the parsed buffer (not a copy): copy it if the buffer is reused. */
  payload: Uint8Array;
  /** Number of padding octets removed (RFC 3550 §5.1 P bit), when present. */
  padding?: number;
  /** RFC 3550 §5.3.1 header extension, when the X bit is set; data is a view as well. */
  extension?: { profile: number; data: Uint8Array };
}

const RTP_VERSION = 2;
export const RTP_HEADER_SIZE = 12;

/** Parses one RTP packet; null for anything malformed (never throws). */
export function parseRtp(data: Uint8Array): RtpPacket | null {
  if (data.length < RTP_HEADER_SIZE) return null;
  const b0 = data[0] as number;
  const b1 = data[1] as number;
  if (b0 >> 6 !== RTP_VERSION) return null;
  const hasPadding = (b0 & 0x20) !== 0;
  const hasExtension = (b0 & 0x10) !== 0;
  const cc = b0 & 0x0f;
  let offset = RTP_HEADER_SIZE + 4 * cc;
  if (offset > data.length) return null;

  const packet: RtpPacket = {
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequenceNumber: ((data[2] as number) << 8) | (data[3] as number),
    timestamp: readU32(data, 4),
    ssrc: readU32(data, 8),
    payload: data.subarray(0, 0),
  };
  if (cc > 0) {
    const csrcs: number[] = [];
    for (let i = 0; i < cc; i++) csrcs.push(readU32(data, RTP_HEADER_SIZE + 4 * i));
    packet.csrcs = csrcs;
  }

  if (hasExtension) {
    // §5.3.1: 16-bit profile-defined field, 16-bit length in 32-bit words (excluding this header).
    if (offset + 4 > data.length) return null;
    const profile = ((data[offset] as number) << 8) | (data[offset + 1] as number);
    const words = ((data[offset + 2] as number) << 8) | (data[offset + 3] as number);
    const end = offset + 4 + 4 * words;
    if (end > data.length) return null;
    packet.extension = { profile, data: data.subarray(offset + 4, end) };
    offset = end;
  }

  let end = data.length;
  if (hasPadding) {
    // §5.1: the last octet counts the padding octets, itself included, so it is at least 1.
    const pad = data[data.length - 1] as number;
    if (pad === 0 || offset + pad > data.length) return null;
    end -= pad;
    packet.padding = pad;
  }
  packet.payload = data.subarray(offset, end);
  return packet;
}

/**
 * Writes header + payload into `out` and returns the bytes written, or 0 if `out` is too small.
 * Allocates nothing; values are masked to their field widths.
 */
export function writeRtp(header: RtpHeader, payload: Uint8Array, out: Uint8Array): number {
  const csrcs = header.csrcs;
  const cc = csrcs ? Math.min(csrcs.length, 15) : 0;
  const headerLen = RTP_HEADER_SIZE + 4 * cc;
  const total = headerLen + payload.length;
  if (out.length < total) return 0;
  out[0] = (RTP_VERSION << 6) | cc;
  out[1] = (header.marker ? 0x80 : 0) | (header.payloadType & 0x7f);
  out[2] = (header.sequenceNumber >> 8) & 0xff;
  out[3] = header.sequenceNumber & 0xff;
  writeU32(out, 4, header.timestamp);
  writeU32(out, 8, header.ssrc);
  for (let i = 0; i < cc; i++) writeU32(out, RTP_HEADER_SIZE + 4 * i, (csrcs as number[])[i] as number);
  out.set(payload, headerLen);
  return total;
}

/**
 * RTP/RTCP demultiplexing on one port (RFC 5761 §4): the second octet of an RTCP packet is its packet
 * type (SR 200 .. APP 204, and the feedback types after it), which read as an RTP marker + payload
 * type lands in 64..95 (72..76 for SR..APP), a range RTP payload types must not use.
 */
export function isRtcp(data: Uint8Array): boolean {
  if (data.length < 8 || (data[0] as number) >> 6 !== RTP_VERSION) return false;
  const pt = (data[1] as number) & 0x7f;
  return pt >= 64 && pt <= 95;
}

export function readU32(data: Uint8Array, offset: number): number {
  return (
    (((data[offset] as number) << 24) |
      ((data[offset + 1] as number) << 16) |
      ((data[offset + 2] as number) << 8) |
      (data[offset + 3] as number)) >>>
    0
  );
}

export function writeU32(out: Uint8Array, offset: number, value: number): void {
  out[offset] = (value >>> 24) & 0xff;
  out[offset + 1] = (value >>> 16) & 0xff;
  out[offset + 2] = (value >>> 8) & 0xff;
  out[offset + 3] = value & 0xff;
}
