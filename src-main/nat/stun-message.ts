// STUN message framing (RFC 8489 §5, §14.5-14.7): encode/decode, MESSAGE-INTEGRITY(-SHA256), FINGERPRINT,
// TURN ChannelData (RFC 8656 §12.4) and RFC 7983 demultiplexing. Decoding never throws: bad input gives null.

import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { crc32 } from './crc32';
import {
  AttrType,
  MAGIC_COOKIE,
  decodeAttribute,
  encodeAttribute,
  isComprehensionRequired,
  type StunAttrName,
  type StunAttrValues,
  type StunAttribute,
} from './stun-attributes';
import { cryptoRandom, type RandomBytes } from './nat-clock';

export { AttrType, MAGIC_COOKIE } from './stun-attributes';
export type { StunAttribute, StunAttrName, StunAttrValues } from './stun-attributes';

export type StunClass = 'request' | 'indication' | 'success' | 'error';

export const StunMethod = {
  Binding: 0x001,
  // RFC 8656 §17
  Allocate: 0x003,
  Refresh: 0x004,
  Send: 0x006,
  Data: 0x007,
  CreatePermission: 0x008,
  ChannelBind: 0x009,
} as const;

export interface StunMessage {
  /** 12-bit method, e.g. StunMethod.Binding. */
  method: number;
  cls: StunClass;
  /** 96 bits. */
  transactionId: Uint8Array;
  /** In wire order, without MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT. */
  attributes: StunAttribute[];
}

export interface DecodedStun extends StunMessage {
  /** Exactly the message's bytes (header + Length). */
  raw: Uint8Array;
  /** Offsets into raw of the integrity attributes' headers, for verifyIntegrity. */
  integrityOffset: number | null;
  integritySha256Offset: number | null;
  /** FINGERPRINT was present (and, since the message decoded, correct). */
  hasFingerprint: boolean;
  /** Comprehension-required attribute types we do not understand (RFC 8489 §6.3.1: answer 420). */
  unknownRequired: number[];
}

export interface EncodeOptions {
  /** Adds MESSAGE-INTEGRITY (HMAC-SHA1) with this key (RFC 8489 §9: short-term or long-term key). */
  integrityKey?: Uint8Array;
  /** Which integrity attribute(s) to add with integrityKey; default 'sha1'. */
  integrity?: 'sha1' | 'sha256' | 'both';
  /** Adds FINGERPRINT (RFC 8489 §14.7); ICE always uses it (RFC 8445 §7.1). */
  fingerprint?: boolean;
}

const CLASS_BITS: Record<StunClass, number> = { request: 0, indication: 1, success: 2, error: 3 };
const CLASSES: StunClass[] = ['request', 'indication', 'success', 'error'];
const FINGERPRINT_XOR = 0x5354554e;
const HEADER = 20;

/** RFC 8489 §5: the class bits C1 C0 sit between the method bits M11-M7, M6-M4, M3-M0. */
export function messageType(method: number, cls: StunClass): number {
  const c = CLASS_BITS[cls];
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | ((c & 1) << 4) | ((c & 2) << 7);
}

export function newTransactionId(random: RandomBytes = cryptoRandom): Uint8Array {
  return random(12);
}

