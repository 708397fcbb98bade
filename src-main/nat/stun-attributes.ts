// STUN attribute types and value codecs: RFC 8489 §14, ICE (RFC 8445 §16.1), TURN (RFC 8656 §18), RFC 5780 §7.

import { formatIp, parseIp, type TransportAddress } from './transport-address';

export const MAGIC_COOKIE = 0x2112a442;

/** Attribute type numbers (IANA "STUN Attributes" registry). */
export const AttrType = {
  MappedAddress: 0x0001,
  ChangeRequest: 0x0003,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  UnknownAttributes: 0x000a,
  ChannelNumber: 0x000c,
  Lifetime: 0x000d,
  XorPeerAddress: 0x0012,
  Data: 0x0013,
  Realm: 0x0014,
  Nonce: 0x0015,
  XorRelayedAddress: 0x0016,
  RequestedTransport: 0x0019,
  DontFragment: 0x001a,
  MessageIntegritySha256: 0x001c,
  PasswordAlgorithm: 0x001d,
  XorMappedAddress: 0x0020,
  Priority: 0x0024,
  UseCandidate: 0x0025,
  PasswordAlgorithms: 0x8002,
  Software: 0x8022,
  AlternateServer: 0x8023,
  Fingerprint: 0x8028,
  IceControlled: 0x8029,
  IceControlling: 0x802a,
  ResponseOrigin: 0x802b,
  OtherAddress: 0x802c,
} as const;

export interface StunErrorValue {
  code: number;
  reason: string;
}

/** RFC 8489 §14.11/§14.12: 0x0001 = MD5, 0x0002 = SHA-256. */
export interface PasswordAlgorithmValue {
  algorithm: number;
  params: Uint8Array;
}

/** The value type of every attribute this codec understands, by name. */
export interface StunAttrValues {
  mappedAddress: TransportAddress;
  changeRequest: { changeIp: boolean; changePort: boolean };
  username: string;
  errorCode: StunErrorValue;
  unknownAttributes: number[];
  channelNumber: number;
  lifetime: number;
  xorPeerAddress: TransportAddress;
  data: Uint8Array;
  realm: string;
  nonce: string;
  xorRelayedAddress: TransportAddress;
  /** IANA protocol number; 17 = UDP (RFC 8656 §18.8). */
  requestedTransport: number;
  dontFragment: true;
  passwordAlgorithm: PasswordAlgorithmValue;
  xorMappedAddress: TransportAddress;
  priority: number;
  useCandidate: true;
  passwordAlgorithms: PasswordAlgorithmValue[];
  software: string;
  alternateServer: TransportAddress;
  /** 64-bit tie-breaker (RFC 8445 §16.1). */
  iceControlled: bigint;
  iceControlling: bigint;
  responseOrigin: TransportAddress;
  otherAddress: TransportAddress;
}

export type StunAttrName = keyof StunAttrValues;

/** One attribute in wire order: a known one by name, or an unknown one kept raw. */
export type StunAttribute =
  | { [K in StunAttrName]: { name: K; value: StunAttrValues[K] } }[StunAttrName]
  | { name: 'unknown'; type: number; value: Uint8Array };

interface Codec<T> {
  type: number;
  encode(value: T, transactionId: Uint8Array): Uint8Array;
  /** null when the value is malformed. */
  decode(bytes: Uint8Array, transactionId: Uint8Array): T | null;
}

const utf8 = new TextEncoder();
const utf8d = new TextDecoder('utf-8', { fatal: false });

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0);
  return b;
}

function readU32(b: Uint8Array): number | null {
  return b.length === 4 ? new DataView(b.buffer, b.byteOffset, 4).getUint32(0) : null;
}

const text = (type: number, maxBytes: number): Codec<string> => ({
  type,
  encode: (v) => {
    const b = utf8.encode(v);
    if (b.length > maxBytes) throw new RangeError(`attribute 0x${type.toString(16)} longer than ${maxBytes} bytes`);
    return b;
  },
  decode: (b) => (b.length <= maxBytes ? utf8d.decode(b) : null),
});

const uint32 = (type: number): Codec<number> => ({ type, encode: (v) => u32(v), decode: readU32 });

const flag = (type: number): Codec<true> => ({
  type,
  encode: () => new Uint8Array(0),
  decode: (b) => (b.length === 0 ? true : null),
});

const uint64 = (type: number): Codec<bigint> => ({
  type,
  encode: (v) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v));
    return b;
  },
  decode: (b) => (b.length === 8 ? new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0) : null),
});

