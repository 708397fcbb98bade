// The WebSocket wire format of the SoftphoneApi: client sends {id, channel, payload}, the server
// answers {id, result: ApiResult} and pushes {event, payload}. Parsing is strict and never throws.
import type { ApiError, ApiResult, EventChannel, EventMap, RequestChannel } from '../ipc/contract';

export type ClientMessage = { ok: true; id: number | string; channel: string; payload: unknown } | { ok: false; id: number | string | null; error: ApiError };

export const MAX_MESSAGE_BYTES = 1024 * 1024;

function validId(id: unknown): id is number | string {
  return (typeof id === 'number' && Number.isSafeInteger(id)) || (typeof id === 'string' && id.length > 0 && id.length <= 64);
}

export function parseClientMessage(text: string): ClientMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, id: null, error: { code: 'invalid-request', message: 'not JSON' } };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, id: null, error: { code: 'invalid-request', message: 'a request is {id, channel, payload}' } };
  }
  const { id, channel, payload } = raw as { id?: unknown; channel?: unknown; payload?: unknown };
  if (!validId(id)) return { ok: false, id: null, error: { code: 'invalid-request', message: 'a request needs an id (integer or short string)' } };
  if (typeof channel !== 'string') return { ok: false, id, error: { code: 'invalid-request', message: 'a request needs a channel' } };
  return { ok: true, id, channel, payload };
}

export function encodeResult(id: number | string | null, result: ApiResult<RequestChannel>): string {
  return JSON.stringify({ id, result });
}

export function encodeEvent<E extends EventChannel>(event: E, payload: EventMap[E]): string {
  return JSON.stringify({ event, payload });
}
