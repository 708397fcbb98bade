// SRTP's cryptographic transforms (RFC 3711): AES-128 in Counter Mode (§4.1.1), the key derivation
// function (§4.3) and the HMAC-SHA1 tag (§4.2.1), on node:crypto. Pure (no I/O); allocates little per packet.

import { createCipheriv, createHmac, timingSafeEqual, type Cipher } from 'node:crypto';

/** The two SDES suites of RFC 4568 §6.2 this phone implements. */
export type SrtpSuite = 'AES_CM_128_HMAC_SHA1_80' | 'AES_CM_128_HMAC_SHA1_32';
export const SRTP_SUITES: readonly SrtpSuite[] = ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'];

/** RFC 4568 §6.2.1/§6.2.2: 128-bit master key, 112-bit master salt, auth tag 80 or 32 bits for SRTP. */
export const MASTER_KEY_LENGTH = 16;
export const MASTER_SALT_LENGTH = 14;
export const MASTER_LENGTH = MASTER_KEY_LENGTH + MASTER_SALT_LENGTH;
const AUTH_KEY_LENGTH = 20; // §4.2.1: n_a = 160 bits for HMAC-SHA1

/** SRTP tag length in octets; SRTCP's is 80 bits with both suites (RFC 4568 §6.2.2: "SRTCP ... 80 bits"). */
export function rtpTagLength(suite: SrtpSuite): number {
  return suite === 'AES_CM_128_HMAC_SHA1_32' ? 4 : 10;
}
export const RTCP_TAG_LENGTH = 10;

/** §4.3.1 labels: which session key a KDF run yields. */
export const LABEL = { rtpCipher: 0, rtpAuth: 1, rtpSalt: 2, rtcpCipher: 3, rtcpAuth: 4, rtcpSalt: 5 } as const;

const BLOCK = 16;

/**
 * AES-128 Counter Mode (§4.1.1) over one long-lived ECB cipher: the counter blocks IV, IV+1, ... are
 * written into a reused buffer and encrypted in one update() call, and the keystream is XORed in.
 * One ECB object per key instead of a CTR object per packet; the keystream buffer is the only per-packet
 * allocation (node:crypto's update() always returns a new Buffer).
 */
export class AesCm {
  private readonly ecb: Cipher;
  private counters = new Uint8Array(BLOCK * 12); // 12 blocks: a 20 ms G.711 payload is 10

  constructor(key: Uint8Array) {
    if (key.length !== MASTER_KEY_LENGTH) throw new Error('AES-128 needs a 16-octet key');
    this.ecb = createCipheriv('aes-128-ecb', key, null);
    this.ecb.setAutoPadding(false);
  }

  /**
   * XORs the keystream for `iv` into data[start, end). The IV's last 16 bits are zero in SRTP (the
   * salt and index are shifted by 16, §4.1.1), so the block counter j fills them and never carries.
   */
  xor(iv: Uint8Array, data: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (length <= 0) return;
    const blocks = Math.ceil(length / BLOCK);
    if (blocks > 0x10000) throw new Error('AES-CM: more than 2^16 blocks under one IV');
    if (this.counters.length < blocks * BLOCK) this.counters = new Uint8Array(blocks * BLOCK);
    const c = this.counters;
    for (let j = 0; j < blocks; j++) {
      const o = j * BLOCK;
      c.set(iv.subarray(0, 14), o);
      c[o + 14] = (j >>> 8) & 0xff;
      c[o + 15] = j & 0xff;
    }
    const keystream = this.ecb.update(c.subarray(0, blocks * BLOCK));
    for (let i = 0; i < length; i++) data[start + i] = (data[start + i] as number) ^ (keystream[i] as number);
  }

  /** The raw keystream (tests against RFC 3711 B.2, and the KDF). */
  keystream(iv: Uint8Array, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.xor(iv, out, 0, length);
    return out;
  }
}

