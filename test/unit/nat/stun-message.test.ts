// STUN codec against the RFC 5769 test vectors, plus round trips, TURN attributes, ChannelData and bad input.

import { describe, expect, it } from 'vitest';
import {
  decodeChannelData,
  decodeStun,
  demuxPacket,
  encodeChannelData,
  encodeStun,
  getAllAttrs,
  getAttr,
  isStun,
  messageType,
  StunMethod,
  verifyIntegrity,
  type StunMessage,
} from '../../../src-main/nat/stun-message';
import { longTermKey, PasswordAlgorithm, saslPrep, shortTermKey } from '../../../src-main/nat/stun-credentials';
import { crc32 } from '../../../src-main/nat/crc32';
import { hex, seededRandom } from './fake-clock';

// RFC 5769 §2.1-2.4 (Copyright (c) 2010 IETF Trust and the persons identified as the document authors).
const SAMPLE_REQUEST = hex(`
  00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
  00 24 00 04 6e 00 01 ff 80 29 00 08 93 2f f9 b1 51 26 3b 36
  00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
  00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
  80 28 00 04 e5 7a 3b cf`);
const IPV4_RESPONSE = hex(`
  01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
  00 20 00 08 00 01 a1 47 e1 12 a6 43
  00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
  80 28 00 04 c0 7d 4c 96`);
const IPV6_RESPONSE = hex(`
  01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
  00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
  00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
  80 28 00 04 c8 fb 0b 4c`);
const LONG_TERM_REQUEST = hex(`
  00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
  00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00
  00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46 53 54 76 79 36 34 73 41
  00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
  00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66`);
const PASSWORD = 'VOkJxbRl1RmTxUk/WvJxBt';

describe('RFC 5769 test vectors', () => {
  it('§2.1 sample request: attributes, short-term MESSAGE-INTEGRITY and FINGERPRINT', () => {
    const msg = decodeStun(SAMPLE_REQUEST);
    expect(msg).not.toBeNull();
    if (!msg) return;
    expect(msg.method).toBe(StunMethod.Binding);
    expect(msg.cls).toBe('request');
    expect(msg.hasFingerprint).toBe(true);
    expect(getAttr(msg, 'software')).toBe('STUN test client');
    expect(getAttr(msg, 'priority')).toBe(0x6e0001ff);
    expect(getAttr(msg, 'iceControlled')).toBe(0x932ff9b151263b36n);
    expect(getAttr(msg, 'username')).toBe('evtj:h6vY');
    expect(verifyIntegrity(msg, shortTermKey(PASSWORD))).toBe(true);
    expect(verifyIntegrity(msg, shortTermKey('VOkJxbRl1RmTxUk/WvJxBu'))).toBe(false);
  });

  it('§2.2 IPv4 response: XOR-MAPPED-ADDRESS 192.0.2.1:32853, integrity, fingerprint', () => {
    const msg = decodeStun(IPV4_RESPONSE);
    if (!msg) throw new Error('did not decode');
    expect(msg.cls).toBe('success');
    expect(getAttr(msg, 'software')).toBe('test vector');
    expect(getAttr(msg, 'xorMappedAddress')).toEqual({ address: '192.0.2.1', port: 32853 });
    expect(verifyIntegrity(msg, shortTermKey(PASSWORD))).toBe(true);
    expect(msg.hasFingerprint).toBe(true);
  });

  it('§2.3 IPv6 response: XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853', () => {
    const msg = decodeStun(IPV6_RESPONSE);
    if (!msg) throw new Error('did not decode');
    expect(getAttr(msg, 'xorMappedAddress')).toEqual({ address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853 });
    expect(verifyIntegrity(msg, shortTermKey(PASSWORD))).toBe(true);
    expect(msg.hasFingerprint).toBe(true);
  });

  it('§2.4 long-term credentials: key MD5(user:realm:SASLprep(pass)), and byte-exact re-encoding', () => {
    const msg = decodeStun(LONG_TERM_REQUEST);
    if (!msg) throw new Error('did not decode');
    expect(getAttr(msg, 'username')).toBe('\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9');
    expect(getAttr(msg, 'nonce')).toBe('f//499k954d6OL34oL9FSTvy64sA');
    expect(getAttr(msg, 'realm')).toBe('example.org');
    expect(msg.hasFingerprint).toBe(false);
    // The RFC's password is "The<U+00AD>M<U+00AA>tr<U+2168>", which SASLprep turns into "TheMatrIX".
    const password = 'The\u00ADM\u00AAtr\u2168';
    expect(saslPrep(password)).toBe('TheMatrIX');
    const key = longTermKey('\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9', 'example.org', password);
    expect(verifyIntegrity(msg, key)).toBe(true);
    expect(verifyIntegrity(msg, longTermKey('\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9', 'example.org', 'thematrix'))).toBe(false);
    const again = encodeStun(
      { method: msg.method, cls: msg.cls, transactionId: msg.transactionId, attributes: msg.attributes },
      { integrityKey: key },
    );
    expect(again).toEqual(LONG_TERM_REQUEST);
  });

  it('re-encoding the §2.2 response gives the same XOR-MAPPED-ADDRESS bytes and a valid fingerprint', () => {
    const msg = decodeStun(IPV4_RESPONSE);
    if (!msg) throw new Error('did not decode');
    const bytes = encodeStun(msg, { integrityKey: shortTermKey(PASSWORD), fingerprint: true });
    // Same layout except SOFTWARE's padding bytes (0x20 in the RFC, zero here), so compare the address TLV.
    expect(bytes.subarray(36, 48)).toEqual(IPV4_RESPONSE.subarray(36, 48));
    const back = decodeStun(bytes);
    expect(back && verifyIntegrity(back, shortTermKey(PASSWORD))).toBe(true);
  });
});

