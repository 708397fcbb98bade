// The user agent's side of being transferred: the INVITE a peer's REFER asks for (RFC 3515 §2.4.2,
// with Referred-By and the Replaces of an attended transfer, RFC 3891 §6.2), and an INVITE with
// Replaces taking over one of our connected calls (RFC 3891 §3). Pure: calls come in as interfaces.
import { matchReplaces, parseReplaces } from './replaces';
import { headerText } from './sip-headers';
import type { CallSession } from './call-session';
import type { ReferTarget } from './refer';
import type { SipRequest } from './sip-message';
import type { TransferAsks } from './transfer-asks';
import type { Call, TransferPolicy, UserAgentConfig } from './user-agent-api';

/**
 * What to do with a peer's transfer requests: the embedder's --accept-transfer wins ('always'), then the
 * account's setting (the older boolean true = 'always'), then the embedder's policy (--ask-transfer).
 */
export function transferPolicyOf(config: Pick<UserAgentConfig, 'acceptTransfer' | 'transferPolicy' | 'account'>): TransferPolicy {
  if (config.acceptTransfer === true) return 'always';
  const account = config.account?.acceptTransfer;
  if (account === true || account === 'always') return 'always';
  if (account === 'ask') return 'ask';
  if (account === 'never') return 'never';
  return config.transferPolicy ?? 'never';
}

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

export interface ReplaceHooks {
  /** The new call takes over (the 'replaced' event). */
  replaced(): void;
  warn(message: string, data: Record<string, unknown>): void;
}

/**
 * RFC 3891 §3: the ringing INVITE with Replaces takes over `old`: answered at once ('always'), or once the
 * user accepts ('ask': `asks` given; Decline or no answer in time gets 603 Decline). Whenever it connects,
 * the old call is ended with a BYE as soon as our 2xx is out (not after the media starts: the transferor
 * may hang up everything once it hears of the 2xx).
 */
export function replaceWhenAnswered(call: Call, old: Call, asks: TransferAsks | null, hooks: ReplaceHooks): void {
  const off = call.on('state', (s) => {
    if (s !== 'connected') return;
    off();
    void old.hangup();
  });
  const answer = () => {
    hooks.replaced();
    call.answer().catch((err: unknown) => hooks.warn('answering a Replaces INVITE failed', { callId: call.id, error: String(err) }));
  };
  if (!asks) return answer();
  const pending = asks.ask({ kind: 'replaces', callId: call.id, target: call.remoteUri, replacesCallId: old.id });
  if (!pending) {
    off();
    call.reject(603);
    return;
  }
  // Answered some other way (call.answer), declined or gone: the question is over.
  const offEnded = call.on('state', (s) => {
    if (s !== 'ringing') pending.cancel();
  });
  void pending.decision.then((accepted) => {
    offEnded();
    if (call.state !== 'ringing') return;
    if (!accepted) {
      off();
      call.reject(603);
    } else if (old.state !== 'connected') {
      // The call to replace went away while we asked: nothing to take over (§3 would say 481).
      off();
      call.reject(603);
    } else {
      answer();
    }
  });
}