/**
 * §4.3.1 key derivation with key_derivation_rate 0 (r = 0, the SDES default, RFC 4568 §6.3):
 * x = (label || r) XOR master_salt, right-aligned; the session key is AES-CM(master_key, x * 2^16).
 */
export function deriveSessionKey(masterKey: Uint8Array, masterSalt: Uint8Array, label: number, length: number): Uint8Array {
  if (masterSalt.length !== MASTER_SALT_LENGTH) throw new Error('the master salt must be 14 octets');
  const iv = new Uint8Array(BLOCK);
  iv.set(masterSalt, 0);
  // key_id = label (8 bits) || r (48 bits, zero here): the label meets salt octet 7 (14 - 7).
  iv[7] = (iv[7] as number) ^ label;
  return new AesCm(masterKey).keystream(iv, length);
}

/** One direction's session keys for SRTP or SRTCP (§4.3.1, §4.3.2). */
export interface SessionKeys {
  cipher: AesCm;
  salt: Uint8Array;
  authKey: Uint8Array;
}

export function deriveKeys(master: Uint8Array, rtcp: boolean): SessionKeys {
  if (master.length !== MASTER_LENGTH) throw new Error('the master key||salt must be 30 octets');
  const key = master.subarray(0, MASTER_KEY_LENGTH);
  const salt = master.subarray(MASTER_KEY_LENGTH);
  return {
    cipher: new AesCm(deriveSessionKey(key, salt, rtcp ? LABEL.rtcpCipher : LABEL.rtpCipher, MASTER_KEY_LENGTH)),
    salt: deriveSessionKey(key, salt, rtcp ? LABEL.rtcpSalt : LABEL.rtpSalt, MASTER_SALT_LENGTH),
    authKey: deriveSessionKey(key, salt, rtcp ? LABEL.rtcpAuth : LABEL.rtpAuth, AUTH_KEY_LENGTH),
  };
}

/**
 * §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16), written into `iv` (16 octets). The
 * 48-bit index is given as its high 32 bits (`hi`, the ROC for SRTP) and low 16 bits (`lo`, the SEQ).
 */
export function packetIv(iv: Uint8Array, salt: Uint8Array, ssrc: number, hi: number, lo: number): void {
  iv.set(salt, 0);
  iv[14] = 0;
  iv[15] = 0;
  iv[4] = (iv[4] as number) ^ ((ssrc >>> 24) & 0xff);
  iv[5] = (iv[5] as number) ^ ((ssrc >>> 16) & 0xff);
  iv[6] = (iv[6] as number) ^ ((ssrc >>> 8) & 0xff);
  iv[7] = (iv[7] as number) ^ (ssrc & 0xff);
  iv[8] = (iv[8] as number) ^ ((hi >>> 24) & 0xff);
  iv[9] = (iv[9] as number) ^ ((hi >>> 16) & 0xff);
  iv[10] = (iv[10] as number) ^ ((hi >>> 8) & 0xff);
  iv[11] = (iv[11] as number) ^ (hi & 0xff);
  iv[12] = (iv[12] as number) ^ ((lo >>> 8) & 0xff);
  iv[13] = (iv[13] as number) ^ (lo & 0xff);
}

const rocOctets = Buffer.alloc(4);

/**
 * §4.2.1: HMAC-SHA1 over the authenticated portion data[0, end), followed for SRTP by the ROC (§3.3:
 * M = Authenticated Portion || ROC); SRTCP passes null (its E||index is already in the portion, §3.4).
 */
export function authTag(authKey: Uint8Array, data: Uint8Array, end: number, roc: number | null): Buffer {
  const hmac = createHmac('sha1', authKey).update(data.subarray(0, end));
  if (roc !== null) {
    rocOctets.writeUInt32BE(roc >>> 0, 0);
    hmac.update(rocOctets);
  }
  return hmac.digest();
}

/** Compares the received tag with the first `length` octets of the computed one in constant time. */
export function tagMatches(computed: Buffer, received: Uint8Array, length: number): boolean {
  return received.length === length && timingSafeEqual(computed.subarray(0, length), received);
}
