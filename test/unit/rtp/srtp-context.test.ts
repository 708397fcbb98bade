// SRTP/SRTCP packet protection (RFC 3711 §3.3, §3.4): known packets, round trips, tampering, replays, ROC rollover.
import { describe, expect, it } from 'vitest';
import { SRTP_AUTH_FAILED, SRTP_REPLAYED, SrtcpContext, SrtpContext, estimateRoc } from '../../../src-main/rtp/srtp-context';
import { SrtpSession, decodeMasterKey } from '../../../src-main/rtp/srtp-session';
import { writeRtp } from '../../../src-main/rtp/rtp-packet';

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// libsrtp's srtp_driver.c reference packets under the RFC 3711 B.3 master key and salt.
const MASTER = hex('e1f97a0d3e018be0d64fa32c06de4139 0ec675ad498afeebb6960b3aabe6');
const RTP_PLAIN = '800f1234decafbadcafebabe' + 'ab'.repeat(16);
const SRTP_80 = '800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb';
const RTCP_PLAIN = '81c8000bcafebabe' + 'ab'.repeat(16);
const SRTCP_INDEX_1 = '81c8000bcafebabe7128035be487b9bdbef89041f977a5a880000001993e08cd54d6c1230798';

function packet(seq: number, ssrc = 0x11223344, payload = 160): { buf: Uint8Array; length: number } {
  const buf = new Uint8Array(12 + payload + 10);
  const body = Uint8Array.from({ length: payload }, (_, i) => (i * 7 + seq) & 0xff);
  const length = writeRtp({ marker: false, payloadType: 0, sequenceNumber: seq, timestamp: seq * 160, ssrc }, body, buf);
  return { buf, length };
}

