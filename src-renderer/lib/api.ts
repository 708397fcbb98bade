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
  AccountForm,
  AccountView,
  ApiError,
  AppSnapshot,
  CallSnapshot,
  HistoryEntry,
  Preferences,
} from '../../src-main/ipc/contract';
export type { AudioDeviceInfo } from '../../src-main/audio/audio-config';
export type { RegistrationState, SipTraceEntry } from '../../src-main/sip/user-agent-api';

/** Typed, never-throwing access to a SoftphoneApi. */
export class Api {
  /** Called when the transport itself failed (not when the core answered with an error). */
  onTransportError: ((message: string) => void) | null = null;

  constructor(private readonly transport: SoftphoneApi) {}

  async request<C extends RequestChannel>(channel: C, payload: RequestPayload<C>): Promise<ApiResult<C>> {
    try {
      const result = await this.transport.request(channel, payload);
      if (result && typeof result === 'object' && typeof result.ok === 'boolean') return result;
      return failure('failed', `malformed answer on ${channel}`);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.onTransportError?.(message);
      return failure('failed', message);
    }
  }

  on<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): () => void {
    try {
      return this.transport.on(event, (payload) => {
        // A listener bug must not break the transport's dispatch of other events.
        try {
          listener(payload);
        } catch (e) {
          console.error(`renderer: ${event} listener failed`, e);
        }
      });
    } catch {
      return () => undefined;
    }
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
    return { api: new Api(bridged), mode: 'electron' };
  }
  const token = new URLSearchParams(win.location.search).get('token');
  if (!token || !/^[A-Za-z0-9_-]{8,256}$/.test(token) || win.location.protocol === 'file:') {
    return { api: null, reason: 'no-token', detail: '' };
  }
  try {
    return { api: new Api(createWsClient(webSocketUrl(win.location), token)), mode: 'web' };
  } catch (e) {
    return { api: null, reason: 'client-error', detail: e instanceof Error ? e.message : String(e) };
  }
}
