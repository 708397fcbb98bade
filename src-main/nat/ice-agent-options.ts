// Public types of the ICE agent (options, events, the selected pair), kept apart so callers and the
// IPC contract can import them without the agent.

import type { Clock, RandomBytes } from './nat-clock';
import type { IceCandidate, IceCredentials, LocalCandidate } from './ice-candidate';
import type { IceRole } from './ice-messages';
import type { RetransmitPolicy } from './stun-transaction';
import type { TransportAddress } from './transport-address';

export type IceState = 'new' | 'checking' | 'connected' | 'completed' | 'failed' | 'closed';

export interface IceAgentOptions {
  clock: Clock;
  role: IceRole;
  /** 1 (RTP only, or rtcp-mux) or 2 (RTP + RTCP). */
  components?: number;
  credentials?: IceCredentials;
  random?: RandomBytes;
  /** 64-bit tie-breaker (§7.1.1); random by default. */
  tieBreaker?: bigint;
  /** §14.2 pacing between checks; default 50 ms. */
  taMs?: number;
  /** Retransmissions of one check; default RFC 8489 (500 ms, Rc 7, Rm 16). */
  checkPolicy?: RetransmitPolicy;
  /** Controlling side: nominate the best valid pair at the latest this long after the first one. */
  nominationDelayMs?: number;
  consentIntervalMs?: number;
  consentTimeoutMs?: number;
  software?: string;
}

export interface SelectedPair {
  component: number;
  local: LocalCandidate;
  remote: IceCandidate;
  /** Send from here: a host socket, or the TURN relay when local.type is 'relay'. */
  base: TransportAddress;
  remoteAddress: TransportAddress;
}

export interface IceAgentEvents {
  /** Put data on the wire from `from` (a local base) to `to`. */
  send: { data: Uint8Array; from: TransportAddress; to: TransportAddress };
  state: { state: IceState };
  selected: SelectedPair;
  'role-change': { role: IceRole };
  'consent-lost': { component: number };
}
