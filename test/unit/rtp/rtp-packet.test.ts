// RTP header parsing/writing (RFC 3550 §5.1) and RTP/RTCP demultiplexing (RFC 5761 §4).
import { describe, expect, it } from 'vitest';
import { isRtcp, parseRtp, writeRtp } from '../../../src-main/rtp/rtp-packet';

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g) ?? [], (b) => parseInt(b, 16));

describe('RTP packet', () => {
  it('parses a known PCMU packet byte by byte', () => {
    // V=2, M=1, PT=0, seq=0x1234, ts=0xDEADBEEF, ssrc=0x01020304, payload ff 7f
    const p = parseRtp(hex('80 80 1234 DEADBEEF 01020304 ff7f'));
    expect(p).not.toBeNull();
    expect(p?.marker).toBe(true);
    expect(p?.payloadType).toBe(0);
    expect(p?.sequenceNumber).toBe(0x1234);
    expect(p?.timestamp).toBe(0xdeadbeef);
    expect(p?.ssrc).toBe(0x01020304);
    expect(Array.from(p?.payload ?? [])).toEqual([0xff, 0x7f]);
    expect(p?.csrcs).toBeUndefined();
  });

  it('round-trips write -> parse, with CSRCs, and masks field widths', () => {
    const out = new Uint8Array(64);
    const payload = Uint8Array.from([1, 2, 3, 4, 5]);
    const n = writeRtp(
      { marker: false, payloadType: 8 | 0x80, sequenceNumber: 65535, timestamp: 4294967295, ssrc: 0x80000001, csrcs: [7, 0xffffffff] },
      payload,
      out,
    );
    expect(n).toBe(12 + 8 + 5);
    expect(out[0]).toBe(0x82);
    expect(out[1]).toBe(8);
    const p = parseRtp(out.subarray(0, n));
    expect(p).toMatchObject({ marker: false, payloadType: 8, sequenceNumber: 65535, timestamp: 4294967295, ssrc: 0x80000001, csrcs: [7, 0xffffffff] });
    expect(Array.from(p?.payload ?? [])).toEqual([1, 2, 3, 4, 5]);
  });

  it('returns 0 when the output buffer is too small, writing nothing', () => {
    const out = new Uint8Array(12);
    expect(writeRtp({ marker: true, payloadType: 0, sequenceNumber: 1, timestamp: 2, ssrc: 3 }, new Uint8Array(1), out)).toBe(0);
    expect(out.every((b) => b === 0)).toBe(true);
  });

  it('parses header extensions and strips padding', () => {
    // X=1, P=1: extension profile 0xBEDE, 1 word; payload aa bb; 3 padding octets (last = 3)
    const p = parseRtp(hex('B0 00 0001 00000002 00000003 BEDE0001 11223344 aabb 0000 03'));
    expect(p?.extension?.profile).toBe(0xbede);
    expect(Array.from(p?.extension?.data ?? [])).toEqual([0x11, 0x22, 0x33, 0x44]);
    expect(p?.padding).toBe(3);
    expect(Array.from(p?.payload ?? [])).toEqual([0xaa, 0xbb]);
  });

  it('returns null for malformed packets instead of throwing', () => {
    const bad = [
      new Uint8Array(0),
      hex('80 00 0001 00000002 000000'), // 11 bytes
      hex('40 00 0001 00000002 00000003 aa'), // version 1
      hex('C0 00 0001 00000002 00000003 aa'), // version 3
      hex('83 00 0001 00000002 00000003 00000001'), // CC=3 but one CSRC
      hex('90 00 0001 00000002 00000003 BEDE0002 11223344'), // extension longer than packet
      hex('90 00 0001 00000002 00000003 BEDE'), // truncated extension header
      hex('A0 00 0001 00000002 00000003 aabb 00'), // padding count 0
      hex('A0 00 0001 00000002 00000003 aa 09'), // padding beyond the header
    ];
    for (const b of bad) expect(parseRtp(b)).toBeNull();
    // fuzz: random bytes never throw
    let seed = 1;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
    for (let i = 0; i < 2000; i++) {
      const b = Uint8Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256));
      if (b.length > 0) b[0] = 0x80 | ((b[0] as number) & 0x3f);
      expect(() => parseRtp(b)).not.toThrow();
    }
  });

  it('tells RTCP from RTP by the payload-type octet (RFC 5761 §4)', () => {
    expect(isRtcp(hex('80 C8 0006 00000001 00000000'))).toBe(true); // SR (200)
    expect(isRtcp(hex('81 C9 0007 00000001 00000000'))).toBe(true); // RR (201)
    expect(isRtcp(hex('81 CB 0001 00000001'))).toBe(true); // BYE (203)
    expect(isRtcp(hex('80 00 0001 00000002 00000003'))).toBe(false); // PCMU
    expect(isRtcp(hex('80 80 0001 00000002 00000003'))).toBe(false); // PCMU with marker
    expect(isRtcp(hex('80 65 0001 00000002 00000003'))).toBe(false); // PT 101 telephone-event
    expect(isRtcp(hex('80 E5 0001 00000002 00000003'))).toBe(false); // PT 101 with marker
    expect(isRtcp(hex('00 C8 0006 00000001'))).toBe(false); // wrong version
    expect(isRtcp(hex('80 C8 00'))).toBe(false); // too short
  });
});