/** RFC 8489 §14.1 (MAPPED-ADDRESS) and §14.2 (XOR-MAPPED-ADDRESS): family 1 = IPv4, 2 = IPv6. */
function addressCodec(type: number, xor: boolean): Codec<TransportAddress> {
  const mask = (len: number, tid: Uint8Array): Uint8Array => {
    // §14.2: IPv4 is XORed with the magic cookie, IPv6 with the cookie followed by the transaction id.
    const m = new Uint8Array(16);
    m.set(u32(MAGIC_COOKIE), 0);
    m.set(tid.subarray(0, 12), 4);
    return m.subarray(0, len);
  };
  return {
    type,
    encode: (a, tid) => {
      const ip = parseIp(a.address);
      if (!ip || !Number.isInteger(a.port) || a.port < 0 || a.port > 65535) {
        throw new RangeError(`not an IP transport address: ${a.address}:${a.port}`);
      }
      const out = new Uint8Array(4 + ip.length);
      out[1] = ip.length === 4 ? 1 : 2;
      const port = xor ? a.port ^ (MAGIC_COOKIE >>> 16) : a.port;
      out[2] = port >> 8;
      out[3] = port & 0xff;
      const m = xor ? mask(ip.length, tid) : null;
      for (let i = 0; i < ip.length; i++) out[4 + i] = (ip[i] ?? 0) ^ (m?.[i] ?? 0);
      return out;
    },
    decode: (b, tid) => {
      const family = b[1];
      const len = family === 1 ? 4 : family === 2 ? 16 : 0;
      if (len === 0 || b.length !== 4 + len || tid.length !== 12) return null;
      let port = ((b[2] ?? 0) << 8) | (b[3] ?? 0);
      if (xor) port ^= MAGIC_COOKIE >>> 16;
      const m = xor ? mask(len, tid) : null;
      const ip = new Uint8Array(len);
      for (let i = 0; i < len; i++) ip[i] = (b[4 + i] ?? 0) ^ (m?.[i] ?? 0);
      return { address: formatIp(ip), port };
    },
  };
}

/** RFC 8489 §14.8: class (hundreds digit) in 3 bits, number (0-99) in 8 bits, then a UTF-8 reason. */
const errorCode: Codec<StunErrorValue> = {
  type: AttrType.ErrorCode,
  encode: (v) => {
    if (!Number.isInteger(v.code) || v.code < 300 || v.code > 699) throw new RangeError(`bad STUN error code ${v.code}`);
    const reason = utf8.encode(v.reason);
    const out = new Uint8Array(4 + reason.length);
    out[2] = Math.floor(v.code / 100);
    out[3] = v.code % 100;
    out.set(reason, 4);
    return out;
  },
  decode: (b) => {
    if (b.length < 4) return null;
    const cls = (b[2] ?? 0) & 0x07;
    const num = b[3] ?? 0;
    if (cls < 3 || cls > 6 || num > 99) return null;
    return { code: cls * 100 + num, reason: utf8d.decode(b.subarray(4)) };
  },
};

const unknownAttributes: Codec<number[]> = {
  type: AttrType.UnknownAttributes,
  encode: (v) => {
    const out = new Uint8Array(v.length * 2);
    v.forEach((t, i) => {
      out[i * 2] = (t >> 8) & 0xff;
      out[i * 2 + 1] = t & 0xff;
    });
    return out;
  },
  decode: (b) => {
    if (b.length % 2 !== 0) return null;
    const out: number[] = [];
    for (let i = 0; i < b.length; i += 2) out.push(((b[i] ?? 0) << 8) | (b[i + 1] ?? 0));
    return out;
  },
};

/** RFC 8656 §18.1: the channel number in the first 16 bits, then RFFU. */
const channelNumber: Codec<number> = {
  type: AttrType.ChannelNumber,
  encode: (v) => u32((v & 0xffff) * 0x10000),
  decode: (b) => {
    const n = readU32(b);
    return n === null ? null : n >>> 16;
  },
};

/** RFC 8656 §18.7: the protocol number in the first byte, then RFFU. */
const requestedTransport: Codec<number> = {
  type: AttrType.RequestedTransport,
  encode: (v) => u32((v & 0xff) * 0x1000000),
  decode: (b) => {
    const n = readU32(b);
    return n === null ? null : n >>> 24;
  },
};

/** RFC 5780 §7.2: the "change IP" (0x4) and "change port" (0x2) flags. */
const changeRequest: Codec<{ changeIp: boolean; changePort: boolean }> = {
  type: AttrType.ChangeRequest,
  encode: (v) => u32((v.changeIp ? 4 : 0) | (v.changePort ? 2 : 0)),
  decode: (b) => {
    const n = readU32(b);
    return n === null ? null : { changeIp: (n & 4) !== 0, changePort: (n & 2) !== 0 };
  },
};