describe('SRTP (AES_CM_128_HMAC_SHA1_80)', () => {
  it('protects the reference packet to the reference ciphertext and tag, and back', () => {
    const sender = new SrtpContext(MASTER, 'AES_CM_128_HMAC_SHA1_80');
    const buf = new Uint8Array(64);
    buf.set(hex(RTP_PLAIN));
    const n = sender.protect(buf, 28);
    expect(toHex(buf.subarray(0, n))).toBe(SRTP_80);
    const receiver = new SrtpContext(MASTER, 'AES_CM_128_HMAC_SHA1_80');
    const wire = hex(SRTP_80);
    expect(receiver.unprotect(wire, wire.length)).toBe(28);
    expect(toHex(wire.subarray(0, 28))).toBe(RTP_PLAIN);
  });

  it('round-trips 1000 packets and the ciphertext differs from the plaintext', () => {
    const tx = new SrtpContext(MASTER, 'AES_CM_128_HMAC_SHA1_80');
    const rx = new SrtpContext(MASTER, 'AES_CM_128_HMAC_SHA1_80');
    for (let seq = 100; seq < 1100; seq++) {
      const { buf, length } = packet(seq);
      const plain = buf.slice(0, length);
      const n = tx.protect(buf, length);
      expect(n).toBe(length + 10);
      expect(toHex(buf.subarray(12, length))).not.toBe(toHex(plain.subarray(12)));
      expect(toHex(buf.subarray(0, 12))).toBe(toHex(plain.subarray(0, 12))); // the header stays readable
      expect(rx.unprotect(buf, n)).toBe(length);
      expect(toHex(buf.subarray(0, length))).toBe(toHex(plain));
    }
  });

  it('rejects a packet with any one bit flipped, a truncated one, and one under another key', () => {
    const tx = new SrtpContext(MASTER, 'AES_CM_128_HMAC_SHA1_80');
    const { buf, length } = packet(7);
    const n = tx.protect(buf, length);
    const wire = buf.slice(0, n);
    for (const at of [1, 3, 8, 12, 100, n - 11, n - 1]) {
      const copy = wire.slice();
      copy[at] = (copy[at] as number) ^ 0x01;
      expect(new SrtpContext(MASTER, 'AES_CM_128_HMAC_SHA1_80').unprotect(copy, copy.length)).toBe(SRTP_AUTH_FAILED);
    }
    expect(new SrtpContext(MASTER, 'AES_CM_128_HMAC_SHA1_80').unprotect(wire.slice(0, n - 1), n - 1)).toBeLessThan(0);
    const other = MASTER.slice();
    other[0] = (other[0] as number) ^ 0xff;
    expect(new SrtpContext(other, 'AES_CM_128_HMAC_SHA1_80').unprotect(wire.slice(), n)).toBe(SRTP_AUTH_FAILED);
    // A failed packet leaves no state behind: the genuine one still passes afterwards.
    const rx = new SrtpContext(MASTER, 'AES_CM_128_HMAC_SHA1_80');
    const forged = wire.slice();
    forged[20] = (forged[20] as number) ^ 0x80;
    expect(rx.unprotect(forged, n)).toBe(SRTP_AUTH_FAILED);
    expect(rx.unprotect(wire.slice(), n)).toBe(length);
  });

  it('rejects replays (§3.3.2) and accepts reordered packets inside the window', () => {
    const tx = new SrtpContext(MASTER, 'AES_CM_128_HMAC_SHA1_80');
    const rx = new SrtpContext(MASTER, 'AES_CM_128_HMAC_SHA1_80');
    const wires = new Map<number, Uint8Array>();
    for (let seq = 0; seq < 300; seq++) {
      const { buf, length } = packet(seq);
      wires.set(seq, buf.slice(0, tx.protect(buf, length)));
    }
    const get = (seq: number) => (wires.get(seq) as Uint8Array).slice();
    expect(rx.unprotect(get(0), get(0).length)).toBeGreaterThan(0);
    expect(rx.unprotect(get(0), get(0).length)).toBe(SRTP_REPLAYED);
    for (let seq = 2; seq < 200; seq++) expect(rx.unprotect(get(seq), get(seq).length)).toBeGreaterThan(0);
    expect(rx.unprotect(get(1), get(1).length)).toBe(SRTP_REPLAYED); // 198 behind: left of the 128 window
    expect(rx.unprotect(get(150), get(150).length)).toBe(SRTP_REPLAYED);
    expect(rx.unprotect(get(250), get(250).length)).toBeGreaterThan(0);
    expect(rx.unprotect(get(240), get(240).length)).toBeGreaterThan(0); // late but new: accepted
    expect(rx.unprotect(get(240), get(240).length)).toBe(SRTP_REPLAYED);
  });

  it('follows the rollover counter across the SEQ wrap, also with reordering at the wrap', () => {
    const tx = new SrtpContext(MASTER, 'AES_CM_128_HMAC_SHA1_80');
    const rx = new SrtpContext(MASTER, 'AES_CM_128_HMAC_SHA1_80');
    const wires: Uint8Array[] = [];
    // 2,000 packets from SEQ 65,000 cross the wrap once (ROC 0 -> 1): enough, and cheap on a loaded machine.
    const count = 2_000;
    for (let i = 0; i < count; i++) {
      const seq = (65_000 + i) & 0xffff;
      const { buf, length } = packet(seq, 0x11223344, 20);
      wires.push(buf.slice(0, tx.protect(buf, length)));
    }
    // 65535 -> 0: swap the two packets around the wrap.
    const wrapAt = 65_536 - 65_000;
    [wires[wrapAt - 1], wires[wrapAt]] = [wires[wrapAt] as Uint8Array, wires[wrapAt - 1] as Uint8Array];
    let ok = 0;
    for (const w of wires) if (rx.unprotect(w, w.length) > 0) ok++;
    expect(ok).toBe(count);
  });

  it('estimates the ROC as in RFC 3711 Appendix A', () => {
    expect(estimateRoc(0, 100, 101)).toBe(0);
    expect(estimateRoc(3, 65_500, 10)).toBe(4);
    expect(estimateRoc(4, 10, 65_500)).toBe(3);
    expect(estimateRoc(0, 40_000, 39_000)).toBe(0);
  });

  it('the _32 suite appends a 4-octet tag and still detects tampering', () => {
    const tx = new SrtpContext(MASTER, 'AES_CM_128_HMAC_SHA1_32');
    const rx = new SrtpContext(MASTER, 'AES_CM_128_HMAC_SHA1_32');
    const { buf, length } = packet(9);
    const n = tx.protect(buf, length);
    expect(n).toBe(length + 4);
    const bad = buf.slice(0, n);
    bad[30] = (bad[30] as number) ^ 4;
    expect(rx.unprotect(bad, n)).toBe(SRTP_AUTH_FAILED);
    expect(rx.unprotect(buf.slice(0, n), n)).toBe(length);
  });

  it('tolerates a peer MKI before the tag (RFC 3711 §3.1) and refuses another MKI', () => {
    const tx = new SrtpContext(MASTER, 'AES_CM_128_HMAC_SHA1_80');
    const { buf, length } = packet(5);
    const n = tx.protect(buf, length);
    const withMki = new Uint8Array(n + 2);
    withMki.set(buf.subarray(0, length));
    withMki.set([0x00, 0x01], length);
    withMki.set(buf.subarray(length, n), length + 2);
    expect(new SrtpContext(MASTER, 'AES_CM_128_HMAC_SHA1_80', { value: 1, length: 2 }).unprotect(withMki.slice(), n + 2)).toBe(length);
    expect(new SrtpContext(MASTER, 'AES_CM_128_HMAC_SHA1_80', { value: 2, length: 2 }).unprotect(withMki.slice(), n + 2)).toBe(SRTP_AUTH_FAILED);
  });
});

