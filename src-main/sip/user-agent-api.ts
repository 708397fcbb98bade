// What the rest of the app (CLI, IPC, web UI) sees of the SIP user agent: X-Lite's account fields,
// registration states, and calls. Implemented by user-agent.node.ts; pure types only here.

import type { MediaSession, RtpStats } from '../rtp/media-session';

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
}

export type RegistrationState =
  | { state: 'unregistered' }
  | { state: 'registering' }
  | { state: 'registered'; expires: number; contact: string }
  /** reason: e.g. "403 Forbidden", "timeout: no answer from 10.0.0.1:5060". */
  | { state: 'failed'; reason: string; status?: number };

export interface UserAgentConfig {
  /** Absent: direct-IP mode, no registration, calls only to sip:user@host[:port]. */
  account?: AccountSettings;
  /** Local address to bind SIP to; default 0.0.0.0. */
  bindAddress?: string;
  /** Local SIP UDP port; 0 = any free port. */
  port: number;
  /** Sent in User-Agent / Server headers. */
  userAgentName?: string;
  /** Makes the media for each call (the caller decides the audio device). */
  createMedia: () => MediaSession;
  /** An outgoing call with no final answer after this long is cancelled (reason "no answer"). Default 60. */
  ringTimeoutSeconds?: number;
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

export interface CallEvents {
  state: CallState;
  ended: CallEndInfo;
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
  on<K extends keyof CallEvents>(event: K, listener: (payload: CallEvents[K]) => void): () => void;
}

export interface UserAgentEvents {
  registration: RegistrationState;
  incoming: Call;
  trace: SipTraceEntry;
  /** Problems that are not a call's or registration's (bad datagram, socket error). */
  warning: { message: string };
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
  /** Hangs up every call, un-registers, closes the socket. */
  shutdown(): Promise<void>;
  on<K extends keyof UserAgentEvents>(event: K, listener: (payload: UserAgentEvents[K]) => void): () => void;
}
