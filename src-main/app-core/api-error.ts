// Typed failures of request handlers: thrown inside the core, turned into ApiError at the boundary so
// no stack or raw exception ever crosses to the UI.
import type { ApiError } from '../ipc/contract';

export class ApiFailure extends Error {
  constructor(
    readonly code: ApiError['code'],
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

/** Any thrown value as an ApiError: ApiFailure keeps its code, everything else is 'failed' with its message only. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiFailure) return err.fields ? { code: err.code, message: err.message, fields: err.fields } : { code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'failed', message: message.split('\n')[0]?.slice(0, 500) || 'failed' };
}
