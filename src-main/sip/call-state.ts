// The call state machine: which CallState changes are legal. Outgoing calls start in 'calling',
// incoming ones in 'ringing' (we have sent 180); every path ends in 'ended', which is final.

import type { CallState } from './user-agent-api';

export const CALL_TRANSITIONS: Readonly<Record<CallState, readonly CallState[]>> = {
  // INVITE sent (maybe 100 Trying): 180/183 -> ringing, 2xx -> connected, error/CANCEL -> ended.
  calling: ['ringing', 'connected', 'ended'],
  // 2xx sent or received -> connected; reject, CANCEL, timeout -> ended.
  ringing: ['connected', 'ended'],
  // BYE either way, no ACK for our 2xx (RFC 3261 §13.3.1.4) -> ended.
  connected: ['ended'],
  ended: [],
};

export function initialCallState(direction: 'outgoing' | 'incoming'): CallState {
  return direction === 'outgoing' ? 'calling' : 'ringing';
}

export function canTransition(from: CallState, to: CallState): boolean {
  return CALL_TRANSITIONS[from].includes(to);
}

/** Throws on an illegal change: a bug in our code, never the peer's doing. */
export function assertTransition(from: CallState, to: CallState): void {
  if (!canTransition(from, to)) throw new Error(`illegal call state change ${from} -> ${to}`);
}
