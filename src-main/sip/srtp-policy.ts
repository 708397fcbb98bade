// When a call uses SRTP with SDES keys (RFC 4568) and when it must not: the user's mode (off, optional,
// mandatory) against the signalling transport, since SDES keys travel in clear text inside the SDP. Pure.

import { randomBytes } from 'node:crypto';
import { MASTER_LENGTH, SRTP_SUITES, type SrtpSuite } from '../rtp/srtp-crypto';

/**
 * off: plain RTP only (an RTP/SAVP offer gets 488). optional: offers RTP/AVP with a=crypto (best effort,
 * as baresip's `mediaenc srtp`) and takes SRTP when the peer does. mandatory: offers RTP/SAVP and refuses
 * any call without SRTP (488).
 */
export type SrtpMode = 'off' | 'optional' | 'mandatory';
export const SRTP_MODES: readonly SrtpMode[] = ['off', 'optional', 'mandatory'];

/** How the SIP messages (and so the SDES keys in their SDP) travel. */
export type SignallingTransport = 'udp' | 'tcp' | 'tls';

export interface SrtpConfig {
  mode: SrtpMode;
  /**
   * Put keys into SDP even when the signalling is not TLS. RFC 4568 §8.3: the keys are then readable by
   * anyone who sees the SIP, so this is an explicit choice (a closed network, a test bench).
   */
  overInsecureSignalling?: boolean;
}

/** Our side of SDES for one call: the mode and our master key||salt per suite (base64), kept for the call. */
export interface LocalSrtp {
  mode: 'optional' | 'mandatory';
  keys: Record<SrtpSuite, string>;
}

/** off carries a reason when the user asked for SRTP and does not get it (optional over insecure SIP). */
export type CallSrtp = { kind: 'off'; reason?: string } | { kind: 'on'; mode: 'optional' | 'mandatory' } | { kind: 'refused'; reason: string };

export const INSECURE_SIGNALLING_REASON =
  "SRTP is mandatory, but its keys would cross the network readable (SIP over UDP, not TLS); use TLS signalling or allow it (--srtp-over-udp, or the account's keys-over-UDP setting)";

/**
 * What a call does about SRTP. RFC 4568 §8.3 wants the SDP protected (TLS, S/MIME): without it,
 * optional SRTP is dropped (plain RTP, as if off) and mandatory SRTP refuses the call, unless the user
 * allowed keys over insecure signalling.
 */
export function callSrtp(config: SrtpConfig | undefined, signalling: SignallingTransport): CallSrtp {
  if (!config || config.mode === 'off') return { kind: 'off' };
  if (signalling === 'tls' || config.overInsecureSignalling === true) return { kind: 'on', mode: config.mode };
  if (config.mode === 'mandatory') return { kind: 'refused', reason: INSECURE_SIGNALLING_REASON };
  return { kind: 'off', reason: "optional SRTP is not used: its keys would cross the network readable (SIP over UDP, not TLS); allow it with --srtp-over-udp or the account's keys-over-UDP setting" };
}

/** Fresh master keys for a call (RFC 4568 §6.1: random, one per suite so no two offered lines share one). */
export function newLocalSrtp(mode: 'optional' | 'mandatory', random: (n: number) => Uint8Array = randomBytes): LocalSrtp {
  const key = () => Buffer.from(random(MASTER_LENGTH)).toString('base64');
  const keys = {} as Record<SrtpSuite, string>;
  for (const suite of SRTP_SUITES) keys[suite] = key();
  return { mode, keys };
}
