// What the rest of the app (CLI, IPC, web UI) sees of the SIP user agent: X-Lite's account fields,
// registration states, and calls. Implemented by user-agent.node.ts; pure types only here.

import type { CodecName, MediaSession, RtpStats } from '../rtp/media-session';
import type { SubscriptionUpdate } from './subscription';
import type { PublicationUpdate } from './publication';
import type { OwnPresence } from './pidf-document';
import type { MessageSendResult, ReceivedMessage } from './pager';
import type { RejectedInvite } from './incoming-filter';
import type { SrtpConfig, SrtpMode } from './srtp-policy';
import type { TransferAsk, TransferAskEnd } from './transfer-asks';

export type { TransferAsk, TransferAskEnd } from './transfer-asks';

/**
 * What to do with the other side's transfer requests (issue 11): refuse them (REFER 403, Replaces
 * ignored), ask the user (the 'transferAsk' event, answered by answerTransfer), or act on them.
 */
export type TransferPolicy = 'never' | 'ask' | 'always';

/**
 * How keys go to the peer (issue 11): RFC 4733 events in the RTP (default), SIP INFO with an
 * application/dtmf-relay body (what some PBXs want), or tone pairs in the audio itself (in-band).
 */
export type DtmfMode = 'rfc4733' | 'info' | 'inband';
export const DTMF_MODES: readonly DtmfMode[] = ['rfc4733', 'info', 'inband'];

/** Do-not-disturb: incoming calls are answered at once with 486 Busy Here or 480 Temporarily Unavailable. */
export type DndStatus = 486 | 480;

/** X-Lite's "SIP Account" dialog, field for field. */
export interface AccountSettings {
  /** "Account name" (a label only). */
  accountName: string;
  /** "User ID": the user part of our AOR, sip:userId@domain. */
  userId: string;
  /** "Domain": the registrar / SIP domain, host[:port]. */
  domain: string;
  password: string;
  /** "Display name" put in From. */
  displayName: string;
  /** "Authorization name": digest username if it differs from User ID. */
  authorizationName: string;
  /** "Register with domain and receive calls". */
  registerWithDomain: boolean;
  /** "Send outbound via": the domain itself, or a proxy at proxyAddress. */
  sendOutboundVia: 'domain' | 'proxy';
  /** "Proxy Address": host[:port], used when sendOutboundVia is 'proxy'. */
  proxyAddress: string;
  /** X-Lite dial plan, e.g. "#1\a\a.T;match=1;prestrip=2;". Empty = dial as typed. */
  dialPlan: string;
  /** Requested registration lifetime in seconds (RFC 3261 §10.2.1). */
  registerExpires: number;
  /** Digest realms besides the domain that may have the password (issue 9). */
  authRealms?: string[];
  /** Refuse MD5 digest challenges without qop (RFC 2069 mode). Default false. */
  refuseMd5WithoutQop?: boolean;
  /**
   * While registered, ring for INVITEs that do not come from the registrar / outbound proxy or are not
   * for our user (direct IP calls). Default false: they get a quiet 403 (issue 9, ghost calls).
   */
  allowDirectCalls?: boolean;
  /**
   * Session timer (RFC 4028): the interval our INVITEs ask for and the most we grant as callee. Absent:
   * 1800 s; 0: we ask for none (a caller's request is still honoured). Otherwise at least 90 (§4 Min-SE).
   */
  sessionExpires?: number;
  /**
   * "Transport": how SIP travels (RFC 3261 §18): UDP (absent), TCP or TLS. URIs that name a transport
   * (;transport=, sips:) keep theirs.
   */
  transport?: 'udp' | 'tcp' | 'tls';
  /** A private CA (PEM file) trusted for TLS besides the system's; absent = system CAs only. */
  caFile?: string;
  /** SRTP with SDES keys (RFC 4568): off (default), optional or mandatory; overrides UserAgentConfig.srtp. */
  srtp?: SrtpMode;
  /** Put SRTP keys into SDP although the signalling is not TLS (anyone who sees the SIP can decrypt). */
  srtpOverUdp?: boolean;
  /** Issue 13: audio codecs offered and accepted, in order of preference; overrides UserAgentConfig.codecs. */
  codecs?: CodecName[];
  /**
   * Issue 11: the peer's REFER and INVITEs with Replaces: a TransferPolicy, or the older boolean (true =
   * 'always'). Default never. UserAgentConfig.acceptTransfer (CLI --accept-transfer) overrides it.
   */
  acceptTransfer?: boolean | TransferPolicy;
  /** How keys are sent (issue 11); absent = RFC 4733. Overrides UserAgentConfig.dtmfMode. */
  dtmfMode?: DtmfMode;
}

