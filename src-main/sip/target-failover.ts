// When a request moves on to the next server of its hop (RFC 3263 §4.3, RFC 3261 §17.1.1.2/§17.1.2.2):
// pure decisions shared by REGISTER (registerer.ts) and INVITE (inviter.ts).

import { headerText, intOf } from './sip-headers';
import { DEFAULT_UNREACHABLE_SECONDS } from './dns/target-health';
import type { SipResponse } from './sip-message';
import type { HopTarget, ResolvedHop, ResponseInfo, SipTransport } from './sip-transport';

/**
 * RFC 3263 §4.3: "failure occurs if the transaction layer reports a 503 error response or a transport
 * failure of some sort ... Failure also occurs if the transaction layer times out without ever having
 * received any response, provisional or final (i.e., timer B or timer F in RFC 3261 fires)." Then the
 * client sends the same request, with a new Via branch, to the next element of the list.
 * Returns how long to avoid this server (a 503's Retry-After, RFC 3261 §21.5.4), or null: no failover.
 */
export function failoverAfter(res: SipResponse, info: ResponseInfo, sawResponse: boolean): { unreachableSeconds: number } | null {
  if (info.synthetic) {
    // Our own 408 (Timer B/F) counts only when nothing at all came back; 503 = the transport failed.
    if (res.status === 503 || (res.status === 408 && !sawResponse)) return { unreachableSeconds: DEFAULT_UNREACHABLE_SECONDS };
    return null;
  }
  if (res.status !== 503) return null;
  const retryAfter = intOf(headerText(res, 'retry-after')?.replace(/[\s;(].*$/, ''));
  return { unreachableSeconds: retryAfter !== undefined && retryAfter > 0 ? retryAfter : DEFAULT_UNREACHABLE_SECONDS };
}

/** Every target of a hop, best first (the transport's RFC 3263 list when it has one, else its one answer). */
export async function resolveTargets(transport: SipTransport, hop: HopTarget): Promise<ResolvedHop[]> {
  if (transport.resolveAll) {
    const all = await transport.resolveAll(hop);
    if (all.length > 0) return all;
  }
  return [await transport.resolve(hop)];
}
