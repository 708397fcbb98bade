// The SoftphoneApi the preload exposes as window.softphone, built over a minimal ipcRenderer so it is
// unit-tested without Electron: only the contract's channel names pass, events are re-dispatched
// without Electron's event object (which would hand the page `sender`).
import type { ApiResult, EventChannel, EventMap, RequestChannel, SoftphoneApi } from '../contract';
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL, isEventChannel, isRequestChannel } from '../channel-names';

/** The two ipcRenderer methods the preload uses. */
export interface IpcRendererLike {
  invoke(channel: string, message: unknown): Promise<unknown>;
  on(channel: string, listener: (event: unknown, message: unknown) => void): void;
}

export function createPreloadApi(ipc: IpcRendererLike): SoftphoneApi {
  const listeners = new Map<EventChannel, Set<(payload: never) => void>>();
  ipc.on(IPC_EVENT_CHANNEL, (_event, message) => {
    if (typeof message !== 'object' || message === null) return;
    const { event, payload } = message as { event?: unknown; payload?: unknown };
    if (!isEventChannel(event)) return;
    for (const listener of [...(listeners.get(event) ?? [])]) {
      try {
        (listener as (p: unknown) => void)(payload);
      } catch {
        // A renderer listener's bug must not stop the other listeners.
      }
    }
  });

  return {
    async request<C extends RequestChannel>(channel: C, payload: unknown): Promise<ApiResult<C>> {
      if (!isRequestChannel(channel)) {
        return { ok: false, error: { code: 'unknown-channel', message: `unknown channel: ${String(channel).slice(0, 80)}` } };
      }
      try {
        return (await ipc.invoke(IPC_REQUEST_CHANNEL, { channel, payload })) as ApiResult<C>;
      } catch (err) {
        return { ok: false, error: { code: 'failed', message: err instanceof Error ? err.message : 'IPC failed' } };
      }
    },
    on<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): () => void {
      if (!isEventChannel(event) || typeof listener !== 'function') return () => {};
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
  };
}
