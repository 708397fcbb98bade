// The user agent's side of being transferred: the INVITE a peer's REFER asks for (RFC 3515 §2.4.2,
// with Referred-By and the Replaces of an attended transfer, RFC 3891 §6.2), and an INVITE with
// Replaces taking over one of our connected calls (RFC 3891 §3). Pure: calls come in as interfaces.
import { matchReplaces, parseReplaces } from './replaces';
import { headerText } from './sip-headers';
import type { CallSession } from './call-session';
import type { ReferTarget } from './refer';
import type { SipRequest } from './sip-message';

/** The extra headers of the INVITE we send for a REFER: Referred-By copied (RFC 3892), Replaces. */
export function referredInviteHeaders(target: ReferTarget, referredBy: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  // Only a plausible name-addr is copied: the header came from the network and goes out again.
  if (referredBy && referredBy.length <= 512 && !/[\r\n]/.test(referredBy)) headers['referred-by'] = referredBy;
  if (target.replacesText) headers.replaces = target.replacesText;
  return headers;
}

export type ReplacesVerdict =
  /** No Replaces, or transfers are not accepted: the INVITE rings as a new call (the header is ignored). */
  | { kind: 'new-call' }
  | { kind: 'refuse'; status: 400 | 481 | 486 }
  | { kind: 'replace'; call: CallSession };

/**
 * RFC 3891 §3: an INVITE whose Replaces names one of `calls` (confirmed) replaces it; one naming none
 * gets 481, an unreadable Replaces 400. Without `accept` we do not implement Replaces for this account
 * and ignore it, as a UA without the extension would (unless it is required: then 420 comes first).
 */
export function judgeReplacesInvite(req: SipRequest, calls: Iterable<CallSession>, accept: boolean): ReplacesVerdict {
  const value = headerText(req, 'replaces');
  if (value === undefined || !accept) return { kind: 'new-call' };
  const target = parseReplaces(value);
  if (!target) return { kind: 'refuse', status: 400 };
  const dialogs = [];
  for (const call of calls) {
    const d = call.replaceable();
    if (d) dialogs.push({ ...d, call });
  }
  const match = matchReplaces(target, dialogs);
  return 'status' in match ? { kind: 'refuse', status: match.status } : { kind: 'replace', call: match.dialog.call };
}