export function transactionKey(id: Uint8Array): string {
  return Array.from(id, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The first value of a named attribute, if present. */
export function getAttr<K extends StunAttrName>(msg: StunMessage, name: K): StunAttrValues[K] | undefined {
  for (const a of msg.attributes) if (a.name === name) return a.value as StunAttrValues[K];
  return undefined;
}

/** Every value of a named attribute (CreatePermission may carry several XOR-PEER-ADDRESS). */
export function getAllAttrs<K extends StunAttrName>(msg: StunMessage, name: K): StunAttrValues[K][] {
  return msg.attributes.filter((a) => a.name === name).map((a) => a.value as StunAttrValues[K]);
}

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

function get16(b: Uint8Array, at: number): number {
  return ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
}

/** Encodes a message. Throws RangeError on values that cannot be encoded (a programming error, not input). */
export function encodeStun(msg: StunMessage, options: EncodeOptions = {}): Uint8Array {
  if (msg.transactionId.length !== 12) throw new RangeError('STUN transaction id must be 12 bytes');
  const parts = msg.attributes.map((a) => encodeAttribute(a, msg.transactionId));
  const key = options.integrityKey;
  const mode = options.integrity ?? 'sha1';
  const withSha1 = key !== undefined && mode !== 'sha256';
  const withSha256 = key !== undefined && mode !== 'sha1';
  let size = HEADER;
  for (const p of parts) size += 4 + ((p.value.length + 3) & ~3);
  size += (withSha1 ? 24 : 0) + (withSha256 ? 36 : 0) + (options.fingerprint ? 8 : 0);
  if (size - HEADER > 0xffff) throw new RangeError('STUN message too long');
  const out = new Uint8Array(size);
  put16(out, 0, messageType(msg.method, msg.cls));
  new DataView(out.buffer).setUint32(4, MAGIC_COOKIE);
  out.set(msg.transactionId, 8);
  let at = HEADER;
  for (const p of parts) {
    if (p.value.length > 0xffff) throw new RangeError('STUN attribute too long');
    put16(out, at, p.type);
    put16(out, at + 2, p.value.length);
    out.set(p.value, at + 4);
    at += 4 + ((p.value.length + 3) & ~3);
  }
  // §14.5/§14.6: the HMAC covers the message up to the attribute, with Length already counting it.
  const sign = (type: number, macLen: number, mac: (k: Uint8Array, m: Uint8Array) => Uint8Array) => {
    put16(out, 2, at + 4 + macLen - HEADER);
    const value = mac(key as Uint8Array, out.subarray(0, at));
    put16(out, at, type);
    put16(out, at + 2, macLen);
    out.set(value.subarray(0, macLen), at + 4);
    at += 4 + macLen;
  };
  if (withSha1) sign(AttrType.MessageIntegrity, 20, (k, m) => hmac(sha1, k, m));
  if (withSha256) sign(AttrType.MessageIntegritySha256, 32, (k, m) => hmac(sha256, k, m));
  if (options.fingerprint) {
    put16(out, 2, at + 8 - HEADER);
    const fp = (crc32(out, 0, at) ^ FINGERPRINT_XOR) >>> 0;
    put16(out, at, AttrType.Fingerprint);
    put16(out, at + 2, 4);
    new DataView(out.buffer).setUint32(at + 4, fp);
    at += 8;
  }
  put16(out, 2, at - HEADER);
  return out;
}

/** RFC 7983 §7 demultiplexing by the first byte. */
export type PacketKind = 'stun' | 'zrtp' | 'dtls' | 'channel-data' | 'rtp' | 'unknown';

export function demuxPacket(data: Uint8Array): PacketKind {
  if (!(data instanceof Uint8Array) || data.length === 0) return 'unknown';
  const b = data[0] ?? 0;
  if (b <= 3) return 'stun';
  if (b >= 16 && b <= 19) return 'zrtp';
  if (b >= 20 && b <= 63) return 'dtls';
  if (b >= 64 && b <= 79) return 'channel-data';
  if (b >= 128 && b <= 191) return 'rtp';
  return 'unknown';
}

/** A STUN message by RFC 7983 (first byte 0-3) with a full header and the RFC 8489 magic cookie. */
export function isStun(data: Uint8Array): boolean {
  if (demuxPacket(data) !== 'stun' || data.length < HEADER) return false;
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(4) === MAGIC_COOKIE;
}

/** Decodes a STUN message, or returns null if it is not a well-formed one (never throws). */
export function decodeStun(data: Uint8Array): DecodedStun | null {
  try {
    return decodeUnchecked(data);
  } catch {
    return null;
  }
}

function decodeUnchecked(data: Uint8Array): DecodedStun | null {
  if (!isStun(data)) return null;
  const length = get16(data, 2);
  // §5: the two top bits are zero, Length counts whole 32-bit words; a datagram carries one message.
  if (length % 4 !== 0 || HEADER + length > data.length) return null;
  const raw = data.slice(0, HEADER + length);
  const type = get16(raw, 0);
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const cls = CLASSES[((type >> 4) & 1) | ((type >> 7) & 2)] as StunClass;
  const transactionId = raw.slice(8, 20);
  const attributes: StunAttribute[] = [];
  const unknownRequired: number[] = [];
  let integrityOffset: number | null = null;
  let integritySha256Offset: number | null = null;
  let hasFingerprint = false;
  let at = HEADER;
  while (at < raw.length) {
    if (at + 4 > raw.length) return null;
    const attrType = get16(raw, at);
    const len = get16(raw, at + 2);
    const end = at + 4 + len;
    if (end > raw.length) return null;
    const value = raw.subarray(at + 4, end);
    if (attrType === AttrType.Fingerprint) {
      // §14.7: CRC-32 of everything before it, XOR 0x5354554e. A wrong one means "not STUN" (§7.3).
      if (len !== 4) return null;
      const want = (crc32(raw, 0, at) ^ FINGERPRINT_XOR) >>> 0;
      if (new DataView(raw.buffer, raw.byteOffset + at + 4, 4).getUint32(0) !== want) return null;
      hasFingerprint = true;
      break; // §14.7: FINGERPRINT is last; anything after it is ignored.
    }
    if (attrType === AttrType.MessageIntegrity) {
      if (len !== 20 || integrityOffset !== null || integritySha256Offset !== null) return null;
      integrityOffset = at;
    } else if (attrType === AttrType.MessageIntegritySha256) {
      // §14.6: 16 to 32 bytes, a multiple of 4.
      if (len < 16 || len > 32 || len % 4 !== 0 || integritySha256Offset !== null) return null;
      integritySha256Offset = at;
    } else if (integrityOffset === null && integritySha256Offset === null) {
      // §14.5: attributes after MESSAGE-INTEGRITY (other than -SHA256 and FINGERPRINT) are ignored.
      const attr = decodeAttribute(attrType, value, transactionId);
      if (attr) attributes.push(attr);
      if (attr?.name === 'unknown' && isComprehensionRequired(attrType)) unknownRequired.push(attrType);
    }
    at = end + ((4 - (len % 4)) % 4);
    if (at > raw.length) return null;
  }
  return { method, cls, transactionId, attributes, raw, integrityOffset, integritySha256Offset, hasFingerprint, unknownRequired };
}

function checkMac(
  raw: Uint8Array,
  offset: number,
  key: Uint8Array,
  mac: (k: Uint8Array, m: Uint8Array) => Uint8Array,
): boolean {
  const len = get16(raw, offset + 2);
  const copy = raw.slice(0, offset);
  put16(copy, 2, offset + 4 + len - HEADER);
  const want = mac(key, copy).subarray(0, len);
  const got = raw.subarray(offset + 4, offset + 4 + len);
  let diff = 0;
  for (let i = 0; i < len; i++) diff |= (want[i] ?? 0) ^ (got[i] ?? 0);
  return diff === 0 && want.length === len;
}

/**
 * Checks the message's integrity with a key (RFC 8489 §9.1.3 short-term, §9.2.2 long-term).
 * MESSAGE-INTEGRITY-SHA256 is preferred when present (§14.6); false when the message carries neither.
 */
export function verifyIntegrity(msg: DecodedStun, key: Uint8Array): boolean {
  try {
    if (msg.integritySha256Offset !== null) {
      return checkMac(msg.raw, msg.integritySha256Offset, key, (k, m) => hmac(sha256, k, m));
    }
    if (msg.integrityOffset !== null) return checkMac(msg.raw, msg.integrityOffset, key, (k, m) => hmac(sha1, k, m));
  } catch {
    return false;
  }
  return false;
}

export function hasIntegrity(msg: DecodedStun): boolean {
  return msg.integrityOffset !== null || msg.integritySha256Offset !== null;
}

/** RFC 8656 §12.4: ChannelData header = channel number, length; then the application data. */
export function encodeChannelData(channel: number, data: Uint8Array, pad = false): Uint8Array {
  if (channel < 0x4000 || channel > 0x4fff) throw new RangeError(`channel number out of range: ${channel}`);
  if (data.length > 0xffff) throw new RangeError('ChannelData too long');
  // §12.5: padding to 4 bytes is required over TCP/TLS, optional over UDP.
  const out = new Uint8Array(4 + (pad ? (data.length + 3) & ~3 : data.length));
  put16(out, 0, channel);
  put16(out, 2, data.length);
  out.set(data, 4);
  return out;
}

export function decodeChannelData(bytes: Uint8Array): { channel: number; data: Uint8Array } | null {
  if (!(bytes instanceof Uint8Array) || bytes.length < 4) return null;
  const channel = get16(bytes, 0);
  const len = get16(bytes, 2);
  if (channel < 0x4000 || channel > 0x4fff || 4 + len > bytes.length) return null;
  return { channel, data: bytes.slice(4, 4 + len) };
}
