// Prints a call's media warnings (issue 10: no silent dead calls) as `media_warning` / `media_restored` lines.
import type { Call } from '../sip/user-agent-api';
import type { EmitFn } from './cli-events';

/** Follows `call` until the returned function is called; `emit` keeps the command's event order. */
export function reportMediaWarnings(call: Call, emit: EmitFn): () => void {
  const offWarning = call.on('media-warning', (w) =>
    emit({ event: 'media_warning', callId: call.id, message: w.reason, silentSeconds: w.silentSeconds, kind: w.kind, path: w.path }),
  );
  const offRestored = call.on('media-restored', (r) => emit({ event: 'media_restored', callId: call.id, silentSeconds: r.silentSeconds, cause: r.cause }));
  return () => {
    offWarning();
    offRestored();
  };
}
