// Random identifiers for SIP: tags, Call-IDs, SDP session ids. Web Crypto (Node 20 and browsers), never
// Math.random: RFC 3261 §19.3 wants tags and Call-IDs globally unique and unguessable.

function randomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
}

export function randomHex(bytes: number): string {
  return Array.from(randomBytes(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** From/To tag: at least 32 bits of randomness (RFC 3261 §19.3). */
export function newTag(): string {
  return randomHex(8);
}

/** Call-ID (RFC 3261 §8.1.1.4); no host part, so it does not leak our address. */
export function newCallId(): string {
  return randomHex(16);
}

/** SDP o= session id: a decimal number (RFC 4566 §5.2), kept below 2^53 so it survives a JS number round trip. */
export function newSessionId(): string {
  const b = randomBytes(6);
  let n = 0;
  for (const x of b) n = n * 256 + x;
  return String(n + 1);
}

/**
 * The first RSeq of a reliable provisional response (RFC 3262 §3: between 1 and 2^31 - 1, RECOMMENDED
 * uniform); kept 2^16 below the top so the increments that follow stay in range.
 */
export function randomRSeq(): number {
  const b = randomBytes(4);
  const n = (((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0;
  return 1 + (n % (2 ** 31 - 2 ** 16));
}
