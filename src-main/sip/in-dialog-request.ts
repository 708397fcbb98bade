// Our requests inside a dialog (RFC 3261 §12.2.1.1) sent to their next hop, with a 401/407 answered
// once per realm by the same request again with a new CSeq (§8.1.3.5, §22.2), within the auth policy
// (issue 9: only to the account's registrar or outbound proxy, only its realms). Pure: I/O comes in.

import { statusText } from './sip-headers';
import { hopOf, type Dialog, type InDialogOptions } from './dialog';
import type { AuthRound, DigestClient } from './digest-client';
import type { SipResponse } from './sip-message';
import type { Destination, ResolvedHop, ResponseInfo, SentRequest, SipTransport } from './sip-transport';
import type { Logger } from '../util/logger';
import type { CallContext } from './call-context';

/** A response to our in-dialog request; `authFailure` says why a 401/407 was not answered (it is then the final answer). */
export type InDialogResponseHandler = (response: SipResponse, info: ResponseInfo, authFailure?: string) => void;

export interface InDialogDeps {
  dialog: Dialog;
  transport: SipTransport;
  log: Logger;
  callId: string;
  userAgent: string;
  resolveHop(uri: string): Promise<ResolvedHop>;
  /** True when the resolved next hop is the account's registrar or outbound proxy. */
  isAccountHop(to: Destination): Promise<boolean>;
  /** The call's digest client; undefined without credentials (direct-IP mode). */
  auth: DigestClient | undefined;
}

/** Where a request went, as written in its next-hop URI ("host:port"): for the auth policy's messages. */
function hopText(uri: string): string {
  const hop = hopOf(uri);
  if (!hop) return uri;
  return hop.port !== undefined ? `${hop.host}:${hop.port}` : hop.host;
}

/**
 * Sends `method` in the dialog. Undefined if it cannot be sent. ACK and CANCEL cannot be challenged
 * (RFC 3261 §22.1) and go out as they are. For the others, a 401/407 is answered (the handler then
 * sees the retry's answer), or handed to the handler with the reason it was not.
 */
export async function sendInDialogRequest(
  d: InDialogDeps,
  method: string,
  opts: InDialogOptions,
  onResponse?: InDialogResponseHandler,
  round: AuthRound = new Map(),
): Promise<SentRequest | undefined> {
  const { request, nextHop } = d.dialog.createRequest(method, { ...opts, headers: { 'user-agent': d.userAgent, ...opts.headers } });
  try {
    const hop = await d.resolveHop(nextHop);
    if (method === 'ACK' || method === 'CANCEL') return d.transport.sendRequest(request, hop.destination, onResponse);
    const accountHop = await d.isAccountHop(hop.destination);
    // Only a retry carries credentials, and only for the realms that challenged this request: a first
    // request goes out bare (a proxy that does not check it would pass them on to the peer).
    if (round.size > 0) Object.assign(request.headers, d.auth?.headersFor({ method, uri: request.uri, body: request.content ?? '' }, round));
    return d.transport.sendRequest(request, hop.destination, (res, info) => {
      if ((res.status !== 401 && res.status !== 407) || info.synthetic) {
        onResponse?.(res, info);
        return;
      }
      const outcome = d.auth
        ? d.auth.onChallenge(res, { host: hopText(nextHop), accountHop }, round)
        : { fail: 'none' as const, reason: `${statusText(res)} (no credentials for it)` };
      if ('retry' in outcome) {
        void sendInDialogRequest(d, method, opts, onResponse, round).then((sent) => {
          if (!sent) onResponse?.(res, info, `${statusText(res)} (could not send ${method} again)`);
        });
        return;
      }
      d.log.warn(`${method} challenge not answered`, { callId: d.callId, reason: outcome.reason });
      onResponse?.(res, info, outcome.reason);
    });
  } catch (err) {
    d.log.warn(`cannot send ${method}`, { callId: d.callId, error: err instanceof Error ? err.message : String(err) });
    return undefined;
  }
}

/**
 * The dependencies of a request outside any call (MESSAGE, SUBSCRIBE, PUBLISH) in its own dialog: the
 * UA's transport and log, the next hop from the request's own route, the account's hops for the auth policy.
 */
export function standaloneRequestDeps(
  ctx: Pick<CallContext, 'transport' | 'log' | 'userAgent' | 'isAccountHop'>,
  dialog: Dialog,
  auth: DigestClient | undefined,
  callId: string = dialog.callId,
): InDialogDeps {
  return {
    dialog,
    transport: ctx.transport,
    log: ctx.log,
    callId,
    userAgent: ctx.userAgent,
    resolveHop: (uri) => {
      const hop = hopOf(uri);
      return hop ? ctx.transport.resolve(hop) : Promise.reject(new Error(`bad next hop ${uri}`));
    },
    isAccountHop: (to) => ctx.isAccountHop?.(to) ?? Promise.resolve(false),
    auth,
  };
}
