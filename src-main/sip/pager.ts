// Page-mode instant messages (RFC 3428): sending a MESSAGE outside any dialog (through the outbound proxy,
// challenges answered within the auth policy) and judging a received one. Pure: I/O comes in via ctx.
import { DigestClient } from './digest-client';
import { Dialog } from './dialog';
import { sendInDialogRequest, standaloneRequestDeps } from './in-dialog-request';
import { hopOf } from './dialog';
import { localUri } from './inviter';
import { newCallId, newTag } from './sip-random';
import { statusText } from './sip-headers';
import { accountRealms } from './auth-policy';
import type { CallContext } from './call-context';
import type { SipRequest } from './sip-message';

/** RFC 3428 §5: a page-mode MESSAGE should stay within the path MTU; we cap the text itself. */
export const MAX_MESSAGE_TEXT = 4000;

export type MessageSendResult = { ok: true; status: number } | { ok: false; status?: number; reason: string };

export interface ReceivedMessage {
  from: string;
  displayName: string;
  text: string;
}

/** Sends `text` to `target` (a resolved SIP URI) with `routeSet` preloaded (the outbound proxy). */
export async function sendPageMessage(ctx: CallContext, target: string, routeSet: readonly string[], text: string): Promise<MessageSendResult> {
  if (text.length === 0 || text.length > MAX_MESSAGE_TEXT) return { ok: false, reason: `a message is 1-${MAX_MESSAGE_TEXT} characters` };
  const firstHop = hopOf(routeSet[0] ?? target);
  if (!firstHop) return { ok: false, reason: `cannot route to ${target}` };
  let local;
  try {
    const hop = await ctx.transport.resolve(firstHop);
    local = await ctx.transport.localFor(hop.destination.address);
  } catch (err) {
    return { ok: false, reason: `cannot reach ${target}: ${err instanceof Error ? err.message : String(err)}` };
  }
  const callId = newCallId();
  const name = ctx.displayName;
  const dialog = new Dialog({
    callId,
    localTag: newTag(),
    remoteTag: '',
    local: { ...(name ? { name } : {}), uri: ctx.fromUri ?? localUri(ctx.contactUser, local), params: {} },
    remote: { uri: target, params: {} },
    localSeq: 0,
    remoteSeq: undefined,
    remoteTarget: target,
    routeSet: [],
    outboundRoute: routeSet,
  });
  const policy = ctx.authPolicy ?? { realms: accountRealms(hopOf(ctx.fromUri ?? target)?.host ?? '', []), refuseMd5WithoutQop: false };
  const auth = ctx.credentials ? new DigestClient(ctx.credentials, policy) : undefined;
  return new Promise<MessageSendResult>((resolve) => {
    void sendInDialogRequest(
      standaloneRequestDeps(ctx, dialog, auth, callId),
      'MESSAGE',
      { content: text, contentType: 'text/plain;charset=UTF-8' },
      (res, info, authFailure) => {
        if (res.status < 200) return;
        if (res.status < 300) resolve({ ok: true, status: res.status });
        else resolve({ ok: false, status: res.status, reason: authFailure ?? (info.synthetic ? `no answer (${statusText(res)})` : statusText(res)) });
      },
    ).then((sent) => {
      if (!sent) resolve({ ok: false, reason: `cannot send to ${target}` });
    });
  });
}

/**
 * A received MESSAGE (RFC 3428 §7): plain text only (415 otherwise, with Accept), non-empty. Returns
 * the message, or the status to answer with.
 */
export function judgeReceivedMessage(req: SipRequest): { message: ReceivedMessage } | { status: 415 | 400; reason: string } {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'text/plain') return { status: 415, reason: `unsupported message type ${type || '(none)'}` };
  const text = req.content ?? '';
  if (text.length === 0) return { status: 400, reason: 'empty message' };
  return { message: { from: req.headers.from.uri, displayName: req.headers.from.name ?? '', text: text.slice(0, MAX_MESSAGE_TEXT) } };
}
