// The one typed API between the UI and the core: every request channel with its payload schema and
// response type, and every event. Used by Electron's ipcMain/preload and by the 127.0.0.1 WebSocket
// server alike; the renderer imports it with `import type` only. Payloads are validated (zod) on the
// core side before any handler runs (ARCHITECTURE.md convention 5).
import { z } from 'zod';
import type { AudioDeviceInfo } from '../audio/audio-config';
import { MAX_RING_DEVICE_NAME } from '../audio/ring-device';
import type { MappingBehavior } from '../nat/nat-behavior';
import type { CallEndInfo, CallState, MediaWarning, PublicAddressInfo, RegistrationState, SipTraceEntry, TransferProgress } from '../sip/user-agent-api';
import type { RejectedInvite } from '../sip/incoming-filter';
import { CONTACT_FORMATS, contactInputSchema, type Contact } from '../contacts/contact-schema';
import type { ChatMessage, Conversation, ConversationSummary } from '../messages/chat-log';

export type { Contact, ContactInput, ContactNumber, NumberType } from '../contacts/contact-schema';
export type { ChatMessage, ChatStatus, Conversation, ConversationSummary } from '../messages/chat-log';

const hostPort = z
  .string()
  .max(255)
  .regex(/^[^\s/@]*$/, 'no spaces, slashes or @ in a host');

