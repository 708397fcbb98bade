// The message.send request channel (RFC 3428 page mode), shared by the desktop app's API and the CLI's
// control channel: a refused or unanswered MESSAGE is a 'failed' result with the reason.
import type { RequestPayload, ResponseMap } from '../ipc/contract';
import type { UserAgent } from '../sip/user-agent-api';
import { ApiFailure } from './api-error';

export function messageSendHandler(agent: () => UserAgent): (payload: RequestPayload<'message.send'>) => Promise<ResponseMap['message.send']> {
  return async ({ to, text }) => {
    const result = await agent().sendMessage(to.trim(), text);
    if (!result.ok) throw new ApiFailure('failed', `message not delivered: ${result.reason}`);
    return { status: result.status };
  };
}
