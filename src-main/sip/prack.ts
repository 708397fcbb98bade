// Reliable provisional responses as caller (RFC 3262 §4): which 1xx gets a PRACK, in which early dialog,
// with which RAck; out-of-sequence ones are not acknowledged and not processed further.

import { Dialog } from './dialog';
import { headerText, optionTags } from './sip-headers';
import type { SipRequest, SipResponse } from './sip-message';

/** 'unreliable': an ordinary 1xx. 'ignore': a repeat or out of order. Else: PRACK it in `dialog` with RAck `rack`. */
export type ReliableVerdict = 'unreliable' | 'ignore' | { dialog: Dialog; rack: string };

/** RSeq (§7.1): 1 to 2^31 - 1. */
function parseRSeq(res: SipResponse): number | undefined {
  const text = headerText(res, 'rseq');
  if (text === undefined || !/^\d{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 2 ** 31 - 1 ? n : undefined;
}

export class ReliableProvisionals {
  /** By INVITE CSeq and To tag: the early dialog and the last RSeq acknowledged in it. */
  private readonly early = new Map<string, { dialog: Dialog; rseq: number }>();

  receive(invite: SipRequest, res: SipResponse): ReliableVerdict {
    if (res.status <= 100 || res.status >= 200) return 'unreliable';
    if (!optionTags(headerText(res, 'require')).includes('100rel')) return 'unreliable';
    const rseq = parseRSeq(res);
    const tag = res.headers.to.params.tag;
    // Without a valid RSeq or a To tag there is nothing to acknowledge: treated as an ordinary 1xx.
    if (rseq === undefined || !tag) return 'unreliable';
    const key = `${invite.headers.cseq.seq}\u0000${tag}`;
    const known = this.early.get(key);
    if (known) {
      // §4: only the next in sequence is acknowledged; a retransmission (our PRACK's transaction
      // retransmits on its own) or one out of order is not processed further.
      if (rseq !== known.rseq + 1) return 'ignore';
      known.rseq = rseq;
      return { dialog: known.dialog, rack: `${rseq} ${invite.headers.cseq.seq} INVITE` };
    }
    const dialog = Dialog.asUac(invite, res);
    if (!dialog) return 'unreliable';
    this.early.set(key, { dialog, rseq });
    return { dialog, rack: `${rseq} ${invite.headers.cseq.seq} INVITE` };
  }

  /** The last CSeq used in the early dialog with `tag` (0 when none): the confirmed dialog continues after it. */
  localSeq(invite: SipRequest, tag: string): number {
    return this.early.get(`${invite.headers.cseq.seq}\u0000${tag}`)?.dialog.localSeq ?? 0;
  }
}