describe('STUN codec', () => {
  const tid = seededRandom(7)(12);

  it('places the class bits between the method bits (RFC 8489 §5)', () => {
    expect(messageType(StunMethod.Binding, 'request')).toBe(0x0001);
    expect(messageType(StunMethod.Binding, 'success')).toBe(0x0101);
    expect(messageType(StunMethod.Binding, 'error')).toBe(0x0111);
    expect(messageType(StunMethod.Send, 'indication')).toBe(0x0016);
    expect(messageType(StunMethod.Data, 'indication')).toBe(0x0017);
    expect(messageType(StunMethod.Allocate, 'error')).toBe(0x0113);
    expect(messageType(0xfff, 'error')).toBe(0x3fff);
  });

  it('round-trips every attribute, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT', () => {
    const msg: StunMessage = {
      method: StunMethod.Allocate,
      cls: 'success',
      transactionId: tid,
      attributes: [
        { name: 'xorRelayedAddress', value: { address: '203.0.113.5', port: 49152 } },
        { name: 'xorMappedAddress', value: { address: '2001:db8::7', port: 1 } },
        { name: 'mappedAddress', value: { address: '198.51.100.1', port: 65535 } },
        { name: 'lifetime', value: 600 },
        { name: 'channelNumber', value: 0x4001 },
        { name: 'xorPeerAddress', value: { address: '192.0.2.9', port: 5000 } },
        { name: 'xorPeerAddress', value: { address: '192.0.2.10', port: 5001 } },
        { name: 'data', value: new Uint8Array([1, 2, 3, 4, 5]) },
        { name: 'requestedTransport', value: 17 },
        { name: 'dontFragment', value: true },
        { name: 'errorCode', value: { code: 438, reason: 'Stale Nonce' } },
        { name: 'unknownAttributes', value: [0x0031, 0x7fff] },
        { name: 'realm', value: 'example.org' },
        { name: 'nonce', value: 'abc' },
        { name: 'priority', value: 0x6e0001ff },
        { name: 'useCandidate', value: true },
        { name: 'iceControlling', value: 0xffffffffffffffffn },
        { name: 'passwordAlgorithms', value: [{ algorithm: 2, params: new Uint8Array(0) }, { algorithm: 1, params: new Uint8Array(0) }] },
        { name: 'otherAddress', value: { address: '192.0.2.2', port: 3479 } },
        { name: 'changeRequest', value: { changeIp: true, changePort: false } },
      ],
    };
    const key = longTermKey('u', 'r', 'p', PasswordAlgorithm.Sha256);
    const bytes = encodeStun(msg, { integrityKey: key, integrity: 'both', fingerprint: true });
    expect(isStun(bytes)).toBe(true);
    const back = decodeStun(bytes);
    if (!back) throw new Error('did not decode');
    expect(back.method).toBe(StunMethod.Allocate);
    expect(back.cls).toBe('success');
    expect(back.transactionId).toEqual(tid);
    expect(back.attributes).toEqual(msg.attributes);
    expect(getAllAttrs(back, 'xorPeerAddress')).toHaveLength(2);
    expect(back.integrityOffset).not.toBeNull();
    expect(back.integritySha256Offset).not.toBeNull();
    expect(verifyIntegrity(back, key)).toBe(true);
    expect(verifyIntegrity(back, new Uint8Array(32))).toBe(false);
    // One flipped bit in an attribute: the fingerprint no longer matches, so it is not STUN.
    const flipped = bytes.slice();
    flipped[30] = (flipped[30] ?? 0) ^ 1;
    expect(decodeStun(flipped)).toBeNull();
  });

  it('reports unknown comprehension-required attributes and keeps unknown optional ones raw', () => {
    const bytes = encodeStun({
      method: StunMethod.Binding,
      cls: 'request',
      transactionId: tid,
      attributes: [
        { name: 'unknown', type: 0x0031, value: new Uint8Array([9]) },
        { name: 'unknown', type: 0xc001, value: new Uint8Array([1, 2, 3, 4]) },
      ],
    });
    const msg = decodeStun(bytes);
    expect(msg?.unknownRequired).toEqual([0x0031]);
    expect(msg?.attributes[1]).toEqual({ name: 'unknown', type: 0xc001, value: new Uint8Array([1, 2, 3, 4]) });
  });

  it('ignores attributes after MESSAGE-INTEGRITY but still verifies it (§14.5)', () => {
    const key = shortTermKey('pw');
    const signed = encodeStun({ method: 1, cls: 'request', transactionId: tid, attributes: [{ name: 'priority', value: 5 }] }, { integrityKey: key });
    const extra = new Uint8Array([0x00, 0x24, 0x00, 0x04, 0, 0, 0, 9]);
    const tampered = new Uint8Array(signed.length + 8);
    tampered.set(signed);
    tampered.set(extra, signed.length);
    tampered[3] = tampered.length - 20;
    const msg = decodeStun(tampered);
    if (!msg) throw new Error('did not decode');
    expect(getAllAttrs(msg, 'priority')).toEqual([5]);
    expect(verifyIntegrity(msg, key)).toBe(true);
  });

  it('rejects malformed messages with null and never throws', () => {
    const good = encodeStun({ method: 1, cls: 'request', transactionId: tid, attributes: [{ name: 'software', value: 'abc' }] });
    const mutate = (f: (b: Uint8Array) => void) => {
      const b = good.slice();
      f(b);
      return b;
    };
    expect(decodeStun(good)).not.toBeNull();
    expect(decodeStun(good.subarray(0, 19))).toBeNull();
    expect(decodeStun(good.subarray(0, good.length - 1))).toBeNull();
    expect(decodeStun(mutate((b) => (b[0] = 0x40)))).toBeNull(); // top bits set
    expect(decodeStun(mutate((b) => (b[4] = 0)))).toBeNull(); // magic cookie
    expect(decodeStun(mutate((b) => (b[3] = (b[3] ?? 0) + 1)))).toBeNull(); // Length not a multiple of 4
    expect(decodeStun(mutate((b) => (b[23] = 40)))).toBeNull(); // attribute overruns the message
    expect(decodeStun(new Uint8Array(0))).toBeNull();
    expect(decodeStun(null as unknown as Uint8Array)).toBeNull();
    expect(decodeStun('x' as unknown as Uint8Array)).toBeNull();
    const rand = seededRandom(99);
    let decoded = 0;
    for (let i = 0; i < 5000; i++) {
      const seed = [SAMPLE_REQUEST, IPV4_RESPONSE, IPV6_RESPONSE, LONG_TERM_REQUEST][i % 4] as Uint8Array;
      const b = seed.slice(0, i % 3 === 0 ? (rand(1)[0] ?? 0) % seed.length : seed.length);
      const r = rand(3);
      const at = (r[0] ?? 0) % Math.max(1, b.length);
      b[at] = (b[at] ?? 0) ^ (r[1] ?? 1);
      expect(() => decodeStun(b)).not.toThrow();
      const m = decodeStun(b);
      if (m) {
        decoded++;
        expect(() => verifyIntegrity(m, shortTermKey(PASSWORD))).not.toThrow();
      }
    }
    // Flips that land in the message are caught by FINGERPRINT; only the vector without one still decodes.
    expect(decoded).toBeLessThan(5000);
  });

  it('refuses to encode what cannot be sent', () => {
    expect(() => encodeStun({ method: 1, cls: 'request', transactionId: new Uint8Array(11), attributes: [] })).toThrow(RangeError);
    expect(() =>
      encodeStun({ method: 1, cls: 'request', transactionId: tid, attributes: [{ name: 'xorPeerAddress', value: { address: 'host.example', port: 1 } }] }),
    ).toThrow(RangeError);
    expect(() => encodeStun({ method: 1, cls: 'error', transactionId: tid, attributes: [{ name: 'errorCode', value: { code: 200, reason: '' } }] })).toThrow(
      RangeError,
    );
  });
});