describe('SRTCP', () => {
  it('protects the reference RTCP packet (index 1) to the reference ciphertext, and back', () => {
    const tx = new SrtcpContext(MASTER);
    const plain = hex(RTCP_PLAIN);
    tx.protect(plain, plain.length); // index 0
    const second = tx.protect(plain, plain.length) as Uint8Array;
    expect(toHex(second)).toBe(SRTCP_INDEX_1);
    const rx = new SrtcpContext(MASTER);
    const wire = hex(SRTCP_INDEX_1);
    expect(rx.unprotect(wire, wire.length)).toBe(24);
    expect(toHex(wire.subarray(0, 24))).toBe(RTCP_PLAIN);
    const again = hex(SRTCP_INDEX_1);
    expect(rx.unprotect(again, again.length)).toBe(SRTP_REPLAYED);
  });

  it('rejects a tampered SRTCP packet, including a cleared E bit', () => {
    const rx = new SrtcpContext(MASTER);
    const wire = hex(SRTCP_INDEX_1);
    const flipped = wire.slice();
    flipped[10] = (flipped[10] as number) ^ 1;
    expect(rx.unprotect(flipped, flipped.length)).toBe(SRTP_AUTH_FAILED);
    const noE = wire.slice();
    noE[24] = 0x00;
    expect(rx.unprotect(noE, noE.length)).toBe(SRTP_AUTH_FAILED);
    expect(rx.unprotect(wire.slice(0, 20), 20)).toBeLessThan(0);
  });
});

describe('SrtpSession', () => {
  const a = Buffer.from(Array.from({ length: 30 }, (_, i) => i)).toString('base64');
  const b = Buffer.from(Array.from({ length: 30 }, (_, i) => 200 - i)).toString('base64');

  it('decodes only 30-octet strict base64 keys', () => {
    expect(decodeMasterKey(a)?.length).toBe(30);
    expect(decodeMasterKey(a.slice(0, 39))).toBeNull();
    expect(decodeMasterKey(`${a.slice(0, 39)}!`)).toBeNull();
    expect(decodeMasterKey(Buffer.alloc(32).toString('base64'))).toBeNull();
  });

  it('two ends with swapped keys talk RTP and RTCP; failures are counted', () => {
    const alice = new SrtpSession({ suite: 'AES_CM_128_HMAC_SHA1_80', localKey: a, remoteKey: b });
    const bob = new SrtpSession({ suite: 'AES_CM_128_HMAC_SHA1_80', localKey: b, remoteKey: a });
    const { buf, length } = packet(1);
    const n = alice.protectRtp(buf, length);
    const wire = buf.slice(0, n);
    expect(bob.unprotectRtp(wire.slice())).toBe(length);
    expect(alice.unprotectRtp(wire.slice())).toBe(-1); // its own key is not the one it checks with
    expect(alice.authFailures).toBe(1);
    expect(bob.unprotectRtp(wire.slice())).toBe(-1);
    expect(bob.replayed).toBe(1);
    const rtcp = hex(RTCP_PLAIN);
    const s = bob.protectRtcp(rtcp, rtcp.length) as Uint8Array;
    expect(alice.unprotectRtcp(s.slice())).toBe(rtcp.length);
  });

  it('new peer keys keep our sending contexts: the SRTCP index goes on instead of starting over at 0', () => {
    const c = 'AES_CM_128_HMAC_SHA1_80' as const;
    const s = new SrtpSession({ suite: c, localKey: a, remoteKey: b });
    const rtcp = hex(RTCP_PLAIN);
    s.protectRtcp(rtcp, rtcp.length);
    s.update({ suite: c, localKey: a, remoteKey: Buffer.alloc(30, 5).toString('base64') });
    const second = s.protectRtcp(rtcp, rtcp.length) as Uint8Array;
    expect(toHex(second.subarray(24, 28))).toBe('80000001');
    s.update({ suite: c, localKey: Buffer.alloc(30, 6).toString('base64'), remoteKey: b });
    const fresh = s.protectRtcp(rtcp, rtcp.length) as Uint8Array;
    expect(toHex(fresh.subarray(24, 28))).toBe('80000000'); // a new key of ours starts a new context
  });
});

describe('hostile input', () => {
  it('random datagrams never throw and never pass (SRTP, SRTCP, a=crypto)', async () => {
    const { parseCryptoLine } = await import('../../../src-main/sip/sdp-crypto');
    const key = Buffer.alloc(30, 3).toString('base64');
    const s = new SrtpSession({ suite: 'AES_CM_128_HMAC_SHA1_32', localKey: key, remoteKey: key, remoteMki: { value: 1, length: 4 } });
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 0x100000000);
    for (let i = 0; i < 5000; i++) {
      const n = Math.floor(rnd() * 80);
      const buf = Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
      if (n > 0) buf[0] = ((buf[0] as number) & 0x3f) | 0x80; // version 2: get past the first check
      expect(s.unprotectRtp(buf.slice())).toBe(-1);
      expect(s.unprotectRtcp(buf.slice())).toBe(-1);
      expect(parseCryptoLine(Buffer.from(buf).toString('latin1'))).toBeNull();
    }
  });
});