export const accountSchema = z.object({
  accountName: z.string().max(100),
  userId: z.string().max(100).regex(/^[^\s@:]*$/, 'no spaces, @ or : in a user ID'),
  domain: hostPort,
  /** Write-only: absent or empty on save keeps the stored password. */
  password: z.string().max(256).optional(),
  displayName: z.string().max(100),
  authorizationName: z.string().max(100).regex(/^[^\s]*$/, 'no spaces in an authorization name'),
  registerWithDomain: z.boolean(),
  sendOutboundVia: z.enum(['domain', 'proxy']),
  proxyAddress: hostPort,
  dialPlan: z.string().max(500),
  registerExpires: z.number().int().min(60).max(86400),
  // Issue 9; optional so that forms and files from before it stay valid (absent = [] / false).
  /** Digest realms besides the domain that may have the password (issue 9), for servers whose realm differs. */
  authRealms: z.array(z.string().min(1).max(255).regex(/^[^\s"\\]*$/, 'no spaces, quotes or backslashes in a realm')).max(10).optional(),
  /** Refuse MD5 digest challenges without qop (RFC 2069 mode, offline-crackable). */
  refuseMd5WithoutQop: z.boolean().optional(),
  /** While registered, also ring for INVITEs that do not come through the registrar / outbound proxy. */
  allowDirectCalls: z.boolean().optional(),
  /**
   * Issue 11: the other side's transfer requests (REFER, INVITE with Replaces): never acted on, asked
   * in the UI, or always acted on; absent = never. A boolean is the older setting (true = always).
   */
  acceptTransfer: z.union([z.enum(['never', 'ask', 'always']), z.boolean()]).optional(),
  /** Session timer interval (RFC 4028): 0 = ask for none, else 90-86400 s (§4: Min-SE is at least 90). */
  sessionExpires: z
    .number()
    .int()
    .min(0)
    .max(86400)
    .refine((n) => n === 0 || n >= 90, '0 (off) or at least 90 seconds')
    .optional(),
  /** "Transport" (RFC 3261 §18): absent = UDP. */
  transport: z.enum(['udp', 'tcp', 'tls']).optional(),
  /** A private CA (PEM file path) trusted for TLS besides the system CAs; '' or absent = none. */
  caFile: z
    .string()
    .max(1024)
    .refine((s) => !hasControlCharacter(s), 'no control characters in a file path')
    .optional(),
  // Issue 10: SRTP with SDES keys; absent = off (files from before it stay valid).
  /** off, optional (SRTP when the peer does it) or mandatory (no call without SRTP). */
  srtp: z.enum(['off', 'optional', 'mandatory']).optional(),
  /** Allow the SDES keys in SDP over SIP on UDP (readable by anyone who sees the SIP). */
  srtpOverUdp: z.boolean().optional(),
  /** Issue 13: audio codecs offered and accepted, in order of preference; absent = all (PCMU, PCMA). */
  codecs: z
    .array(z.enum(['PCMU', 'PCMA', 'G722', 'OPUS']))
    .min(1)
    .max(8)
    .refine((list) => new Set(list).size === list.length, 'each codec once')
    .optional(),
  // Issue 11: the Voicemail tab; absent = no number, no subscription.
  /** What the Voicemail button dials (a number, user or sip: URI), e.g. *97. */
  voicemailNumber: z.string().max(100).regex(/^[^\s<>"]*$/, 'no spaces, quotes or angle brackets').optional(),
  /** Subscribe to message-waiting (RFC 3842) while registered. */
  mwiSubscribe: z.boolean().optional(),
  /** The mailbox to subscribe to; '' or absent = our own address of record. */
  mailboxUri: z.string().max(300).regex(/^$|^sips?:[^\s<>"]+$/i, 'a SIP address (sip:…) or empty').optional(),
  /** Issue 11: how keys are sent (RFC 4733 events, SIP INFO dtmf-relay, in-band tones); absent = rfc4733. */
  dtmfMode: z.enum(['rfc4733', 'info', 'inband']).optional(),
});
export type AccountForm = z.infer<typeof accountSchema>;

/** Issue 11: an account's id (settings.json, the IPC); it also names the account's password slot. */
export const accountIdSchema = z.string().regex(/^[a-z0-9-]{1,40}$/, 'an account id is 1-40 of a-z 0-9 -');

/** Issue 11: `accounts.save`: the form plus which account (absent = a new one) and whether it runs. */
export const accountEntryFormSchema = accountSchema.extend({
  id: accountIdSchema.optional(),
  enabled: z.boolean().optional(),
});
export type AccountEntryForm = z.infer<typeof accountEntryFormSchema>;

/** A STUN/TURN server as typed in the Topology tab: '' (none) or host[:port]; the syntax is checked in full by the core. */
const serverText = z
  .string()
  .max(255)
  .regex(/^[^\s/@]*$/, 'no spaces, slashes or @ in a server address');

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Text without control characters (it goes into STUN USERNAME / MESSAGE-INTEGRITY, RFC 8489 §14.3, §14.5). */
const printable = (max: number) =>
  z
    .string()
    .max(max)
    .refine((text) => !hasControlCharacter(text), 'no control characters');

export const preferencesSchema = z.object({
  language: z.enum(['system', 'en', 'ko']),
  inputDevice: z.number().int().nullable(),
  outputDevice: z.number().int().nullable(),
  // Issue 13: echo cancellation and noise suppression on the microphone (speexdsp in native/).
  echoCancellation: z.boolean(),
  // Issue 13, optional so older files and UIs stay valid (absent = off): RFC 3389 comfort noise offered,
  // and silence sent as comfort-noise packets when the peer accepts it.
  comfortNoise: z.boolean().optional(),
  // Transport tab.
  sipPort: z.number().int().min(0).max(65535),
  rtpPortMin: z.number().int().min(1024).max(65534),
  rtpPortMax: z.number().int().min(1025).max(65535),
  // Topology tab (issue 4): STUN/TURN/ICE for media, keep-alives for the registration's NAT binding.
  stunServer: serverText,
  turnServer: serverText,
  turnUser: printable(256),
  iceEnabled: z.boolean(),
  keepAliveMethod: z.enum(['options', 'crlf', 'off']),
  keepAliveSeconds: z.number().int().min(10, 'between 10 and 300 seconds').max(300, 'between 10 and 300 seconds'),
  // Issue 11, optional so older files and UIs stay valid (absent = off).
  /** Do-not-disturb: incoming calls answered at once with 486 Busy Here or 480 Temporarily Unavailable. */
  doNotDisturb: z.enum(['off', '486', '480']).optional(),
  /** Answer incoming calls by themselves, after autoAnswerDelaySeconds of ringing. */
  autoAnswer: z.boolean().optional(),
  autoAnswerDelaySeconds: z.number().int().min(0, 'between 0 and 60 seconds').max(60, 'between 0 and 60 seconds').optional(),
  /** Microphone and speaker volume in percent (100 = unchanged, 0-400), applied in the media path. */
  micVolume: z.number().int().min(0).max(400).optional(),
  speakerVolume: z.number().int().min(0).max(400).optional(),
  /** Issue 11, part 6: our own presence as last chosen (published while registered); absent = not published. */
  ownPresence: z.enum(['available', 'away', 'busy', 'offline']).optional(),
  /** Issue 11: the ringtone: a built-in one, or 'file' (ringtoneFile, a WAV); absent = classic. */
  ringtone: z.enum(['classic', 'long', 'trill', 'chime', 'file']).optional(),
  ringtoneFile: z
    .string()
    .max(1024)
    .refine((s) => !hasControlCharacter(s), 'no control characters in a file path')
    .optional(),
  /**
   * Issue 11: "Ring on": the output device incoming calls and Preview ring on, by its name (as in
   * audio.devices; a name survives the re-numbering when devices come and go). Absent or '' = the speaker.
   * Optional so older files and UIs stay valid. A device that is missing rings on the speaker, with a warning.
   */
  ringDevice: z
    .string()
    .max(MAX_RING_DEVICE_NAME)
    .refine((s) => !hasControlCharacter(s), 'no control characters in a device name')
    .optional(),
});
/** Preferences as stored and as the UI reads them (the TURN password is never among them). */
export type Preferences = z.infer<typeof preferencesSchema>;

/** What the UI saves: the preferences plus the write-only TURN password (absent or empty keeps the stored one). */
export const preferencesFormSchema = preferencesSchema.extend({
  turnPassword: printable(256).optional(),
});
export type PreferencesForm = z.infer<typeof preferencesFormSchema>;

/** Preferences as the UI sees them: whether a TURN password is stored, never the password. */
export type PreferencesView = Preferences & { hasTurnPassword: boolean };

const callId = z.string().min(1).max(200);
/** A conversation's peer: its address (any form message.send took; the core normalizes it). */
const peer = z.string().min(1).max(300);

/** Request channels: name -> payload schema. */
export const requestSchemas = {
  'app.snapshot': z.object({}),
  'account.get': z.object({}),
  'account.save': accountSchema,
  'registration.register': z.object({}),
  'registration.unregister': z.object({}),
  /** Issue 11: `accountId` picks the account the call goes out on; absent = the default account. */
  'call.dial': z.object({ target: z.string().min(1).max(500), accountId: accountIdSchema.optional() }),
  'call.answer': z.object({ callId }),
  'call.reject': z.object({ callId, status: z.union([z.literal(486), z.literal(603)]).optional() }),
  'call.hangup': z.object({ callId }),
  'call.dtmf': z.object({ callId, digits: z.string().regex(/^[0-9*#A-D]{1,32}$/, 'DTMF digits are 0-9 * # A-D') }),
  'call.mute': z.object({ callId, muted: z.boolean() }),
  'call.hold': z.object({ callId, hold: z.boolean() }),
  /**
   * Issue 11: transfer a connected call by REFER (RFC 3515), blind to `target` (a number, user or URI),
   * or attended to the party of the connected call `replacesCallId` (Replaces, RFC 3891).
   */
  'call.transfer': z.union([
    z.object({ callId, target: z.string().min(1).max(500) }).strict(),
    z.object({ callId, replacesCallId: callId }).strict(),
  ]),
  /** Issue 11: a three-way conference of two connected calls, mixed here; each party hears both others. */
  'call.conference': z.object({ callIds: z.array(callId).length(2) }),
  /**
   * Issue 11: the user's answer to a 'call.transferRequest' (the account asks before acting on a transfer):
   * accept acts on it; decline (as no answer within 30 s) sends NOTIFY sipfrag 603 or a 603 to the INVITE.
   */
  'call.transferReply': z.object({ requestId: z.string().min(1).max(100), accept: z.boolean() }).strict(),
  /** Issue 11: record the call from now on to a stereo WAV (left = sent, right = heard), or stop. */
  'call.record': z.object({ callId, on: z.boolean() }),
  /** A page-mode instant message (RFC 3428) to a number, user or URI, dialled as call.dial does. */
  /**
   * Issue 11: `accountId` picks the account it goes out from (its From, credentials, proxy); absent = the
   * account the conversation came in on, else the default one.
   */
  'message.send': z.object({ to: z.string().min(1).max(500), text: z.string().min(1).max(4000), accountId: accountIdSchema.optional() }),
  // Issue 11, part 6: the chat history (messages.json beside settings.json).
  /** Conversations, newest first, without their messages. */
  'messages.list': z.object({}),
  /** One conversation with its messages (at most 200, oldest first). */
  'messages.get': z.object({ peer }),
  /** The user has read the conversation: its unread count goes to 0. */
  'messages.markRead': z.object({ peer }),
  'messages.delete': z.object({ peer }),
  /** Issue 11, part 6: our own presence (PUBLISH, RFC 3903): Available, Away, Busy or Appear offline. */
  'presence.set': z.object({ status: z.enum(['available', 'away', 'busy', 'offline']) }),
  'history.list': z.object({}),
  'history.clear': z.object({}),
  /** Issue 11: one entry out of the call history (its id); unknown ids are not an error. */
  'history.delete': z.object({ id: z.string().min(1).max(200) }),
  'audio.devices': z.object({}),
  /** Issue 11: rings the given ringtone a few seconds through the chosen speaker (not saved). */
  'audio.ringtonePreview': z.object({ ringtone: z.enum(['classic', 'long', 'trill', 'chime', 'file']), ringtoneFile: z.string().max(1024).optional() }),
  'preferences.get': z.object({}),
  'preferences.save': preferencesFormSchema,
  'flow.get': z.object({ callId: callId.optional() }),
  /** Runs a STUN check now (Network view "Test NAT"). */
  'network.check': z.object({}),
  // Issue 11: the address book (contacts.json beside settings.json).
  'contacts.list': z.object({}),
  /** Without an id: a new contact; with one: replaces it. */
  'contacts.save': contactInputSchema,
  'contacts.delete': z.object({ id: z.string().min(1).max(100) }),
  /** A vCard (3.0/4.0) or CSV file's text; under the WebSocket's 1 MB message limit. */
  'contacts.import': z.object({ format: z.enum(CONTACT_FORMATS), text: z.string().max(900_000) }),
  'contacts.export': z.object({ format: z.enum(CONTACT_FORMATS), version: z.enum(['3.0', '4.0']).optional() }),
  // Issue 11: several accounts. `account.get`/`account.save` keep meaning the default account.
  'accounts.list': z.object({}),
  /** Without an id: a new account (the default one when there is none yet); with one: replaces it. */
  'accounts.save': accountEntryFormSchema,
  'accounts.delete': z.object({ id: accountIdSchema }),
  /** The account outgoing calls use when none is chosen. */
  'accounts.setDefault': z.object({ id: accountIdSchema }),
  /** Runs (registers, takes calls) or stops the account's user agent; kept in settings.json. */
  'accounts.enable': z.object({ id: accountIdSchema, enabled: z.boolean() }),
} as const;

export type RequestChannel = keyof typeof requestSchemas;
export type RequestPayload<C extends RequestChannel> = z.infer<(typeof requestSchemas)[C]>;

export interface CallSnapshot {
  id: string;
  direction: 'outgoing' | 'incoming';
  remoteUri: string;
  remoteDisplayName: string;
  state: CallState;
  muted: boolean;
  /** ms since epoch */
  startedAt: number;
  connectedAt: number | null;
  end: CallEndInfo | null;
  /** Issue 10: nothing heard from the other side (the call card's banner); absent or null = none now. */
  mediaWarning?: MediaWarning | null;
  /** Issue 11: on hold by us (`local`) or by the other side (`remote`); absent = neither. */
  hold?: { local: boolean; remote: boolean };
  /** Issue 11: the WAV this call is being recorded to; absent or null = not recording. */
  recording?: string | null;
  /** Issue 11: the keys the other side pressed in this call (RFC 4733 or SIP INFO), the last 32. */
  dtmfReceived?: string;
  /** Issue 13: ITU-T G.107 score of the audio we hear (R 0..100, MOS 1..4.5); absent before any audio. */
  quality?: CallQuality;
  /** Issue 11: how our latest transfer of this call goes (REFER, NOTIFY sipfrag); absent or null = none. */
  transfer?: CallTransferStatus | null;
  /** Issue 11: the call this one is joined with in a three-way conference; absent or null = none. */
  conference?: string | null;
  /** Issue 11: the other side asks to transfer us, and the account says to ask (Accept / Decline). */
  transferRequest?: TransferRequest | null;
  /** Issue 11: the account the call came in on or went out on; absent = no account (direct IP). */
  account?: CallAccount;
}

/** Our transfer of a call as its card shows it: the progress (TransferProgress) and to whom. */
export interface CallTransferStatus {
  status: TransferProgress['status'];
  code?: number;
  reason: string;
  /** What the user chose: the typed target, or the other call's party for an attended transfer. */
  target: string;
  attended: boolean;
}

/**
 * Issue 11: a transfer the other side asks for, waiting for the user (RFC 3515 REFER: call `target`;
 * RFC 3891 INVITE with Replaces: `target` takes over the call `callId`).
 */
export interface TransferRequest {
  requestId: string;
  kind: 'refer' | 'replaces';
  /** The call the request is about: the REFER's dialog, or the ringing INVITE with Replaces. */
  callId: string;
  /** Whom we would call (REFER's Refer-To), or who takes over (the INVITE's From). */
  target: string;
  /** Referred-By (RFC 3892) when the peer sent one. */
  referredBy?: string;
  /** For Replaces: the connected call that would be replaced. */
  replacesCallId?: string;
  /** ms since epoch when an unanswered request is declined (30 s after it came). */
  expiresAt: number;
}

/** Issue 11: which account a call belongs to, with the name the UI shows. */
export interface CallAccount {
  id: string;
  /** The account name, else user@domain. */
  name: string;
}

/** Issue 11: one account in the list, with its own registration. */
export interface AccountEntry {
  id: string;
  enabled: boolean;
  /** Outgoing calls without a chosen account use it; `account.get`/`account.save` are about it. */
  isDefault: boolean;
  account: AccountView;
  /** Disabled accounts are 'unregistered'. */
  registration: RegistrationState;
}

/** Issue 11: every account, the default first (`accounts.list`, `accounts.changed`). */
export interface AccountsView {
  accounts: AccountEntry[];
}

/** ITU-T G.107 E-model transmission rating and the MOS it predicts. */
export interface CallQuality {
  r: number;
  mos: number;
  /** Issue 13: the peer's own score of the audio it received from us (its RTCP XR VoIP metrics, RFC 3611). */
  peer?: { r?: number; mos?: number };
}

/**
 * Issue 11: message-waiting (RFC 3842) as the Voicemail tab and the main window show it. With several
 * accounts the fields are the totals over them (voicemail-accounts.ts) and `accounts` has each one.
 */
export interface VoicemailStatus extends VoicemailCounts {
  /** Issue 11: each running account's own report, the default first; absent from cores before it. */
  accounts?: AccountVoicemail[];
}

/** Issue 11: one account's message-waiting, with the account's id and the name the UI shows. */
export interface AccountVoicemail extends VoicemailCounts {
  accountId: string;
  name: string;
}

export interface VoicemailCounts {
  /** off: not asked for; failed: the server refused (reason); unsolicited: the server sends without one. */
  subscription: 'off' | 'pending' | 'active' | 'terminated' | 'failed' | 'unsolicited';
  reason?: string;
  /** Messages-Waiting; null until the first NOTIFY. */
  waiting: boolean | null;
  /** Voice-Message counts (new/old, urgent new/old). */
  newMessages: number;
  oldMessages: number;
  urgentNew: number;
  urgentOld: number;
  /** ms since epoch of the last NOTIFY; null before one. */
  updatedAt: number | null;
}

/** Issue 11, part 6: our own presence: the status chosen and what became of its PUBLISH. */
export interface OwnPresenceStatus {
  status: 'available' | 'away' | 'busy' | 'offline' | null;
  /** off: not published (not registered, or nothing chosen); failed: the server refused (reason). */
  state: 'off' | 'publishing' | 'published' | 'failed';
  reason?: string;
}

/** Issue 11: a watched contact's presence (RFC 3863 PIDF) and line state (BLF, RFC 4235). */
export interface ContactPresence {
  availability: 'available' | 'busy' | 'away' | 'offline' | 'unknown';
  note?: string;
  line: 'idle' | 'ringing' | 'busy' | 'unknown';
  /** Why nothing is known: the server's refusal of the subscription. */
  problem?: string;
}

export interface HistoryEntry {
  id: string;
  direction: 'outgoing' | 'incoming';
  /** Incoming and never answered. */
  missed: boolean;
  remoteUri: string;
  remoteDisplayName: string;
  startedAt: number;
  durationSeconds: number;
  endReason: string;
  /**
   * Issue 11: why an incoming call never connected: the caller gave up or nobody answered (missed), the
   * user declined it, or the phone refused it by itself (do-not-disturb). Absent for older entries.
   */
  outcome?: 'missed' | 'declined' | 'refused';
  /** Issue 13: the call's G.107 score at its end; absent if no audio arrived (or older entries). */
  quality?: CallQuality;
}

/** A UDP transport address. */
export interface HostPort {
  address: string;
  port: number;
}

/** The Network view's live facts about the SIP socket (pushed as 'network.changed'). */
export interface NetworkStatus {
  /** The bound SIP socket (0.0.0.0 = all interfaces); null while SIP is not running. */
  sipLocal: HostPort | null;
  /** Where the registrar sees us (received/rport, RFC 3581); null before a registration said so. */
  publicAddress: PublicAddressInfo | null;
  /** Registered, but the server's requests do not reach us: plain words with the fix, while it holds. */
  unreachableWarning: string | null;
  /**
   * INVITEs refused while registered (issue 9: not via the registrar / proxy, or not for our user): the
   * count since SIP started and the last few, newest first. Absent until the first one.
   */
  rejectedInvites?: { total: number; last: RejectedInvite[] };
  /** Issue 11 (several accounts): the same for each other running account's own SIP socket, in the settings' order. */
  accounts?: AccountNetworkStatus[];
}

/** One other account's SIP socket, the registrar's view of it and its warnings (network-accounts.ts). */
export interface AccountNetworkStatus extends Omit<NetworkStatus, 'accounts'> {
  accountId: string;
  name: string;
}

/** One local port's public mapping. */
export interface PortMapping {
  local: HostPort;
  /** The public address and port the server saw; null when nothing answered. */
  mapped: HostPort | null;
  /** How the mapping was learnt: a STUN Binding (RFC 8489) or the registrar's Via received/rport. */
  source: 'stun' | 'registrar';
  /** Why there is no mapping ("timeout", the server's error). */
  error?: string;
}

/** The result of 'network.check': the NAT's mapping behaviour (RFC 4787 §4.1, RFC 5780 §4.3) in plain words. */
export interface NetworkCheckReport {
  /** The STUN server as typed and as resolved ("stun.example.com:3478" / "203.0.113.5:3478"). */
  server: string;
  serverAddress: HostPort;
  behavior: MappingBehavior;
  /** True for 'no-nat' and 'endpoint-independent': direct media (ICE srflx) can work; null = unknown. */
  endpointIndependent: boolean | null;
  /** The NAT kept the local port number (null when unknown or no NAT). */
  portPreserved: boolean | null;
  /** A probe socket in the RTP port range, as the media uses. */
  rtp: PortMapping;
  /** The SIP socket: from the registrar while SIP runs (its socket is busy), else probed with STUN. */
  sip: PortMapping | null;
  /** Plain English sentences for logs and the CLI (the UI words it per behaviour in its own language). */
  summary: string;
  /** ms since epoch */
  checkedAt: number;
}

/** Stored account as the UI sees it: the password never leaves the core. */
export type AccountView = Omit<AccountForm, 'password'> & {
  hasPassword: boolean;
  /** Where a saved password is kept (issue 9: the UI says "stored unencrypted" for 'file'). */
  passwordStorage?: 'keychain' | 'keyring' | 'file' | 'plain';
};

export interface AppSnapshot {
  account: AccountView | null;
  registration: RegistrationState;
  calls: CallSnapshot[];
  preferences: PreferencesView;
  network: NetworkStatus;
  /** Problems found at start-up (e.g. a corrupt settings file that was kept aside). */
  problems: string[];
  version: string;
  /** A sip:/tel: link that opened the app before the UI was listening for `dial.prefill` (cleared by a dial). */
  dialPrefill?: string;
  /** Where passwords will be kept, so the account dialog can say it before the first save (issue 9). */
  passwordStorage?: AccountView['passwordStorage'];
  /** Issue 11: message-waiting; absent from cores before it. */
  voicemail?: VoicemailStatus;
  /** Issue 11: presence and BLF of watched contacts, by contact id. */
  presence?: Record<string, ContactPresence>;
  /** Issue 11, part 6: unread chat messages over all conversations. */
  messagesUnread?: number;
  /** Issue 11, part 6: our own published presence. */
  ownPresence?: OwnPresenceStatus;
  /** Issue 11: every account with its registration; absent from cores before several accounts. */
  accounts?: AccountsView;
}

/** Response type per request channel. */
export interface ResponseMap {
  'app.snapshot': AppSnapshot;
  'account.get': AccountView | null;
  'account.save': AccountView;
  'registration.register': RegistrationState;
  'registration.unregister': RegistrationState;
  'call.dial': CallSnapshot;
  'call.answer': CallSnapshot;
  'call.reject': CallSnapshot;
  'call.hangup': CallSnapshot;
  'call.dtmf': null;
  'call.mute': CallSnapshot;
  'call.hold': CallSnapshot;
  /** The transfer was asked (REFER sent); its progress follows as 'call.transfer' events. */
  'call.transfer': CallSnapshot;
  'call.conference': CallSnapshot[];
  /** The call the request was about, after the answer was acted on. */
  'call.transferReply': CallSnapshot;
  'call.record': CallSnapshot;
  /** The final status the other side (or its server) answered with: 200 or 202. */
  'message.send': { status: number; peer?: string; id?: string };
  'messages.list': ConversationSummary[];
  'messages.get': Conversation;
  'messages.markRead': null;
  'messages.delete': null;
  'presence.set': OwnPresenceStatus;
  'history.list': HistoryEntry[];
  'history.clear': null;
  'history.delete': null;
  'audio.devices': AudioDeviceInfo[];
  'audio.ringtonePreview': { seconds: number };
  'preferences.get': PreferencesView;
  'preferences.save': PreferencesView;
  'flow.get': SipTraceEntry[];
  'network.check': NetworkCheckReport;
  'contacts.list': Contact[];
  'contacts.save': Contact;
  'contacts.delete': null;
  'contacts.import': ContactsImportReport;
  'contacts.export': { text: string; fileName: string; mimeType: string };
  'accounts.list': AccountsView;
  'accounts.save': AccountEntry;
  'accounts.delete': AccountsView;
  'accounts.setDefault': AccountsView;
  'accounts.enable': AccountsView;
}

/** What an import did: new contacts, ones already in the book, and cards or rows that could not be used. */
export interface ContactsImportReport {
  added: number;
  duplicates: number;
  skipped: number;
}

/** Events pushed from the core to the UI. */
export interface EventMap {
  'registration.changed': RegistrationState;
  'call.changed': CallSnapshot;
  'flow.message': SipTraceEntry;
  /** Microphone / speaker peak levels 0..1, at most 10 per second. */
  'audio.level': { callId: string; input: number; output: number };
  'history.changed': HistoryEntry[];
  /** A sip:/tel: link was opened: put the number in the dial field. */
  'dial.prefill': { target: string };
  'app.problem': { message: string };
  /** The SIP socket, the registrar's view of us or the NAT warning changed. */
  'network.changed': NetworkStatus;
  /** Issue 11: an instant message arrived (it passed the same filter as calls). */
  'message.received': { from: string; displayName: string; text: string; time: number; /** Issue 11: the account that received it (absent: no account). */ account?: CallAccount };
  /** Issue 11: how a transfer of `callId` goes (REFER answer, NOTIFY sipfrag): see TransferProgress. */
  'call.transfer': { callId: string } & TransferProgress;
  /** Issue 11: the other side asks to transfer us and the account says to ask: answer with call.transferReply. */
  'call.transferRequest': TransferRequest;
  /** Issue 11: the address book changed (the whole list, sorted favourites first). */
  'contacts.changed': Contact[];
  /** Issue 11: message-waiting changed (a NOTIFY, or the subscription's state). */
  'voicemail.changed': VoicemailStatus;
  /** Issue 11: presence / BLF of the watched contacts (all of them, by contact id). */
  'presence.changed': Record<string, ContactPresence>;
  /** Issue 11, part 6: our own presence changed (chosen, published, refused, or no longer published). */
  'presence.own': OwnPresenceStatus;
  /**
   * Issue 11, part 6: a conversation changed: its summary, the message added or whose delivery status
   * changed (absent when only the unread count changed), `removed` when it was deleted.
   */
  'messages.changed': { summary: ConversationSummary; message?: ChatMessage; removed?: true; unreadTotal: number };
  /** Issue 11: an account was added, changed, removed, enabled, made default, or its registration changed. */
  'accounts.changed': AccountsView;
}
export type EventChannel = keyof EventMap;

/** The error every failed request resolves to (never a thrown stack across the boundary). */
export interface ApiError {
  code: 'invalid-request' | 'unknown-channel' | 'not-found' | 'failed' | 'forbidden';
  message: string;
  /** Per-field messages for form validation (field -> message). */
  fields?: Record<string, string>;
}

export type ApiResult<C extends RequestChannel> = { ok: true; value: ResponseMap[C] } | { ok: false; error: ApiError };

/** What the preload exposes as `window.softphone` and the browser client implements over WebSocket. */
export interface SoftphoneApi {
  request<C extends RequestChannel>(channel: C, payload: RequestPayload<C>): Promise<ApiResult<C>>;
  on<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): () => void;
}

/** Validates a request at the core side: the only way a payload reaches a handler. */
export function validateRequest(channel: string, payload: unknown):
  | { ok: true; channel: RequestChannel; payload: unknown }
  | { ok: false; error: ApiError } {
  if (!Object.prototype.hasOwnProperty.call(requestSchemas, channel)) {
    return { ok: false, error: { code: 'unknown-channel', message: `unknown channel: ${channel.slice(0, 80)}` } };
  }
  const schema = requestSchemas[channel as RequestChannel];
  const parsed = schema.safeParse(payload ?? {});
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[issue.path.join('.') || '_'] = issue.message;
    return { ok: false, error: { code: 'invalid-request', message: 'invalid request', fields } };
  }
  return { ok: true, channel: channel as RequestChannel, payload: parsed.data };
}
