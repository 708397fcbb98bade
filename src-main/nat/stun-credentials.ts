// STUN credential keys: short-term (ICE, RFC 8489 §9.1.2) and long-term (TURN, RFC 8489 §9.2.2), with the
// password preparation that the RFC 5769 long-term test vector relies on.

import { md5 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';

const utf8 = new TextEncoder();

/** RFC 8489 §18.5.1 PASSWORD-ALGORITHM numbers. */
export const PasswordAlgorithm = { Md5: 0x0001, Sha256: 0x0002 } as const;

const MAPPED_TO_NOTHING = new Set([0x00ad, 0x034f, 0x1806, 0x2060, 0xfeff]);

/**
 * The common case of SASLprep (RFC 4013), which RFC 5389 and the RFC 5769 vectors use (RFC 8489 moved to
 * OpaqueString, RFC 8265, which agrees for the passwords seen in practice): drop the "commonly mapped to
 * nothing" characters (RFC 3454 B.1), map non-ASCII spaces (C.1.2) to U+0020, then NFKC. Prohibited-output
 * and bidi checks are not done: a password that would fail them also fails at the server.
 */
export function saslPrep(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (MAPPED_TO_NOTHING.has(cp) || (cp >= 0x180b && cp <= 0x180d) || (cp >= 0x200b && cp <= 0x200d) || (cp >= 0xfe00 && cp <= 0xfe0f)) continue;
    out += cp === 0x00a0 || cp === 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x202f || cp === 0x205f || cp === 0x3000 ? ' ' : ch;
  }
  return out.normalize('NFKC');
}

/** §9.1.2: the short-term key is the password itself (ICE: the peer's ice-pwd for our checks). */
export function shortTermKey(password: string): Uint8Array {
  return utf8.encode(password);
}

/**
 * §9.2.2: key = MD5(username ":" realm ":" password) or, with PASSWORD-ALGORITHM SHA-256, SHA-256 of the
 * same string. The realm is used as received (it is already prepared by the server).
 */
export function longTermKey(
  username: string,
  realm: string,
  password: string,
  algorithm: number = PasswordAlgorithm.Md5,
): Uint8Array {
  const input = utf8.encode(`${username}:${realm}:${saslPrep(password)}`);
  return algorithm === PasswordAlgorithm.Sha256 ? sha256(input) : md5(input);
}
