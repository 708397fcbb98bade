// The Replaces header (RFC 3891): parsing the peer's, writing ours, and the dialog it names. Pure.

/** A Replaces header: the dialog, as seen by the UA that receives it (RFC 3891 §3). */
export interface ReplacesTarget {
  callId: string;
  /** The receiver's local tag. */
  toTag: string;
  /** The receiver's remote tag. */
  fromTag: string;
  earlyOnly: boolean;
}

const MAX_REPLACES = 512;
/** Call-ID is word[@word] (RFC 3261 §25.1); tags are tokens. */
const CALL_ID = /^[\w\-.!%*+`'~()<>:\\"/[\]?{}]+(@[\w\-.!%*+`'~()<>:\\"/[\]?{}]+)?$/;
const TOKEN = /^[\w\-.!%*+`'~]+$/;

/** RFC 3891 §6.1: callid;to-tag=…;from-tag=…[;early-only]. Null when a part is missing or malformed. */
export function parseReplaces(value: string | undefined): ReplacesTarget | null {
  if (!value || value.length > MAX_REPLACES) return null;
  const [callId, ...params] = value.split(';').map((s) => s.trim());
  if (!callId || !CALL_ID.test(callId)) return null;
  let toTag: string | undefined;
  let fromTag: string | undefined;
  let earlyOnly = false;
  for (const p of params) {
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    const v = eq < 0 ? '' : p.slice(eq + 1).trim();
    if (name === 'to-tag') toTag = v;
    else if (name === 'from-tag') fromTag = v;
    else if (name === 'early-only') earlyOnly = true;
  }
  if (!toTag || !fromTag || !TOKEN.test(toTag) || !TOKEN.test(fromTag)) return null;
  return { callId, toTag, fromTag, earlyOnly };
}

/**
 * The Replaces value naming one of our dialogs for the UA at its other end (attended transfer, RFC 3891
 * §3): that UA's local tag is our remote tag, so to-tag is our remote tag and from-tag our local one.
 */
export function replacesFor(dialog: { callId: string; localTag: string; remoteTag: string }): string {
  return `${dialog.callId};to-tag=${dialog.remoteTag};from-tag=${dialog.localTag}`;
}

export interface ReplaceableDialog {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** The dialog is confirmed (the call connected) and not ended. */
  confirmed: boolean;
}

/**
 * RFC 3891 §3: which of `dialogs` an INVITE's Replaces names, or the status to refuse it with: 481 when
 * none matches (or only an early one: we replace connected calls only, as a transfer target does), 486
 * for early-only naming a connected call.
 */
export function matchReplaces<T extends ReplaceableDialog>(target: ReplacesTarget, dialogs: Iterable<T>): { dialog: T } | { status: 481 | 486 } {
  for (const d of dialogs) {
    if (d.callId !== target.callId || d.localTag !== target.toTag || d.remoteTag !== target.fromTag) continue;
    // §3: early-only names a dialog that must not be confirmed yet: "486 Busy Here" when it is.
    if (d.confirmed && target.earlyOnly) return { status: 486 };
    return d.confirmed ? { dialog: d } : { status: 481 };
  }
  return { status: 481 };
}
