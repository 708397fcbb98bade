// The SoftphoneApi over the 127.0.0.1 web server's WebSocket (used when window.softphone is absent):
// {id, channel, payload} out, {id, result} and {event, payload} in. Plain TS, no Node imports; never
// throws at callers: a lost connection resolves requests with a 'failed' ApiError.
import type { ApiResult, EventChannel, EventMap, RequestChannel, RequestPayload, SoftphoneApi } from '../../src-main/ipc/contract';

/** The parts of the browser's WebSocket this client uses (the `ws` package's client fits too). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

export interface WsClientOptions {
  /** Default: the browser's WebSocket. */
  createSocket?: WebSocketFactory;
  /** A request without an answer after this long fails (registration can take 32 s: RFC 3261 timer F). */
  requestTimeoutMs?: number;
}

const OPEN = 1;

interface Pending {
  resolve: (result: ApiResult<RequestChannel>) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** `url` is the endpoint (ws://127.0.0.1:PORT/ws); the token goes in its query. */
export function createWsClient(url: string, token: string, options: WsClientOptions = {}): SoftphoneApi & { close(): void } {
  const target = new URL(url);
  target.searchParams.set('token', token);
  const factory: WebSocketFactory =
    options.createSocket ??
    ((u) => {
      if (typeof WebSocket === 'undefined') throw new Error('this browser has no WebSocket');
      return new WebSocket(u) as unknown as WebSocketLike;
    });
  const timeoutMs = options.requestTimeoutMs ?? 60_000;
  const socket = factory(target.toString());
  const pending = new Map<number, Pending>();
  const queue: string[] = [];
  const listeners = new Map<EventChannel, Set<(payload: never) => void>>();
  let nextId = 1;
  let closedReason: string | null = null;

  const dispatch = (event: EventChannel, payload: unknown) => {
    for (const listener of [...(listeners.get(event) ?? [])]) {
      try {
        (listener as (p: unknown) => void)(payload);
      } catch (err) {
        console.error(`ws-client: ${event} listener failed`, err);
      }
    }
  };

  const fail = (message: string): ApiResult<RequestChannel> => ({ ok: false, error: { code: 'failed', message } });

  const lost = (reason: string, notify = true) => {
    if (closedReason !== null) return;
    closedReason = reason;
    queue.length = 0;
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      p.resolve(fail(reason));
      pending.delete(id);
    }
    if (notify) dispatch('app.problem', { message: reason });
  };

  socket.onopen = () => {
    for (const text of queue.splice(0)) socket.send(text);
  };
  socket.onclose = () => lost('the connection to the softphone core was closed; reload the page (or restart `softphone ui`)');
  socket.onerror = () => {
    // Browsers follow an error with close; onclose reports it.
  };
  socket.onmessage = (ev) => {
    if (typeof ev.data !== 'string') return;
    let msg: unknown;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    const m = msg as { id?: unknown; result?: unknown; event?: unknown; payload?: unknown };
    if (typeof m.event === 'string') {
      dispatch(m.event as EventChannel, m.payload);
      return;
    }
    if (typeof m.id === 'number') {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      clearTimeout(p.timer);
      const result = m.result as ApiResult<RequestChannel> | undefined;
      p.resolve(result && typeof result === 'object' && typeof result.ok === 'boolean' ? result : fail('malformed answer from the core'));
    }
  };

  return {
    request<C extends RequestChannel>(channel: C, payload: RequestPayload<C>): Promise<ApiResult<C>> {
      if (closedReason !== null) return Promise.resolve(fail(closedReason) as ApiResult<C>);
      const id = nextId++;
      const text = JSON.stringify({ id, channel, payload });
      return new Promise<ApiResult<C>>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve(fail(`no answer to ${channel} within ${Math.round(timeoutMs / 1000)} s`) as ApiResult<C>);
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (r: ApiResult<RequestChannel>) => void, timer });
        try {
          if (socket.readyState === OPEN) socket.send(text);
          else queue.push(text);
        } catch (err) {
          pending.delete(id);
          clearTimeout(timer);
          resolve(fail(err instanceof Error ? err.message : 'send failed') as ApiResult<C>);
        }
      });
    },
    on<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): () => void {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      set.add(listener as (payload: never) => void);
      return () => {
        listeners.get(event)?.delete(listener as (payload: never) => void);
      };
    },
    close() {
      lost('the connection to the softphone core was closed', false);
      socket.close(1000, 'bye');
    },
  };
}
