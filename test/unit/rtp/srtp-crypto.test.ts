// RFC 3711 Appendix B test vectors for the AES-CM keystream (B.2) and the key derivation (B.3).
import { describe, expect, it } from 'vitest';
import { AesCm, LABEL, deriveSessionKey, packetIv } from '../../../src-main/rtp/srtp-crypto';

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

describe('AES-CM keystream (RFC 3711 B.2)', () => {
  const sessionKey = hex('2B7E151628AED2A6ABF7158809CF4F3C');
  const salt = hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD');

  it('gives the first three keystream blocks for SSRC 0, ROC 0, SEQ 0', () => {
    const iv = new Uint8Array(16);
    packetIv(iv, salt, 0, 0, 0);
    expect(toHex(iv)).toBe('F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000');
    const ks = new AesCm(sessionKey).keystream(iv, 48);
    expect(toHex(ks.subarray(0, 16))).toBe('E03EAD0935C95E80E166B16DD92B4EB4');
    expect(toHex(ks.subarray(16, 32))).toBe('D23513162B02D0F72A43A2FE4A5F97AB');
    expect(toHex(ks.subarray(32, 48))).toBe('41E95B3BB0A2E8DD477901E4FCA894C0');
  });

  it('gives block FEFF of the 65282-block segment (the counter fills the low 16 bits)', () => {
    const iv = hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000');
    const ks = new AesCm(sessionKey).keystream(iv, 0xff00 * 16);
    expect(toHex(ks.subarray(0xfeff * 16, 0xff00 * 16))).toBe('EC8CDF7398607CB0F2D21675EA9EA1E4');
  });

  it('XORs in place: applying it twice restores the data', () => {
    const cm = new AesCm(sessionKey);
    const iv = hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000');
    const data = Uint8Array.from({ length: 200 }, (_, i) => i);
    cm.xor(iv, data, 12, 200);
    expect(Array.from(data.subarray(0, 12))).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(data[12]).toBe(12 ^ 0xe0);
    cm.xor(iv, data, 12, 200);
    expect(Array.from(data)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('puts SSRC and index where §4.1.1 says (SSRC * 2^64, i * 2^16)', () => {
    const iv = new Uint8Array(16);
    packetIv(iv, new Uint8Array(14), 0x01020304, 0x0a0b0c0d, 0x0e0f);
    expect(toHex(iv)).toBe('00000000010203040A0B0C0D0E0F0000');
  });
});

describe('key derivation (RFC 3711 B.3)', () => {
  const masterKey = hex('E1F97A0D3E018BE0D64FA32C06DE4139');
  const masterSalt = hex('0EC675AD498AFEEBB6960B3AABE6');

  it('derives the session encryption key, salt and authentication key', () => {
    expect(toHex(deriveSessionKey(masterKey, masterSalt, LABEL.rtpCipher, 16))).toBe('C61E7A93744F39EE10734AFE3FF7A087');
    expect(toHex(deriveSessionKey(masterKey, masterSalt, LABEL.rtpSalt, 14))).toBe('30CBBC08863D8C85D49DB34A9AE1');
    expect(toHex(deriveSessionKey(masterKey, masterSalt, LABEL.rtpAuth, 20))).toBe('CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4');
  });

  it('derives the SRTCP keys with labels 3, 4 and 5 (cross-check with libsrtp-based implementations)', () => {
    expect(toHex(deriveSessionKey(masterKey, masterSalt, LABEL.rtcpCipher, 16))).toBe('4C1AA45A81F73D61C800BBB00FBB1EAA');
    expect(toHex(deriveSessionKey(masterKey, masterSalt, LABEL.rtcpAuth, 20))).toBe('8D54534FEB49AE8E7993A6BD0B844FC323A93DFD');
    expect(toHex(deriveSessionKey(masterKey, masterSalt, LABEL.rtcpSalt, 14))).toBe('9581C7AD87B3E530BF3E4454A8B3');
  });
});