export type RegistrationState =
  | { state: 'unregistered' }
  | { state: 'registering' }
  | {
      state: 'registered';
      expires: number;
      contact: string;
      /**
       * Where the registrar sees us (received/rport of our Via, RFC 3581), when it said. Differs from
       * our local address behind a NAT; then `contact` carries it.
       */
      publicAddress?: { address: string; port: number };
    }
  /**
   * reason: e.g. "403 Forbidden", "timeout: no answer from 10.0.0.1:5060", "503 Service Unavailable,
   * retry after 30 s". retryInSeconds: when the registerer tries again by itself (absent: it does not).
   * retryAfterSeconds: the server's Retry-After (RFC 3261 §20.33), when it gave one.
   */
  | { state: 'failed'; reason: string; status?: number; retryInSeconds?: number; retryAfterSeconds?: number };

export interface UserAgentConfig {
  /** Absent: direct-IP mode, no registration, calls only to sip:user@host[:port]. */
  account?: AccountSettings;
  /** Local address to bind SIP to; default 0.0.0.0. */
  bindAddress?: string;
  /** Local SIP UDP port; 0 = any free port. */
  port: number;
  /**
   * DNS servers for finding the account's servers (RFC 3263 NAPTR/SRV/A), "IP" or "IP:PORT"; default
   * the system's. Given servers answer address lookups too (no /etc/hosts then).
   */
  dnsServers?: string[];
  /**
   * RFC 3261 §17.1.1.1 T1 in ms for the transaction layer (default 500): larger for links with a long
   * round trip; smaller only on a closed network (tests use it so a silent server costs 64*T1 = 3 s).
   */
  sipT1Ms?: number;
  /** Direct-IP mode's transport (--transport); with an account, the account's `transport` wins. */
  transport?: 'udp' | 'tcp' | 'tls';
  /** Direct-IP mode's private CA (--ca-file); with an account, the account's `caFile` wins. */
  caFile?: string;
  /** Sent in User-Agent / Server headers. */
  userAgentName?: string;
  /** Makes the media for each call (the caller decides the audio device). */
  createMedia: (hint?: { incoming?: boolean }) => MediaSession;
  /** An outgoing call with no final answer after this long is cancelled (reason "no answer"). Default 60. */
  ringTimeoutSeconds?: number;
  /**
   * Keeps the NAT binding of the registration alive while registered (Topology tab). 'options' (the
   * default) sends OPTIONS to the registrar / outbound proxy: no answer means the binding is lost and
   * we REGISTER again at once; a changed received/rport means a new binding, registered too.
   * 'crlf' sends a CRLF-only datagram as X-Lite and MicroSIP do: it refreshes the binding but gets no
   * answer, so it cannot detect a lost one. Default interval 25 s.
   * holdSeconds (unless 'off'): a CRLF datagram whenever nothing went to the registrar for that long, so a
   * NAT that drops idle UDP bindings after 10 s still lets calls in (keep-alive.ts); default 8, 0 = none.
   */
  keepAlive?: { method: KeepAliveMethod; intervalSeconds?: number; holdSeconds?: number };
  /**
   * Minutes registered behind a NAT with no request at all from outside (no OPTIONS, INVITE, NOTIFY)
   * before the "server's requests cannot reach this PC" warning. Default 5; 0 turns it off.
   */
  unreachableWarningMinutes?: number;
  /**
   * Session timers (RFC 4028): the Session-Expires our INVITEs ask for (default 1800 s) and our Min-SE
   * (default 90 s, the RFC's floor; smaller only so tests need not wait minutes).
   */
  sessionTimer?: { expiresSeconds?: number; minSeconds?: number };
  /**
   * Seconds a connected call may receive no RTP and no RTCP before the 'media-warning' call event
   * (issue 10). Default 5 (or half the no-RTP timeout, if that is shorter); 0 turns it off.
   */
  mediaWarningSeconds?: number;
  /** Seconds without RTP/RTCP after which a connected call is ended with a BYE ("no RTP for 30 s"). Default 30; 0 = never. */
  noRtpTimeoutSeconds?: number;
  /** SRTP for calls without an account (direct IP) or whose account does not say; default off. */
  srtp?: SrtpConfig;
  /** Audio codecs in order of preference (CLI --codecs); absent = every codec we have (PCMU, PCMA). */
  codecs?: CodecName[];
  /**
   * RFC 3389 comfort noise (CLI --comfort-noise, the app's audio preference): offer CN/8000 and, when the
   * peer accepts it, send CN packets instead of silence. A function is read at each call. Default off.
   */
  comfortNoise?: boolean | (() => boolean);
  /**
   * Act on the peer's REFER in a connected call (RFC 3515: place the call it asks for and report it in
   * NOTIFYs) and on an INVITE with Replaces (RFC 3891: take over the call it names). Default false: a
   * REFER gets 403, and Replaces is ignored (the INVITE rings as a new call).
   */
  acceptTransfer?: boolean;
  /**
   * Issue 11: 'ask' asks the user about each transfer request (CLI --ask-transfer) when neither
   * acceptTransfer nor the account says otherwise.
   */
  transferPolicy?: TransferPolicy;
  /** How keys are sent when the account does not say (direct IP, CLI --dtmf-mode); default RFC 4733. */
  dtmfMode?: DtmfMode;
  /**
   * Do-not-disturb, asked at each new INVITE (the user may switch it any time): a status answers the
   * call at once, before it rings or takes a media port; undefined lets it ring.
   */
  doNotDisturb?: () => DndStatus | undefined;
}

