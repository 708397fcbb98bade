// Time and randomness for the NAT-traversal state machines, injected so unit tests run them on a fake clock.
// The clock itself is the shared one in src-main/util/clock.ts.

export { systemClock } from '../util/clock';
export type { Clock, TimerId } from '../util/clock';

/** Fills n random bytes. Injected so tests get repeatable transaction ids and tie-breakers. */
export type RandomBytes = (n: number) => Uint8Array;

/** Web Crypto (Node 20 and browsers): STUN transaction ids must be unguessable (RFC 8489 §6). */
export const cryptoRandom: RandomBytes = (n) => {
  const bytes = new Uint8Array(n);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
};
