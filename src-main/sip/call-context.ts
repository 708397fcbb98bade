// What a call needs from its user agent (transport, clock, identity, media factory, dialog table):
// passed in, so inviter and invitation stay pure and run against a fake transport in unit tests.

import type { PendingAsk } from './transfer-asks';
import type { AuthPolicy } from './auth-policy';
import type { DigestCredentials } from './digest-auth';
import type { Clock } from './sip-clock';
import type { Destination, SipTransport } from './sip-transport';
import type { Logger } from '../util/logger';
import type { CodecName, MediaSession } from '../rtp/media-session';
import type { CallSession } from './call-session';
import type { SessionTimerConfig } from './session-timer';
import type { MediaWatchTimes } from './call-media-watch';
import type { CallSrtp } from './srtp-policy';
import type { ReferTarget } from './refer';
import type { Call } from './user-agent-api';
import type { DtmfMode } from './user-agent-api';

/** RFC 3261 §17.1.1.1 timer values (ms): T1 is the RTT estimate, T2 the cap for non-INVITE and 2xx retransmits. */
export const T1 = 500;
export const T2 = 4000;

export interface CallContext {
  transport: SipTransport;
  clock: Clock;
  log: Logger;
  /** User-Agent / Server header value. */
  userAgent: string;
  /** Our AOR for From (sip:user@domain); absent in direct-IP mode (then sip:<contactUser>@<our address>). */
  fromUri?: string;
  displayName?: string;
  /** User part of our Contact. */
  contactUser: string;
  /** Digest credentials for 401/407 to INVITE; absent in direct-IP mode. */
  credentials?: DigestCredentials;
  /** Which challenges may have them (issue 9); absent: only the From domain's realm, and no hop counts as the account's. */
  authPolicy?: AuthPolicy;
  /** True when `to` (resolved) is the account's registrar or outbound proxy: only their challenges are answered. */
  isAccountHop?(to: Destination): Promise<boolean>;
  /** Give up on an unanswered outgoing call after this long (CANCEL, reason "no answer"). */
  ringTimeoutMs: number;
  /** Silence on a connected call: when to warn and when to hang up (issue 10). Absent: the defaults (5 s, 30 s). */
  mediaWatch?: MediaWatchTimes;
  /** `incoming`: for an INVITE that rings here (the embedder may play a ringtone on it). */
  createMedia(hint?: { incoming?: boolean }): MediaSession;
  /** The dialog table of the user agent: in-dialog requests are routed by dialog id. */
  addDialog(id: string, call: CallSession): void;
  removeDialog(id: string): void;
  /** Something the user should know that is not an end reason (a BYE the server refused). */
  warn?(message: string): void;
  /** Called once when a call reaches 'ended'. */
  onCallEnded(call: CallSession): void;
  /**
   * The address for our Contact in a dialog whose requests come via `remote` (our local address
   * towards it is `local`): behind a NAT, the registered public Contact on the registrar's flow.
   * Absent: `local`.
   */
  contactFor?(local: Destination, remote: Destination): Destination;
  /** The account's outbound proxy as a route (sip:proxy;lr), when it sends via one: see Dialog.outboundRoute. */
  outboundProxy?: string;
  /** Session timer values (RFC 4028); absent: DEFAULT_SESSION_TIMER (1800 s asked, Min-SE 90 s). */
  sessionTimer?: SessionTimerConfig;
  /** SRTP with SDES keys for our calls (srtp-policy.ts); absent: off. A refused policy fails every call. */
  srtp?: CallSrtp;
  /** Issue 13: the codecs our SDP offers/accepts, in order of preference; absent: all (PCMU, PCMA). */
  codecs?: CodecName[];
  /** Issue 13: offer/accept RFC 3389 comfort noise and suppress silence, read when a call starts; absent: off. */
  comfortNoise?: () => boolean;
  /** A typed number, user or URI as a SIP URI (dial plan and domain applied): for a blind transfer's target. */
  resolveTarget?(target: string): { uri: string } | { error: string };
  /**
   * Places the call a peer's REFER asks for (RFC 3515); absent when transfers are not accepted (the
   * REFER gets 403). `call` is the call the REFER came in.
   */
  onRefer?(call: CallSession, target: ReferTarget, referredBy: string | undefined): Call;
  /**
   * Issue 11, policy 'ask': asks the user before onRefer is acted on (null: too many questions waiting).
   * Absent: onRefer acts at once.
   */
  askTransfer?(call: CallSession, target: ReferTarget, referredBy: string | undefined): PendingAsk | null;
  /** How our keys go out (issue 11); absent: RFC 4733 events. */
  dtmfMode?: DtmfMode;
}