describe('demultiplexing and ChannelData', () => {
  it('classifies by first byte per RFC 7983', () => {
    expect(demuxPacket(SAMPLE_REQUEST)).toBe('stun');
    expect(demuxPacket(new Uint8Array([0x40, 0, 0, 0]))).toBe('channel-data');
    expect(demuxPacket(new Uint8Array([0x4f, 0xff, 0, 0]))).toBe('channel-data');
    expect(demuxPacket(new Uint8Array([0x80, 0, 0, 0]))).toBe('rtp');
    expect(demuxPacket(new Uint8Array([0xbf]))).toBe('rtp');
    expect(demuxPacket(new Uint8Array([22]))).toBe('dtls');
    expect(demuxPacket(new Uint8Array([0xc0]))).toBe('unknown');
    expect(demuxPacket(new Uint8Array(0))).toBe('unknown');
    expect(isStun(SAMPLE_REQUEST)).toBe(true);
    expect(isStun(new Uint8Array([0x80, 0x00, 0, 0, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe(false);
    expect(isStun(SAMPLE_REQUEST.subarray(0, 12))).toBe(false);
  });

  it('frames and unframes ChannelData (RFC 8656 §12.4)', () => {
    const payload = new Uint8Array([0x80, 0, 1, 2, 3]);
    const cd = encodeChannelData(0x4000, payload);
    expect(Array.from(cd.subarray(0, 4))).toEqual([0x40, 0x00, 0x00, 0x05]);
    expect(decodeChannelData(cd)).toEqual({ channel: 0x4000, data: payload });
    const padded = encodeChannelData(0x4fff, payload, true);
    expect(padded.length).toBe(12);
    expect(decodeChannelData(padded)).toEqual({ channel: 0x4fff, data: payload });
    expect(decodeChannelData(cd.subarray(0, 8))).toBeNull();
    expect(decodeChannelData(new Uint8Array([0x50, 0, 0, 0]))).toBeNull();
    expect(() => encodeChannelData(0x3fff, payload)).toThrow(RangeError);
  });

  it('CRC-32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});