export type KeepAliveMethod = 'options' | 'crlf' | 'off';

/** Where the registrar sees us, as learned from received/rport (RFC 3581). */
export interface PublicAddressInfo {
  address: string;
  port: number;
  /** Our own address and port on that flow. */
  local: { address: string; port: number };
  /** True when the two differ: a NAT is between us and the server. */
  behindNat: boolean;
}

export type CallState =
  /** Outgoing: INVITE sent, nothing heard yet (or 100 Trying). */
  | 'calling'
  /** Outgoing: 180/183 received. Incoming: we are ringing (180 sent). */
  | 'ringing'
  | 'connected'
  | 'ended';

export interface CallEndInfo {
  /** Human-readable: "hung up by remote", "486 Busy Here", "cancelled", "timeout: no answer from …". */
  reason: string;
  /** Final SIP status when a response ended the call. */
  status?: number;
  /** Who ended it. */
  by: 'local' | 'remote' | 'error';
  stats?: RtpStats;
  /** Seconds from connect to end (0 if never connected). */
  durationSeconds: number;
}

/** One SIP message as it crossed the wire: the source for the call-flow ladder. */
export interface SipTraceEntry {
  direction: 'in' | 'out';
  /** ms since epoch */
  time: number;
  remote: string;
  callId: string;
  /** "INVITE", "200 OK", … */
  summary: string;
  raw: string;
}

/** A connected call hears nothing from the other side (no RTP, no RTCP), outside hold (issue 10). */
export interface MediaWarning {
  /** Plain words with the likely cause, e.g. "no audio from the other side for 5 s: the peer's media may be blocked by a firewall or NAT". */
  reason: string;
  /** How long it has been silent when the warning was raised. */
  silentSeconds: number;
  /** 'never': nothing arrived since the call connected; 'stopped': the audio stopped mid-call. */
  kind: 'never' | 'stopped';
  /** How the media travels: plain RTP, an ICE pair, or a TURN relay (the wording differs). */
  path: 'direct' | 'ice' | 'relay';
}

/** The warning is over: packets arrive again ('media'), or the call went on hold ('hold'). */
export interface MediaRestored {
  silentSeconds: number;
  cause: 'media' | 'hold';
}

/**
 * How a transfer we asked for goes (RFC 3515): requested (REFER sent), accepted (202), trying / ringing
 * (the NOTIFYs' sipfrag 100 / 18x), then succeeded (sipfrag 2xx: we hang up) or failed.
 */
export interface TransferProgress {
  status: 'requested' | 'accepted' | 'trying' | 'ringing' | 'succeeded' | 'failed';
  /** The REFER's status (accepted, a refused REFER) or the sipfrag's. */
  code?: number;
  reason: string;
}

export interface CallEvents {
  state: CallState;
  ended: CallEndInfo;
  'media-warning': MediaWarning;
  'media-restored': MediaRestored;
  /** Hold changed (issue 11): `local` = we hold the call, `remote` = the other side does. */
  hold: { local: boolean; remote: boolean };
  /** Progress of our transfer of this call (REFER, NOTIFY sipfrag), issue 11. */
  transfer: TransferProgress;
  /** The peer pressed a key: an RFC 4733 event in its RTP, or a SIP INFO (dtmf-relay, dtmf). */
  dtmf: { digit: string; via: 'rfc4733' | 'info' };
}

export interface Call {
  readonly id: string;
  readonly direction: 'outgoing' | 'incoming';
  readonly remoteUri: string;
  readonly remoteDisplayName: string;
  readonly state: CallState;
  /** Incoming only: 200 OK with our SDP answer. */
  answer(): Promise<void>;
  /** Incoming only: 486 Busy Here (default) or 603 Decline. */
  reject(status?: 486 | 603): void;
  /** CANCEL while ringing out, BYE when connected, 603 when ringing in. Resolves when ended. */
  hangup(): Promise<CallEndInfo>;
  sendDtmf(digits: string): void;
  setMuted(muted: boolean): void;
  /**
   * Puts a connected call on hold (re-INVITE with a=sendonly, RFC 3264 §8.4) or takes it off; audio
   * stops both ways while held. False when the call is not connected. The 'hold' event follows.
   */
  hold(on: boolean): boolean;
  /**
   * Transfers a connected call (RFC 3515 REFER): blind to a number, user or URI, or attended to the
   * party of `replaces` (another connected call, RFC 3891 Replaces). The 'transfer' event follows; on a
   * 2xx sipfrag the call is hung up. A reason when it cannot be asked now.
   */
  transfer(target: string, replaces?: Call): { ok: true } | { ok: false; reason: string };
  /** Mixes this call's audio with `other`'s (three-way conference), or stops mixing (null). */
  conference(other: Call | null): boolean;
  /**
   * Records the call from now on to a stereo WAV (left = what we send, right = what we hear), or stops
   * with null (issue 11). Rejects when there is no media to record or the file cannot be written.
   */
  record?(path: string | null): Promise<void>;
  on<K extends keyof CallEvents>(event: K, listener: (payload: CallEvents[K]) => void): () => void;
}

