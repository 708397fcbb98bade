// Time and randomness for the NAT-traversal state machines, injected so unit tests run them on a fake clock.
// Same shape as src-main/sip/sip-clock.ts, so one clock object serves SIP and media.

/** Whatever the clock's setTimeout returns; only ever handed back to clearTimeout. */
export type TimerId = unknown;

export interface Clock {
  /** ms since epoch (or any monotonic origin) */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
}

/** The real clock (global timers exist in Node and browsers alike). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => {
    if (id !== undefined && id !== null) clearTimeout(id as ReturnType<typeof setTimeout>);
  },
};

/** Fills n random bytes. Injected so tests get repeatable transaction ids and tie-breakers. */
export type RandomBytes = (n: number) => Uint8Array;

/** Web Crypto (Node 20 and browsers): STUN transaction ids must be unguessable (RFC 8489 §6). */
export const cryptoRandom: RandomBytes = (n) => {
  const bytes = new Uint8Array(n);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
};
