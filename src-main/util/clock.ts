// Time injected into every state machine (SIP transactions, registration, STUN/TURN/ICE), so unit tests
// drive refreshes and timeouts with a fake clock and one clock object serves SIP and media alike.

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