export interface UserAgentEvents {
  registration: RegistrationState;
  incoming: Call;
  trace: SipTraceEntry;
  /**
   * Problems that are not a call's or registration's (bad datagram, socket error). `code` marks the
   * ones a UI may single out: 'nat-unreachable' = registered, but the server's requests do not reach us.
   */
  warning: { message: string; code?: 'nat-unreachable' };
  /** The registrar reported (another) address for us: shown in the UI / CLI next to the registration. */
  publicAddress: PublicAddressInfo;
  /** An INVITE refused before it could ring (issue 9: not via the registrar / proxy, or not for our user). */
  rejected: RejectedInvite;
  /** A page-mode instant message (RFC 3428) that passed the same filter as calls. */
  message: ReceivedMessage;
  /** An INVITE answered by do-not-disturb (486/480) without ringing. */
  dnd: { from: string; displayName: string; status: DndStatus };
  /** A call we placed because the peer of `referredBy` asked us to (an accepted REFER, RFC 3515). */
  transferCall: { call: Call; referredBy: string };
  /** An INVITE with Replaces (RFC 3891) took over the call `replacedCallId`: answered at once, the old one ended. */
  replaced: { call: Call; replacedCallId: string };
  /** Issue 11: a subscription's state or a NOTIFY's body (RFC 6665), or an unsolicited message-summary. */
  subscription: SubscriptionUpdate;
  /** Issue 11: our own presence publication (RFC 3903): published, removed, or refused. */
  publication: PublicationUpdate;
  /**
   * Issue 11, policy 'ask': the other side asks to transfer us; answer with answerTransfer() within 30 s.
   * For Replaces `call` is the new, ringing call (not announced as 'incoming'); for REFER the REFER's call.
   */
  transferAsk: { ask: TransferAsk; call: Call };
  /** The request was answered, timed out (declined) or dropped with its call. */
  transferAskEnded: TransferAskEnd;
}

/** The event packages we subscribe to (RFC 3842 message-summary, RFC 3856 presence, RFC 4235 dialog). */
export type EventPackage = 'message-summary' | 'presence' | 'dialog';

export interface SubscribeRequest {
  /** A number, user or URI, resolved as call() resolves it. */
  target: string;
  event: EventPackage;
  /** Requested Expires (s); default 3600. */
  expires?: number;
}

export interface UserAgent {
  /** Binds the SIP socket; resolves with the bound address and port. */
  start(): Promise<{ address: string; port: number }>;
  readonly registration: RegistrationState;
  /** REGISTER now (and keep refreshing before expiry). Resolves on 'registered' or 'failed'. */
  register(): Promise<RegistrationState>;
  /** REGISTER with Expires: 0 (RFC 3261 §10.2.2). */
  unregister(): Promise<void>;
  /** Dials a number, user or URI (dial plan and domain applied). */
  call(target: string): Call;
  /** Sends a page-mode instant message (RFC 3428 MESSAGE) to a number, user or URI, as call() dials. */
  sendMessage(target: string, text: string): Promise<MessageSendResult>;
  /** Issue 11: starts a subscription (RFC 6665); its id, or an error (bad target, too many). */
  subscribe?(request: SubscribeRequest): { id: string } | { error: string };
  /** Ends one with SUBSCRIBE Expires: 0. */
  unsubscribe?(id: string): Promise<void>;
  /** Issue 11: publishes our presence (RFC 3903 PUBLISH, PIDF) and keeps it fresh; needs an account. */
  publishPresence?(presence: OwnPresence, expires?: number): { ok: true } | { error: string };
  /** Issue 11: the user's answer to a 'transferAsk'; false when it is no longer waiting. */
  answerTransfer?(id: string, accept: boolean): boolean;
  /** Hangs up every call, ends subscriptions, un-registers, closes the socket. */
  shutdown(): Promise<void>;
  on<K extends keyof UserAgentEvents>(event: K, listener: (payload: UserAgentEvents[K]) => void): () => void;
}
