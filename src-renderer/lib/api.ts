// The renderer's only door to the core: Electron's preload bridge (window.softphone) when present,
// else the WebSocket client of the 127.0.0.1 web server, authenticated by the page's ?token=.
// Every request resolves to an ApiResult; a transport failure becomes an ApiError, never a throw.
import type {
  ApiError,
  ApiResult,
  EventChannel,
  EventMap,
  RequestChannel,
  RequestPayload,
  SoftphoneApi,
} from '../../src-main/ipc/contract';
import { createWsClient } from './ws-client';

export type {
  AccountEntry,
  AccountEntryForm,
  AccountForm,
  AccountsView,
  AccountView,
  CallAccount,
  ApiError,
  AppSnapshot,
  CallSnapshot,
  ChatMessage,
  ChatStatus,
  Contact,
  ContactPresence,
  ContactInput,
  ContactNumber,
  ContactsImportReport,
  ConversationSummary,
  EventMap,
  NumberType,
  OwnPresenceStatus,
  HistoryEntry,
  HostPort,
  NetworkCheckReport,
  NetworkStatus,
  AccountNetworkStatus,
  PortMapping,
  Preferences,
  PreferencesForm,
  PreferencesView,
  VoicemailStatus,
  AccountVoicemail,
  VoicemailCounts,
} from '../../src-main/ipc/contract';
export type { AudioDeviceInfo } from '../../src-main/audio/audio-config';
export type { RegistrationState, SipTraceEntry } from '../../src-main/sip/user-agent-api';

type AnyListener = (payload: never) => void;

/**
 * Typed, never-throwing access to a SoftphoneApi. Keeps its own event listeners so that after a
 * reconnect (a new WebSocket client) every subscription carries over to the new transport.
 */
export class Api {
  /** Called when a request failed for a reason other than the core's own validation or lookup. */
  onFailure: ((message: string) => void) | null = null;

  private transport: SoftphoneApi;
  private readonly listeners = new Map<EventChannel, Set<AnyListener>>();
  private forwarding = new Map<EventChannel, () => void>();

  constructor(private readonly connect: () => SoftphoneApi) {
    this.transport = connect();
  }

  async request<C extends RequestChannel>(channel: C, payload: RequestPayload<C>): Promise<ApiResult<C>> {
    let result: ApiResult<C>;
    try {
      const r = await this.transport.request(channel, payload);
      result = r && typeof r === 'object' && typeof r.ok === 'boolean' ? r : failure('failed', `malformed answer on ${channel}`);
    } catch (e) {
      result = failure('failed', e instanceof Error ? e.message : String(e));
    }
    if (!result.ok && result.error.code === 'failed') this.onFailure?.(result.error.message);
    return result;
  }

  on<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as AnyListener);
    this.forward(event);
    return () => {
      this.listeners.get(event)?.delete(listener as AnyListener);
    };
  }

  /** Drops the current transport (closing it when it can be closed) and connects a fresh one. */
  reconnect(): void {
    for (const off of this.forwarding.values()) off();
    this.forwarding.clear();
    const old = this.transport as SoftphoneApi & { close?: () => void };
    try {
      old.close?.();
    } catch {
      // Already closed.
    }
    this.transport = this.connect();
    for (const event of this.listeners.keys()) this.forward(event);
  }

  private forward(event: EventChannel): void {
    if (this.forwarding.has(event)) return;
    let off: () => void = () => undefined;
    try {
      off = this.transport.on(event, (payload) => {
        for (const listener of [...(this.listeners.get(event) ?? [])]) {
          // A listener bug must not stop the other listeners or the transport's dispatch.
          try {
            (listener as (p: unknown) => void)(payload);
          } catch (e) {
            console.error(`renderer: ${event} listener failed`, e);
          }
        }
      });
    } catch {
      // A transport that cannot subscribe still answers requests.
    }
    this.forwarding.set(event, off);
  }
}

function failure(code: ApiError['code'], message: string): { ok: false; error: ApiError } {
  return { ok: false, error: { code, message } };
}

export type Connection =
  | { api: Api; mode: 'electron' | 'web' }
  | { api: null; reason: 'no-token' | 'client-error'; detail: string };

/** WebSocket endpoint of the web server that served this page. */
export function webSocketUrl(loc: Pick<Location, 'protocol' | 'host'>): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
}

/** Finds the core: the preload bridge in Electron, else the web server behind ?token=. */
export function connectToCore(win: Window = window): Connection {
  const bridged = (win as Window & { softphone?: SoftphoneApi }).softphone;
  if (bridged && typeof bridged.request === 'function' && typeof bridged.on === 'function') {
    return { api: new Api(() => bridged), mode: 'electron' };
  }
  const token = new URLSearchParams(win.location.search).get('token');
  // The WebSocket exists only behind the web server (http:), never for an app:// or file:// page.
  if (!token || !/^[A-Za-z0-9_-]{8,256}$/.test(token) || !/^https?:$/.test(win.location.protocol)) {
    return { api: null, reason: 'no-token', detail: '' };
  }
  const url = webSocketUrl(win.location);
  try {
    return { api: new Api(() => createWsClient(url, token)), mode: 'web' };
  } catch (e) {
    return { api: null, reason: 'client-error', detail: e instanceof Error ? e.message : String(e) };
  }
}
