// The CLI's control channel (issue 11, point 9): one JSON request per line on stdin, in the browser
// WebSocket's envelope ({id, channel, payload}) and validated by the same contract; one result line out.
import type { ApiResult, RequestChannel, RequestPayload, ResponseMap } from '../ipc/contract';
import { ApiFailure, toApiError } from '../app-core/api-error';
import type { CallRequestHandlers } from '../app-core/call-requests';
import type { ChatHandlers } from '../app-core/chat-requests';
import { encodeResult, parseClientMessage } from '../web/ws-protocol';
import { MAX_CONTROL_LINE, tooLongResult } from './control-lines';

export { isResultLine, MAX_CONTROL_LINE, tooLongResult } from './control-lines';

// The contract's zod schemas are loaded with the first request, not at start-up: a call or listen that is
// never sent one does not carry them (issue 12: ~10 MB of the headless core's RSS). The build puts the
// contract in its own bundle (dist/cli-contract.js); it holds schemas only, no classes shared with cli.js.
let contract: Promise<typeof import('../ipc/contract')> | null = null;
const loadContract = () => (contract ??= import('../ipc/contract'));

/** Channels the CLI serves; the others (settings, history, devices) belong to the desktop app. */
export type ControlHandlers = CallRequestHandlers & {
  'message.send': (payload: RequestPayload<'message.send'>) => Promise<ResponseMap['message.send']>;
  /** Issue 11: a further call while call/listen runs (attended transfer, conference). */
  'call.dial'?: (payload: RequestPayload<'call.dial'>) => Promise<ResponseMap['call.dial']>;
} & Partial<Omit<ChatHandlers, 'message.send'>>;

/** Answers one line; null for a blank line (nothing is written back). */
export async function handleControlLine(line: string, handlers: ControlHandlers): Promise<string | null> {
  const text = line.trim();
  if (text === '') return null;
  if (text.length > MAX_CONTROL_LINE) return tooLongResult();
  const message = parseClientMessage(text);
  if (!message.ok) return encodeResult(message.id, { ok: false, error: message.error });
  const checked = (await loadContract()).validateRequest(message.channel, message.payload);
  if (!checked.ok) return encodeResult(message.id, { ok: false, error: checked.error });
  const served = Object.prototype.hasOwnProperty.call(handlers, checked.channel);
  const handler = served ? ((handlers as Record<string, (p: unknown) => Promise<unknown>>)[checked.channel] ?? null) : null;
  if (!handler) {
    const error = new ApiFailure('unknown-channel', `${checked.channel} is served by the desktop app, not the CLI`);
    return encodeResult(message.id, { ok: false, error: toApiError(error) });
  }
  try {
    const value = await handler(checked.payload);
    return encodeResult(message.id, { ok: true, value } as ApiResult<RequestChannel>);
  } catch (err) {
    return encodeResult(message.id, { ok: false, error: toApiError(err) });
  }
}