const raw = (type: number): Codec<Uint8Array> => ({ type, encode: (v) => v, decode: (b) => b.slice() });

function encodeAlgorithm(a: PasswordAlgorithmValue): Uint8Array {
  // RFC 8489 §14.11: algorithm (16 bits), params length (16 bits), params padded to 32 bits.
  const padded = (a.params.length + 3) & ~3;
  const out = new Uint8Array(4 + padded);
  out[0] = a.algorithm >> 8;
  out[1] = a.algorithm & 0xff;
  out[2] = a.params.length >> 8;
  out[3] = a.params.length & 0xff;
  out.set(a.params, 4);
  return out;
}

function decodeAlgorithms(b: Uint8Array): PasswordAlgorithmValue[] | null {
  const out: PasswordAlgorithmValue[] = [];
  let i = 0;
  while (i < b.length) {
    if (i + 4 > b.length) return null;
    const algorithm = ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
    const len = ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0);
    if (i + 4 + len > b.length) return null;
    out.push({ algorithm, params: b.slice(i + 4, i + 4 + len) });
    i += 4 + ((len + 3) & ~3);
  }
  return out;
}

const codecs: { [K in StunAttrName]: Codec<StunAttrValues[K]> } = {
  mappedAddress: addressCodec(AttrType.MappedAddress, false),
  changeRequest,
  // §14.3: USERNAME < 509 bytes; §14.9 REALM and §14.10 NONCE < 763 bytes; §14.14 SOFTWARE < 763 bytes.
  username: text(AttrType.Username, 508),
  errorCode,
  unknownAttributes,
  channelNumber,
  lifetime: uint32(AttrType.Lifetime),
  xorPeerAddress: addressCodec(AttrType.XorPeerAddress, true),
  data: raw(AttrType.Data),
  realm: text(AttrType.Realm, 763),
  nonce: text(AttrType.Nonce, 763),
  xorRelayedAddress: addressCodec(AttrType.XorRelayedAddress, true),
  requestedTransport,
  dontFragment: flag(AttrType.DontFragment),
  passwordAlgorithm: {
    type: AttrType.PasswordAlgorithm,
    encode: encodeAlgorithm,
    decode: (b) => {
      const list = decodeAlgorithms(b);
      return list && list.length === 1 ? (list[0] ?? null) : null;
    },
  },
  xorMappedAddress: addressCodec(AttrType.XorMappedAddress, true),
  priority: uint32(AttrType.Priority),
  useCandidate: flag(AttrType.UseCandidate),
  passwordAlgorithms: {
    type: AttrType.PasswordAlgorithms,
    encode: (v) => {
      const parts = v.map(encodeAlgorithm);
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      return out;
    },
    decode: decodeAlgorithms,
  },
  software: text(AttrType.Software, 763),
  alternateServer: addressCodec(AttrType.AlternateServer, false),
  iceControlled: uint64(AttrType.IceControlled),
  iceControlling: uint64(AttrType.IceControlling),
  responseOrigin: addressCodec(AttrType.ResponseOrigin, false),
  otherAddress: addressCodec(AttrType.OtherAddress, false),
};

const byType = new Map<number, StunAttrName>(
  (Object.keys(codecs) as StunAttrName[]).map((name) => [codecs[name].type, name]),
);

/** Type number and value bytes of an attribute (throws RangeError on values that cannot be encoded). */
export function encodeAttribute(attr: StunAttribute, transactionId: Uint8Array): { type: number; value: Uint8Array } {
  if (attr.name === 'unknown') return { type: attr.type, value: attr.value };
  const codec = codecs[attr.name] as Codec<unknown>;
  return { type: codec.type, value: codec.encode(attr.value, transactionId) };
}

/**
 * The attribute for a type and its value bytes: a named one if known and well-formed, 'unknown' (kept
 * raw) if the type is not known, null if a known attribute's value is malformed.
 */
export function decodeAttribute(type: number, value: Uint8Array, transactionId: Uint8Array): StunAttribute | null {
  const name = byType.get(type);
  if (!name) return { name: 'unknown', type, value: value.slice() };
  const decoded = (codecs[name] as Codec<unknown>).decode(value, transactionId);
  if (decoded === null) return null;
  return { name, value: decoded } as StunAttribute;
}

/** RFC 8489 §14: types 0x0000-0x7FFF are comprehension-required. */
export function isComprehensionRequired(type: number): boolean {
  return type < 0x8000;
}
