// The one typed API between the UI and the core: every request channel with its payload schema and
// response type, and every event. Used by Electron's ipcMain/preload and by the 127.0.0.1 WebSocket
// server alike; the renderer imports it with `import type` only. Payloads are validated (zod) on the
// core side before any handler runs (ARCHITECTURE.md convention 5).
import { z } from 'zod';
import type { AudioDeviceInfo } from '../audio/audio-config';
import type { CallEndInfo, CallState, RegistrationState, SipTraceEntry } from '../sip/user-agent-api';

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
});
export type AccountForm = z.infer<typeof accountSchema>;

export const preferencesSchema = z.object({
  language: z.enum(['system', 'en', 'ko']),
  inputDevice: z.number().int().nullable(),
  outputDevice: z.number().int().nullable(),
  sipPort: z.number().int().min(0).max(65535),
  rtpPortMin: z.number().int().min(1024).max(65534),
  rtpPortMax: z.number().int().min(1025).max(65535),
});
export type Preferences = z.infer<typeof preferencesSchema>;

const callId = z.string().min(1).max(200);

/** Request channels: name -> payload schema. */
export const requestSchemas = {
  'app.snapshot': z.object({}),
  'account.get': z.object({}),
  'account.save': accountSchema,
  'registration.register': z.object({}),
  'registration.unregister': z.object({}),
  'call.dial': z.object({ target: z.string().min(1).max(500) }),
  'call.answer': z.object({ callId }),
  'call.reject': z.object({ callId, status: z.union([z.literal(486), z.literal(603)]).optional() }),
  'call.hangup': z.object({ callId }),
  'call.dtmf': z.object({ callId, digits: z.string().regex(/^[0-9*#A-D]{1,32}$/, 'DTMF digits are 0-9 * # A-D') }),
  'call.mute': z.object({ callId, muted: z.boolean() }),
  'history.list': z.object({}),
  'history.clear': z.object({}),
  'audio.devices': z.object({}),
  'preferences.get': z.object({}),
  'preferences.save': preferencesSchema,
  'flow.get': z.object({ callId: callId.optional() }),
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
}

/** Stored account as the UI sees it: the password never leaves the core. */
export type AccountView = Omit<AccountForm, 'password'> & { hasPassword: boolean };

export interface AppSnapshot {
  account: AccountView | null;
  registration: RegistrationState;
  calls: CallSnapshot[];
  preferences: Preferences;
  /** Problems found at start-up (e.g. a corrupt settings file that was kept aside). */
  problems: string[];
  version: string;
  /** A sip:/tel: link that opened the app before the UI was listening for `dial.prefill` (cleared by a dial). */
  dialPrefill?: string;
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
  'history.list': HistoryEntry[];
  'history.clear': null;
  'audio.devices': AudioDeviceInfo[];
  'preferences.get': Preferences;
  'preferences.save': Preferences;
  'flow.get': SipTraceEntry[];
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
